"""MLP: a multi-layer perceptron (Flatten, then Linear [BatchNorm1d] activation [Dropout] blocks)."""
from __future__ import annotations

from typing import Callable, Sequence

from ..nn.layers import (ELU, GELU, BatchNorm1d, Dropout, Flatten, Identity, LeakyReLU, Linear,
                         ReLU, Sequential, Sigmoid, SiLU, Softplus, Tanh)
from ..nn.module import Module

ACTIVATIONS: dict[str, Callable[[], Module]] = {
    "relu": ReLU, "leaky_relu": LeakyReLU, "elu": ELU, "gelu": GELU, "silu": SiLU,
    "sigmoid": Sigmoid, "tanh": Tanh, "softplus": Softplus, "identity": Identity,
}


class MLP(Sequential):
    """``MLP([784, 256, 10])``: input (N, *) is flattened to (N, sizes[0]); output (N, sizes[-1]).

    Layers, as a Sequential: Flatten, then per hidden size Linear, BatchNorm1d (if
    ``batch_norm``), activation, Dropout (if ``dropout`` > 0), and a final Linear with no
    activation (logits). ``activation`` is a name ('relu', 'tanh', 'gelu', ...) or a callable
    returning a Module. State dict keys match ``torch.nn.Sequential`` of the same layers.

    >>> import retrograd as rg
    >>> from retrograd.models import MLP
    >>> MLP([784, 128, 10], dropout=0.2)(rg.randn(32, 1, 28, 28)).shape
    (32, 10)
    """

    def __init__(self, sizes: Sequence[int], activation: str | Callable[[], Module] = "relu",
                 dropout: float = 0.0, batch_norm: bool = False):
        sizes = list(sizes)
        if len(sizes) < 2 or any(not isinstance(s, int) or s <= 0 for s in sizes):
            raise ValueError(f"MLP: sizes must list at least 2 positive ints (input, ..., output), "
                             f"got {sizes}")
        if isinstance(activation, str):
            if activation not in ACTIVATIONS:
                raise ValueError(f"MLP: unknown activation {activation!r}; choose one of "
                                 f"{sorted(ACTIVATIONS)} or pass a callable returning a Module")
            make_act = ACTIVATIONS[activation]
        else:
            make_act = activation
        layers: list[Module] = [Flatten()]
        for n_in, n_out in zip(sizes[:-2], sizes[1:-1]):
            layers.append(Linear(n_in, n_out))
            if batch_norm:
                layers.append(BatchNorm1d(n_out))
            layers.append(make_act())
            if dropout > 0:
                layers.append(Dropout(dropout))
        layers.append(Linear(sizes[-2], sizes[-1]))
        super().__init__(*layers)
        self.sizes = sizes
