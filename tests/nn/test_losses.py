"""Losses: first and second derivatives by finite differences, stability at +-1e4, the fused
cross-entropy against a composed one, PyTorch parity (when installed), errors and Modules."""
import doctest
import importlib
import warnings

import numpy as np
import pytest

import retrograd as rg
from retrograd import nn
from retrograd.autograd import ShapeError, gradcheck, gradgradcheck
from retrograd.ops import loss as F

RTOL, ATOL = 1e-6, 1e-7
rng = np.random.default_rng(0)
X = rng.standard_normal((3, 4))
Y = rng.standard_normal((3, 4))
PROBS = 1 / (1 + np.exp(-X))
SOFT = rng.random((3, 4))  # targets in [0, 1]
DIST = np.exp(Y) / np.exp(Y).sum(1, keepdims=True)  # rows sum to 1
LOGITS = rng.standard_normal((4, 3, 2))  # (N, C, d)
LABELS = np.array([[0, 2], [1, -100], [2, 2], [0, 1]])
LABELS_1D = np.array([2, 0, 1, 1])
Z2 = rng.standard_normal((4, 3))  # (N, C) logits for LABELS_1D
CLASS_W = np.array([0.5, 2.0, 1.5])
EW = rng.random((3, 4)) + 0.1  # element-wise weights


def _t(a, grad=True):
    return rg.tensor(np.asarray(a, dtype=np.float64), dtype=rg.float64, requires_grad=grad)


def _idx(a):
    return rg.tensor(np.asarray(a, dtype=np.int64))


def _dirichlet_targets(seed=1):
    """Class probabilities of LOGITS' shape (4, 3, 2), summing to 1 over dim 1."""
    return np.moveaxis(np.random.default_rng(seed).dirichlet(np.ones(3), (4, 2)), -1, 1)


# name: (loss of the differentiable inputs, their initial values)
CASES = {
    "mse": (lambda x, y: F.mse_loss(x, y), [X, Y]),
    "mse_weight_sum": (lambda x, y: F.mse_loss(x, y, reduction="sum", weight=rg.tensor(EW)), [X, Y]),
    "l1_none": (lambda x, y: F.l1_loss(x, y, reduction="none"), [X, Y]),
    "l1_weight": (lambda x, y: F.l1_loss(x, y, weight=rg.tensor(EW)), [X, Y]),
    "smooth_l1": (lambda x, y: F.smooth_l1_loss(x, y, beta=0.8), [X, Y]),
    "huber_weight": (lambda x, y: F.huber_loss(x, y, delta=0.7, weight=rg.tensor(EW)), [X, Y]),
    "cross_entropy": (lambda z: F.cross_entropy(z, _idx(LABELS_1D)), [Z2]),
    "cross_entropy_nd_all_options": (
        lambda z: F.cross_entropy(z, _idx(LABELS), weight=rg.tensor(CLASS_W), label_smoothing=0.2),
        [LOGITS]),
    "cross_entropy_none": (lambda z: F.cross_entropy(z, _idx(LABELS), reduction="none"), [LOGITS]),
    "cross_entropy_probs": (lambda z, q: F.cross_entropy(z, q, weight=rg.tensor(np.ones(4) * 2),
                                                         label_smoothing=0.1), [X, DIST]),
    "cross_entropy_unbatched": (lambda z: F.cross_entropy(z, _idx(2)), [X[0]]),
    "nll": (lambda z: F.nll_loss(z, _idx(LABELS), weight=rg.tensor(CLASS_W)), [LOGITS]),
    "nll_sum": (lambda z: F.nll_loss(z, _idx(LABELS_1D), reduction="sum"), [Z2]),
    "bce": (lambda p, t: F.binary_cross_entropy(p, t, weight=rg.tensor(EW)), [PROBS, SOFT]),
    "bce_with_logits": (lambda x, t: F.binary_cross_entropy_with_logits(
        x * 3, t, weight=rg.tensor(EW), pos_weight=rg.tensor([1.0, 2.0, 0.5, 3.0])), [X, SOFT]),
    "bce_with_logits_none": (lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction="none"),
                             [X, SOFT]),
    "kl_div_batchmean": (lambda x, t: F.kl_div(x.log_softmax(1), t, reduction="batchmean"),
                         [X, DIST]),
    "kl_div_log_target": (lambda x, t: F.kl_div(x, t, reduction="sum", log_target=True), [X, Y]),
}


