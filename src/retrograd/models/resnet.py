"""Residual networks (He et al. 2016): the CIFAR family for 32x32 inputs (resnet8/20/32/56,
three stages of basic blocks, widths 16/32/64) and resnet18 for ImageNet-sized inputs with
torchvision's parameter names."""
from __future__ import annotations

from .. import nn
from ..ops.shape import pad


class BasicBlock(nn.Module):
    """Two 3x3 conv-BN layers with an identity (or projected) shortcut: relu(F(x) + x)."""

    expansion = 1

    def __init__(self, in_planes: int, planes: int, stride: int = 1, shortcut: str = "B"):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU()
        self.pad_channels = 0
        self.downsample = None
        if stride != 1 or in_planes != planes:
            if shortcut == "A":  # parameter-free: subsample and zero-pad channels (CIFAR paper)
                self.pad_channels = planes - in_planes
                self.stride = stride
            else:
                self.downsample = nn.Sequential(
                    nn.Conv2d(in_planes, planes, 1, stride=stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        elif self.pad_channels:
            half = self.pad_channels // 2
            identity = pad(x[:, :, ::self.stride, ::self.stride],
                           (0, 0, 0, 0, half, self.pad_channels - half))
        else:
            identity = x
        return self.relu(out + identity)


class CifarResNet(nn.Module):
    """ResNet for 32x32 images: 3x3 conv(16) -> 3 stages of n blocks (16, 32, 64 channels,
    strides 1, 2, 2) -> global average pool -> linear. Depth = 6n + 2.

    Input (N, in_channels, 32, 32); output logits (N, num_classes).
    """

    def __init__(self, depth: int = 20, num_classes: int = 10, in_channels: int = 3,
                 widths: tuple[int, int, int] = (16, 32, 64), shortcut: str = "A"):
        super().__init__()
        if (depth - 2) % 6:
            raise ValueError(f"CifarResNet: depth must be 6n+2 (8, 14, 20, 32, 44, 56, 110), got {depth}")
        n = (depth - 2) // 6
        self.conv1 = nn.Conv2d(in_channels, widths[0], 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU()
        stages, in_planes = [], widths[0]
        for i, planes in enumerate(widths):
            blocks = []
            for j in range(n):
                blocks.append(BasicBlock(in_planes, planes, 2 if (i > 0 and j == 0) else 1, shortcut))
                in_planes = planes
            stages.append(nn.Sequential(*blocks))
        self.layer1, self.layer2, self.layer3 = stages
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(widths[-1], num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(self.avgpool(x).flatten(1))


def resnet8(**kwargs) -> CifarResNet:
    """CIFAR ResNet-8 (1 block per stage); keyword arguments go to CifarResNet."""
    return CifarResNet(8, **kwargs)


def resnet20(**kwargs) -> CifarResNet:
    """CIFAR ResNet-20 (3 blocks per stage); keyword arguments go to CifarResNet."""
    return CifarResNet(20, **kwargs)


def resnet32(**kwargs) -> CifarResNet:
    """CIFAR ResNet-32 (5 blocks per stage); keyword arguments go to CifarResNet."""
    return CifarResNet(32, **kwargs)


def resnet56(**kwargs) -> CifarResNet:
    """CIFAR ResNet-56 (9 blocks per stage); keyword arguments go to CifarResNet."""
    return CifarResNet(56, **kwargs)


class ResNet(nn.Module):
    """ImageNet-style ResNet (torchvision's layout and parameter names): 7x7/2 conv, 3x3/2 max
    pool, four stages of basic blocks (64..512 channels), global average pool, linear."""

    def __init__(self, layers=(2, 2, 2, 2), num_classes: int = 1000, in_channels: int = 3):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 64, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU()
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        in_planes, stages = 64, []
        for i, (planes, count) in enumerate(zip((64, 128, 256, 512), layers)):
            blocks = []
            for j in range(count):
                blocks.append(BasicBlock(in_planes, planes, 2 if (i > 0 and j == 0) else 1, "B"))
                in_planes = planes
            stages.append(nn.Sequential(*blocks))
        self.layer1, self.layer2, self.layer3, self.layer4 = stages
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(512, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(self.avgpool(x).flatten(1))


def resnet18(num_classes: int = 1000, in_channels: int = 3) -> ResNet:
    """ResNet-18; its state_dict keys equal torchvision.models.resnet18's."""
    return ResNet((2, 2, 2, 2), num_classes, in_channels)
