"""LeNet-5 (LeCun et al. 1998) for 28x28 or 32x32 single-channel images, with ReLU and max
pooling by default (the modern variant) or tanh and average pooling (the original)."""
from __future__ import annotations

from .. import nn


class LeNet5(nn.Module):
    """conv 6@5x5 -> pool -> conv 16@5x5 -> pool -> 120 -> 84 -> num_classes.

    Input (N, in_channels, 28, 28) (padded to 32 by the first conv) or (N, in_channels, 32, 32)
    with ``image_size=32``. Output logits (N, num_classes).

    >>> LeNet5()(retrograd.zeros(2, 1, 28, 28)).shape
    (2, 10)
    """

    def __init__(self, num_classes: int = 10, in_channels: int = 1, image_size: int = 28,
                 activation: str = "relu"):
        super().__init__()
        if image_size not in (28, 32):
            raise ValueError(f"LeNet5: image_size must be 28 or 32, got {image_size}")
        if activation not in ("relu", "tanh"):
            raise ValueError(f"LeNet5: activation must be 'relu' or 'tanh', got {activation!r}")
        act = nn.ReLU if activation == "relu" else nn.Tanh
        pool = nn.MaxPool2d if activation == "relu" else nn.AvgPool2d
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 6, 5, padding=2 if image_size == 28 else 0), act(), pool(2),
            nn.Conv2d(6, 16, 5), act(), pool(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(16 * 5 * 5, 120), act(), nn.Linear(120, 84), act(),
            nn.Linear(84, num_classes),
        )

    def forward(self, x):
        return self.classifier(self.features(x))
