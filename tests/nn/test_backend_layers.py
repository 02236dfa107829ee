"""Layers, packed sequences, attention, the remaining optimizers and autograd's functional API on
``Boxed`` arrays (tests/boxed_backend.py: a registered array type that refuses NumPy, as a GPU
array does): every output and gradient stays Boxed and equals the NumPy run."""
from __future__ import annotations

import numpy as np
import pytest

import retrograd as rg
import retrograd.nn as nn
import retrograd.nn.functional as F
from boxed_backend import BOXED_NUMPY, Boxed, boxed_kernels
from retrograd import backends
from retrograd.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence


@pytest.fixture
def boxed():
    backends.register(Boxed, boxed_kernels(), BOXED_NUMPY)
    yield
    backends.unregister(Boxed)


class World:
    """Makes inputs and modules either plain or Boxed, and remembers the inputs (for gradients)."""

    def __init__(self, box: bool):
        self.box, self.inputs = box, []

    def x(self, *shape, seed=0, grad=True):
        a = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
        t = rg.Tensor(Boxed(a) if self.box else a, requires_grad=grad)
        self.inputs.append(t)
        return t

    def data(self, values):
        a = np.asarray(values)
        return rg.Tensor(Boxed(a) if self.box else a)

    def module(self, m):
        for t in list(m.parameters()) + list(m.buffers()):
            t.array = Boxed(t.array) if self.box else t.array
        return m


CASES = {
    "lstm_2_layers_bidirectional": lambda w: w.module(nn.LSTM(3, 4, num_layers=2, bidirectional=True))(
        w.x(5, 2, 3))[0],
    "gru_batch_first": lambda w: w.module(nn.GRU(3, 4, batch_first=True))(w.x(2, 5, 3))[0],
    "lstm_cell": lambda w: w.module(nn.LSTMCell(3, 4))(w.x(2, 3))[1],
    "packed_lstm": lambda w: pad_packed_sequence(w.module(nn.LSTM(3, 4))(
        pack_padded_sequence(w.x(5, 2, 3), [5, 3]))[0], padding_value=1.0)[0],
    "pad_sequence": lambda w: pad_sequence([w.x(3, 2), w.x(2, 2, seed=1)], padding_value=-1.0),
    "multihead_attention": lambda w: w.module(nn.MultiheadAttention(8, 2))(
        w.x(4, 2, 8), w.x(4, 2, 8, seed=1), w.x(4, 2, 8, seed=2),
        key_padding_mask=w.data([[False, False, True, False]] * 2))[0],
    "transformer_layer": lambda w: w.module(nn.TransformerEncoderLayer(8, 2, 16, dropout=0.1))(
        w.x(4, 2, 8), src_mask=w.data(nn.Transformer.generate_square_subsequent_mask(4).array)),
    "embedding_max_norm": lambda w: w.module(nn.Embedding(10, 3, padding_idx=0, max_norm=1.0))(
        w.data([[1, 0, 3]])),
    "conv_transpose2d": lambda w: w.module(nn.ConvTranspose2d(2, 3, 3, stride=2))(w.x(1, 2, 4, 4)),
    "conv1d_reflect_same": lambda w: w.module(nn.Conv1d(2, 3, 3, padding="same", padding_mode="reflect"))(
        w.x(1, 2, 6)),
    "conv3d": lambda w: w.module(nn.Conv3d(2, 3, 2))(w.x(1, 2, 3, 3, 3)),
    "pools": lambda w: (F.max_pool1d(w.x(1, 2, 6), 2), F.max_pool3d(w.x(1, 1, 4, 4, 4), 2),
                        F.adaptive_max_pool2d(w.x(1, 2, 5, 5), 2), F.lp_pool2d(w.x(1, 2, 4, 4), 2, 2)),
    "interpolate": lambda w: (F.interpolate(w.x(1, 2, 3, 3), scale_factor=2, mode="bilinear"),
                              F.interpolate(w.x(1, 2, 3, 3), size=(5, 5), mode="nearest"),
                              F.interpolate(w.x(1, 2, 3, 3), size=(4, 4), mode="bicubic")),
    "grid_sample": lambda w: F.grid_sample(w.x(1, 2, 4, 4), w.x(1, 3, 3, 2, seed=1).tanh(),
                                           align_corners=False),
    "norm_layers": lambda w: (w.module(nn.GroupNorm(2, 4))(w.x(2, 4, 3)),
                              w.module(nn.InstanceNorm2d(4, affine=True))(w.x(2, 4, 3, 3)),
                              w.module(nn.RMSNorm(3))(w.x(2, 3)),
                              w.module(nn.BatchNorm1d(3)).eval()(w.x(4, 3)),
                              F.local_response_norm(w.x(1, 4, 3, 3), 2), F.normalize(w.x(3, 4), dim=1)),
    "dropouts": lambda w: (F.dropout2d(w.x(2, 3, 4, 4)), F.alpha_dropout(w.x(3, 4), 0.3, training=True),
                           w.module(nn.Dropout(0.4))(w.x(5, 5))),
    "bilinear_prelu_fold": lambda w: (w.module(nn.Bilinear(2, 3, 4))(w.x(2, 2), w.x(2, 3, seed=1)),
                                      w.module(nn.PReLU(3))(w.x(2, 3)), F.pixel_shuffle(w.x(1, 4, 2, 2), 2),
                                      F.fold(F.unfold(w.x(1, 2, 4, 4), 2), (4, 4), 2)),
    "scaled_dot_product_attention": lambda w: F.scaled_dot_product_attention(
        w.x(2, 3, 4), w.x(2, 3, 4, seed=1), w.x(2, 3, 4, seed=2), is_causal=True),
    "jacobian_hessian": lambda w: (rg.autograd.functional.jacobian(lambda x: x * x, w.x(3, grad=False)),
                                   rg.autograd.functional.hessian(lambda x: (x ** 3).sum(),
                                                                  w.x(3, grad=False))),
}


