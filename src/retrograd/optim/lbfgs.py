"""L-BFGS: quasi-Newton steps from the last ``history_size`` curvature pairs, over all
parameters flattened into one vector; optionally with a strong-Wolfe line search. Unlike the
first-order optimizers, ``step`` needs a closure that recomputes the loss and its gradients."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..autograd.grad_mode import enable_grad, no_grad
from ..backend import array_module, is_array
from ..tensor import Tensor
from .line_search import strong_wolfe
from .optimizer import Optimizer, ParamsT, _check_nonneg


class LBFGS(Optimizer):
    """``LBFGS(params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7,
    tolerance_change=1e-9, history_size=100, line_search_fn=None)``, PyTorch's algorithm.

    One parameter group only. ``step(closure)`` runs up to ``max_iter`` iterations (and
    ``max_eval`` closure calls, default ``max_iter * 5 // 4``); it stops early once the largest
    gradient entry is at most ``tolerance_grad`` or loss or step change less than
    ``tolerance_change``. Returns the loss of the first closure call.

    >>> import retrograd as rg
    >>> x = rg.tensor([1.5, -0.5], dtype=rg.float64, requires_grad=True)
    >>> opt = LBFGS([x], line_search_fn="strong_wolfe")
    >>> def closure():
    ...     opt.zero_grad()
    ...     loss = ((x - 3.0) ** 2).sum()
    ...     loss.backward()
    ...     return loss
    >>> _ = opt.step(closure)
    >>> [round(v, 6) for v in x.tolist()]
    [3.0, 3.0]
    """

    def __init__(self, params: ParamsT, lr: float = 1, max_iter: int = 20,
                 max_eval: int | None = None, tolerance_grad: float = 1e-7,
                 tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: str | None = None):
        _check_nonneg("LBFGS", lr=lr)
        if line_search_fn not in (None, "strong_wolfe"):
            raise ValueError(f"LBFGS: line_search_fn must be None or 'strong_wolfe', got "
                             f"{line_search_fn!r}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        super().__init__(params, dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                                      tolerance_grad=tolerance_grad,
                                      tolerance_change=tolerance_change,
                                      history_size=history_size, line_search_fn=line_search_fn))
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params: list[Tensor] = self.param_groups[0]["params"]

    # ----- the parameters as one flat vector ------------------------------------------------
    def _flat_grad(self) -> np.ndarray:
        xp = array_module(*(p.array for p in self._params))
        return xp.concatenate([xp.zeros(p.array.size, p.array.dtype) if p.grad is None
                               else p.grad.array.reshape(-1) for p in self._params])

    def _add_to_params(self, step: float, direction: np.ndarray) -> None:
        offset = 0
        for p in self._params:
            n = p.array.size
            p.array += step * direction[offset:offset + n].reshape(p.array.shape)
            offset += n

    def _evaluate(self, closure: Callable, x: list, t: float, d: np.ndarray):
        """Loss and flat gradient at ``x + t d``; the parameters are put back to ``x``."""
        self._add_to_params(t, d)
        loss = float(self._call(closure))
        grad = self._flat_grad()
        for p, saved in zip(self._params, x):
            p.array[...] = saved
        return loss, grad

    # ----- the step -------------------------------------------------------------------------
    def step(self, closure: Callable[[], Any]):  # type: ignore[override]
        """Minimise for up to ``max_iter`` iterations; ``closure`` clears the gradients,
        computes the loss, calls ``backward()`` and returns the loss."""
        if closure is None:
            raise RuntimeError("LBFGS.step needs a closure that reevaluates the model and "
                               "returns the loss")
        with no_grad():
            return self._minimise(closure)

    def _call(self, closure: Callable):
        with enable_grad():
            return closure()

    def _minimise(self, closure: Callable):
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tol_grad, tol_change = group["tolerance_grad"], group["tolerance_change"]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        first_loss = self._call(closure)
        loss = float(first_loss)
        evals = 1
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        if abs(flat_grad).max() <= tol_grad:
            return first_loss
        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        h_diag, prev_flat_grad = state.get("H_diag"), state.get("prev_flat_grad")
        prev_loss = state.get("prev_loss")

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:  # steepest descent to start
                d = -flat_grad
                old_dirs, old_stps, ro, h_diag = [], [], [], 1
            else:
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = float(y.dot(s))
                if ys > 1e-10:  # keep the pair only when the curvature is positive
                    if len(old_dirs) == group["history_size"]:
                        old_dirs.pop(0), old_stps.pop(0), ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    h_diag = ys / float(y.dot(y))
                d = _two_loop(-flat_grad, old_dirs, old_stps, ro, h_diag)
            prev_flat_grad = flat_grad.copy()
            prev_loss = loss
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / float(abs(flat_grad).sum())) * lr
            else:
                t = lr
            gtd = float(flat_grad.dot(d))
            if gtd > -tol_change:  # not a descent direction
                break

            ls_evals = 0
            if group["line_search_fn"] is not None:
                x_init = [p.array.copy() for p in self._params]
                loss, flat_grad, t, ls_evals = strong_wolfe(
                    lambda x, step, direction: self._evaluate(closure, x, step, direction),
                    x_init, t, d, loss, flat_grad, gtd, max_ls=max_eval - evals)
                self._add_to_params(t, d)
                converged = abs(flat_grad).max() <= tol_grad
            else:
                self._add_to_params(t, d)
                converged = False
                if n_iter != max_iter:  # re-evaluate, except after the last iteration
                    loss = float(self._call(closure))
                    flat_grad = self._flat_grad()
                    converged = abs(flat_grad).max() <= tol_grad
                    ls_evals = 1
            evals += ls_evals
            state["func_evals"] += ls_evals

            if n_iter == max_iter or evals >= max_eval or converged:
                break
            if abs(d * t).max() <= tol_change or abs(loss - prev_loss) < tol_change:
                break

        state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=h_diag,
                     prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)
        return first_loss

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """As the base class; the state holds flat vectors over all parameters, kept as is."""
        rest = {k: v for k, v in state_dict.items() if k != "state"}
        super().load_state_dict({**rest, "state": {}})
        for saved in state_dict["state"].values():
            self.state[self._params[0]] = {k: _copy(v) for k, v in saved.items()}


def _two_loop(q: np.ndarray, old_dirs: list, old_stps: list, ro: list,
              h_diag: float) -> np.ndarray:
    """The L-BFGS two-loop recursion: the inverse-Hessian estimate applied to ``q``."""
    alphas = [0.0] * len(old_dirs)
    for i in range(len(old_dirs) - 1, -1, -1):
        alphas[i] = float(old_stps[i].dot(q)) * ro[i]
        q -= alphas[i] * old_dirs[i]
    r = q * h_diag
    for i in range(len(old_dirs)):
        beta = float(old_dirs[i].dot(r)) * ro[i]
        r += (alphas[i] - beta) * old_stps[i]
    return r


def _copy(value: Any) -> Any:
    if isinstance(value, Tensor):
        return value.array.copy()
    if is_array(value):
        return value.copy()
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
