"""Models by name, for the command line and saved-model files: ``build_model('lenet5', ...)``."""
from __future__ import annotations

from typing import Any


def _mlp(num_classes, in_channels, image_size, **kw):
    from .mlp import MLP

    hidden = kw.pop("hidden", (512, 256))
    return MLP([in_channels * image_size * image_size, *hidden, num_classes], **kw)


def _lenet5(num_classes, in_channels, image_size, **kw):
    from .lenet import LeNet5

    return LeNet5(num_classes, in_channels, image_size, **kw)


def _cifar_resnet(depth):
    def build(num_classes, in_channels, image_size, **kw):
        from .resnet import CifarResNet

        return CifarResNet(depth, num_classes=num_classes, in_channels=in_channels, **kw)
    return build


def _resnet18(num_classes, in_channels, image_size, **kw):
    from .resnet import resnet18

    return resnet18(num_classes, in_channels)


def _vgg(cfg):
    def build(num_classes, in_channels, image_size, **kw):
        from .vgg import VGG

        return VGG(cfg, num_classes=num_classes, in_channels=in_channels, **kw)
    return build


def _row_rnn(kind):
    def build(num_classes, in_channels, image_size, **kw):
        from .rnn import RowRNN

        return RowRNN(kind, in_channels * image_size, num_classes, **kw)
    return build


MODELS = {
    "mlp": _mlp, "lenet5": _lenet5, "resnet8": _cifar_resnet(8), "resnet20": _cifar_resnet(20),
    "resnet32": _cifar_resnet(32), "resnet56": _cifar_resnet(56), "resnet18": _resnet18,
    "vgg_small": _vgg("vgg_small"), "vgg11": _vgg("vgg11"), "vgg16": _vgg("vgg16"),
    "lstm": _row_rnn("lstm"), "gru": _row_rnn("gru"), "rnn": _row_rnn("rnn"),
}


# Training settings that suit a model better than the command's defaults (`retrograd train`).
TRAIN_DEFAULTS = {kind: {"epochs": 12, "optimizer": "adam", "lr": 3e-3, "weight_decay": 0.0,
                         "schedule": "onecycle", "clip_grad_norm": 1.0}
                  for kind in ("lstm", "gru", "rnn")}


def train_defaults(name: str) -> dict:
    """The training settings model ``name`` is trained with unless told otherwise."""
    return dict(TRAIN_DEFAULTS.get(name.lower().replace("-", ""), {}))


def build_model(name: str, num_classes: int = 10, in_channels: int = 1, image_size: int = 28,
                **kwargs: Any):
    """Build a model by name for inputs (N, in_channels, image_size, image_size)."""
    key = name.lower().replace("-", "")
    if key not in MODELS:
        raise ValueError(f"unknown model {name!r}; choose one of: {', '.join(sorted(MODELS))}")
    return MODELS[key](num_classes, in_channels, image_size, **kwargs)
