"""Named datasets under --data-root: each in its own folder, and its files checked against the
official digests, so MNIST digits are never trained on as Fashion-MNIST."""
import shutil

import pytest

from retrograd.data import DatasetNotFoundError, load_dataset
from retrograd.data.datasets import ChecksumError, FashionMNIST, sha256_file
from retrograd.data.datasets.mnist import SAMPLE_FOLDER

TEST_FILES = ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]


def _copy_digits(folder):
    folder.mkdir(parents=True, exist_ok=True)
    for name in TEST_FILES:
        shutil.copy(SAMPLE_FOLDER / name, folder / name)


def test_the_root_itself_is_not_taken_for_the_dataset_folder(tmp_path):
    _copy_digits(tmp_path)  # digits straight in the root: not Fashion-MNIST's folder
    with pytest.raises(DatasetNotFoundError, match=str(tmp_path / "fashion-mnist")):
        load_dataset("fashion-mnist", root=tmp_path, train=False, download=False)


@pytest.mark.parametrize("layout", ["fashion-mnist", "FashionMNIST/raw"])
def test_digits_in_fashion_mnist_s_folder_fail_the_checksum(tmp_path, layout):
    _copy_digits(tmp_path / layout)
    with pytest.raises(ChecksumError, match="t10k-.*MNISTSample"):
        load_dataset("fashion-mnist", root=tmp_path, train=False, download=False)


def test_files_with_the_official_digests_load(tmp_path, monkeypatch):
    _copy_digits(tmp_path / "fashion-mnist")
    for name in TEST_FILES:
        monkeypatch.setitem(FashionMNIST.resources, name,
                            sha256_file(tmp_path / "fashion-mnist" / name))
    ds = load_dataset("Fashion_MNIST", root=tmp_path, train=False, download=False)
    assert type(ds) is FashionMNIST and len(ds) == 2000
