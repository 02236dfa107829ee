"""F.local_response_norm (AlexNet): x / (k + alpha * mean of x^2 over ``size`` neighbouring
channels)^beta, with PyTorch's window (size // 2 before, (size - 1) // 2 after)."""
from __future__ import annotations

from ..autograd.function import ShapeError
from ..tensor import Tensor
from .padding import pad
from .pool import avg_pool2d
from .pool3d import avg_pool3d

__all__ = ["local_response_norm"]


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """(N, C, *) -> (N, C, *): each value divided by its channel neighbourhood's energy."""
    if input.ndim < 3:
        raise ShapeError(f"local_response_norm: expected 3D or higher input (got {input.ndim} "
                         f"dimensions, shape {tuple(input.shape)})")
    if input.numel() == 0:
        return input
    squares = input * input
    if input.ndim == 3:
        div = pad(squares.unsqueeze(1), (0, 0, size // 2, (size - 1) // 2))
        div = avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        shape = input.shape
        div = squares.reshape(shape[0], 1, shape[1], shape[2], -1)
        div = pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = avg_pool3d(div, (size, 1, 1), stride=1).squeeze(1).reshape(shape)
    return input / (div * alpha + k) ** beta
