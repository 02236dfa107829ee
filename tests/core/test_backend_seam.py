"""The backend seam: every op takes its array module from its inputs. Ops, optimizers and
initialisers run on ``Boxed`` arrays (tests/boxed_backend.py), a registered array type that
refuses NumPy as a GPU array would; results and gradients must stay Boxed and equal NumPy's."""
from __future__ import annotations

import ast
import pathlib

import numpy as np
import pytest

import retrograd as rg
import retrograd.nn.functional as F
from boxed_backend import BOXED_NUMPY, CALLS, Boxed, boxed_kernels
from retrograd import backends
from retrograd.backend import array_module, device_module


@pytest.fixture
def boxed():
    backends.register(Boxed, boxed_kernels(), BOXED_NUMPY)
    CALLS.clear()
    yield
    backends.unregister(Boxed)


def _plain(a):
    return a.a if type(a) is Boxed else a


def _inputs(shapes, seed=0, box=False):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    return [rg.Tensor(Boxed(a) if box else a, requires_grad=True) for a in arrays]


def _run(fn, shapes, box):
    xs = _inputs(shapes, box=box)
    out = fn(*xs)
    out.sum().backward() if out.ndim else out.backward()
    return out, xs


def _check_boxed_like_numpy(fn, shapes, rtol=1e-5):
    """``fn`` on Boxed inputs: output and input gradients are Boxed and equal the NumPy run."""
    want, want_xs = _run(fn, shapes, box=False)
    got, got_xs = _run(fn, shapes, box=True)
    assert type(got.array) is Boxed, f"output is {type(got.array).__name__}, not Boxed"
    assert got.dtype == want.dtype
    np.testing.assert_allclose(_plain(got.array), want.array, rtol=rtol, atol=1e-6)
    for x, w in zip(got_xs, want_xs):
        assert type(x.grad.array) is Boxed, f"gradient is {type(x.grad.array).__name__}, not Boxed"
        assert x.grad.dtype == w.grad.dtype
        np.testing.assert_allclose(_plain(x.grad.array), w.grad.array, rtol=rtol, atol=1e-6)


def _on(x, data):
    """Integer ``data`` as a tensor of ``x``'s array module (targets live where inputs do)."""
    return rg.Tensor(array_module(x.array).asarray(np.array(data)))


