"""Edge cases where retrograd once gave a silently wrong answer or the wrong error, checked
against PyTorch: -inf logits, empty batches, NaN into BCE, dtype mismatches, integer input to
float-only ops, integer negative powers; and no NumPy RuntimeWarning reaching the user."""
import warnings

import numpy as np
import pytest

import retrograd as rg
import retrograd.nn.functional as F
from retrograd import nn

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _grads_match(ours, theirs):
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("logits,target,smoothing", [
    ([[0.0, 0.0, -np.inf]], [0], 0.0),
    ([[1.0, -np.inf, 2.0], [-np.inf, 0.5, 0.0]], [2, 1], 0.0),
    ([[0.0, 0.0, -np.inf]], [0], 0.1),  # smoothing puts weight on the -inf class: inf
])
def test_cross_entropy_with_minus_inf_logits(logits, target, smoothing):
    z = rg.tensor(logits, dtype=rg.float64, requires_grad=True)
    tz = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    ours = F.cross_entropy(z, rg.tensor(target), label_smoothing=smoothing)
    theirs = TF.cross_entropy(tz, torch.tensor(target), label_smoothing=smoothing)
    np.testing.assert_allclose(ours.item(), theirs.item())
    if np.isfinite(theirs.item()):
        ours.backward()
        theirs.backward()
        _grads_match(z.grad, tz.grad)


@pytest.mark.parametrize("module", ["Conv2d", "Conv1d"])
def test_empty_batch_through_conv_backward(module):
    layer = getattr(nn, module)(2, 3, 3)
    shape = (0, 2, 5, 5) if module == "Conv2d" else (0, 2, 5)
    x = rg.zeros(*shape, requires_grad=True)
    y = layer(x)
    y.sum().backward()
    theirs = getattr(torch.nn, module)(2, 3, 3)(torch.zeros(*shape))
    assert y.shape == tuple(theirs.shape) and x.grad.shape == shape
    assert layer.weight.grad.shape == layer.weight.shape and not layer.weight.grad.numpy().any()


@pytest.mark.parametrize("values", [[float("nan")], [0.5, float("nan")], [1.5], [-0.1]])
def test_binary_cross_entropy_refuses_input_outside_0_1_and_nan(values):
    with pytest.raises(RuntimeError):
        TF.binary_cross_entropy(torch.tensor(values), torch.ones(len(values)))
    with pytest.raises(RuntimeError, match="between 0 and 1") as ours:
        F.binary_cross_entropy(rg.tensor(values), rg.ones(len(values)))
    assert not isinstance(ours.value, ValueError)  # PyTorch's type exactly, not a ValueError


@pytest.mark.parametrize("make,shape", [(lambda: nn.Linear(2, 3), (4, 2)),
                                        (lambda: nn.Conv2d(1, 2, 3), (1, 1, 5, 5)),
                                        (lambda: nn.Conv1d(1, 2, 3), (1, 1, 5))])
@pytest.mark.parametrize("dtype", [rg.float64, rg.int64])
def test_layer_given_another_dtype_raises_naming_both(make, shape, dtype):
    layer = make()
    with pytest.raises(RuntimeError, match=f"{np.dtype(dtype)}.*float32"):
        layer(rg.zeros(*shape, dtype=dtype))
    assert layer.double()(rg.zeros(*shape, dtype=rg.float64)).dtype == rg.float64


@pytest.mark.parametrize("op,error", [("mean", RuntimeError), ("var", RuntimeError),
                                      ("std", RuntimeError), ("softmax", NotImplementedError),
                                      ("log_softmax", NotImplementedError)])
def test_float_only_ops_refuse_integers_as_pytorch(op, error):
    args = (0,) if "softmax" in op else ()
    with pytest.raises(error):
        getattr(torch.tensor([1, 2]), op)(*args)
    with pytest.raises(error, match=f"{op}.*int64"):
        getattr(rg.tensor([1, 2]), op)(*args)
    ours = getattr(rg.tensor([1.0, 2.0]), op)(*args).numpy()
    np.testing.assert_allclose(ours, getattr(torch.tensor([1.0, 2.0]), op)(*args).numpy(),
                               rtol=1e-6)


@pytest.mark.parametrize("training", [True, False])
def test_batchnorm1d_on_an_empty_batch_returns_an_empty_result(training):
    ours, theirs = nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3)
    ours.train(training)
    theirs.train(training)
    y, ty = ours(rg.zeros(0, 3, requires_grad=True)), theirs(torch.zeros(0, 3, requires_grad=True))
    assert y.shape == tuple(ty.shape) == (0, 3)
    y.sum().backward()
    ty.sum().backward()
    _grads_match(ours.weight.grad, theirs.weight.grad)
    _grads_match(ours.running_mean, theirs.running_mean)
    _grads_match(ours.running_var, theirs.running_var)


def test_integer_to_negative_integer_power_is_pytorch_s_error():
    with pytest.raises(RuntimeError, match="Integers to negative integer powers"):
        torch.tensor([2, 4]) ** -1
    with pytest.raises(RuntimeError, match="Integers to negative integer powers are not allowed"):
        rg.tensor([2, 4]) ** -1
    assert (rg.tensor([2, 4]) ** 2).tolist() == [4, 16]
    np.testing.assert_allclose((rg.tensor([2.0, 4.0]) ** -1).numpy(), [0.5, 0.25])


def test_no_numpy_runtime_warning_reaches_the_user():
    """Overflow, 0/0, log(0) in forward, backward and an optimizer step give inf/nan, as in
    PyTorch, without a warning; the user's own NumPy error state is left as it was."""
    w = rg.tensor([1e30, 0.0, 1.0], requires_grad=True)
    opt = rg.optim.SGD([w], lr=1e30)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = ((w * w).log() + (w / w) + (w * 1e30).exp()).sum()
        loss.backward()
        opt.step()
        F.cross_entropy(rg.tensor([[1e38, -1e38]]) * 10, rg.tensor([0]))
    assert not np.isfinite(loss.item())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(RuntimeWarning):
            np.float32(1e38) * np.float32(10)


def test_clip_grad_norm_of_infinite_gradients_is_silent_and_as_pytorch():
    from retrograd.nn.utils import clip_grad_norm_

    ours, theirs = nn.Linear(3, 2), torch.nn.Linear(3, 2)
    for p in ours.parameters():
        p.grad = rg.full(p.shape, float("inf"))
    for p in theirs.parameters():
        p.grad = torch.full(p.shape, float("inf"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        total = clip_grad_norm_(ours.parameters(), 1.0)
    assert total.item() == torch.nn.utils.clip_grad_norm_(theirs.parameters(), 1.0).item()
    np.testing.assert_array_equal(ours.weight.grad.numpy(), theirs.weight.grad.numpy())
