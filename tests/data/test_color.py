"""Colour adjustments and ColorJitter's saturation and hue, as torchvision computes them: known
colours and identities here, torchvision itself where it is installed."""
import numpy as np
import pytest

import retrograd as rg
from retrograd.data import color
from retrograd.data import transforms as T

Image = pytest.importorskip("PIL.Image")

RNG = np.random.default_rng(0)
PICTURE = RNG.uniform(0, 1, (3, 5, 6)).astype(np.float32)
RED = np.zeros((3, 1, 1), np.float32)
RED[0] = 1.0


def _pil(chw):
    return Image.fromarray((np.clip(chw, 0, 1).transpose(1, 2, 0) * 255).astype(np.uint8))


def test_hue_zero_and_saturation_one_are_identities():
    np.testing.assert_allclose(color.adjust_hue(PICTURE, 0.0), PICTURE, atol=1e-6)
    np.testing.assert_array_equal(color.adjust_saturation(PICTURE, 1.0), PICTURE)
    assert color.adjust_hue(PICTURE, 0.0).dtype == np.float32


def test_hue_turns_colours_round_the_wheel():
    green, blue = RED[[1, 0, 2]], RED[[2, 1, 0]]
    np.testing.assert_allclose(color.adjust_hue(RED, 1 / 3), green, atol=1e-6)
    np.testing.assert_allclose(color.adjust_hue(RED, -1 / 3), blue, atol=1e-6)
    np.testing.assert_allclose(color.adjust_hue(RED, 0.5), 1 - RED, atol=1e-6)  # cyan
    np.testing.assert_allclose(color.adjust_hue(color.adjust_hue(PICTURE, 0.3), -0.3), PICTURE, atol=1e-5)
    h, s, v = color.rgb_to_hsv(PICTURE)
    np.testing.assert_allclose(color.hsv_to_rgb(h, s, v), PICTURE, atol=1e-6)


def test_saturation_blends_with_the_grey_image():
    grey = color.rgb_to_grayscale(PICTURE)
    np.testing.assert_allclose(grey[0], 0.2989 * PICTURE[0] + 0.587 * PICTURE[1] + 0.114 * PICTURE[2],
                               rtol=1e-6)
    np.testing.assert_allclose(color.adjust_saturation(PICTURE, 0.0), np.repeat(grey, 3, 0), rtol=1e-6)
    twice = color.adjust_saturation(PICTURE, 2.0)
    np.testing.assert_allclose(twice, np.clip(2 * PICTURE - grey, 0, 1), rtol=1e-6)


def test_a_grey_image_keeps_its_grey():
    grey = np.full((3, 4, 4), 0.4, np.float64)
    grey[:, 0] = 0.9
    for factor in (-0.5, -0.2, 0.25, 0.5):
        np.testing.assert_allclose(color.adjust_hue(grey, factor), grey, atol=1e-6)
    for factor in (0.0, 0.5, 3.0):  # torchvision's luma weights sum to 0.9999, not 1
        np.testing.assert_allclose(color.adjust_saturation(grey, factor), grey, rtol=3e-4)
    one_channel = PICTURE[:1]
    assert color.adjust_hue(one_channel, 0.3) is one_channel
    assert color.adjust_saturation(one_channel, 0.0) is one_channel


def test_bad_factors_and_channels_are_refused_as_torchvision():
    with pytest.raises(ValueError, match=r"hue_factor \(0.6\) is not in \[-0.5, 0.5\]"):
        color.adjust_hue(PICTURE, 0.6)
    with pytest.raises(ValueError, match="saturation_factor"):
        color.adjust_saturation(PICTURE, -0.1)
    with pytest.raises(TypeError, match="1 or 3 channels"):
        color.adjust_hue(np.zeros((2, 3, 3), np.float32), 0.1)
    for kwargs, error in [({"hue": 0.6}, ValueError), ({"hue": (-0.6, 0.1)}, ValueError),
                          ({"hue": -0.1}, ValueError), ({"saturation": -1}, ValueError),
                          ({"saturation": (2.0, 1.0)}, ValueError), ({"saturation": "a"}, TypeError),
                          ({"contrast": (1, 2, 3)}, TypeError)]:
        with pytest.raises(error):
            T.ColorJitter(**kwargs)
    jitter = T.ColorJitter(brightness=(1, 1), saturation=0.0, hue=(0.0, 0.0))
    assert jitter.brightness is jitter.saturation is jitter.hue is None  # nothing to do
    assert T.ColorJitter(saturation=1.5).saturation == (0.0, 2.5)
    assert T.ColorJitter(hue=0.2).hue == (-0.2, 0.2)


