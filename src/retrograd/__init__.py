"""retrograd: tensors, backpropagation and gradient descent over NumPy, PyTorch-shaped."""
from __future__ import annotations

from .backends.cpu import tune_malloc
from .backend import (bool_ as bool, float16, float32, float64, get_default_dtype, int32, int64,  # noqa: A004
                      manual_seed, set_default_dtype, uint8)
from .tensor import Tensor
from . import tensor_methods  # noqa: F401  (attaches the operators and op methods to Tensor)
from .backends.cpu import get_num_threads, set_num_threads
from .creation import (arange, eye, from_numpy, full, full_like, linspace, ones, ones_like, rand,
                       randint, randn, randperm, tensor, zeros, zeros_like)
from .autograd import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled,
                       no_grad, set_grad_enabled)
from . import autograd
from .ops.elementwise import (abs, add, clamp, cos, div, exp, log, maximum, minimum, mul, neg,  # noqa: A004
                              pow, sin, sqrt, sub, where)
from .ops.elementwise import clamp as clip
from .ops.reduce import (amax, amin, argmax, argmin, logsumexp, max, mean, min, std, sum,  # noqa: A004
                         var)
from .ops.shape import (cat, chunk, expand, flatten, permute, reshape, split, squeeze, stack,
                        transpose, unsqueeze)
from .ops.index import gather, index_select
from .ops.linalg import matmul
from .ops.activation import (elu, gelu, leaky_relu, log_softmax, relu, sigmoid, softmax, softplus,
                             tanh)

concat = cat
__version__ = "0.1.0"


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


from . import nn  # noqa: E402  (after the core: nn builds on it)
from . import optim, data, metrics, io, models, train  # noqa: E402
from .io.serialization import load, save  # noqa: E402  (torch.save/torch.load)
from . import utils  # noqa: E402  (retrograd.utils.data, as torch.utils.data)
