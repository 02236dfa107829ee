import os
from pathlib import Path

import numpy as np
import pytest

# Subprocesses the tests start (the command, examples) import this checkout's src/ too, not
# whatever copy is installed.
_SRC = str(Path(__file__).resolve().parents[1] / "src")
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (_SRC, os.environ.get("PYTHONPATH")) if p)

import retrograd as rg

# pytest -n 2 runs two workers on two cores: one thread each (ops and BLAS) avoids
# oversubscription; tests/core/test_parallel.py turns threads on where it tests them.
rg.set_num_threads(1)


@pytest.fixture(autouse=True)
def _seed():
    rg.manual_seed(0)
    np.random.seed(0)
    yield


@pytest.fixture
def torchvision():
    """torchvision as an oracle, or a skip when it is missing or cannot load (a wheel built for
    another torch fails at import with RuntimeError or OSError, not ImportError)."""
    try:
        import torchvision as module
        from torchvision.transforms import functional  # noqa: F401 - loads the extension too
    except Exception as e:  # noqa: BLE001 - any failure to load means no oracle
        pytest.skip(f"torchvision not usable: {e!r}")
    return module
