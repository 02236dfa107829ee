"""PyTorch's tensor semantics: type promotion, pow at 0, 0-d softmax, __format__, error classes,
devices and dtype names."""
import itertools

import numpy as np
import pytest

import retrograd as rg
from retrograd import nn

torch = pytest.importorskip("torch")

DTYPES = ["bool", "uint8", "int8", "int32", "int64", "float16", "float32", "float64"]
SCALARS = [True, 3, 2.5]


def _operand(module, kind, dtype):
    if kind == "scalar":
        return dtype
    shape = (2,) if kind == "dim" else ()
    return module.tensor(np.ones(shape, dtype=dtype))


def _dtype_name(t):
    return str(t.dtype).removeprefix("torch.")


OPERANDS = ([("dim", d) for d in DTYPES] + [("zero", d) for d in DTYPES]
            + [("scalar", s) for s in SCALARS])


@pytest.mark.parametrize("op", ["add", "mul", "div", "maximum", "sub"])
def test_binary_ops_promote_as_pytorch(op):
    mismatches = []
    for (ka, da), (kb, db) in itertools.product(OPERANDS, OPERANDS):
        if ka == "scalar" and kb == "scalar" or ("scalar" in (ka, kb) and op == "maximum"):
            continue
        if ka == "scalar":  # a Python number on the left goes through the reflected operator
            f = {"add": lambda a, b: a + b, "mul": lambda a, b: a * b,
                 "div": lambda a, b: a / b, "sub": lambda a, b: a - b}[op]
        else:
            f = lambda a, b, m: getattr(m, op)(a, b)  # noqa: E731
        try:
            want = _dtype_name(f(_operand(torch, ka, da), _operand(torch, kb, db),
                                 *(() if ka == "scalar" else (torch,))))
        except RuntimeError:
            continue  # PyTorch refuses (bool subtraction)
        got = _dtype_name(f(_operand(rg, ka, da), _operand(rg, kb, db), *(() if ka == "scalar" else (rg,))))
        if got != want:
            mismatches.append(f"{ka} {da} {op} {kb} {db}: {got}, PyTorch {want}")
    assert not mismatches, "\n".join(mismatches)


def test_promotion_keeps_gradient_dtypes():
    w = rg.tensor([1.0, 2.0], requires_grad=True)  # float32
    s = rg.tensor(3.0, dtype=rg.float64, requires_grad=True)  # 0-d float64: does not win
    y = w * s
    assert y.dtype == rg.float32
    y.sum().backward()
    assert w.grad.dtype == rg.float32 and s.grad.dtype == rg.float64
    assert s.grad.item() == pytest.approx(3.0)


@pytest.mark.parametrize("join", ["cat", "stack"])
def test_cat_and_stack_promote_as_pytorch(join):
    mismatches = []
    for da, db in itertools.product(DTYPES, DTYPES):
        parts = [(2,), (2,)]
        want = _dtype_name(getattr(torch, join)([torch.tensor(np.ones(s, dtype=d))
                                                 for s, d in zip(parts, (da, db))]))
        got = _dtype_name(getattr(rg, join)([rg.tensor(np.ones(s, dtype=d))
                                             for s, d in zip(parts, (da, db))]))
        if got != want:
            mismatches.append(f"{join} {da}, {db}: {got}, PyTorch {want}")
    assert not mismatches, "\n".join(mismatches)


