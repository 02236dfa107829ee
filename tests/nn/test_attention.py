"""F.scaled_dot_product_attention and nn.MultiheadAttention against PyTorch (outputs, weights,
gradients of inputs and parameters, with copied weights), float64 finite differences, masks,
dropout, initialisation and errors."""
import math

import numpy as np
import pytest

import retrograd as rg
import retrograd.nn as nn
import retrograd.nn.functional as F
from retrograd.autograd import gradcheck, gradgradcheck

RNG = np.random.default_rng(0)
BOOL_MASK = RNG.random((4, 6)) > 0.4
BOOL_MASK[1] = False  # a query that may attend to nothing: zero output, as PyTorch's
SDPA_CASES = [
    ("plain", {}),
    ("causal", dict(is_causal=True)),
    ("bool_mask", dict(attn_mask=BOOL_MASK)),
    ("float_mask", dict(attn_mask=RNG.standard_normal((2, 1, 4, 6)))),
    ("scale", dict(scale=0.3)),
]


def _tensors(shapes, module, dtype="float64", seed=1):
    rng = np.random.default_rng(seed)
    data = [rng.standard_normal(s).astype(dtype) for s in shapes]
    return [module.tensor(d, requires_grad=True) for d in data]


@pytest.mark.parametrize("name, kwargs", SDPA_CASES, ids=[c[0] for c in SDPA_CASES])
def test_sdpa_matches_torch(name, kwargs):
    torch = pytest.importorskip("torch")
    shapes = [(2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7)]
    ours, theirs = _tensors(shapes, rg), _tensors(shapes, torch)
    tkw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    y = F.scaled_dot_product_attention(*ours, **kwargs)
    ty = torch.nn.functional.scaled_dot_product_attention(*theirs, **tkw)
    np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=1e-12, atol=1e-12)
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    for a, b in zip(ours, theirs):
        assert np.isfinite(a.grad.array).all()
        np.testing.assert_allclose(a.grad.array, b.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_sdpa_grouped_query_heads_match_torch():
    torch = pytest.importorskip("torch")
    shapes = [(1, 4, 3, 2), (1, 2, 5, 2), (1, 2, 5, 3)]
    ours, theirs = _tensors(shapes, rg), _tensors(shapes, torch)
    y = F.scaled_dot_product_attention(*ours, enable_gqa=True)
    ty = torch.nn.functional.scaled_dot_product_attention(*theirs, enable_gqa=True)
    np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name, kwargs", SDPA_CASES[:4], ids=[c[0] for c in SDPA_CASES[:4]])
def test_sdpa_gradcheck_first_and_second_order(name, kwargs):
    if "attn_mask" in kwargs:
        kwargs = dict(attn_mask=kwargs["attn_mask"][..., :3, :4])
    qkv = _tensors([(2, 1, 3, 2), (2, 1, 4, 2), (2, 1, 4, 3)], rg, seed=2)
    fn = lambda q, k, v: F.scaled_dot_product_attention(q, k, v, **kwargs)  # noqa: E731
    assert gradcheck(fn, qkv, rtol=1e-6, atol=1e-7)
    assert gradgradcheck(fn, qkv, rtol=1e-5, atol=1e-6)


def test_sdpa_dropout_drops_weights_and_keeps_the_mean():
    q, k = rg.zeros(2000, 1, 4), rg.zeros(2000, 4, 4)  # uniform weights 1/4
    v = rg.ones(2000, 4, 1)
    rg.manual_seed(0)
    y = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5).array.ravel()
    assert set(np.round(y, 5)) <= {0.0, 0.5, 1.0, 1.5, 2.0} and len(set(np.round(y, 5))) > 2
    assert abs(y.mean() - 1.0) < 0.05


def test_sdpa_errors():
    q = rg.randn(1, 3, 4)
    with pytest.raises(RuntimeError, match="is_causal"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=np.ones((3, 3), bool), is_causal=True)
    with pytest.raises(ValueError, match="do not fit"):
        F.scaled_dot_product_attention(q, rg.randn(1, 3, 5), q)


