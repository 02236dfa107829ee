import numpy as np
import pytest

import retrograd as rg


@pytest.fixture(autouse=True)
def _seed():
    rg.manual_seed(0)
    np.random.seed(0)
    yield
