"""The model file's description check at each limit (holes a mutation run of retrograd.train
found: the CLI tests try a few forged files, not the boundaries). A file is untrusted input:
every field just inside its range is accepted and just outside is refused, and the weights'
shapes must agree with the description."""
import numpy as np
import pytest

from retrograd.io import CorruptFileError
from retrograd.train.model_file import (MAX_CHANNELS, MAX_CLASSES, MAX_IMAGE_SIZE, _check_shapes,
                                        check_spec)

GOOD = {"name": "lenet5", "num_classes": 10, "in_channels": 1, "image_size": 28}


def spec(**changes):
    out = dict(GOOD, **changes)
    return {k: v for k, v in out.items() if v is not ...}


@pytest.mark.parametrize("changes", [
    {}, {"name": "LeNet-5"}, {"num_classes": 1}, {"num_classes": MAX_CLASSES},
    {"in_channels": MAX_CHANNELS}, {"image_size": MAX_IMAGE_SIZE},
    {"classes": [str(i) for i in range(10)]}, {"classes": [str(i) for i in range(12)]},
    {"dataset": "mnist", "data_root": None},
    {"kwargs": {"dropout": 0.5, "flag": True, "norm": None, "mode": "x" * 64, "width": 0,
                "depth": 1024, "sizes": [1, 1024, 3, 4, 5, 6, 7, 8]}},
])
def test_accepted_at_the_limits(changes):
    assert check_spec("m.safetensors", spec(**changes)) == spec(**changes)


@pytest.mark.parametrize("changes", [
    {"name": 5}, {"name": "lenet6"}, {"num_classes": 0}, {"num_classes": MAX_CLASSES + 1},
    {"num_classes": True}, {"num_classes": 10.0}, {"num_classes": ...},
    {"in_channels": 0}, {"in_channels": MAX_CHANNELS + 1}, {"image_size": MAX_IMAGE_SIZE + 1},
    {"classes": "0123456789"}, {"classes": [str(i) for i in range(9)]},
    {"classes": list(range(10))}, {"dataset": 3}, {"data_root": ["a"]},
    {"kwargs": []}, {"kwargs": {"not an identifier": 1}}, {"kwargs": {1: 1}},
    {"kwargs": {"mode": "x" * 65}}, {"kwargs": {"width": -1}}, {"kwargs": {"width": 1025}},
    {"kwargs": {"sizes": [1] * 9}}, {"kwargs": {"sizes": [0, 1]}}, {"kwargs": {"sizes": [1025]}},
    {"kwargs": {"sizes": [1.0]}}, {"kwargs": {"sizes": (1, 2)}}, {"kwargs": {"w": {"a": 1}}},
])
def test_refused_just_outside(changes):
    with pytest.raises(CorruptFileError, match="m.safetensors is not a valid retrograd model file"):
        check_spec("m.safetensors", spec(**changes))
    with pytest.raises(CorruptFileError, match="not a JSON object"):
        check_spec("m.safetensors", [GOOD])


def test_refused_when_many_classes_are_named_beyond_the_limit(monkeypatch):
    import retrograd.train.model_file as mf

    monkeypatch.setattr(mf, "MAX_CLASSES", 12)
    check_spec("m", spec(classes=[str(i) for i in range(12)]))
    with pytest.raises(CorruptFileError):
        check_spec("m", spec(classes=[str(i) for i in range(13)]))


def test_weights_must_match_the_description():
    conv = {"0.weight": np.zeros((6, 1, 5, 5)), "0.bias": np.zeros(6),
            "fc.weight": np.zeros((10, 84)), "fc.bias": np.zeros(10)}
    _check_shapes("m", spec(), conv)
    for bad in (spec(in_channels=3), spec(num_classes=9)):
        with pytest.raises(CorruptFileError, match="does not match its weights"):
            _check_shapes("m", bad, conv)
    mlp = {"0.weight": np.zeros((32, 784)), "1.weight": np.zeros((10, 32))}
    _check_shapes("m", spec(name="mlp"), mlp)  # a first Linear layer takes C * H * W inputs
    with pytest.raises(CorruptFileError, match="does not match"):
        _check_shapes("m", spec(name="mlp", image_size=27), mlp)
    for empty in ({"0.bias": np.zeros(3)}, {"0.weight": np.zeros((6, 1, 5, 5))},
                  {"0.weight": np.zeros((2, 2, 2, 2, 2)), "fc.weight": np.zeros((10, 84))}):
        with pytest.raises(CorruptFileError):
            _check_shapes("m", spec(), empty)


def test_a_saved_model_file_rebuilds_the_same_model(tmp_path):
    import retrograd as rg
    from retrograd.models.registry import build_model
    from retrograd.train.model_file import load_model_file, read_spec, save_model_file

    rg.manual_seed(0)
    model = build_model("mlp", 4, 3, 8)  # an image size other than the default
    spec = {"name": "mlp", "num_classes": 4, "in_channels": 3, "image_size": 8,
            "classes": ["a", "b", "c", "d"]}
    path = str(tmp_path / "m.safetensors")
    assert save_model_file(model, path, spec) == path
    assert read_spec(path) == spec
    loaded, loaded_spec = load_model_file(path)
    assert loaded_spec == spec and not loaded.training
    x = rg.randn(2, 3, 8, 8)
    model.eval()
    np.testing.assert_array_equal(loaded(x).array, model(x).array)
