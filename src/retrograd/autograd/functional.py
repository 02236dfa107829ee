"""Higher-level autograd as ``torch.autograd.functional``: jacobian, hessian, vjp, jvp, hvp, vhp.

Each takes ``func`` (tensors -> tensor or tuple of tensors) and ``inputs`` (a tensor or a tuple).
Results follow PyTorch's structure: a tensor for a tensor input and output, tuples otherwise;
a Jacobian block has shape ``output.shape + input.shape``. jacobian runs one backward pass per
output element (PyTorch's reverse mode without ``vectorize``); jvp uses the double-vjp trick.
"""
from __future__ import annotations

from ..backend import array_module
from .grad_mode import enable_grad


def _as_tuple(x, what: str):
    from ..tensor import Tensor

    if isinstance(x, Tensor):
        return (x,), False
    if isinstance(x, (tuple, list)) and all(isinstance(t, Tensor) for t in x):
        return tuple(x), True
    raise TypeError(f"autograd.functional: {what} must be a Tensor or a tuple of Tensors, got {type(x).__name__}")


def _prepare(inputs, create_graph: bool):
    """Inputs the function is differentiated at: linked to the caller's graph when
    ``create_graph`` (so results can be differentiated further), fresh leaves otherwise."""
    return tuple(x + 0 if create_graph and x.requires_grad else x.detach().requires_grad_(True)
                 for x in inputs)


def _grads(outputs, inputs, grad_outputs, create_graph: bool, strict: bool):
    """d(outputs)/d(inputs) contracted with grad_outputs; zeros where an input is unused."""
    from ..creation import zeros_like
    from . import grad

    live = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if not live:
        if strict:
            raise RuntimeError("autograd.functional: the output does not depend on the inputs (strict=True)")
        return tuple(zeros_like(x) for x in inputs)
    result = grad([o for o, _ in live], list(inputs), [g for _, g in live], retain_graph=True,
                  create_graph=create_graph, allow_unused=True)
    if strict and any(r is None for r in result):
        raise RuntimeError("autograd.functional: an input is not used by the function (strict=True)")
    return tuple(zeros_like(x) if r is None else r for x, r in zip(inputs, result))


def _finish(t, create_graph: bool):
    return t if create_graph else t.detach()