def test_color_jitter_saturation_and_hue_on_arrays_tensors_and_pillow():
    np.testing.assert_allclose(T.ColorJitter(hue=(0.25, 0.25))(PICTURE), color.adjust_hue(PICTURE, 0.25))
    out = T.ColorJitter(saturation=(0.0, 0.0))(rg.tensor(PICTURE))
    assert isinstance(out, rg.Tensor) and out.dtype == rg.float32
    np.testing.assert_allclose(out.numpy(), color.adjust_saturation(PICTURE, 0.0))
    pic = _pil(PICTURE)
    grey = np.asarray(T.ColorJitter(saturation=(0.0, 0.0))(pic)).astype(int)
    assert np.abs(grey - grey[..., :1]).max() <= 1  # R = G = B, up to rounding
    turned = T.ColorJitter(hue=(0.5, 0.5))(pic)
    assert turned.mode == "RGB" and np.array_equal(np.asarray(turned), np.asarray(color.adjust_hue(pic, 0.5)))


def test_color_jitter_all_four_in_a_random_order_from_its_generator():
    kw = dict(brightness=0.3, contrast=0.3, saturation=0.5, hue=0.2)
    a = [T.ColorJitter(**kw, generator=1)(PICTURE) for _ in range(2)]
    jitter = T.ColorJitter(**kw, generator=1)
    b = [jitter(PICTURE), jitter(PICTURE)]
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.allclose(b[0], b[1]) and not np.allclose(b[0], PICTURE)
    g = np.random.default_rng(1)  # the draws: an order of the four, then each factor
    order = g.permutation(4)
    factors = [g.uniform(0.7, 1.3), g.uniform(0.7, 1.3), g.uniform(0.5, 1.5), g.uniform(-0.2, 0.2)]
    steps = [color.adjust_brightness, color.adjust_contrast, color.adjust_saturation, color.adjust_hue]
    expected = PICTURE
    for k in order:
        expected = steps[k](expected, factors[k])
    np.testing.assert_allclose(b[0], expected, rtol=1e-6)


# ----- against torchvision --------------------------------------------------------------------
FACTORS = {"adjust_saturation": [0.0, 0.4, 1.0, 1.8], "adjust_hue": [-0.5, -0.23, 0.0, 0.1, 0.37, 0.5],
           "adjust_brightness": [0.0, 0.6, 1.4], "adjust_contrast": [0.0, 0.6, 1.4]}


@pytest.mark.parametrize("op", sorted(FACTORS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matches_torchvision_on_tensors(op, dtype, torchvision):
    torch = pytest.importorskip("torch")
    TF = torchvision.transforms.functional
    x = RNG.uniform(0, 1, (2, 3, 7, 9)).astype(dtype)
    x[0, :, 0, 0] = 0.4  # a grey pixel: hue and saturation 0
    for factor in FACTORS[op]:
        theirs = getattr(TF, op)(torch.from_numpy(x.copy()), factor).numpy()
        ours = getattr(color, op)(x, factor)
        assert ours.dtype == theirs.dtype
        np.testing.assert_allclose(ours, theirs, atol=1e-6, err_msg=f"{op}({factor})")


@pytest.mark.parametrize("op", sorted(FACTORS))
def test_matches_torchvision_on_pillow_images(op, torchvision):
    TF = torchvision.transforms.functional
    pic = _pil(RNG.uniform(0, 1, (3, 7, 9)))
    for factor in FACTORS[op]:
        assert np.array_equal(np.asarray(getattr(color, op)(pic, factor)),
                              np.asarray(getattr(TF, op)(pic, factor))), f"{op}({factor})"
