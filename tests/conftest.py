import numpy as np
import pytest

import retrograd as rg

try:  # pytest -n 2 runs two workers on two cores: one BLAS thread each avoids oversubscription
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn (test extra)
    pass


@pytest.fixture(autouse=True)
def _seed():
    rg.manual_seed(0)
    np.random.seed(0)
    yield
