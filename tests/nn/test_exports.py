"""nn, F and models export every public layer, loss and function by plain import, each named once
in ``__all__``, so linters and IDEs see them and a new layer cannot be forgotten."""
import importlib
import inspect
import pkgutil

import pytest

import retrograd.models as models
import retrograd.nn as nn
import retrograd.nn.functional as F
import retrograd.nn.layers as layers


def _public_modules_in(package):
    for info in pkgutil.iter_modules(package.__path__):
        if not info.name.startswith("_"):
            yield importlib.import_module(f"{package.__name__}.{info.name}")


def _layer_classes():
    found = {}
    for module in [*_public_modules_in(layers), importlib.import_module("retrograd.nn.losses")]:
        for name, obj in vars(module).items():
            if (inspect.isclass(obj) and issubclass(obj, nn.Module) and obj.__module__ == module.__name__
                    and not name.startswith("_")):
                found[name] = obj
    return found


@pytest.mark.parametrize("namespace", [nn, F, models, layers], ids=lambda m: m.__name__)
def test_export_lists_name_each_export_once_and_every_name_resolves(namespace):
    assert len(namespace.__all__) == len(set(namespace.__all__))
    for name in namespace.__all__:
        assert getattr(namespace, name) is not None


def test_every_layer_and_loss_class_is_exported_by_nn():
    missing = sorted(name for name, cls in _layer_classes().items()
                     if name not in nn.__all__ or getattr(nn, name) is not cls)
    assert not missing, f"not exported by retrograd.nn: {missing}"


def test_f_exports_every_public_function_it_defines():
    own = [name for name, obj in vars(F).items() if inspect.isfunction(obj)
           and obj.__module__ == F.__name__ and not name.startswith("_")]
    assert sorted(set(own) - set(F.__all__)) == []
    for name in ("conv2d", "max_pool2d", "cross_entropy", "linear"):
        assert name in F.__all__
