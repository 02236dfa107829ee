"""The runnable examples in the data modules' docstrings stay true."""
import doctest
import importlib

import pytest

MODULES = ["retrograd.data", "retrograd.data.dataset", "retrograd.data.dataloader",
           "retrograd.data.transforms", "retrograd.data.datasets.mnist",
           "retrograd.data.datasets.registry",
           "retrograd.data.samplers", "retrograd.utils.data", "retrograd.data.color"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
