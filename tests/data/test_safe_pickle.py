"""safe_load: plain data and numeric arrays that own their data come out; crafted pickles that
crashed, hung or flooded the old restricted unpickler raise UnsafeFileError naming the file."""
import pickle
import sys
from pathlib import Path

import numpy as np
import pytest

from retrograd.data.datasets import UnsafeFileError, safe_load

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "security"))
import malformed  # noqa: E402


@pytest.mark.parametrize("protocol", [0, 2, 4, 5])
def test_arrays_and_containers_round_trip_and_own_their_data(protocol):
    value = {"a": np.arange(6, dtype=">i2").reshape(2, 3), "f": np.asfortranarray(np.eye(3)),
             "e": np.zeros((0, 4), np.float32), "b": np.array([True, False]),
             "c": np.array([1 + 2j], np.complex64), "l": [1, -2, "x", b"y", (None, 2.5)]}
    out = safe_load(pickle.dumps(value, protocol=protocol))
    for key in ("a", "f", "e", "b", "c"):
        np.testing.assert_array_equal(out[key], value[key])
        assert out[key].dtype == value[key].dtype.newbyteorder("=")
        assert out[key].flags.owndata and out[key].flags.writeable
    assert out["l"] == value["l"]


def test_shared_references_are_copied_into_a_tree():
    shared = [1, 2]
    array = np.arange(3)
    out = safe_load(pickle.dumps({"x": shared, "y": shared, "a": [array, array]}))
    assert out["x"] == out["y"] == [1, 2] and out["x"] is not out["y"]
    np.testing.assert_array_equal(out["a"][1], array)


@pytest.mark.parametrize("name", ["forged-dtype", "forged-dtype-array", "object-array",
                                  "structured-object", "numpy-scalar", "ndarray-negative-offset",
                                  "huge-shape", "huge-dims", "negative-dims", "short-data",
                                  "raw-as-list", "os-system", "eval", "getattr", "self-cycle",
                                  "deep-nesting", "billion-laughs", "reused-bytes",
                                  "obj-ndarray",
                                  "inst-os-system", "persistent-id"])
def test_crafted_pickles_are_refused_naming_the_file(tmp_path, name):
    marker = tmp_path / "PWNED"
    payload = dict(malformed.pickle_attacks(marker))[name]
    with pytest.raises(UnsafeFileError, match="^evil.pkl: "):
        safe_load(payload, "evil.pkl")
    assert not marker.exists()


def test_corrupt_pickles_are_unpickling_errors_not_unsafe():
    for data in (b"", b"\x80\x02h\x05.", b"\x80\x02\x8b\xff\xff\xff\x7f.", b"garbage"):
        with pytest.raises(pickle.UnpicklingError, match="cut.pkl: corrupt") as err:
            safe_load(data, "cut.pkl")
        assert not isinstance(err.value, UnsafeFileError)


def test_limits_follow_the_file_size():
    """A legitimately large list loads (one value per byte is allowed); the same count made
    from shared references does not."""
    big = list(range(50_000))
    assert safe_load(pickle.dumps(big)) == big
    with pytest.raises(UnsafeFileError, match="expands"):
        safe_load(malformed.billion_laughs(levels=6, width=10))  # 10**6 values from 140 bytes
