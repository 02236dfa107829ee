"""The CPU backend's array pool: large arrays come back only once nothing uses them, so a
training step reuses its activations and gradients without page faults and without retuning
the C allocator."""
import platform
import subprocess
import sys
import threading

import numpy as np
import pytest

from retrograd.backends.cpu.pool import ArrayPool

BIG = (256, 1024)  # 1 MiB of float32


def test_an_array_is_handed_out_again_only_after_its_last_user_lets_go():
    pool = ArrayPool()
    a = pool.empty(BIG, np.float32)
    b = pool.empty(BIG, np.float32)
    assert a is not b and not np.shares_memory(a, b)
    address = a.ctypes.data
    del a
    c = pool.empty(BIG, np.float32)
    assert c.ctypes.data == address and c is not b


def test_a_view_keeps_its_base_in_use():
    pool = ArrayPool()
    a = pool.empty(BIG, np.float32)
    view = a[1:]
    del a
    b = pool.empty(BIG, np.float32)
    assert not np.shares_memory(b, view)


def test_shapes_dtypes_and_small_arrays_are_kept_apart():
    pool = ArrayPool(smallest=1 << 18)
    a = pool.empty(BIG, np.float32)
    address = a.ctypes.data
    del a
    assert pool.empty(BIG, np.float64).ctypes.data != address
    assert pool.empty((1024, 256), np.float32).ctypes.data != address
    assert pool.bytes == 3 * (1 << 20) + (1 << 20)  # float64 twice the size
    pool.empty((4, 4), np.float32)  # below `smallest`: plain NumPy, not held
    assert pool.bytes == 5 * (1 << 20) - (1 << 20)


def test_the_limit_drops_the_least_recently_used_shapes_and_clear_lets_go_of_all():
    pool = ArrayPool(limit=3 << 20, smallest=1)
    for rows in (1, 2, 3, 4):
        pool.empty((rows, 1 << 18), np.float32)  # 1 MiB each, dropped at once
    assert pool.bytes <= 3 << 20 and ((1, 1 << 18), np.dtype(np.float32)) not in pool.held
    pool.clear()
    assert pool.bytes == 0 and not pool.held


def test_threads_never_get_the_same_array_at_once():
    pool = ArrayPool()
    barrier, got = threading.Barrier(4), []

    def take():
        barrier.wait()
        for _ in range(50):
            a = pool.empty(BIG, np.float32)
            got.append(a)  # kept alive: every array taken must be distinct

    threads = [threading.Thread(target=take) for _ in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len({a.ctypes.data for a in got}) == len(got) == 200


STEPS = """
import resource, sys, numpy as np, retrograd as rg
from retrograd import nn
rg.set_num_threads(1)
rg.manual_seed(0)
model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                      nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 14 * 14, 10))
opt = rg.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
x, y = rg.randn(64, 1, 28, 28), rg.randint(0, 10, (64,))
def step():
    opt.zero_grad(); nn.functional.cross_entropy(model(x), y).backward(); opt.step()
for _ in range(3):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    step()
print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 10)
"""


@pytest.mark.skipif(platform.system() != "Linux", reason="page-fault counts from getrusage")
def test_training_steps_reuse_their_memory_without_page_faults():
    """Untuned glibc, as a library user has it: a conv/BatchNorm/pool step touches about 6 MiB
    of activations and gradients (1,500 pages); after warm-up almost none is faulted in afresh."""
    env = {"RETROGRAD_MALLOC_TUNING": "0", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", STEPS], capture_output=True, text=True, check=True,
                         env={**env, "PYTHONPATH": ":".join(sys.path)})
    assert float(out.stdout) < 50