OPS = {
    # element-wise, with broadcasting and constants
    "arithmetic": (lambda a, b: (a * b + 2.0) / (b * b + 1.0) - a ** 2, [(3, 4), (4,)]),
    "raw_array_operand": (lambda a: a * (a.detach().array.astype("float64") + 1), [(3, 4)]),  # float64
    "exp_log_sqrt": (lambda a: (a.exp() + 1.0).log().sqrt() + a.abs() + a.sin() * a.cos(), [(3, 4)]),
    "pow_tensor": (lambda a, b: a.abs() ** b, [(2, 3), (2, 3)]),
    "max_min_clamp_where": (lambda a, b: rg.maximum(a, b) + rg.minimum(a, b).clamp(-0.5, 0.5)
                            + rg.where(a > b, a, b), [(3, 4), (3, 4)]),
    "activations": (lambda a: F.relu(a) + a.sigmoid() + a.tanh() + F.gelu(a) + F.leaky_relu(a)
                    + F.elu(a) + F.softplus(a) + F.silu(a), [(3, 5)]),
    # reductions and softmax
    "reductions": (lambda a: a.sum(1) + a.mean(1) + a.amax(1) + a.var(1) + a.std(1)
                   + rg.logsumexp(a, 1) + a.max(1).values, [(4, 5)]),
    "softmax": (lambda a: F.softmax(a, -1) * F.log_softmax(a, -1), [(3, 6)]),
    # linear algebra, shapes and indexing
    "matmul_linear": (lambda x, w, b: F.linear(x @ w.T, w, b), [(3, 4), (4, 4), (4,)]),
    "shape_ops": (lambda a, b: rg.cat([a.permute(1, 0), b.reshape(4, 3)], 1).flatten()
                  .unsqueeze(0), [(3, 4), (3, 4)]),
    "stack_pad": (lambda a, b: F.pad(rg.stack([a, b]), (1, 2)), [(2, 3), (2, 3)]),
    "indexing": (lambda a: a[1:, ::2] * 2 + a[[0, 2]].sum(0)[::2] + a[a.detach() > 0].sum(), [(3, 4)]),
    "gather": (lambda a: a.gather(1, _on(a, [[0, 2], [1, 1], [3, 0]])), [(3, 4)]),
    # convolutions, pooling, normalisation
    "conv2d": (lambda x, w, b: F.conv2d(x, w, b, stride=1, padding=1), [(2, 3, 6, 6), (4, 3, 3, 3), (4,)]),
    "conv_stride_dilation": (lambda x, w: F.conv2d(x, w, stride=2, dilation=2), [(1, 2, 9, 9), (3, 2, 2, 2)]),
    "max_pool2d": (lambda x: F.max_pool2d(x, 2), [(2, 3, 6, 6)]),
    "avg_pool2d": (lambda x: F.avg_pool2d(x, 3, stride=2, padding=1), [(2, 3, 7, 7)]),
    "adaptive_avg_pool2d": (lambda x: F.adaptive_avg_pool2d(x, 1), [(2, 3, 5, 5)]),
    "batch_norm": (lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), [(4, 3, 2, 2), (3,), (3,)]),
    "layer_norm": (lambda x, w, b: F.layer_norm(x, (5,), w, b), [(3, 5), (5,), (5,)]),
    # losses
    "cross_entropy": (lambda z: F.cross_entropy(z, _on(z, [0, 2, 1])), [(3, 4)]),
    "cross_entropy_weighted": (lambda z: F.cross_entropy(z, _on(z, [0, 2, 1]), weight=_on(z, [1.0, 2.0, 0.5, 1.0]),
                                         label_smoothing=0.1), [(3, 4)]),
    "nll_loss": (lambda z: F.nll_loss(F.log_softmax(z, 1), _on(z, [1, 0, 3])), [(3, 4)]),
    "mse_l1_bce": (lambda a, b: F.mse_loss(a, b) + F.l1_loss(a, b) + F.smooth_l1_loss(a, b)
                   + F.binary_cross_entropy_with_logits(a, b.sigmoid()), [(3, 4), (3, 4)]),
}


@pytest.mark.parametrize("name", OPS)
def test_ops_keep_their_inputs_array_module_forward_and_backward(boxed, name):
    fn, shapes = OPS[name]
    _check_boxed_like_numpy(fn, shapes)


def test_a_training_step_stays_on_the_inputs_backend(boxed):
    """Layers, a loss, backward and each optimizer's update keep Boxed arrays Boxed."""
    for make_optimizer in (lambda p: rg.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=1e-4),
                           lambda p: rg.optim.Adam(p, lr=0.01, amsgrad=True),
                           lambda p: rg.optim.AdamW(p, lr=0.01),
                           lambda p: rg.optim.RMSprop(p, lr=0.01, centered=True, momentum=0.5),
                           lambda p: rg.optim.Adagrad(p, lr=0.1)):
        results = []
        for box in (False, True):
            rg.manual_seed(0)
            model = rg.nn.Sequential(rg.nn.Conv2d(2, 3, 3, padding=1), rg.nn.BatchNorm2d(3),
                                     rg.nn.ReLU(), rg.nn.MaxPool2d(2), rg.nn.Flatten(),
                                     rg.nn.Linear(12, 3))
            tensors = list(model.parameters()) + list(model.buffers())
            if box:
                for t in tensors:
                    t.array = Boxed(t.array)
            opt = make_optimizer(model.parameters())
            x = np.random.default_rng(1).standard_normal((2, 2, 4, 4)).astype(np.float32)
            for _ in range(2):
                opt.zero_grad()
                inputs = rg.Tensor(Boxed(x) if box else x)
                loss = F.cross_entropy(model(inputs), _on(inputs, [0, 2]))
                loss.backward()
                rg.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                opt.step()
            if box:
                assert all(type(t.array) is Boxed for t in tensors), type(opt).__name__
                assert all(type(s.array) is Boxed for st in opt.state.values()
                           for s in st.values() if isinstance(s, rg.Tensor)), type(opt).__name__
            results.append([_plain(t.array) for t in tensors])
        for want, got in zip(*results):
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("init", [
    lambda t: rg.nn.init.kaiming_uniform_(t, a=5 ** 0.5),
    lambda t: rg.nn.init.xavier_normal_(t),
    lambda t: rg.nn.init.trunc_normal_(t, std=0.02),
    lambda t: rg.nn.init.orthogonal_(t),
    lambda t: rg.nn.init.eye_(t),
    lambda t: rg.nn.init.constant_(t, 0.3),
    lambda t: t.normal_(0, 1),
])
def test_initialisers_fill_a_tensor_in_its_own_array_module(boxed, init):
    """Values drawn on the host (one seed, the same numbers) are moved into the tensor's module."""
    rg.manual_seed(3)
    want = init(rg.zeros(4, 5)).array
    rg.manual_seed(3)
    t = rg.Tensor(Boxed(np.zeros((4, 5), np.float32)))
    init(t)
    assert type(t.array) is Boxed
    np.testing.assert_array_equal(_plain(t.array), want)


