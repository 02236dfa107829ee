"""``retrograd predict``'s input reader (holes a mutation run of retrograd.train found; the CLI
tests reach it with one kind of file only): channel order of RGB images, scaling of 0-255
arrays, which images count as light-background and are inverted, accepted shapes, and the
.npy header checks against truncated files."""
import numpy as np
import pytest

from retrograd.train.predict_input import InputFileError, light_background, read_input


def test_rgb_images_are_channel_first_and_scaled(tmp_path):
    pil = pytest.importorskip("PIL.Image")
    pixels = np.zeros((4, 4, 3), dtype=np.uint8)
    pixels[..., 0], pixels[..., 1], pixels[..., 2] = 255, 51, 0  # red, a little green
    pixels[0, 1] = (10, 20, 30)
    path = tmp_path / "rgb.png"
    pil.fromarray(pixels).save(path)
    arr, flip = read_input(str(path), channels=3, size=4)
    assert arr.shape == (1, 3, 4, 4) and arr.dtype == np.float32 and not flip.any()
    np.testing.assert_allclose(arr[0], pixels.transpose(2, 0, 1) / 255, rtol=1e-6)
    gray, _ = read_input(str(path), channels=1, size=2, invert=False)  # converted and resized
    assert gray.shape == (1, 1, 2, 2)


def test_npy_scaling_shapes_and_inversion(tmp_path):
    def npy(name, arr):
        path = tmp_path / name
        np.save(path, arr)
        return str(path)

    dark = np.zeros((5, 5))
    dark[2, 2] = 200.0  # 0-255 values: scaled by 1/255
    arr, flip = read_input(npy("dark.npy", dark), channels=1, size=5)
    assert arr.shape == (1, 1, 5, 5) and not flip[0] and arr[0, 0, 2, 2] == pytest.approx(200 / 255)
    unit = np.full((5, 5), 1.5)  # at most 1.5: already in [0, 1] units, kept
    assert read_input(npy("unit.npy", unit), 1, 5, invert=False)[0].max() == 1.5
    light = np.ones((2, 5, 5))
    light[:, 2, 2] = 0.0  # a stack of two dark strokes on white: inverted
    arr, flip = read_input(npy("light.npy", light), channels=1, size=5)
    assert flip.tolist() == [True, True] and arr[0, 0, 2, 2] == 1.0 and arr[0, 0, 0, 0] == 0.0
    kept, flip = read_input(npy("light2.npy", light), channels=1, size=5, invert=False)
    assert not flip.any() and kept[0, 0, 0, 0] == 1.0
    chw = np.zeros((3, 5, 5))
    assert read_input(npy("chw.npy", chw), channels=3, size=5)[0].shape == (1, 3, 5, 5)
    assert read_input(npy("nchw.npy", np.zeros((2, 3, 5, 5))), channels=3, size=5)[0].shape == \
        (2, 3, 5, 5)
    for bad in (np.zeros((5, 5)), np.zeros((4, 3, 5, 5, 1)), np.zeros((2, 5, 5))):
        with pytest.raises(InputFileError, match="does not fit"):
            read_input(npy("bad.npy", bad), channels=3, size=5)


def test_light_background_reads_the_whole_border_only():
    images = np.zeros((4, 1, 4, 4), dtype=np.float32)
    images[0, :, 1:-1, 1:-1] = 1.0  # light inside only: dark border
    images[1, :, 0, :] = images[1, :, -1, :] = 1.0  # top and bottom rows light: 8 of 12
    images[2, :, :, 0] = images[2, :, :, -1] = 1.0  # left and right columns light: 8 of 12
    images[3, :, 0, :] = 1.0
    images[3, :, 1:3, 0] = 1.0  # top row and two left pixels: 6 of 12, not above half
    assert light_background(images).tolist() == [False, True, True, False]


def test_npy_header_checks(tmp_path):
    path = tmp_path / "big.npy"
    np.save(path, np.zeros((4, 4)))
    data = path.read_bytes()
    (tmp_path / "cut.npy").write_bytes(data[:-8])  # one float missing
    with pytest.raises(InputFileError, match="more than the 120 bytes"):
        read_input(str(tmp_path / "cut.npy"), channels=1, size=4)
    from numpy.lib import format as npy

    with open(tmp_path / "v2.npy", "wb") as f:  # format 2.0 headers are read too
        npy.write_array(f, np.zeros((4, 4)), version=(2, 0))
    assert read_input(str(tmp_path / "v2.npy"), channels=1, size=4)[0].shape == (1, 1, 4, 4)
    np.save(tmp_path / "obj.npy", np.array([1, "a"], dtype=object), allow_pickle=True)
    with pytest.raises(InputFileError, match="expected numbers"):
        read_input(str(tmp_path / "obj.npy"), channels=1, size=4)