@pytest.mark.parametrize("name", CASES)
def test_gradients_match_finite_differences(name):
    fn, values = CASES[name]
    assert gradcheck(fn, [_t(v) for v in values], rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("name", CASES)
def test_second_derivatives_match_finite_differences(name):
    fn, values = CASES[name]
    assert gradgradcheck(fn, [_t(v) for v in values], rtol=1e-5, atol=1e-6)


def test_kl_div_is_differentiable_where_the_target_is_zero():
    target = DIST.copy()
    target[0, 1] = 0.0
    assert gradcheck(lambda x: F.kl_div(x, rg.tensor(target), reduction="sum"), [_t(X)],
                     rtol=RTOL, atol=ATOL)


# ----- stability --------------------------------------------------------------------------------
BIG = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4], [1e4, 1e4, -1e4]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("loss", [
    lambda z: F.cross_entropy(z, _idx([1, 0, 2])),
    lambda z: F.cross_entropy(z, _idx([1, 0, 2]), weight=rg.tensor(CLASS_W), label_smoothing=0.3),
    lambda z: F.cross_entropy(z, rg.tensor(np.full((3, 3), 1 / 3))),
    lambda z: F.nll_loss(z.log_softmax(1), _idx([1, 0, 2])),
    lambda z: F.binary_cross_entropy_with_logits(z, rg.tensor(np.eye(3)), pos_weight=rg.tensor([2.0])),
    lambda z: F.binary_cross_entropy(z.sigmoid(), rg.tensor(np.eye(3))),
    lambda z: F.kl_div(z.log_softmax(1), rg.tensor(np.eye(3)), reduction="batchmean"),
    lambda z: F.huber_loss(z, rg.tensor(np.zeros((3, 3)))),
], ids=["ce", "ce_options", "ce_probs", "nll", "bce_logits", "bce", "kl", "huber"])
def test_finite_loss_and_gradient_at_1e4(loss, dtype):
    z = rg.tensor(BIG.astype(dtype), requires_grad=True)
    out = loss(z)
    out.backward()
    assert np.isfinite(out.item()) and np.isfinite(z.grad.array).all()
    assert out.dtype == dtype and z.grad.dtype == dtype  # no silent upcast


def test_extreme_values_are_right_not_just_finite():
    z = _t([[1e4, 0.0, -1e4]])
    np.testing.assert_allclose(F.cross_entropy(z, _idx([2])).item(), 2e4)
    np.testing.assert_allclose(F.cross_entropy(z, _idx([0])).item(), 0.0, atol=1e-12)
    x = _t([1e4, -1e4])
    np.testing.assert_allclose(F.binary_cross_entropy_with_logits(x, _t([0.0, 1.0]), reduction="none")
                               .array, [1e4, 1e4])
    p = _t([0.0, 1.0])  # log clamped at -100, like PyTorch
    np.testing.assert_allclose(F.binary_cross_entropy(p, _t([1.0, 0.0]), reduction="none").array,
                               [100.0, 100.0])


# ----- the fused cross-entropy against a composed one ------------------------------------------
def composed_cross_entropy(z, target, weight=None, ignore_index=-100, label_smoothing=0.0):
    """Cross-entropy written with log_softmax and gather (PyTorch's documented formula)."""
    n_classes = z.shape[1]
    logp = z.log_softmax(1)
    w = np.ones(n_classes) if weight is None else weight
    w_b = rg.tensor(w.reshape((1, n_classes) + (1,) * (z.ndim - 2)))
    if target.dtype.kind == "f":
        q = target * (1 - label_smoothing) + label_smoothing / n_classes
        return -(logp * q * w_b).sum() / (z.numel() / n_classes)
    valid = target.array != ignore_index
    safe = np.where(valid, target.array, 0)
    picked = logp.gather(1, np.expand_dims(safe, 1)).squeeze(1)
    w_y = w[safe] * valid
    nll = -(picked * rg.tensor(w_y)).sum()
    smooth = -((logp * w_b).sum(1) * rg.tensor(valid.astype(float))).sum()
    return ((1 - label_smoothing) * nll + label_smoothing / n_classes * smooth) / w_y.sum()


@pytest.mark.parametrize("weight", [None, CLASS_W], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("smoothing", [0.0, 0.25])
@pytest.mark.parametrize("target", ["probabilities", "indices", "indices-none-ignored"])
def test_fused_cross_entropy_equals_composed(weight, smoothing, target):
    """Every path of cross_entropy (one-hot targets among them: plain indices, none ignored),
    value and first-order gradient (which runs on arrays)."""
    target = {"probabilities": rg.tensor(_dirichlet_targets()), "indices": _idx(LABELS),
              "indices-none-ignored": _idx(np.where(LABELS == -100, 1, LABELS))}[target]
    results = []
    for fn in (F.cross_entropy, composed_cross_entropy):
        z = _t(LOGITS)
        w = None if weight is None else (rg.tensor(weight) if fn is F.cross_entropy else weight)
        loss = fn(z, target, weight=w, label_smoothing=smoothing)
        loss.backward()
        results.append((loss.item(), z.grad.array))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-10, atol=1e-15)


