"""Function: the one place where graph nodes are created.

An op subclasses ``Function`` and writes ``forward`` on arrays and ``backward`` on Tensors (with
differentiable ops, so the backward pass can itself be recorded for higher-order gradients). An
op on a hot path may also write ``backward_arrays``: the same gradients on arrays, which the
engine calls instead when the backward pass is not recorded (no ``create_graph``).
``apply`` runs forward and, when grad mode is on and an input requires grad, records the node.
"""
from __future__ import annotations

import weakref

from ..backend import array_module
from ..tensor import Tensor
from . import grad_mode
from . import quiet as _quiet


class ShapeError(RuntimeError, ValueError):
    """Operands whose shapes do not fit the op; the message names the op and the shapes.
    A RuntimeError, as PyTorch raises, and a ValueError, as code written against NumPy catches."""


class Function:
    """A node of the graph: the op's forward on arrays and its backward on Tensors.

    After ``apply`` a recorded node holds ``inputs`` (the Tensors and constants it was called
    with) and a weak reference to its output (``output()``); ``forward`` may store on ``self``
    whatever else backward needs (e.g. shapes, indices).
    """

    inputs: tuple | None
    anomaly_trace = None  # filled by detect_anomaly: where the op was created

    def forward(self, *arrays, **kwargs):  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, grad):  # pragma: no cover - abstract
        """Return one gradient (Tensor or None) per input, given the output's gradient."""
        raise NotImplementedError

    # Optional ``backward_arrays(self, grad_array)``: one gradient (array or None) per input,
    # equal to ``backward``'s, on arrays. Without ``create_graph`` the engine calls it instead of
    # ``backward`` (no graph nodes, fewer temporaries); ``backward`` still defines the gradient
    # for higher orders.
    backward_arrays = None

    # What backward reads, declared as Chainer's retain_inputs: the values of the inputs at
    # ``saves_inputs`` (None: all) and, with ``saves_output``, its own output (None: not
    # declared, so kept). An input whose value is not read, made by an op that does not read its
    # output, is kept as a graph edge only (its producer, shape and dtype, no values), so that its
    # array is freed as soon as nothing else uses it: a conv-BatchNorm-ReLU layer then keeps two
    # activations for backward, not four.
    saves_inputs: tuple[int, ...] | None = None
    saves_output: bool | None = None

    @property
    def name(self) -> str:
        return type(self).__name__

    def output(self):
        ref = self.__dict__.get("_output")
        return ref() if ref is not None else None

    @classmethod
    def apply(cls, *inputs, **kwargs):
        fn = cls()
        arrays = [x.array if type(x) is Tensor or isinstance(x, Tensor) else x for x in inputs]
        token = _quiet.enter()  # overflow gives inf, as in PyTorch, without a NumPy warning
        try:
            out = fn.forward(*arrays, **kwargs)
        except ValueError as e:
            if isinstance(e, ShapeError):
                raise
            shapes = " and ".join(str(tuple(getattr(a, "shape", ()))) for a in arrays)
            raise ShapeError(f"{cls.__name__.lower()}: operands of shapes {shapes} do not fit: {e}") from None
        finally:
            _quiet.leave(token)
        if grad_mode._state.enabled:
            for x in inputs:
                if isinstance(x, Tensor) and x.requires_grad:
                    result = Tensor._from_op(out, fn)
                    fn.inputs = inputs if cls.saves_inputs is None else _edges(inputs, cls.saves_inputs)
                    fn._output = weakref.ref(result)
                    if _anomaly.enabled:
                        _anomaly.on_forward(fn, result)
                    return result
        return Tensor._from_op(out, None)


def _edges(inputs: tuple, kept: tuple[int, ...]) -> tuple:
    """``inputs`` with each made tensor whose value backward does not read replaced by an edge."""
    return tuple(x if i in kept or not isinstance(x, Tensor) or x.grad_fn is None
                 or x.grad_fn.saves_output is not False else _edge(x)
                 for i, x in enumerate(inputs))


_placeholders: dict = {}


def _edge(x: Tensor) -> Tensor:
    """A tensor with x's producer, shape and dtype and no values of its own: a read-only
    broadcast of one NaN (or zero), so code that reads it by mistake gives NaN, not old data."""
    array = x.array
    key = (type(array), array.dtype)
    one = _placeholders.get(key)
    if one is None:
        xp = array_module(array)
        one = _placeholders[key] = xp.full((), xp.nan if array.dtype.kind in "fc" else 0,
                                           dtype=array.dtype)
    return Tensor._from_op(array_module(array).broadcast_to(one, array.shape), x.grad_fn)


class _AnomalyHooks:
    """Set by ``detect_anomaly``; kept here so ``apply`` checks one attribute only."""

    enabled = False

    @staticmethod
    def on_forward(fn, result):  # replaced by autograd.anomaly
        pass

    @staticmethod
    def on_backward(fn, grads):
        pass


_anomaly = _AnomalyHooks()