def test_cat_gives_each_input_a_gradient_of_its_own_dtype():
    single = rg.tensor([1.0, 2.0], requires_grad=True)
    double = rg.tensor([3.0], dtype=rg.float64, requires_grad=True)
    joined = rg.cat([single, double])
    assert joined.dtype == rg.float64
    (joined * rg.tensor([1.0, 2.0, 3.0], dtype=rg.float64)).sum().backward()
    assert single.grad.dtype == rg.float32 and double.grad.dtype == rg.float64
    np.testing.assert_array_equal(single.grad.numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(double.grad.numpy(), [3.0])


def test_float32_linear_refuses_float64_and_int64_input_as_pytorch():
    layer = nn.Linear(3, 2)
    for dtype in (rg.float64, rg.int64):
        with pytest.raises(RuntimeError, match="dtype"):
            layer(rg.zeros(4, 3, dtype=dtype))
    with pytest.raises(RuntimeError, match="dtype"):
        rg.zeros(2, 3) @ rg.zeros(3, 2, dtype=rg.float64)
    assert layer(rg.zeros(4, 3)).dtype == rg.float32


@pytest.mark.parametrize("base,exponent", [(0.0, 0.0), (0.0, 2.0), (0.0, 0.5), (2.0, 0.0), (-1.5, 3.0)])
def test_pow_gradients_at_zero_match_pytorch(base, exponent):
    grads = []
    for m in (rg, torch):
        a = m.tensor([base], dtype=m.float64, requires_grad=True)
        b = m.tensor([exponent], dtype=m.float64, requires_grad=True)
        (a ** b).sum().backward()
        c = m.tensor([base], dtype=m.float64, requires_grad=True)
        (c ** exponent).sum().backward()
        grads.append([a.grad.tolist(), b.grad.tolist(), c.grad.tolist()])
    np.testing.assert_equal(grads[0], grads[1])


@pytest.mark.parametrize("op", ["softmax", "log_softmax", "logsumexp"])
def test_softmax_family_on_0d_tensors(op):
    results = []
    for m in (rg, torch):
        x = m.tensor(0.7, dtype=m.float64, requires_grad=True)
        y = getattr(m, op)(x, 0)
        (y * 3).backward()
        results.append((tuple(y.shape), y.item(), x.grad.item()))
    assert results[0][0] == results[1][0] == ()
    assert results[0][1:] == pytest.approx(results[1][1:])


def test_format_of_0d_tensors_and_refusal_for_others():
    assert f"{rg.tensor(3.14159):.3f}" == "3.142"
    assert f"{rg.tensor(7):>4}" == "   7"
    assert f"{rg.tensor([1.0])}" == str(rg.tensor([1.0]))
    with pytest.raises(TypeError):
        f"{rg.tensor([1.0, 2.0]):.2f}"


def test_shape_errors_are_runtime_and_value_errors():
    with pytest.raises(RuntimeError) as info:
        rg.zeros(2, 3) + rg.zeros(4, 3)
    assert isinstance(info.value, ValueError) and "(2, 3)" in str(info.value)
    with pytest.raises(RuntimeError):
        rg.zeros(2, 3) @ rg.zeros(2, 3)
    with pytest.raises(IndexError):
        rg.zeros(2, 3)[5]
    with pytest.raises(IndexError):
        rg.zeros(2, 3).sum(4)


def test_devices():
    cpu = rg.device("cpu")
    assert repr(cpu) == "device(type='cpu')" and cpu == "cpu" and str(rg.device("cuda:1")) == "cuda:1"
    x = rg.zeros(2)
    assert x.device == cpu and x.cpu() is x and x.to("cpu") is x and x.to(cpu, rg.float64).dtype == rg.float64
    assert x.to(device="cpu", dtype=rg.int64).dtype == rg.int64
    assert x.to(rg.zeros(1, dtype=rg.float64)).dtype == rg.float64
    assert x.to("cpu", copy=True) is not x
    assert not rg.cuda.is_available() and rg.cuda.device_count() == 0
    assert rg.accelerator.current_accelerator() is None
    for call in (lambda: x.to("cuda"), lambda: x.cuda(), lambda: nn.Linear(2, 2).to("cuda"),
                 lambda: nn.Linear(2, 2).cuda()):
        with pytest.raises(RuntimeError, match="no cuda backend"):
            call()
    layer = nn.Linear(2, 2)
    assert layer.to(cpu) is layer and layer.cpu() is layer
    assert layer.to(rg.device("cpu"), rg.float64).weight.dtype == rg.float64
    with pytest.raises(RuntimeError, match="unknown device"):
        rg.device("gpu")


def test_dtype_names_and_conversions():
    names = ["long", "int", "float", "double", "half", "bool", "int8", "uint8", "int16", "int32",
             "int64", "float16", "float32", "float64", "short"]
    for name in names:
        assert str(getattr(rg, name)) == str(getattr(torch, name)).removeprefix("torch.")
    x = rg.tensor([1.7, -2.2])
    for method in ("long", "int", "half", "short", "char", "byte", "bool", "double", "float"):
        assert str(getattr(x, method)().dtype) == str(getattr(torch.tensor([1.7, -2.2]), method)().dtype).removeprefix("torch.")
    assert x.is_floating_point() and not x.long().is_floating_point() and rg.is_floating_point(x)


def test_backend_flags_and_type_names_as_pytorch_cpu_build():
    rg.backends.cudnn.deterministic = True  # scripts set these; accepted, no effect
    rg.backends.cudnn.benchmark = False
    assert not rg.backends.mps.is_available() and not rg.backends.cudnn.is_available()
    for dtype in ("float32", "float64", "int64", "int32", "bool", "uint8"):
        ours = rg.zeros(1, dtype=getattr(rg, dtype)).type()
        assert ours.split(".")[1] == torch.zeros(1, dtype=getattr(torch, dtype)).type().split(".")[1]