# ----- PyTorch parity ----------------------------------------------------------------------------
TORCH_CASES = [
    ("mse_loss", dict(reduction="sum"), "regression"),
    ("mse_loss", dict(weight=EW), "regression"),
    ("l1_loss", dict(weight=EW, reduction="none"), "regression"),
    ("smooth_l1_loss", dict(beta=0.5), "regression"),
    ("huber_loss", dict(delta=0.5, weight=EW), "regression"),
    ("cross_entropy", dict(), "indices"),
    ("cross_entropy", dict(weight=CLASS_W, ignore_index=1, label_smoothing=0.1), "indices"),
    ("cross_entropy", dict(weight=CLASS_W, reduction="none"), "indices"),
    ("cross_entropy", dict(weight=CLASS_W, label_smoothing=0.3), "probabilities"),
    ("cross_entropy", dict(reduction="sum"), "probabilities"),
    ("nll_loss", dict(weight=CLASS_W, ignore_index=2), "indices"),
    ("binary_cross_entropy", dict(weight=EW), "binary"),
    ("binary_cross_entropy_with_logits", dict(pos_weight=np.array([1.0, 3.0, 0.5, 2.0])), "regression"),
    ("kl_div", dict(reduction="batchmean"), "distribution"),
    ("kl_div", dict(reduction="sum", log_target=True), "regression"),
]


@pytest.mark.parametrize("name,kw,kind", TORCH_CASES, ids=[f"{n}-{i}" for i, (n, _, _) in
                                                           enumerate(TORCH_CASES)])