def jacobian(func, inputs, create_graph: bool = False, strict: bool = False, vectorize: bool = False,
             strategy: str = "reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``: for output i and input j a block of shape
    ``outputs[i].shape + inputs[j].shape``."""
    from ..ops.shape import stack
    from ..tensor import Tensor

    xs, tuple_in = _as_tuple(inputs, "inputs")
    with enable_grad():
        xs = _prepare(xs, create_graph)
        outs, tuple_out = _as_tuple(func(*xs), "the function's outputs")
        blocks = []
        for out in outs:
            rows = [[] for _ in xs]
            for j in range(out.numel()):
                seed = array_module(out.array).zeros(out.numel(), dtype=out.dtype)
                seed[j] = 1
                grads = _grads([out], xs, [Tensor(seed.reshape(out.shape))], create_graph, strict)
                for row, g in zip(rows, grads):
                    row.append(g)
            per_input = []
            for x, row in zip(xs, rows):
                if row:
                    block = stack(row) if create_graph else Tensor(
                        array_module(x.array).stack([g.array for g in row]))
                    per_input.append(_finish(block.reshape(tuple(out.shape) + tuple(x.shape)), create_graph))
                else:
                    per_input.append(Tensor(array_module(x.array).zeros(tuple(out.shape) + tuple(x.shape),
                                                                        dtype=x.dtype)))
            blocks.append(tuple(per_input) if tuple_in else per_input[0])
    return tuple(blocks) if tuple_out else blocks[0]


def hessian(func, inputs, create_graph: bool = False, strict: bool = False, vectorize: bool = False,
            outer_jacobian_strategy: str = "reverse-mode"):
    """Second derivatives of a scalar ``func``: for inputs i and j a block of shape
    ``inputs[i].shape + inputs[j].shape``."""
    xs, tuple_in = _as_tuple(inputs, "inputs")

    def gradient(*args):
        out = func(*args)
        if not hasattr(out, "numel") or out.numel() != 1:
            raise RuntimeError("hessian: the function must return a single-element tensor")
        return jacobian(lambda *a: func(*a).reshape(()), args if tuple_in else args[0],
                        create_graph=True, strict=strict)

    return jacobian(gradient, xs if tuple_in else xs[0], create_graph=create_graph, strict=strict)


def vjp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), v^T J): the vector-Jacobian product (``v`` may be omitted for a
    single-element output)."""
    from ..creation import ones_like

    xs, tuple_in = _as_tuple(inputs, "inputs")
    with enable_grad():
        xs = _prepare(xs, create_graph)
        outs, tuple_out = _as_tuple(func(*xs), "the function's outputs")
        if v is None:
            if len(outs) != 1 or outs[0].numel() != 1:
                raise RuntimeError("vjp: v can be omitted only for a function with one single-element output")
            vs = (ones_like(outs[0]),)
        else:
            vs, _ = _as_tuple(v, "v")
        _check_shapes(outs, vs, "vjp", "v", "output")
        grads = _grads(outs, xs, vs, create_graph, strict)
    outs = tuple(_finish(o, create_graph) for o in outs)
    grads = tuple(_finish(g, create_graph) for g in grads)
    return (outs if tuple_out else outs[0]), (grads if tuple_in else grads[0])


def jvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), J v): the Jacobian-vector product, by differentiating a vjp with respect to
    its vector (so only reverse mode is needed)."""
    from ..creation import ones_like, zeros_like

    xs, tuple_in = _as_tuple(inputs, "inputs")
    if v is None:
        if len(xs) != 1 or xs[0].numel() != 1:
            raise RuntimeError("jvp: v can be omitted only for a single single-element input")
        vs = (ones_like(xs[0]),)
    else:
        vs, _ = _as_tuple(v, "v")
    _check_shapes(xs, vs, "jvp", "v", "input")
    with enable_grad():
        xs = _prepare(xs, create_graph)
        outs, tuple_out = _as_tuple(func(*xs), "the function's outputs")
        dummies = tuple(zeros_like(o).requires_grad_(True) for o in outs)
        grads = _grads(outs, xs, dummies, True, strict)
        jv = _grads(list(grads), dummies, list(vs), create_graph, strict)
    outs = tuple(_finish(o, create_graph) for o in outs)
    jv = tuple(_finish(g, create_graph) for g in jv)
    return (outs if tuple_out else outs[0]), (jv if tuple_out else jv[0])


def vhp(func, inputs, v, create_graph: bool = False, strict: bool = False):
    """(func(inputs), v^T H) for a scalar ``func``."""
    from ..creation import ones_like

    xs, tuple_in = _as_tuple(inputs, "inputs")
    vs, _ = _as_tuple(v, "v")
    _check_shapes(xs, vs, "vhp", "v", "input")
    with enable_grad():
        xs = _prepare(xs, create_graph)
        out = func(*xs)
        if out.numel() != 1:
            raise RuntimeError("vhp/hvp: the function must return a single-element tensor")
        grads = _grads([out], xs, [ones_like(out)], True, strict)
        products = _grads(list(grads), xs, list(vs), create_graph, strict)
    products = tuple(_finish(p, create_graph) for p in products)
    return _finish(out, create_graph), (products if tuple_in else products[0])


def hvp(func, inputs, v, create_graph: bool = False, strict: bool = False):
    """(func(inputs), H v) for a scalar ``func`` (H is symmetric: the same as vhp)."""
    return vhp(func, inputs, v, create_graph, strict)


def _check_shapes(tensors, vs, op: str, name: str, what: str) -> None:
    if len(tensors) != len(vs) or any(tuple(t.shape) != tuple(u.shape) for t, u in zip(tensors, vs)):
        from .function import ShapeError

        raise ShapeError(f"{op}: {name} must match each {what} in shape: got "
                         f"{[tuple(u.shape) for u in vs]} for {[tuple(t.shape) for t in tensors]}")