KPM = np.zeros((2, 5), bool)
KPM[1, 3:] = True
MHA_CASES = [
    (dict(embed_dim=6, num_heads=2), {}, [(3, 2, 6), (5, 2, 6), (5, 2, 6)]),
    (dict(embed_dim=6, num_heads=3, batch_first=True), dict(need_weights=False),
     [(2, 3, 6), (2, 5, 6), (2, 5, 6)]),
    (dict(embed_dim=6, num_heads=2, kdim=4, vdim=3),
     dict(attn_mask=RNG.random((3, 5)) > 0.5, key_padding_mask=KPM), [(3, 2, 6), (5, 2, 4), (5, 2, 3)]),
    (dict(embed_dim=6, num_heads=2, add_bias_kv=True, add_zero_attn=True),
     dict(key_padding_mask=KPM, average_attn_weights=False), [(3, 2, 6), (5, 2, 6), (5, 2, 6)]),
    (dict(embed_dim=4, num_heads=2, bias=False), dict(need_weights=False, attn_mask=BOOL_MASK[:3, :5]),
     [(3, 4), (5, 4), (5, 4)]),
    (dict(embed_dim=4, num_heads=1), dict(attn_mask=RNG.standard_normal((3, 5))),
     [(3, 1, 4), (5, 1, 4), (5, 1, 4)]),
    (dict(embed_dim=4, num_heads=2), dict(attn_mask=np.triu(np.ones((3, 3), bool), 1), is_causal=True),
     [(3, 2, 4), (3, 2, 4), (3, 2, 4)]),
    (dict(embed_dim=6, num_heads=2, batch_first=True),  # per-head (N * H, L, S) and padding masks
     dict(attn_mask=RNG.standard_normal((4, 3, 5)), key_padding_mask=RNG.standard_normal((2, 5))),
     [(2, 3, 6), (2, 5, 6), (2, 5, 6)]),
]


@pytest.mark.parametrize("kwargs, call, shapes", MHA_CASES, ids=[str(i) for i in range(len(MHA_CASES))])
def test_multihead_attention_matches_torch_with_copied_weights(kwargs, call, shapes):
    torch = pytest.importorskip("torch")
    theirs = torch.nn.MultiheadAttention(**kwargs, dtype=torch.float64)
    ours = nn.MultiheadAttention(**kwargs, dtype=rg.float64)
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    assert repr(ours) == repr(theirs)
    ours.load_state_dict({k: rg.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    xs, txs = _tensors(shapes, rg, seed=3), _tensors(shapes, torch, seed=3)
    tcall = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in call.items()}
    (y, w), (ty, tw) = ours(*xs, **call), theirs(*txs, **tcall)
    assert (w is None) == (tw is None)
    np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=1e-12, atol=1e-12)
    loss, tloss = (y * y).sum(), (ty * ty).sum()
    if w is not None:
        np.testing.assert_allclose(w.array, tw.detach().numpy(), rtol=1e-12, atol=1e-12)
        loss, tloss = loss + (w * w).sum(), tloss + (tw * tw).sum()
    loss.backward()
    tloss.backward()
    for a, b in zip(xs, txs):
        np.testing.assert_allclose(a.grad.array, b.grad.numpy(), rtol=1e-10, atol=1e-12)
    theirs_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.array, theirs_params[name].grad.numpy(), rtol=1e-10,
                                   atol=1e-12, err_msg=name)


def test_multihead_attention_gradcheck_and_init():
    rg.manual_seed(0)
    mha = nn.MultiheadAttention(4, 2, dtype=rg.float64)
    x = _tensors([(3, 2, 4)], rg, seed=4)[0]
    assert gradcheck(lambda x, *ps: mha(x, x, x)[0], [x, *mha.parameters()], rtol=1e-6, atol=1e-7)
    big = nn.MultiheadAttention(64, 4)
    bound = math.sqrt(6 / (64 + 3 * 64))  # xavier_uniform_ on the (3E, E) in_proj_weight
    w = big.in_proj_weight.array
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert not big.in_proj_bias.array.any() and not big.out_proj.bias.array.any()


def test_multihead_attention_errors():
    with pytest.raises(ValueError, match="divisible"):
        nn.MultiheadAttention(6, 4)
    mha = nn.MultiheadAttention(4, 2)
    x = rg.randn(3, 2, 4)
    with pytest.raises(RuntimeError, match="is_causal"):
        mha(x, x, x, is_causal=True)
    with pytest.raises(ValueError, match="do not fit"):
        mha(x, rg.randn(3, 2, 5), x)


def test_sdpa_empty_queries_or_keys_like_torch():
    torch = pytest.importorskip("torch")
    for q_len, k_len in ((0, 3), (2, 0)):
        shapes = [(1, q_len, 4), (1, k_len, 4), (1, k_len, 5)]
        ours, theirs = _tensors(shapes, rg), _tensors(shapes, torch)
        y = F.scaled_dot_product_attention(*ours)
        ty = torch.nn.functional.scaled_dot_product_attention(*theirs)
        np.testing.assert_array_equal(y.array, ty.detach().numpy())
        y.sum().backward()
        assert ours[0].grad.shape == (1, q_len, 4)