def test_factories_follow_the_device_and_likes_follow_their_input(boxed):
    x = rg.Tensor(Boxed(np.ones((2, 3), np.float32)))
    assert type(rg.zeros(2, 3).array) is np.ndarray and device_module("cpu") is np
    for like in (rg.zeros_like(x), rg.ones_like(x), rg.full_like(x, 2.0), rg.rand_like(x),
                 x.new_zeros(2, 3), x.new_full((2, 3), 1.5), x.new_tensor([[1.0, 2, 3]] * 2),
                 rg.tensor(x), rg.as_tensor(x.array), rg.as_tensor(x.array, dtype=rg.float64)):
        assert type(like.array) is Boxed and like.shape == (2, 3)
    assert type(rg.zeros_like(x, device="cpu").array) is np.ndarray
    with pytest.raises(RuntimeError, match="no cuda backend"):
        rg.zeros(2, device="cuda")


def test_dropout_draws_its_mask_on_the_host_and_applies_it_in_the_inputs_module(boxed):
    rg.manual_seed(5)
    want = F.dropout(rg.ones(50), 0.5).array
    rg.manual_seed(5)
    got = F.dropout(rg.Tensor(Boxed(np.ones(50, np.float32))), 0.5).array
    assert type(got) is Boxed
    np.testing.assert_array_equal(_plain(got), want)


def test_the_fake_backend_refuses_numpy_so_the_tests_above_can_fail(boxed):
    """Guard on the harness itself: NumPy called on a Boxed array, or a plain ndarray mixed in,
    raises, as a GPU array library does."""
    b = Boxed(np.ones(3))
    for reach_for_numpy in (lambda: np.exp(b), lambda: np.concatenate([b, b]),
                            lambda: b + np.ones(3), lambda: np.asarray(b)):
        with pytest.raises(TypeError):
            reach_for_numpy()
    assert array_module(1.0, b) is BOXED_NUMPY and backends.kernels_for(None, b) is not backends.cpu
    rg.Tensor(b).exp()
    assert CALLS["exp"] == 1


def test_unregistered_arrays_answer_numpy_and_cpu():
    assert array_module(np.ones(2), 1.0, None) is np and backends.kernels_for(np.ones(2)) is backends.cpu
    with pytest.raises(TypeError, match="numpy.ndarray"):
        backends.register(np.ndarray, backends.cpu, np)


def _module_level_xp(tree: ast.Module) -> list[str]:
    """Module-level bindings of ``xp``: an import (from backend or numpy) or an assignment."""
    found = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found += [f"line {node.lineno}: import as xp" for a in node.names
                      if (a.asname or a.name) == "xp"]
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            found += [f"line {node.lineno}: xp = ..." for t in targets
                      if isinstance(t, ast.Name) and t.id == "xp"]
    return found


def test_no_module_holds_a_module_wide_array_library():
    """Ops must ask ``array_module(*arrays)`` per call; a module-level ``xp`` would pin NumPy."""
    root = pathlib.Path(rg.__file__).parent
    offenders = {str(p.relative_to(root)): found for p in sorted(root.rglob("*.py"))
                 if (found := _module_level_xp(ast.parse(p.read_text(encoding="utf-8"))))}
    assert offenders == {}
    assert not hasattr(rg.backend, "xp")
    assert _module_level_xp(ast.parse("from ..backend import xp\nimport numpy as xp\nxp = 1"))
