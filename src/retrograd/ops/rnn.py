"""The recurrence of one RNN/LSTM/GRU layer and direction as one graph node.

``recurrence(x, w_ih, h0, ...)`` runs all T steps on arrays (``rnn_kernels``) and returns the states
S (T+1, P[+H], B). Its first-order backward is backpropagation through time on arrays
(``backward_arrays``: no node per gate per step). When the backward pass is itself recorded
(``create_graph=True``), ``backward`` rebuilds the steps from differentiable ops
(``rnn_cells.composed_recurrence``) and differentiates those, so higher orders work.
"""
from __future__ import annotations

from ..autograd.function import Function
from ..tensor import Tensor
from .rnn_cells import composed_recurrence
from .rnn_kernels import GATES, RecurrenceKernel

MODES = tuple(GATES)


class Alias(Function):
    """The identity: a fresh tensor standing for its input in a subgraph."""

    def forward(self, x):
        return x

    def backward(self, g):
        return g

    backward_arrays = backward


class Recurrence(Function):
    """States S (T+1, P[+H], B) (features down, sequences across) from the input x (T, I, B)
    (sequences across too), its weight w_ih (G*H, I), initial states h0 (B, P) [c0 (B, H)],
    recurrent weight w_hh (G*H, P) [biases b_ih, b_hh (G*H,), projection w_hr (P, H)]."""

    def forward(self, x, w_ih, h0, c0, w_hh, b_ih, b_hh, w_hr, mode="LSTM", reverse=False,
                batch_sizes=None):
        self.mode, self.reverse, self.batch_sizes = mode, reverse, batch_sizes
        self.kernel = RecurrenceKernel(mode, reverse, batch_sizes)
        self.states = self.kernel.forward(x, w_ih, h0, c0, w_hh, b_ih, b_hh, w_hr)
        return self.states

    def backward_arrays(self, g):
        x, w_ih, h0, c0, w_hh, b_ih, b_hh, w_hr = (_arr(v) for v in self.inputs)
        needs = [isinstance(v, Tensor) and v.requires_grad for v in self.inputs]
        return self.kernel.backward(g, self.states, x, w_ih, w_hh, b_ih, b_hh, w_hr, needs)

    def backward(self, g):
        """Differentiable: the steps rebuilt from the inputs and differentiated with the graph
        recorded (only reached with create_graph=True)."""
        from ..autograd import grad

        stand_ins, wanted = [], []
        for x in self.inputs:
            if isinstance(x, Tensor) and x.requires_grad:
                alias = Alias.apply(x)
                wanted.append(alias)
                stand_ins.append(alias)
            else:
                stand_ins.append(x)
        # The aliases act as leaves while the rebuilt steps are differentiated, so the engine
        # stops at them; afterwards they lead back to the inputs again.
        links = [a.grad_fn for a in wanted]
        for a in wanted:
            a.grad_fn = None
        try:
            S = composed_recurrence(*stand_ins, self.mode, self.reverse, self.batch_sizes)
            grads = iter(grad([S], wanted, [g], create_graph=True, retain_graph=True,
                              allow_unused=True))
        finally:
            for a, link in zip(wanted, links):
                a.grad_fn = link
        return tuple(next(grads) if isinstance(x, Tensor) and x.requires_grad else None
                     for x in self.inputs)


def _arr(x):
    return x.array if isinstance(x, Tensor) else x


def recurrence(x, w_ih, h0, c0=None, w_hh=None, b_ih=None, b_hh=None, w_hr=None, *,
               mode: str = "LSTM", reverse: bool = False, batch_sizes=None):
    """Run one layer and direction over a sequence x (T, I, B); see ``Recurrence``.
    ``batch_sizes`` (T,) ints for sequences sorted by decreasing length (packed), else None."""
    if mode not in MODES:
        raise ValueError(f"recurrence: mode must be one of {MODES}, got {mode!r}")
    return Recurrence.apply(x, w_ih, h0, c0, w_hh, b_ih, b_hh, w_hr, mode=mode, reverse=reverse,
                            batch_sizes=batch_sizes)
