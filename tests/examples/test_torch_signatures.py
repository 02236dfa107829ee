"""The optimizers, schedulers, data loading and save/load of issue 14 part C take PyTorch's
arguments: same names, order, kinds and defaults (PyTorch-only options listed below)."""
import inspect

import pytest

import retrograd as rg

# PyTorch options with no meaning here (CUDA graphs, differentiable optimizers, pickle)
TORCH_ONLY = {"capturable", "differentiable", "_use_new_zipfile_serialization",
              "_disable_byteorder_record"}
OURS_ONLY = {"transform", "metadata"}  # retrograd's additions
# a numpy Generator in place of torch's; nothing is ever pickled
DEFAULTS_DIFFER = {"generator", "weights_only", "pickle_module", "pickle_protocol"}

NAMES = ([("optim", n) for n in ("Adadelta", "Adamax", "NAdam", "RAdam", "ASGD", "LBFGS")]
         + [("optim.lr_scheduler", n) for n in ("CosineAnnealingWarmRestarts", "CyclicLR",
                                                 "PolynomialLR", "SequentialLR",
                                                 "ChainedScheduler")]
         + [("utils.data", n) for n in ("DataLoader", "RandomSampler", "SequentialSampler",
                                        "SubsetRandomSampler", "WeightedRandomSampler",
                                        "BatchSampler", "TensorDataset", "random_split",
                                        "get_worker_info")]
         + [("", "save"), ("", "load")])


def _lookup(root, path, name):
    for part in filter(None, path.split(".")):
        root = getattr(root, part)
    return getattr(root, name)


@pytest.mark.parametrize("path,name", NAMES, ids=[n for _, n in NAMES])
def test_signature_matches_torch(path, name):
    torch = pytest.importorskip("torch")
    ours = inspect.signature(_lookup(rg, path, name)).parameters
    theirs = inspect.signature(_lookup(torch, path, name)).parameters
    mine = [k for k in ours if k not in OURS_ONLY]
    assert mine == [k for k in theirs if k not in TORCH_ONLY]
    for key in mine:
        assert ours[key].kind == theirs[key].kind, key
        if key not in DEFAULTS_DIFFER:
            assert ours[key].default == theirs[key].default, key
