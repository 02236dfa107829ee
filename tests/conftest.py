import numpy as np
import pytest

import retrograd as rg

# pytest -n 2 runs two workers on two cores: one thread each (ops and BLAS) avoids
# oversubscription; tests/core/test_parallel.py turns threads on where it tests them.
rg.set_num_threads(1)


@pytest.fixture(autouse=True)
def _seed():
    rg.manual_seed(0)
    np.random.seed(0)
    yield
