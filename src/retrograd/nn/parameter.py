"""Parameter: a Tensor that a Module registers as learnable (requires_grad=True by default)."""
from __future__ import annotations

from ..backend import device_module
from ..tensor import Tensor


class Parameter(Tensor):
    """A learnable tensor. ``Parameter(data, requires_grad=True)``.

    Assigning one to a Module attribute registers it, so it appears in ``parameters()`` and
    ``state_dict()``. It shares ``data``'s array (no copy), like ``torch.nn.Parameter``.

    >>> import retrograd as rg
    >>> p = rg.nn.Parameter(rg.zeros(3))
    >>> p.requires_grad, isinstance(p, rg.Tensor)
    (True, True)
    """

    def __init__(self, data=None, requires_grad: bool = True):
        if data is None:
            data = device_module().empty((0,), dtype="float32")
        super().__init__(data.array if isinstance(data, Tensor) else data, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        return Parameter, (self.array, self.requires_grad)

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            new = Parameter(self.array.copy(), self.requires_grad)
            new.grad = None if self.grad is None else Tensor(self.grad.array.copy())
            memo[id(self)] = new
        return memo[id(self)]