def _plain(t):
    return t.array.a if type(t.array) is Boxed else t.array


def _run(case, box: bool):
    rg.manual_seed(0)
    w = World(box)
    out = case(w)
    outs = list(out) if isinstance(out, tuple) else [out]
    live = [o for o in outs if o.requires_grad]
    if live:
        sum((o.sum() for o in live[1:]), live[0].sum()).backward()
    return outs + [x.grad for x in w.inputs if x.grad is not None]


@pytest.mark.parametrize("name", CASES)
def test_layers_run_in_their_inputs_array_module(boxed, name):
    want = _run(CASES[name], box=False)
    got = _run(CASES[name], box=True)
    assert len(got) == len(want)
    for g, v in zip(got, want):
        assert type(g.array) is Boxed, f"{name}: a {type(g.array).__name__}, not Boxed"
        np.testing.assert_allclose(_plain(g), v.array, rtol=1e-5, atol=1e-6)


OPTIMIZERS = {
    "Adamax": lambda p: rg.optim.Adamax(p, lr=0.1),
    "NAdam": lambda p: rg.optim.NAdam(p, lr=0.1),
    "RAdam": lambda p: rg.optim.RAdam(p, lr=0.1),
    "Adadelta": lambda p: rg.optim.Adadelta(p),
    "SGD_nesterov": lambda p: rg.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, maximize=True),
    "LBFGS": lambda p: rg.optim.LBFGS(p, lr=0.5, line_search_fn="strong_wolfe"),
}


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimizers_update_in_their_parameters_array_module(boxed, name):
    results = []
    for box in (False, True):
        a = np.array([1.0, -2.0, 0.5], np.float32)
        w = nn.Parameter(rg.Tensor(Boxed(a) if box else a))
        opt = OPTIMIZERS[name]([w])

        def closure():
            opt.zero_grad()
            loss = (w * w * w.exp()).sum()
            loss.backward()
            return loss

        for _ in range(3):
            opt.step(closure)
        assert type(w.array) is (Boxed if box else np.ndarray)
        results.append(_plain(w))
    np.testing.assert_allclose(results[1], results[0], rtol=1e-5, atol=1e-6)


def test_gradient_utilities_and_state_dicts_keep_the_parameters_module(boxed):
    m = World(True).module(nn.Linear(2, 3))
    m(rg.Tensor(Boxed(np.ones((4, 2), np.float32)))).sum().backward()
    nn.utils.clip_grad_value_(m.parameters(), 0.1)
    nn.utils.clip_grad_norm_(m.parameters(), 0.2, norm_type=float("inf"))
    flat = nn.utils.parameters_to_vector(m.parameters())
    nn.utils.vector_to_parameters(flat * 2, m.parameters())
    m.load_state_dict({k: np.full(v.shape, 0.5, np.float32) for k, v in m.state_dict().items()})
    assert type(flat.array) is Boxed
    for p in m.parameters():
        assert type(p.array) is Boxed and type(p.grad.array) is Boxed
        np.testing.assert_array_equal(p.array.a, 0.5)
    with rg.autograd.detect_anomaly():
        rg.Tensor(Boxed(np.ones(2, np.float32)), requires_grad=True).exp().sum().backward()
