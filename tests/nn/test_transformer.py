"""Transformer layers against torch.nn with copied weights (outputs and gradients of inputs and
every parameter), their state-dict names, the causal mask helper and the initialisation."""
import math

import numpy as np
import pytest

import retrograd as rg
import retrograd.nn as nn


def _copy(ours, theirs, torch):
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: rg.tensor(v.numpy()) for k, v in theirs.state_dict().items()})


def _compare(ours, theirs, torch, inputs, kwargs=None, tkwargs=None):
    data = [np.random.default_rng(i).standard_normal(s) for i, s in enumerate(inputs)]
    xs = [rg.tensor(d, requires_grad=True) for d in data]
    txs = [torch.tensor(d, requires_grad=True) for d in data]
    y, ty = ours(*xs, **(kwargs or {})), theirs(*txs, **(tkwargs or kwargs or {}))
    np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=1e-10, atol=1e-10)
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    for a, b in zip(xs, txs):
        np.testing.assert_allclose(a.grad.array, b.grad.numpy(), rtol=1e-9, atol=1e-10)
    theirs_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.array, theirs_params[name].grad.numpy(), rtol=1e-9,
                                   atol=1e-10, err_msg=name)


@pytest.mark.parametrize("kwargs", [dict(),
                                    dict(norm_first=True, activation="gelu", batch_first=True)],
                         ids=["post-norm", "pre-norm-gelu-batch-first"])
def test_encoder_and_decoder_layers_match_torch(kwargs):
    torch = pytest.importorskip("torch")
    args = dict(d_model=8, nhead=2, dim_feedforward=16, dropout=0.0, dtype=torch.float64, **kwargs)
    enc = nn.TransformerEncoderLayer(**{**args, "dtype": rg.float64})
    tenc = torch.nn.TransformerEncoderLayer(**args)
    assert repr(enc) == repr(tenc)
    _copy(enc, tenc, torch)
    mask = torch.nn.Transformer.generate_square_subsequent_mask(5, dtype=torch.float64)
    batch_first = kwargs.get("batch_first", False)
    seq = lambda length: (3, length, 8) if batch_first else (length, 3, 8)  # noqa: E731
    _compare(enc, tenc, torch, [seq(5)],
             dict(src_mask=nn.Transformer.generate_square_subsequent_mask(5, dtype=rg.float64)),
             dict(src_mask=mask))
    dec = nn.TransformerDecoderLayer(**{**args, "dtype": rg.float64})
    tdec = torch.nn.TransformerDecoderLayer(**args)
    _copy(dec, tdec, torch)
    _compare(dec, tdec, torch, [seq(4), seq(5)])


@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")  # torch's fast-path note
def test_whole_transformer_matches_torch_and_inits_xavier():
    torch = pytest.importorskip("torch")
    args = dict(d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=1, dim_feedforward=12,
                dropout=0.0)
    ours = nn.Transformer(**args, dtype=rg.float64)
    theirs = torch.nn.Transformer(**args, dtype=torch.float64)
    bound = math.sqrt(6 / (12 + 8))  # xavier_uniform_ of linear1.weight (12, 8)
    w = ours.encoder.layers[0].linear1.weight.array
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    _copy(ours, theirs, torch)
    pad = np.zeros((3, 5), bool)
    pad[1, 3:] = True
    causal = nn.Transformer.generate_square_subsequent_mask(4, dtype=rg.float64)
    _compare(ours, theirs, torch, [(5, 3, 8), (4, 3, 8)],
             dict(src_key_padding_mask=pad, tgt_mask=causal),
             dict(src_key_padding_mask=torch.tensor(pad), tgt_mask=torch.tensor(causal.array)))


def test_encoder_stack_trains_with_dropout_and_masks_are_causal():
    torch = pytest.importorskip("torch")
    np.testing.assert_array_equal(nn.Transformer.generate_square_subsequent_mask(4).array,
                                  torch.nn.Transformer.generate_square_subsequent_mask(4).numpy())
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.1, batch_first=True)
    stack = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(8))
    assert [k for k in stack.state_dict()][-2:] == ["norm.weight", "norm.bias"]
    assert stack.layers[0] is not stack.layers[1] and stack.layers[0] is not layer
    x = rg.randn(2, 5, 8)
    stack.train()
    out = stack(x)
    out.sum().backward()
    assert out.shape == (2, 5, 8) and all(p.grad is not None for p in stack.parameters())
    stack.eval()
    np.testing.assert_array_equal(stack(x).array, stack(x).array)
    with pytest.raises(RuntimeError, match="relu/gelu"):
        nn.TransformerEncoderLayer(8, 2, activation="swish")
