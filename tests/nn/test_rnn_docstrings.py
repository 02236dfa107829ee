"""The runnable examples in the recurrent modules' docstrings stay true."""
import doctest
import importlib

import pytest

MODULES = ["retrograd.nn.layers.rnn", "retrograd.nn.layers.rnn_cell", "retrograd.nn.utils.rnn",
           "retrograd.models.rnn", "retrograd.data.datasets.sequence"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
