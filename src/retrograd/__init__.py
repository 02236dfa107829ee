"""retrograd: tensors, backpropagation and gradient descent over NumPy, PyTorch-shaped."""
from __future__ import annotations

from .backends.cpu import tune_malloc
from .backend import (bool_ as bool, float16, float32, float64, get_default_dtype, int32, int64,  # noqa: A004
                      manual_seed, set_default_dtype, uint8)
from .tensor import Tensor
from . import tensor_methods  # noqa: F401  (attaches the operators and op methods to Tensor)
from . import tensor_api  # noqa: F401  (issue 14's methods: math, scans, selection, layout, ...)
from .backends.cpu import get_num_threads, set_num_threads
from .creation import (arange, eye, from_numpy, full, full_like, linspace, ones, ones_like,
                       tensor, zeros, zeros_like)
from .sampling import rand, randint, randn, randperm
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
    """Whether ``obj`` is a retrograd Tensor."""
    return isinstance(obj, Tensor)


from . import nn  # noqa: E402  (after the core: nn builds on it)
from . import optim, data, metrics, io, models, train  # noqa: E402
from .io.serialization import load, save  # noqa: E402  (torch.save/torch.load)
from . import utils  # noqa: E402  (retrograd.utils.data, as torch.utils.data)
from .model_summary import summary  # noqa: E402

# ----- issue 14 (tensor API): dtype names, devices ---------------------------------------------
from .backend import (complex64, complex128, float16 as half, float32 as float,  # noqa: E402,A004
                      float64 as double, int8, int16, int32 as int, int64 as long, int16 as short,
                      uint16, uint32, uint64)
from .device import accelerator, cuda, device  # noqa: E402
from .ops.promote import promote_types, result_type  # noqa: E402
import numpy as _np  # noqa: E402

dtype = _np.dtype
cfloat, cdouble = complex64, complex128


def is_floating_point(input: Tensor) -> bool:
    """Whether ``input`` has a floating dtype (float16, float32, float64)."""
    return input.dtype.kind == "f"

# ----- issue 14 (tensor API): math ----------------------------------------------------------------
from .ops.math import (acos, acosh, asin, asinh, atan, atanh, ceil, cosh, erf, erfc, exp2,  # noqa: E402
                       expm1, floor, frac, log1p, log2, log10, nan_to_num, reciprocal, round,  # noqa: A004
                       rsqrt, sign, sinh, square, tan, trunc)
from .ops.math import (acos as arccos, acosh as arccosh, asin as arcsin,  # noqa: E402
                       asinh as arcsinh, atan as arctan, atanh as arctanh, trunc as fix)
from .ops.math_binary import (addcdiv, addcmul, atan2, arctan2, bitwise_and, bitwise_left_shift, bitwise_not,  # noqa: E402
                              bitwise_or, bitwise_right_shift, bitwise_xor, copysign, floor_divide,
                              fmod, hypot, lerp, logaddexp, remainder)
from .ops.elementwise import (add as add, div as divide, div as true_divide, mul as multiply,  # noqa: E402
                              sub as subtract, neg as negative, abs as absolute)

# ----- issue 14 (tensor API): reductions, selection, layout, indexing -----------------------------
from .ops.scan import cummax, cummin, cumprod, cumsum, logcumsumexp  # noqa: E402
from .ops.stats import (aminmax, all, any, count_nonzero, median, mode, prod, std_mean,  # noqa: E402,A004
                        var_mean)
from .ops.norms import tensor_norm as norm  # noqa: E402
from .ops.select import (allclose, argwhere, clamp, eq, equal, ge, gt, isclose, isfinite,  # noqa: E402
                         isinf, isnan, isneginf, isposinf, le, logical_and, logical_not, logical_or,
                         logical_xor, lt, masked_fill, masked_select, ne, nonzero)
from .ops.select import (clamp as clip, ge as greater_equal, gt as greater, le as less_equal,  # noqa: E402
                         lt as less, ne as not_equal)
from .ops.sort import argsort, kthvalue, msort, sort, topk, unique  # noqa: E402
from .ops.layout import (broadcast_shapes, broadcast_tensors, diag, diag_embed, diagonal, flip,  # noqa: E402
                         meshgrid, movedim, narrow, repeat_interleave, roll, select, swapaxes,
                         tensor_split, tile, tril, triu, unbind, unflatten)
from .ops.layout import movedim as moveaxis, swapdims  # noqa: E402
from .ops.shape import broadcast_to  # noqa: E402
from .ops.contract import addmm, baddbmm, bmm, cross, dot, einsum, mm, mv, outer, tensordot  # noqa: E402
from .ops.scatter import (index_add, index_copy, index_fill, index_put, scatter, scatter_add,  # noqa: E402
                          scatter_reduce, take, take_along_dim)
from . import linalg  # noqa: E402


def t(input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
    """The transpose of a 2-D tensor (0-d and 1-D tensors are returned as they are)."""
    return input.t()

# ----- issue 14 (tensor API): creation ------------------------------------------------------------
from .creation import as_tensor, empty, empty_like, logspace  # noqa: E402
from .sampling import (bernoulli, multinomial, normal, rand_like, randint_like,  # noqa: E402
                       randn_like)
finfo, iinfo = _np.finfo, _np.iinfo


def numel(input: Tensor) -> int:  # noqa: A002 - PyTorch's name
    """The number of elements of ``input``."""
    return input.numel()
from .ops.counting import bincount, bucketize, histc, searchsorted  # noqa: E402
from .ops.stats import diff, nanmean, nansum, trace  # noqa: E402
from .ops.layout import atleast_1d, atleast_2d, column_stack, hstack, vstack  # noqa: E402
from .backends import cudnn as _cudnn, mps as _mps  # noqa: E402,F401  (torch.backends.* flags)

# nn.functional ops that PyTorch also offers as torch.X
from .ops.hard_activation import threshold  # noqa: E402
from .ops.composite_activation import celu, selu  # noqa: E402
from .ops.distance import cosine_similarity, pairwise_distance  # noqa: E402
from .ops.conv3d import conv3d, conv_transpose3d  # noqa: E402
from .ops.conv_transpose import conv_transpose1d  # noqa: E402
from .ops.conv import conv_transpose2d  # noqa: E402
from .ops.pool3d import max_pool3d  # noqa: E402
from .ops.group_norm import group_norm, instance_norm_aten as instance_norm  # noqa: E402

# ----- random generators (torch.Generator, torch.random) ------------------------------------------
from . import random  # noqa: E402
from .random import (Generator, default_generator, get_rng_state, initial_seed, seed,  # noqa: E402
                     set_rng_state)

# ----- PyTorch's TypeError for a non-Tensor input, checked in one place (keep this block last) ----
from .tensor_args import guard as _guard  # noqa: E402

_guard(globals())
