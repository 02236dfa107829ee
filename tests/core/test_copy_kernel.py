"""The CPU backend's ``copy_``: ``dst[...] = src`` for any layout, tiled or not."""
from __future__ import annotations

import numpy as np
import pytest

from retrograd.backends.cpu import copy as copy_module
from retrograd.backends.cpu import copy_

RNG = np.random.default_rng(0)


def _layouts():
    """(name, dst, src): the destination views and sources copy_ meets."""
    gate_grads = RNG.standard_normal((37, 9, 70)).astype(np.float32)  # (B, T, H)
    yield "transposed 3-d (a gradient into a recurrence's layout)", \
        np.empty((10, 70, 37), np.float32)[1:], gate_grads.transpose(1, 2, 0)
    square = RNG.standard_normal((301, 301))
    yield "2-d transpose", np.empty((301, 301)), square.T
    yield "into a strided slice", np.empty((301, 301))[::2, 5:], square.T[::2, 5:]
    yield "broadcast row", np.empty((301, 301)), square[0]
    yield "broadcast scalar", np.empty((301, 301)), np.float64(2.5)
    yield "same layout", np.empty((301, 301)), square
    yield "one dimension", np.empty(1000), square.ravel()[::3][:1000]
    yield "integers", np.empty((200, 300), np.int64), np.arange(60_000).reshape(300, 200).T
    yield "small", np.empty((3, 4), np.float32), np.arange(12, dtype=np.float32).reshape(4, 3).T


@pytest.mark.parametrize("tile", [copy_module.TILE, 5])
@pytest.mark.parametrize("name, dst, src", list(_layouts()), ids=lambda v: v if isinstance(v, str) else "")
def test_copy_equals_assignment(monkeypatch, tile, name, dst, src):
    monkeypatch.setattr(copy_module, "TILE", tile)  # 5: tiles that do not divide the axis
    monkeypatch.setattr(copy_module, "MIN_SIZE", 16)
    expected = np.empty_like(dst)
    expected[...] = src
    dst.fill(-1)
    copy_(dst, src)
    np.testing.assert_array_equal(dst, expected)


def test_copy_writes_only_the_destination_view():
    base = np.zeros((12, 80, 40), np.float32)
    src = RNG.standard_normal((40, 10, 60)).astype(np.float32).transpose(1, 2, 0)
    copy_(base[1:11, 10:70], src)
    np.testing.assert_array_equal(base[1:11, 10:70], src)
    outside = base.copy()
    outside[1:11, 10:70] = 0
    assert not outside.any()
