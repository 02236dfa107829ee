import pickle

import numpy as np
import pytest

from retrograd.data import DatasetNotFoundError, load_dataset
from retrograd.data.datasets import (CIFAR10, MNIST, FashionMNIST, MNISTSample, mnist_sample,
                                     sha256_file, write_idx)
from retrograd.data.datasets.mnist import SAMPLE_FOLDER


def fake_mnist_folder(folder, n=6, prefix="t10k", seed=0, gz=True):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, n).astype(np.uint8)
    folder.mkdir(parents=True, exist_ok=True)
    ext = ".gz" if gz else ""
    write_idx(folder / f"{prefix}-images-idx3-ubyte{ext}", images)
    write_idx(folder / f"{prefix}-labels-idx1-ubyte{ext}", labels)
    return images, labels


def test_sample_sizes_labels_and_class_counts():
    train, test = mnist_sample(train=True), mnist_sample(train=False)
    assert len(train) == 8000 and len(test) == 2000
    assert train.data.shape == (8000, 28, 28) and train.data.dtype == np.uint8
    assert train.targets.dtype == np.int64 and set(np.unique(test.targets)) == set(range(10))
    np.testing.assert_array_equal(np.bincount(train.targets),
                                  [801, 902, 793, 826, 784, 690, 811, 856, 755, 782])


def test_sample_files_match_recorded_digests():
    for name, digest in MNISTSample.resources.items():
        assert sha256_file(SAMPLE_FOLDER / name) == digest, name


def test_getitem_and_arrays_agree():
    ds = mnist_sample(train=False)
    image, label = ds[17]
    assert image.shape == (1, 28, 28) and image.dtype == np.float32
    assert isinstance(label, int) and label == ds.targets[17]
    np.testing.assert_array_equal(image[0], ds.data[17] / np.float32(255))
    images, labels = ds.arrays()
    assert images.shape == (2000, 1, 28, 28) and images.dtype == np.float32
    assert 0.0 <= images.min() and images.max() <= 1.0 and images.max() > 0.99
    np.testing.assert_array_equal(images[17], image)
    np.testing.assert_array_equal(labels, ds.targets)


def test_transform_applied_to_unit_image():
    ds = mnist_sample(False, transform=lambda im: im * 2)
    np.testing.assert_array_equal(ds[3][0], mnist_sample(False)[3][0] * 2)


@pytest.mark.parametrize("layout", ["flat", "torchvision", "uncompressed"])
def test_mnist_from_a_folder(tmp_path, layout):
    folder = tmp_path / "MNIST" / "raw" if layout == "torchvision" else tmp_path
    images, labels = fake_mnist_folder(folder, gz=layout != "uncompressed")
    ds = MNIST(root=tmp_path, train=False, download=False)
    np.testing.assert_array_equal(ds.data, images)
    np.testing.assert_array_equal(ds.targets, labels)


def test_mismatched_image_and_label_counts(tmp_path):
    fake_mnist_folder(tmp_path, n=5)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.zeros(4, np.uint8))
    with pytest.raises(ValueError, match="do not match"):
        MNIST(root=tmp_path, train=False, download=False)


def test_missing_files_without_download_name_files_and_folder(tmp_path):
    with pytest.raises(DatasetNotFoundError) as err:
        MNIST(root=tmp_path, train=True, download=False)
    text = str(err.value)
    assert "train-images-idx3-ubyte.gz" in text and "train-labels-idx1-ubyte.gz" in text
    assert str(tmp_path) in text
    assert isinstance(err.value, FileNotFoundError)


def test_default_root_follows_retrograd_home(tmp_path):
    with pytest.raises(DatasetNotFoundError) as err:
        FashionMNIST(train=False)  # offline: the download fails
    assert str(tmp_path / "home" / "fashion-mnist") in str(err.value)
    assert "fashion-mnist.s3-website" in str(err.value)


def test_load_dataset_by_name_and_aliases():
    assert isinstance(load_dataset("mnist-sample"), MNISTSample)
    assert len(load_dataset("MNIST_SAMPLE", train=False)) == 2000


def test_load_dataset_unknown_name_lists_known_names():
    with pytest.raises(ValueError) as err:
        load_dataset("imagenet")
    for name in ("mnist-sample", "mnist", "fashion-mnist", "cifar10", "cifar100"):
        assert name in str(err.value)


def test_load_dataset_detects_idx_and_cifar_folders(tmp_path):
    fake_mnist_folder(tmp_path / "digits", prefix="train")
    assert type(load_dataset(tmp_path / "digits")) is MNIST
    cifar = tmp_path / "cifar"
    cifar.mkdir()
    batch = {b"data": np.zeros((2, 3072), np.uint8), b"labels": [0, 1]}
    for name in [f"data_batch_{i}" for i in range(1, 6)]:
        (cifar / name).write_bytes(pickle.dumps(batch))
    assert type(load_dataset(str(cifar))) is CIFAR10
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no MNIST-style IDX files"):
        load_dataset(tmp_path / "empty")


def test_load_dataset_tells_fashion_from_digits_by_label_digest(tmp_path, monkeypatch):
    fake_mnist_folder(tmp_path, prefix="train")
    digest = sha256_file(tmp_path / "train-labels-idx1-ubyte.gz")
    monkeypatch.setitem(FashionMNIST.resources, "train-labels-idx1-ubyte.gz", digest)
    ds = load_dataset(tmp_path)
    assert type(ds) is FashionMNIST and ds.classes[0] == "T-shirt/top"
