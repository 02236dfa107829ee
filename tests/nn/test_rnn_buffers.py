"""The recurrences' arrays: gradients handed out stay theirs through later steps, and a training
step after warm-up takes its large arrays from the array pool instead of fresh NumPy memory."""
from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import retrograd as rg
from retrograd import nn

# hidden 128: w_hh and its gradient (4*128, 128) float32 are 256 KiB, large enough for the pool
CASES = [("LSTM", {}), ("GRU", {}), ("RNN", {}), ("LSTM", {"proj_size": 64}),
         ("LSTM", {"bidirectional": True, "num_layers": 2})]


def _model_and_step(kind, options, batch=64, steps=28, new_batches=True, states=True):
    """A model and its training step: the loss sums the last outputs (as a classifier's head
    reads them) and, with ``states``, the final states (which reach every direction's weights);
    each step draws a new batch, or reuses one."""
    rg.manual_seed(0)
    model = getattr(nn, kind)(28, 128, batch_first=True, **options)
    rng = np.random.default_rng(0)
    x = rg.tensor(rng.standard_normal((batch, steps, 28)).astype(np.float32))

    def step():
        """Gradients of one backward pass, {name: the .grad tensor}."""
        nonlocal x
        for p in model.parameters():
            p.grad = None
        if new_batches:
            x = rg.tensor(rng.standard_normal((batch, steps, 28)).astype(np.float32))
        output, state = model(x)
        loss = output[:, -1].sum()
        if states:
            loss = loss + (state[0] if isinstance(state, tuple) else state).sum()
        loss.backward()
        return {name: p.grad for name, p in model.named_parameters()}
    return model, step


@pytest.mark.parametrize("kind, options", CASES)
def test_gradients_stay_put_through_the_next_steps(kind, options):
    _, step = _model_and_step(kind, options, batch=4, steps=5)
    first = step()
    kept = {name: g.numpy().copy() for name, g in first.items()}
    for _ in range(2):
        later = step()
    for name, g in first.items():
        np.testing.assert_array_equal(g.numpy(), kept[name], err_msg=name)
        assert not np.array_equal(later[name].numpy(), kept[name]), name


@pytest.mark.parametrize("kind, options", CASES[:4])
def test_a_warm_step_draws_its_large_arrays_from_the_pool(kind, options):
    """NumPy's allocations traced during a step, above what was held before it: the arrays of
    the bench's LSTM step (batch 64, 28 steps, hidden 128) took 1.9 MiB of fresh memory at peak
    before its kernels used the pool (and paid ~500 page faults a step), 0.2 MiB after."""
    _, step = _model_and_step(kind, options, new_batches=False, states=False)
    tracemalloc.start()
    try:
        for _ in range(3):
            step()
        held = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        step()
        fresh = tracemalloc.get_traced_memory()[1] - held
    finally:
        tracemalloc.stop()
    assert fresh < 512 << 10, f"{kind} {options}: {fresh >> 10} KiB of fresh arrays in a step"