def test_matches_torch(name, kw, kind):
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    if kind == "regression":
        a, b = X, (SOFT if "logits" in name else Y)
    elif kind == "binary":
        a, b = PROBS, SOFT
    elif kind == "distribution":
        a, b = np.log(DIST[::-1].copy()), DIST
    else:
        a = LOGITS
        b = (np.where(LABELS == -100, kw.get("ignore_index", -100), LABELS) if kind == "indices"
             else _dirichlet_targets())
        if name == "nll_loss":
            a = a - np.log(np.exp(a).sum(1, keepdims=True))
    b_ours = _idx(b) if kind == "indices" else _t(b)
    b_torch = torch.tensor(b) if kind == "indices" else torch.tensor(b, requires_grad=True)
    x, xt = _t(a), torch.tensor(a, requires_grad=True)
    ours = getattr(F, name)(x, b_ours, **{k: rg.tensor(v) if isinstance(v, np.ndarray) else v
                                          for k, v in kw.items()})
    theirs = getattr(tf, name)(xt, b_torch, **{k: torch.tensor(v) if isinstance(v, np.ndarray)
                                               else v for k, v in kw.items()})
    np.testing.assert_allclose(ours.array, theirs.detach().numpy(), rtol=1e-10, atol=1e-12)
    seed = np.random.default_rng(2).standard_normal(ours.shape)
    ours.backward(rg.tensor(seed))
    theirs.backward(torch.tensor(seed))
    np.testing.assert_allclose(x.grad.array, xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    if kind != "indices":
        np.testing.assert_allclose(b_ours.grad.array, b_torch.grad.numpy(), rtol=1e-10, atol=1e-12)


# ----- semantics and errors --------------------------------------------------------------------
def test_weighted_mean_divides_by_the_target_weights_and_skips_ignored():
    z = _t(np.zeros((3, 2)))  # every class equally likely: each term is log 2
    loss = F.cross_entropy(z, _idx([0, 1, -100]), weight=rg.tensor([1.0, 3.0]))
    np.testing.assert_allclose(loss.item(), (1 * np.log(2) + 3 * np.log(2)) / 4)
    loss.backward()
    np.testing.assert_array_equal(z.grad.array[2], [0.0, 0.0])
    assert F.cross_entropy(z, _idx([0, 1, -100]), reduction="sum").item() == pytest.approx(
        2 * np.log(2))


@pytest.mark.parametrize("logits,target", [
    (np.zeros((2, 3)), _idx([-100, -100])),  # every target ignored
    (np.zeros((0, 3)), _idx(np.zeros(0, dtype=np.int64))),  # an empty batch
    (np.zeros((0, 3)), rg.tensor(np.zeros((0, 3)))),  # an empty batch of probabilities
], ids=["all-ignored", "empty", "empty-probabilities"])
def test_mean_cross_entropy_over_nothing_is_nan_with_zero_gradients(logits, target):
    """As in PyTorch: the mean of no terms is nan, and no logit gets a gradient, without
    warnings."""
    z = _t(logits)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = F.cross_entropy(z, target)
        loss.backward()
    assert np.isnan(loss.item())
    np.testing.assert_array_equal(z.grad.array, np.zeros(logits.shape))


def test_loss_refuses_to_broadcast_mismatched_shapes():
    with pytest.raises(ShapeError, match=r"mse_loss.*\(4, 1\).*\(4,\)"):
        F.mse_loss(_t(np.zeros((4, 1))), _t(np.zeros(4)))
    for fn in (F.l1_loss, F.smooth_l1_loss, F.huber_loss, F.binary_cross_entropy_with_logits,
               F.kl_div):
        with pytest.raises(ShapeError, match=fn.__name__):
            fn(_t(np.zeros((2, 3))), _t(np.zeros((3,))))


def test_cross_entropy_errors_name_the_problem():
    z = _t(np.zeros((3, 4)))
    with pytest.raises(IndexError, match="target class index 7.*4 classes"):
        F.cross_entropy(z, _idx([0, 7, 1]))
    with pytest.raises(IndexError, match="index -3"):
        F.nll_loss(z, _idx([0, -3, 1]))
    with pytest.raises(ShapeError, match=r"\(3, 4\).*\(3,\).*\(2,\)"):
        F.cross_entropy(z, _idx([0, 1]))
    with pytest.raises(ShapeError, match="class-probability target"):
        F.cross_entropy(z, _t(np.zeros(3)))
    with pytest.raises(ShapeError, match=r"weight must have shape \(4,\)"):
        F.cross_entropy(z, _idx([0, 1, 2]), weight=rg.tensor([1.0, 2.0]))
    with pytest.raises(ValueError, match="reduction"):
        F.cross_entropy(z, _idx([0, 1, 2]), reduction="avg")
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(_t([0.5, 1.5]), _t([0.0, 1.0]))


def test_legacy_size_average_and_reduce():
    x, y = _t(X), _t(Y)
    assert F.mse_loss(x, y, size_average=False).item() == pytest.approx(((X - Y) ** 2).sum())
    assert F.mse_loss(x, y, reduce=False).shape == X.shape


@pytest.mark.parametrize("module,fn,kind", [
    (nn.MSELoss(reduction="sum"), lambda a, b: F.mse_loss(a, b, reduction="sum"), "regression"),
    (nn.L1Loss(), F.l1_loss, "regression"),
    (nn.SmoothL1Loss(beta=0.5), lambda a, b: F.smooth_l1_loss(a, b, beta=0.5), "regression"),
    (nn.HuberLoss(delta=0.5), lambda a, b: F.huber_loss(a, b, delta=0.5), "regression"),
    (nn.CrossEntropyLoss(weight=rg.tensor(CLASS_W), ignore_index=2, label_smoothing=0.1),
     lambda a, b: F.cross_entropy(a, b, rg.tensor(CLASS_W), ignore_index=2, label_smoothing=0.1),
     "indices"),
    (nn.NLLLoss(reduction="none"), lambda a, b: F.nll_loss(a, b, reduction="none"), "indices"),
    (nn.BCELoss(), F.binary_cross_entropy, "binary"),
    (nn.BCEWithLogitsLoss(pos_weight=rg.tensor([2.0] * 4)),
     lambda a, b: F.binary_cross_entropy_with_logits(a, b, pos_weight=rg.tensor([2.0] * 4)),
     "regression"),
    (nn.KLDivLoss(reduction="batchmean", log_target=True),
     lambda a, b: F.kl_div(a, b, reduction="batchmean", log_target=True), "regression"),
])
def test_modules_call_their_function(module, fn, kind):
    a, b = {"regression": (X, SOFT), "binary": (PROBS, SOFT),
            "indices": (LOGITS, _idx(np.abs(LABELS) % 3))}[kind]
    b = b if kind == "indices" else _t(b, grad=False)
    np.testing.assert_allclose(module(_t(a), b).array, fn(_t(a), b).array)


def test_loss_module_weights_are_buffers():
    crit = nn.CrossEntropyLoss(weight=rg.tensor([1.0, 2.0]))
    assert list(crit.state_dict()) == ["weight"] and list(crit.parameters()) == []
    assert list(nn.BCEWithLogitsLoss(pos_weight=rg.tensor([3.0])).state_dict()) == ["pos_weight"]
    assert "reduction='sum'" in repr(nn.MSELoss(reduction="sum"))
    with pytest.raises(ValueError, match="reduction"):
        nn.L1Loss(reduction="batchmean")
    assert nn.KLDivLoss(reduction="batchmean").reduction == "batchmean"


@pytest.mark.parametrize("name", ["retrograd.ops.loss", "retrograd.nn.losses"])
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
