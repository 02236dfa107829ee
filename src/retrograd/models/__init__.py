"""Ready-made models. Modules written separately (lenet, resnet, vgg) are exported once they
exist; until then the package imports without them."""
from __future__ import annotations

from .mlp import MLP
from ..nn.functional import _import_available

_import_available(globals(), [
    ("retrograd.models.lenet", ("LeNet5",)),
    ("retrograd.models.resnet", ("BasicBlock", "CifarResNet", "ResNet", "resnet8", "resnet20",
                                 "resnet32", "resnet56", "resnet18")),
    ("retrograd.models.vgg", ("VGG", "vgg11", "vgg16", "vgg_small")),
    ("retrograd.models.registry", ("build_model",)),
    ("retrograd.models.rnn", ("RowRNN",)),
], keep=lambda name, obj: not name.startswith("_") and callable(obj))
