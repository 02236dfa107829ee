"""ONNX export of RNN, LSTM and GRU: onnx.checker accepts the models and onnxruntime reproduces
every output (sequence output, h_n, c_n) within 1e-4, at the example's batch size and another."""
from __future__ import annotations

import io

import numpy as np
import pytest

import retrograd as rg
from retrograd import nn

onnx = pytest.importorskip("onnx", reason="ONNX export needs the onnx extra: pip install 'retrograd[onnx]'")
ort = pytest.importorskip("onnxruntime", reason="the round trips run onnxruntime: pip install onnxruntime")

from retrograd.onnx import ExportError, export  # noqa: E402


def _round_trip(model, make_inputs, batch_axes, output_names, batches=(3, 5), **kwargs):
    """Export on make_inputs(batches[0]) with the batch axes dynamic; check every output of
    onnxruntime against retrograd's at each batch size. Returns the ModelProto."""
    example = make_inputs(batches[0])
    names = [f"input_{i}" for i in range(len(example))]
    dynamic = {n: {axis: "batch"} for n, axis in zip(names + output_names, batch_axes)}
    buf = io.BytesIO()
    proto = export(model, example, buf, input_names=names, output_names=output_names,
                   dynamic_axes=dynamic, **kwargs)
    onnx.checker.check_model(onnx.load_from_string(buf.getvalue()), full_check=True)
    session = ort.InferenceSession(buf.getvalue(), providers=["CPUExecutionProvider"])
    for batch in batches:
        inputs = make_inputs(batch)
        with rg.no_grad():
            want = model(*inputs)
        want = [w.numpy() for w in (want if isinstance(want, tuple) else (want,))]
        got = session.run(None, {n: x.numpy() for n, x in zip(names, inputs)})
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert g.shape == w.shape
            np.testing.assert_allclose(g, w, atol=1e-4, rtol=1e-4)
    return proto


class LSTMClassifier(nn.Module):
    """28x28 images read row by row: LSTM -> last step -> Linear."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(28, 32, batch_first=True)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.fc(out[:, -1])


def test_lstm_classifier_on_28x28_sequences():
    rg.manual_seed(0)
    model = LSTMClassifier()
    proto = _round_trip(model, lambda b: (rg.randn(b, 28, 28),), [0, 0], ["logits"])
    ops = [n.op_type for n in proto.graph.node]
    assert ops.count("LSTM") == 1


class EncoderGRU(nn.Module):
    """A 2-layer bidirectional GRU (batch first) from a given state; returns output and h_n."""

    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(6, 8, num_layers=2, batch_first=True, bidirectional=True)

    def forward(self, x, h0):
        return self.gru(x, hx=h0)  # the state as a keyword argument is traced too


def test_two_layer_bidirectional_gru_batch_first_with_initial_state():
    rg.manual_seed(1)
    proto = _round_trip(EncoderGRU(), lambda b: (rg.randn(b, 7, 6), rg.randn(4, b, 8)),
                        [0, 1, 0, 1], ["output", "h_n"])
    assert [n.op_type for n in proto.graph.node].count("GRU") == 2


class Returns(nn.Module):
    """Calls the recurrent layer as given and returns all its outputs, flat."""

    def __init__(self, rnn):
        super().__init__()
        self.rnn = rnn

    def forward(self, x, *state):
        out, h = self.rnn(x, *((tuple(state) if len(state) == 2 else state[0],) if state else ()))
        return (out,) + (h if isinstance(h, tuple) else (h,))


CASES = {  # layer, with initial state, batched
    "lstm-2-layers-bidirectional-state": (lambda: nn.LSTM(5, 4, 2, bidirectional=True), True, True),
    "lstm-no-bias-batch-first-state": (lambda: nn.LSTM(5, 4, bias=False, batch_first=True), True, True),
    "gru-2-layers": (lambda: nn.GRU(5, 4, 2), False, True),
    "rnn-tanh-bidirectional-batch-first": (lambda: nn.RNN(5, 4, batch_first=True, bidirectional=True), False, True),
    "rnn-relu-2-layers-state": (lambda: nn.RNN(5, 4, 2, nonlinearity="relu"), True, True),
    "lstm-unbatched-bidirectional-state": (lambda: nn.LSTM(5, 4, bidirectional=True), True, False),
    "gru-unbatched": (lambda: nn.GRU(5, 4, bias=False), False, False),
}


@pytest.mark.parametrize("case", list(CASES))
def test_recurrent_layer_variants(case):
    make, with_state, batched = CASES[case]
    rg.manual_seed(2)
    rnn = make()
    states = (2 if isinstance(rnn, nn.LSTM) else 1) if with_state else 0
    layers = rnn.num_layers * (2 if rnn.bidirectional else 1)
    batch_axis = 0 if rnn.batch_first else 1

    def inputs(b):
        shape = [7, 5]
        if batched:
            shape.insert(batch_axis, b)
        return (rg.randn(*shape),) + tuple(rg.randn(layers, b, 4) if batched else rg.randn(layers, 4)
                                          for _ in range(states))

    outputs = [f"output_{i}" for i in range(3 if isinstance(rnn, nn.LSTM) else 2)]
    if batched:
        _round_trip(Returns(rnn), inputs, [batch_axis] + [1] * states + [batch_axis] + [1] * (len(outputs) - 1),
                    outputs)
    else:
        _round_trip(Returns(rnn), inputs, [], outputs, batches=(1,))


def test_dynamic_input_axes_alone_and_the_layer_exported_directly():
    """Output sizes left unknown when only the input's batch axis is declared dynamic; an
    nn.LSTM exported by itself gives its nested outputs (output, (h_n, c_n)) flat."""
    rg.manual_seed(3)
    lstm = nn.LSTM(3, 4)
    buf = io.BytesIO()
    proto = export(lstm, rg.randn(6, 2, 3), buf, input_names=["x"], dynamic_axes={"x": {1: "b"}})
    assert [len(o.type.tensor_type.shape.dim) for o in proto.graph.output] == [3, 3, 3]
    session = ort.InferenceSession(buf.getvalue(), providers=["CPUExecutionProvider"])
    x = rg.randn(6, 5, 3)
    out, (h, c) = lstm(x)
    for got, want in zip(session.run(None, {"x": x.numpy()}), (out, h, c)):
        np.testing.assert_allclose(got, want.detach().numpy(), atol=1e-4, rtol=1e-4)


def test_lstm_projection_is_refused():
    with pytest.raises(ExportError, match="proj_size"):
        export(nn.LSTM(3, 4, proj_size=2), rg.randn(5, 2, 3), io.BytesIO())
