import numpy as np
import pytest

import retrograd as rg
from retrograd.data.transforms import (Compose, Normalize, RandomCrop, RandomHorizontalFlip,
                                       ToFloat)
from retrograd.tensor import Tensor


def images(*shape, seed=0):
    return np.random.default_rng(seed).random(shape).astype(np.float32)


def test_flip_p1_flips_and_p0_keeps_single_and_batch():
    x = images(2, 3, 4, 5)
    np.testing.assert_array_equal(RandomHorizontalFlip(1.0)(x), x[..., ::-1])
    np.testing.assert_array_equal(RandomHorizontalFlip(1.0)(x[0]), x[0, :, :, ::-1])
    np.testing.assert_array_equal(RandomHorizontalFlip(0.0)(x), x)


def test_flip_is_random_per_sample():
    x = images(400, 1, 2, 3)
    out = RandomHorizontalFlip(0.5, generator=0)(x)
    flipped = np.all(out == x[..., ::-1], axis=(1, 2, 3))
    kept = np.all(out == x, axis=(1, 2, 3))
    assert np.all(flipped ^ kept)  # each sample is exactly one of the two
    assert 150 < flipped.sum() < 250


def test_crop_with_padding_keeps_shape_and_cuts_windows_of_padded_input():
    x = images(64, 3, 8, 8)
    out = RandomCrop(8, padding=2, generator=1)(x)
    assert out.shape == x.shape and out.dtype == x.dtype
    padded = np.pad(x, ((0, 0), (0, 0), (2, 2), (2, 2)))
    offsets = set()
    for i in range(len(x)):
        match = [(t, l) for t in range(5) for l in range(5)
                 if np.array_equal(out[i], padded[i, :, t:t + 8, l:l + 8])]
        assert match, f"sample {i} is not a window of its padded image"
        offsets.add(match[0])
    assert len(offsets) > 5  # offsets differ between samples


def test_crop_single_sample_and_rectangular_size():
    x = images(3, 10, 12)
    out = RandomCrop((4, 6), generator=0)(x)
    assert out.shape == (3, 4, 6)


def test_crop_of_full_padded_size_shows_fill_border():
    x = np.ones((1, 2, 2), np.float32)
    out = RandomCrop(4, padding=1, fill=-1.0, generator=0)(x)
    expected = np.full((1, 4, 4), -1.0, np.float32)
    expected[:, 1:3, 1:3] = 1
    np.testing.assert_array_equal(out, expected)


def test_crop_reproducible_with_seed_and_global_rng():
    x = images(16, 1, 6, 6)
    np.testing.assert_array_equal(RandomCrop(4, generator=3)(x), RandomCrop(4, generator=3)(x))
    rg.manual_seed(5)
    a = RandomCrop(4)(x)
    rg.manual_seed(5)
    np.testing.assert_array_equal(a, RandomCrop(4)(x))


def test_crop_larger_than_image_rejected():
    with pytest.raises(ValueError, match="larger"):
        RandomCrop(9)(images(1, 8, 8))


@pytest.mark.parametrize("shape", [(3, 4, 5), (2, 3, 4, 5)])
def test_normalize_math_per_channel(shape):
    x = images(*shape)
    mean, std = [0.1, 0.2, 0.3], [0.5, 2.0, 4.0]
    out = Normalize(mean, std)(x)
    for c in range(3):
        np.testing.assert_allclose(out[..., c, :, :], (x[..., c, :, :] - mean[c]) / std[c],
                                   rtol=1e-6)
    assert out.dtype == np.float32


def test_normalize_channel_mismatch_and_zero_std():
    with pytest.raises(ValueError, match="2 values but the input has 3 channels"):
        Normalize([0, 0], [1, 1])(images(3, 2, 2))
    with pytest.raises(ValueError, match="non-zero"):
        Normalize([0], [0])


def test_tofloat_scales_uint8_to_unit_float32():
    x = np.array([[[0, 51, 255]]], np.uint8)
    out = ToFloat()(x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [[[0.0, 0.2, 1.0]]], rtol=1e-6)


def test_compose_applies_in_order_and_reports_batchability():
    x = np.full((1, 2, 2), 255, np.uint8)
    t = Compose([ToFloat(), Normalize([0.5], [0.25])])
    np.testing.assert_allclose(t(x), np.full((1, 2, 2), 2.0))
    assert t.batched
    assert not Compose([ToFloat(), lambda a: a]).batched


def test_tensor_in_tensor_out():
    out = RandomHorizontalFlip(1.0)(Tensor(images(1, 2, 3)))
    assert isinstance(out, Tensor) and out.shape == (1, 2, 3)


def test_wrong_rank_rejected():
    with pytest.raises(ValueError, match=r"\(C, H, W\)"):
        RandomCrop(2)(np.zeros((4, 4)))
