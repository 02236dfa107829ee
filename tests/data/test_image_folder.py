"""ImageFolder, the image transforms, and `retrograd train --dataset FOLDER` on generated PNGs."""
from __future__ import annotations

import numpy as np
import pytest

import retrograd as rg
from retrograd.data import DataLoader, ImageFolder
from retrograd.data import transforms as T

Image = pytest.importorskip("PIL.Image", reason="image folders need Pillow")


def _make_folder(root, classes=("cat", "dog"), per_class=6, size=(10, 12), mode="RGB"):
    """Class c's images are bright in one half: left for class 0, right for class 1."""
    rng = np.random.default_rng(0)
    for c, name in enumerate(classes):
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            pixels = rng.integers(0, 60, size=size + ((3,) if mode == "RGB" else ()), dtype=np.uint8)
            half = size[1] // 2
            pixels[:, half * c:half * (c + 1)] += 180
            ext = "png" if i % 2 else "jpg"
            Image.fromarray(pixels, mode).save(root / name / f"{i}.{ext}")
    (root / "cat" / "notes.txt").write_text("not an image")
    return root


def test_layout_classes_and_items(tmp_path):
    folder = ImageFolder(_make_folder(tmp_path / "imgs"), transform=T.ToTensor())
    assert folder.classes == ["cat", "dog"] and folder.class_to_idx == {"cat": 0, "dog": 1}
    assert len(folder) == 12 and folder.targets == [0] * 6 + [1] * 6
    assert all(p.endswith((".png", ".jpg")) for p, _ in folder.samples)
    image, label = folder[7]
    assert isinstance(image, rg.Tensor) and image.shape == (3, 10, 12) and label == 1
    assert image.dtype == np.float32 and 0 <= float(image.min()) and float(image.max()) <= 1
    x, y = next(iter(DataLoader(folder, batch_size=4)))
    assert x.shape == (4, 3, 10, 12) and y.tolist() == [0, 0, 0, 0]


def test_missing_or_empty_folders_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="no class subfolders"):
        ImageFolder(tmp_path)
    (tmp_path / "a").mkdir()
    with pytest.raises(FileNotFoundError, match="no valid image file"):
        ImageFolder(tmp_path)


def test_to_tensor_resize_center_crop_match_torchvision_conventions():
    pic = Image.fromarray(np.arange(48, dtype=np.uint8).reshape(6, 8), "L")
    t = T.ToTensor()(pic)
    assert t.shape == (1, 6, 8) and t.array[0, 1, 2] == pytest.approx(10 / 255)
    assert T.Resize(3)(pic).size == (4, 3)  # shorter side to 3, aspect kept (W, H)
    assert T.Resize((5, 2))(pic).size == (2, 5)
    array = T.Resize((3, 4))(np.ones((2, 6, 8), np.float32))
    assert array.shape == (2, 3, 4) and np.allclose(array, 1)
    crop = T.CenterCrop(4)(t)
    assert isinstance(crop, rg.Tensor) and np.array_equal(crop.array, t.array[:, 1:5, 2:6])
    assert T.CenterCrop((2, 4))(pic).size == (4, 2)
    padded = T.CenterCrop(8)(np.ones((1, 6, 6), np.float32))
    assert padded.shape == (1, 8, 8) and padded[0, 0].sum() == 0 and padded[0, 1, 1] == 1


def test_color_jitter_brightness_and_contrast():
    x = np.full((3, 4, 4), 0.5, np.float32)
    x[:, 0] = 0.1
    bright = T.ColorJitter(brightness=(2.0, 2.0))(x)
    np.testing.assert_allclose(bright, np.clip(x * 2, 0, 1), rtol=1e-6)
    flat = T.ColorJitter(contrast=(0.0, 0.0))(x)
    grey = x.mean() * (0.2989 + 0.587 + 0.114)  # torchvision's luma weights add up to 0.9999
    np.testing.assert_allclose(flat, np.full_like(x, grey), rtol=1e-6)  # no contrast: the mean grey
    jitter = T.ColorJitter(brightness=0.4, contrast=0.4, generator=0)
    out = jitter(Image.fromarray((x.transpose(1, 2, 0) * 255).astype(np.uint8)))
    assert out.size == (4, 4) and out.mode == "RGB"


def test_a_full_pipeline_with_random_crop_flip_and_normalize(tmp_path):
    pipeline = T.Compose([T.Resize(16), T.CenterCrop(14), T.ToTensor(),
                          T.RandomCrop(14, padding=2, generator=0), T.RandomHorizontalFlip(generator=0),
                          T.Normalize([0.5] * 3, [0.5] * 3)])
    image, _ = ImageFolder(_make_folder(tmp_path / "imgs"), transform=pipeline)[0]
    assert isinstance(image, rg.Tensor) and image.shape == (3, 14, 14)
    assert -1 <= float(image.min()) and float(image.max()) <= 1


def test_cli_trains_on_an_image_folder(tmp_path, capsys):
    from retrograd.cli import main

    root = _make_folder(tmp_path / "grey", per_class=10, mode="L")
    out = tmp_path / "run"
    assert main(["train", "--dataset", str(root), "--image-size", "16", "--model", "MLP",
                 "--epochs", "2", "--out", str(out), "--no-plots", "--quiet"]) == 0
    assert "test accuracy" in capsys.readouterr().out
    from retrograd.train.model_file import read_spec

    spec = read_spec(str(out / "model.safetensors"))
    assert (spec["in_channels"], spec["image_size"], spec["classes"]) == (1, 16, ["cat", "dog"])
    assert main(["evaluate", str(out / "model.safetensors")]) == 0
    assert "(test split, 4 images)" in capsys.readouterr().out  # 20% of 2 x 10 held out
    split = tmp_path / "split"
    _make_folder(split / "train", mode="RGB")
    _make_folder(split / "test", per_class=2, mode="RGB")
    assert main(["train", "--dataset", str(split), "--model", "lenet5", "--epochs", "1",
                 "--out", str(tmp_path / "rgb"), "--no-plots", "--quiet"]) == 0
    spec = read_spec(str(tmp_path / "rgb" / "model.safetensors"))
    assert (spec["in_channels"], spec["image_size"]) == (3, 32)


def test_cli_names_a_folder_that_is_neither_kind(tmp_path, capsys):
    from retrograd.cli import main

    (tmp_path / "stuff").mkdir()
    (tmp_path / "stuff" / "readme.txt").write_text("x")
    assert main(["train", "--dataset", str(tmp_path / "stuff"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "IDX" in err and "image folder" in err
