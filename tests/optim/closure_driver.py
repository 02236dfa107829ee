"""Shared by the LBFGS tests: drive an optimizer that takes a closure on a loss, recording each
loss the closure computes; the same code for retrograd and torch (``module`` is either)."""
from __future__ import annotations


def drive(opt, loss_fn, steps: int) -> list[float]:
    """``steps`` calls of ``opt.step(closure)``; returns every loss the closure evaluated."""
    losses = []

    def closure():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        losses.append(float(loss.detach()))
        return loss

    for _ in range(steps):
        opt.step(closure)
    return losses


def as_numpy(module, optim_module):
    """Tensor -> NumPy for retrograd (``module is optim_module``) or torch."""
    return (lambda t: t.array) if module is optim_module else (lambda t: t.detach().numpy())
