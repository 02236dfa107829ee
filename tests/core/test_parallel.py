"""Intra-op threads (retrograd/backends/cpu/threads.py): how split_run divides work, BLAS held to one thread
inside it and restored after, errors, and convolutions giving the same numbers on any count."""
import threading

import numpy as np
import pytest

import retrograd as rg
from retrograd.backends.cpu import linalg as cpu_linalg
from retrograd.backends.cpu import threads as parallel
from retrograd.nn import functional as F
from retrograd.backends.cpu import im2col as I


@pytest.fixture
def threads():
    def use(n):
        rg.set_num_threads(n)
    yield use
    rg.set_num_threads(1)


def _blas_threads():
    blas = parallel._blas_controller()
    return None if blas is None else blas.get_num_threads()


def test_split_run_covers_items_in_order_on_threads_running_at_once(threads):
    threads(3)
    all_three = threading.Barrier(3, timeout=10)  # breaks unless three parts run at once
    seen = []

    def work(part):
        all_three.wait()
        seen.append(threading.get_ident())
        return list(part)

    parts = parallel.split_run(work, list(range(7)))
    assert len(parts) == 3 and all(parts)
    assert sum(parts, []) == list(range(7))
    assert len(set(seen)) == 3


def test_one_thread_or_nested_calls_run_inline(threads):
    threads(1)
    assert parallel.split_run(lambda p: list(p), [1, 2, 3]) == [[1, 2, 3]]
    threads(2)
    inner = parallel.split_run(lambda p: parallel.split_run(lambda q: list(q), p), [1, 2, 3, 4])
    assert inner == [[[1, 2]], [[3, 4]]]


@pytest.mark.skipif(_blas_threads() is None, reason="no BLAS that threadpoolctl can control")
def test_blas_uses_one_thread_inside_and_its_count_is_restored(threads):
    threads(2)
    assert _blas_threads() == 2
    inside = parallel.split_run(lambda p: _blas_threads(), [0, 1])
    assert inside == [1, 1]
    assert _blas_threads() == 2


@pytest.mark.skipif(_blas_threads() is None, reason="no BLAS that threadpoolctl can control")
def test_mid_sized_products_run_on_one_blas_thread_and_give_the_count_back(threads, monkeypatch):
    threads(2)
    seen, real = [], np.matmul
    monkeypatch.setattr(cpu_linalg.np, "matmul", lambda a, b: (a.ndim == b.ndim == 2 and  # GEMMs
                        seen.append(_blas_threads())) or real(a, b))
    n, k, m = 64, 256, 256  # 4.2M multiply-adds: between OpenBLAS's serial size and the threshold
    assert parallel.OPENBLAS_SERIAL_MACS <= n * k * m < parallel.BLAS_THREADS_MIN_MACS
    rg.nn.Linear(k, m)(rg.randn(n, k, requires_grad=True)).sum().backward()
    assert seen and set(seen) == {1}
    assert _blas_threads() == 2
    seen.clear()
    rg.randn(256, 256) @ rg.randn(256, 256)  # 16.8M multiply-adds: BLAS's threads as set
    assert seen == [2] and _blas_threads() == 2


@pytest.mark.skipif(_blas_threads() is None, reason="no BLAS that threadpoolctl can control")
def test_ops_leave_the_users_blas_thread_count_where_it_was(threads):
    """Only set_num_threads changes it, as in PyTorch: small, mid-sized and large products,
    convolutions and optimizer steps leave it as the user (here through threadpoolctl) set it."""
    from threadpoolctl import threadpool_limits

    threads(2)
    for user_count in (2, 1):
        with threadpool_limits(user_count, user_api="blas"):
            layer = rg.nn.Linear(8, 4)
            layer(rg.randn(16, 8)).sum().backward()
            assert _blas_threads() == user_count
            rg.nn.Linear(256, 256)(rg.randn(64, 256))
            assert _blas_threads() == user_count
            rg.randn(256, 256) @ rg.randn(256, 256)
            F.conv2d(rg.randn(64, 16, 32, 32), rg.randn(16, 16, 3, 3), padding=1)
            assert _blas_threads() == user_count
            big = rg.nn.Linear(512, 64)
            big(rg.randn(8, 512)).sum().backward()
            rg.optim.SGD(big.parameters(), lr=0.1, momentum=0.9).step()
            assert _blas_threads() == user_count
    rg.set_num_threads(3)
    assert _blas_threads() == 3


def test_inside_split_run_blas_is_held_to_one_thread(threads):
    threads(2)
    inside = parallel.split_run(lambda p: parallel.hold_blas_threads(1 << 22) or _blas_threads(),
                                [0, 1])
    if _blas_threads() is not None:
        assert inside == [1, 1] and _blas_threads() == 2


def test_an_error_in_one_part_reaches_the_caller_after_all_parts_finish(threads):
    threads(2)
    finished = []

    def work(part):
        if part[0] == 0:
            raise RuntimeError("part 0 failed")
        threading.Event().wait(0.05)
        finished.append(part)
        return part

    with pytest.raises(RuntimeError, match="part 0 failed"):
        parallel.split_run(work, [0, 1])
    assert finished == [[1]]
    if _blas_threads() is not None:
        assert _blas_threads() == 2


@pytest.mark.parametrize("bad", [0, -1, 1.5, True])
def test_set_num_threads_rejects_non_positive_ints(bad):
    with pytest.raises(ValueError, match="set_num_threads"):
        rg.set_num_threads(bad)


def test_convolutions_match_across_thread_counts(threads, monkeypatch):
    """Forward, input and weight gradients (col2im and by-rows paths) with 1 and 3 threads over
    many small chunks: the same up to float64 rounding (partial weight sums add in another
    order)."""
    monkeypatch.setattr(I, "CHUNK_BYTES", 1)  # one sample per chunk
    monkeypatch.setattr(I, "SPLIT_MIN_SAMPLE_MACS", 0)  # split even these small convolutions
    rng = np.random.default_rng(0)
    x0, w0 = rng.standard_normal((9, 3, 10, 10)), rng.standard_normal((4, 3, 3, 3))
    results = {}
    for n in (1, 3):
        threads(n)
        got = []
        for kw in (dict(padding=1), dict(stride=2)):
            x, w = rg.tensor(x0, requires_grad=True), rg.tensor(w0, requires_grad=True)
            y = F.conv2d(x, w, **kw)
            (y * y).sum().backward()
            got += [y.array, x.grad.array, w.grad.array]
        results[n] = got
    for one, three in zip(results[1], results[3]):
        np.testing.assert_allclose(three, one, rtol=1e-12, atol=1e-12)


def test_only_large_convolutions_are_split_over_threads(threads, monkeypatch):
    """A convolution below SPLIT_MIN_SAMPLE_MACS multiply-adds per sample runs on the calling
    thread (waking helpers costs more than they save); a larger one shares its chunks."""
    threads(2)
    monkeypatch.setattr(I, "CHUNK_BYTES", 1)
    sizes, real = [], I.split_run
    monkeypatch.setattr(I, "split_run", lambda work, items: sizes.append(len(items)) or
                        real(work, items))
    rng = np.random.default_rng(0)
    x = rg.tensor(rng.standard_normal((4, 3, 8, 8)))
    w = rg.tensor(rng.standard_normal((4, 3, 3, 3)))
    F.conv2d(x, w, padding=1)
    assert sizes == []
    monkeypatch.setattr(I, "SPLIT_MIN_SAMPLE_MACS", 4 * 3 * 9 * 64)  # exactly this conv's count
    F.conv2d(x, w, padding=1)
    assert sizes == [4]
