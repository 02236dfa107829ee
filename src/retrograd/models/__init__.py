"""Ready-made models: MLP, LeNet-5, the CIFAR ResNets and resnet18, VGG; ``build_model`` by
name."""
from __future__ import annotations

from .lenet import LeNet5
from .mlp import MLP
from .registry import build_model
from .resnet import (BasicBlock, CifarResNet, ResNet, resnet8, resnet18, resnet20, resnet32,
                     resnet56)
from .vgg import VGG, vgg11, vgg16, vgg_small
from .rnn import RowRNN

__all__ = ["MLP", "LeNet5", "BasicBlock", "CifarResNet", "ResNet", "resnet8", "resnet18",
           "resnet20", "resnet32", "resnet56", "VGG", "vgg11", "vgg16", "vgg_small",
           "build_model", "RowRNN"]
