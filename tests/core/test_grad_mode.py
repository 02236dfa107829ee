"""Grad mode is per thread, as in PyTorch, and each context manager restores what it found."""
import threading

import pytest

import retrograd as rg


def _records() -> bool:
    return (rg.ones(2, requires_grad=True) * 2).requires_grad


def test_no_grad_in_one_thread_leaves_recording_on_in_another():
    inside, entered, release = [], threading.Event(), threading.Event()

    def other():
        with rg.no_grad():
            entered.set()
            release.wait(10)
            inside.append(_records())

    t = threading.Thread(target=other)
    t.start()
    assert entered.wait(10)
    try:
        assert rg.is_grad_enabled() and _records()  # this thread still records
    finally:
        release.set()
        t.join(10)
    assert inside == [False]


def test_a_new_thread_starts_recording_whatever_this_one_does():
    seen = []
    with rg.no_grad():
        t = threading.Thread(target=lambda: seen.append((rg.is_grad_enabled(), _records())))
        t.start()
        t.join(10)
    assert seen == [(True, True)]


def test_set_grad_enabled_as_a_call_and_as_a_context_manager():
    with rg.set_grad_enabled(False):
        assert not _records()
        with rg.set_grad_enabled(True):
            assert _records()
        assert not _records()
    assert _records()
    rg.set_grad_enabled(False)
    try:
        assert not rg.is_grad_enabled() and not _records()
    finally:
        rg.set_grad_enabled(True)
    assert _records()


def test_decorators_apply_per_call_and_restore():
    @rg.no_grad()
    def f():
        return _records()

    @rg.set_grad_enabled(False)
    def g():
        return _records()

    assert rg.is_grad_enabled()  # decorating switched nothing off
    assert f() is False and g() is False and _records()


def test_inference_mode_records_nothing_and_nests():
    assert not rg.is_inference_mode_enabled()
    with rg.inference_mode():
        assert rg.is_inference_mode_enabled() and not _records()
        with rg.inference_mode(False):
            assert not rg.is_inference_mode_enabled() and _records()
        assert not _records()
    assert _records() and not rg.is_inference_mode_enabled()


def test_modes_are_restored_when_the_block_raises():
    with pytest.raises(KeyError):
        with rg.no_grad():
            raise KeyError
    assert rg.is_grad_enabled()
