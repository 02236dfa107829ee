"""Variable-length sequences: nn.utils.rnn against torch.nn.utils.rnn, and the recurrent modules
on PackedSequence (final states at each sequence's own last step), in float64 with gradients."""
from __future__ import annotations

import numpy as np
import pytest

import retrograd as rg
from retrograd.nn.utils import rnn as ours_rnn

torch = pytest.importorskip("torch")
from rnn_torch_pair import B, H, I, KINDS, as_pair, check_parity, make_pair  # noqa: E402
theirs_rnn = torch.nn.utils.rnn

LENGTHS = [3, 5, 1]  # unsorted on purpose; max 5


def sequences(lengths, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((n, I)) for n in lengths]


def test_pad_sequence_matches_torch():
    seqs = sequences(LENGTHS)
    for batch_first in (False, True):
        for side in ("right", "left"):
            a = ours_rnn.pad_sequence([rg.tensor(s) for s in seqs], batch_first, -1.0, side)
            b = theirs_rnn.pad_sequence([torch.tensor(s) for s in seqs], batch_first, -1.0, side)
            np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("batch_first", [False, True])
def test_pack_and_pad_round_trip_match_torch(batch_first):
    seqs = sequences(LENGTHS)
    packed_a = ours_rnn.pack_sequence([rg.tensor(s) for s in seqs], enforce_sorted=False)
    packed_b = theirs_rnn.pack_sequence([torch.tensor(s) for s in seqs], enforce_sorted=False)
    for field in packed_b._fields:
        np.testing.assert_array_equal(getattr(packed_a, field).numpy(), getattr(packed_b, field).numpy())
    padded_a, len_a = ours_rnn.pad_packed_sequence(packed_a, batch_first, 7.0, total_length=6)
    padded_b, len_b = theirs_rnn.pad_packed_sequence(packed_b, batch_first, 7.0, total_length=6)
    np.testing.assert_array_equal(padded_a.numpy(), padded_b.numpy())
    np.testing.assert_array_equal(len_a.numpy(), len_b.numpy())
    assert len_a.dtype == rg.int64
    for x, y in zip(ours_rnn.unpack_sequence(packed_a), seqs):
        np.testing.assert_array_equal(x.numpy(), y)


def test_pack_padded_sequence_sorted_and_gradient():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 3, 2))
    a, b = as_pair(x)
    packed_a = ours_rnn.pack_padded_sequence(a, [4, 2, 1])
    packed_b = theirs_rnn.pack_padded_sequence(b, [4, 2, 1])
    assert packed_a.sorted_indices is None and packed_a.unsorted_indices is None
    np.testing.assert_array_equal(packed_a.data.detach().numpy(), packed_b.data.detach().numpy())
    w = rng.standard_normal(tuple(packed_b.data.shape))
    (packed_a.data * rg.tensor(w)).sum().backward()
    (packed_b.data * torch.tensor(w)).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())  # zero at padded steps


def test_packing_errors_are_clear():
    x = rg.zeros(4, 3, 2)
    with pytest.raises(RuntimeError, match="sorted in decreasing order"):
        ours_rnn.pack_padded_sequence(x, [2, 3, 4])
    with pytest.raises(RuntimeError, match="greater than 0"):
        ours_rnn.pack_padded_sequence(x, [3, 2, 0], enforce_sorted=False)
    with pytest.raises(ValueError, match="3 lengths for a batch of 2"):
        ours_rnn.pack_padded_sequence(rg.zeros(4, 2, 2), [3, 2, 1])
    packed = ours_rnn.pack_padded_sequence(x, [4, 2, 1])
    with pytest.raises(ValueError, match="total_length=2"):
        ours_rnn.pad_packed_sequence(packed, total_length=2)


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("options", [{}, {"num_layers": 2, "bidirectional": True}],
                         ids=["one-layer", "two-layer-bidirectional"])
@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_modules_on_packed_sequences_match_torch(kind, options, enforce_sorted):
    lengths = sorted(LENGTHS, reverse=True) if enforce_sorted else LENGTHS
    seqs = sequences(lengths, seed=2)
    ours, theirs = make_pair(kind, **options)
    x_a = [rg.tensor(s, requires_grad=True) for s in seqs]
    x_b = [torch.tensor(s, requires_grad=True) for s in seqs]
    packed_a = ours_rnn.pack_sequence(x_a, enforce_sorted=enforce_sorted)
    packed_b = theirs_rnn.pack_sequence(x_b, enforce_sorted=enforce_sorted)
    count = options.get("num_layers", 1) * (2 if options.get("bidirectional") else 1)
    rng = np.random.default_rng(3)
    states = [as_pair(rng.standard_normal((count, B, H))) for _ in range(2 if kind == "lstm" else 1)]
    check_parity(ours, theirs, packed_a, packed_b, states)
    for a, b in zip(x_a, x_b):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=1e-10)


def test_packed_output_is_a_packed_sequence_in_the_input_order():
    seqs = sequences(LENGTHS, seed=4)
    ours, theirs = make_pair("gru")
    out, h_n = ours(ours_rnn.pack_sequence([rg.tensor(s) for s in seqs], enforce_sorted=False))
    assert isinstance(out, ours_rnn.PackedSequence)
    padded, lengths = ours_rnn.pad_packed_sequence(out, batch_first=True)
    for i, n in enumerate(lengths.tolist()):  # each sequence alone gives the same states
        alone, h_alone = ours(rg.tensor(seqs[i][:, None]))
        np.testing.assert_allclose(padded.detach().numpy()[i, :n], alone.detach().numpy()[:, 0])
        np.testing.assert_allclose(h_n.detach().numpy()[0, i], h_alone.detach().numpy()[0, 0])
