"""The CPU backend's array pool: large arrays come back only once nothing uses them, so a
training step reuses its activations and gradients without page faults and without retuning
the C allocator."""
import platform
import subprocess
import sys
import threading

import numpy as np
import pytest

from retrograd.backends.cpu.pool import ArrayPool, size_class

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


def test_any_shape_and_dtype_of_about_the_same_size_reuses_a_free_buffer():
    pool = ArrayPool(smallest=1 << 18)
    a = pool.empty(BIG, np.float32)  # 1 MiB
    address = a.ctypes.data
    del a
    b = pool.empty((512, 256), np.float64)  # 1 MiB as well
    assert b.ctypes.data == address and b.shape == (512, 256) and b.dtype == np.float64
    assert b.flags.c_contiguous and b.flags.writeable
    del b
    c = pool.empty((1000, 1000), np.uint8)  # 976.6 KiB: the same size class (1 MiB)
    assert c.ctypes.data == address
    d = pool.empty((2, 1 << 20), np.uint8)  # 2 MiB: another class, a new buffer
    assert not np.shares_memory(c, d)
    assert pool.bytes == (1 << 20) + (2 << 20)
    pool.empty((4, 4), np.float32)  # below `smallest`: plain NumPy, not held
    assert pool.bytes == 3 << 20


@pytest.mark.parametrize("nbytes", [1 << 18, (1 << 18) + 1, 300_000, 2_030_000, 5_000_000])
def test_size_classes_round_up_by_at_most_a_quarter(nbytes):
    size = size_class(nbytes)
    assert nbytes <= size <= nbytes * 1.25 and size_class(size) == size


def test_the_limit_drops_the_least_recently_used_classes_and_clear_lets_go_of_all():
    pool = ArrayPool(limit=3 << 20, smallest=1)
    for size in (1 << 20, 5 << 18, 6 << 18, 7 << 18):  # 1, 1.25, 1.5 and 1.75 MiB
        pool.empty((size,), np.uint8)  # each dropped by its user at once
    assert pool.bytes <= 3 << 20 and (1 << 20) not in pool.held
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


def test_a_registered_backend_is_picked_by_its_arrays_type():
    """The seam: ops ask kernels_for / array_module for their inputs' backend."""
    import types

    from retrograd import backends
    from retrograd.backend import array_module

    class FakeArray(np.ndarray):
        pass

    kernels = types.SimpleNamespace(**{name: object() for name in backends.REQUIRED})
    with pytest.raises(TypeError, match="lacks"):
        backends.register(FakeArray, types.SimpleNamespace(), np)
    backends.register(FakeArray, kernels, "fake-xp")
    try:
        fake = np.zeros(3).view(FakeArray)
        assert backends.kernels_for(None, fake) is kernels and array_module(1.0, fake) == "fake-xp"
        assert backends.kernels_for(np.zeros(3)) is backends.cpu and array_module(np.zeros(3)) is np
    finally:
        backends.unregister(FakeArray)
    assert backends.kernels_for(fake) is backends.cpu and array_module(fake) is np
