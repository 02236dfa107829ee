"""VGG-style deep CNNs (Simonyan and Zisserman 2015) for 32x32 images: stacks of 3x3 convs
(with BatchNorm by default) and max pools, then a linear classifier."""
from __future__ import annotations

from .. import nn

CONFIGS = {
    "vgg11": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "vgg13": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "vgg16": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "vgg_small": [16, "M", 32, "M", 64, 64, "M"],
}


class VGG(nn.Module):
    """``features`` (convs and pools, torchvision's indices) -> global average pool ->
    ``classifier``. Input (N, in_channels, H, W); output logits (N, num_classes)."""

    def __init__(self, cfg: str | list = "vgg11", num_classes: int = 10, in_channels: int = 3,
                 batch_norm: bool = True, dropout: float = 0.0):
        super().__init__()
        if isinstance(cfg, str):
            if cfg not in CONFIGS:
                raise ValueError(f"VGG: unknown config {cfg!r}; known: {sorted(CONFIGS)}")
            cfg = CONFIGS[cfg]
        layers, channels = [], in_channels
        for v in cfg:
            if v == "M":
                layers.append(nn.MaxPool2d(2))
                continue
            layers.append(nn.Conv2d(channels, v, 3, padding=1))
            if batch_norm:
                layers.append(nn.BatchNorm2d(v))
            layers.append(nn.ReLU())
            channels = v
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        head = [nn.Dropout(dropout)] if dropout else []
        self.classifier = nn.Sequential(*head, nn.Linear(channels, num_classes))

    def forward(self, x):
        return self.classifier(self.avgpool(self.features(x)).flatten(1))


def vgg11(**kwargs) -> VGG:
    """VGG-11 (8 conv layers, configuration A); keyword arguments go to VGG."""
    return VGG("vgg11", **kwargs)


def vgg16(**kwargs) -> VGG:
    """VGG-16 (13 conv layers, configuration D); keyword arguments go to VGG."""
    return VGG("vgg16", **kwargs)


def vgg_small(**kwargs) -> VGG:
    """Three conv stages (16/32/64 channels): a VGG-style deep CNN that trains in minutes on a CPU."""
    return VGG("vgg_small", **kwargs)
