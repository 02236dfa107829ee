"""Op table, gradients only: the core ops' first and second derivatives against float64
central differences (retrograd-only expressions: the PyTorch comparisons of the same ops are
in test_table_core.py)."""
import numpy as np
import pytest
from optable import Case, check_gradients

import retrograd as rg

positive = "positive"
distinct = "distinct"
away_from_zero = "away"

OLD_CASES = [
    # arithmetic, with broadcasting and Python scalars
    ("add", lambda a, b: a + b, [(3, 4), (4,)], None),
    ("add_scalar", lambda a: 2.5 + a, [(3, 4)], None),
    ("sub", lambda a, b: a - b, [(3, 1), (1, 4)], None),
    ("rsub", lambda a: 1.0 - a, [(2, 3)], None),
    ("mul", lambda a, b: a * b, [(2, 3, 4), (3, 1)], None),
    ("div", lambda a, b: a / b, [(3, 4), (4,)], positive),
    ("rdiv", lambda a: 2.0 / a, [(3,)], positive),
    ("pow_scalar", lambda a: a ** 3, [(3, 4)], None),
    ("pow_frac", lambda a: a ** 0.5, [(3, 4)], positive),
    ("pow_tensor", lambda a, b: a ** b, [(3, 4), (4,)], positive),
    ("rpow", lambda a: 2.0 ** a, [(3, 4)], None),
    ("neg", lambda a: -a, [(3, 4)], None),
    ("exp", lambda a: a.exp(), [(3, 4)], None),
    ("log", lambda a: a.log(), [(3, 4)], positive),
    ("sqrt", lambda a: a.sqrt(), [(3, 4)], positive),
    ("abs", lambda a: a.abs(), [(3, 4)], away_from_zero),
    ("sin", lambda a: a.sin(), [(3, 4)], None),
    ("cos", lambda a: a.cos(), [(3, 4)], None),
    ("maximum", lambda a, b: rg.maximum(a, b), [(3, 4), (4,)], None),
    ("minimum", lambda a, b: rg.minimum(a, b), [(3, 4), (3, 1)], None),
    ("clamp", lambda a: a.clamp(-0.5, 0.5), [(4, 5)], None),
    ("where", lambda a, b: rg.where(a.detach() > 0, a, b), [(3, 4), (4,)], None),
    # linear algebra
    ("matmul_2d", lambda a, b: a @ b, [(3, 4), (4, 5)], None),
    ("matmul_1d_1d", lambda a, b: a @ b, [(4,), (4,)], None),
    ("matmul_1d_2d", lambda a, b: a @ b, [(4,), (4, 3)], None),
    ("matmul_2d_1d", lambda a, b: a @ b, [(3, 4), (4,)], None),
    ("matmul_batched", lambda a, b: a @ b, [(2, 3, 4), (2, 4, 5)], None),
    ("matmul_broadcast", lambda a, b: a @ b, [(2, 1, 3, 4), (3, 4, 2)], None),
    ("matmul_batch_2d", lambda a, b: a @ b, [(2, 3, 4), (4, 5)], None),
    ("linear", lambda x, w, b: rg.ops.linalg.linear(x, w, b), [(5, 4), (3, 4), (3,)], None),
    ("linear_3d", lambda x, w, b: rg.ops.linalg.linear(x, w, b), [(2, 5, 4), (3, 4), (3,)], None),
    # reductions
    ("sum_all", lambda a: a.sum(), [(3, 4)], None),
    ("sum_dim", lambda a: a.sum(1), [(3, 4, 2)], None),
    ("sum_dims_keep", lambda a: a.sum((0, 2), keepdim=True), [(3, 4, 2)], None),
    ("mean", lambda a: a.mean(-1), [(3, 4)], None),
    ("var", lambda a: a.var(0), [(5, 3)], None),
    ("var_biased", lambda a: a.var(1, unbiased=False, keepdim=True), [(3, 5)], None),
    ("std", lambda a: a.std(), [(4, 3)], None),
    ("max_all", lambda a: a.max(), [(3, 4)], distinct),
    ("max_dim", lambda a: a.max(1).values, [(3, 4)], distinct),
    ("min_dim", lambda a: a.min(0, keepdim=True)[0], [(3, 4)], distinct),
    ("amax", lambda a: a.amax((0, 1)), [(3, 4, 2)], distinct),
    ("logsumexp", lambda a: a.logsumexp(1), [(3, 4)], None),
    # shape
    ("reshape", lambda a: a.reshape(4, 3) * rg.arange(12.).reshape(4, 3).double(), [(3, 4)], None),
    ("view_infer", lambda a: a.view(-1), [(3, 4)], None),
    ("transpose", lambda a: a.transpose(0, 2), [(2, 3, 4)], None),
    ("permute", lambda a: a.permute(2, 0, 1), [(2, 3, 4)], None),
    ("T", lambda a: a.T, [(3, 4)], None),
    ("squeeze", lambda a: a.squeeze(1), [(3, 1, 4)], None),
    ("unsqueeze", lambda a: a.unsqueeze(-1), [(3, 4)], None),
    ("flatten", lambda a: a.flatten(1), [(2, 3, 4)], None),
    ("expand", lambda a: a.expand(2, 3, 4), [(3, 1)], None),
    ("cat", lambda a, b: rg.cat([a, b], dim=1), [(2, 3), (2, 2)], None),
    ("stack", lambda a, b: rg.stack([a, b], dim=1), [(2, 3), (2, 3)], None),
    ("split", lambda a: a.split(2, dim=1)[1], [(2, 5)], None),
    ("split_sizes", lambda a: a.split([1, 4], dim=1)[1] * 2, [(2, 5)], None),
    ("chunk", lambda a: rg.cat([c * (i + 1) for i, c in enumerate(a.chunk(3, 0))]), [(6, 2)], None),
    ("pad", lambda a: rg.ops.shape.pad(a, (1, 2, 0, 1)), [(2, 3)], None),
    # indexing
    ("index_int", lambda a: a[1], [(3, 4)], None),
    ("index_slice_step", lambda a: a[::2, 1:3], [(5, 4)], None),
    ("index_none_ellipsis", lambda a: a[None, ..., 1], [(3, 4)], None),
    ("index_negative", lambda a: a[-1, ::-1], [(3, 4)], None),
    ("index_array_repeated", lambda a: a[np.array([0, 2, 0, 0])], [(3, 4)], None),
    ("index_tensor", lambda a: a[rg.tensor([1, 1]), rg.tensor([0, 3])], [(3, 4)], None),
    ("index_mask", lambda a: a[a.detach() > 0], [(3, 4)], None),
    ("gather", lambda a: a.gather(1, rg.tensor([[0, 0], [2, 1], [3, 3]])), [(3, 4)], None),
    ("index_select", lambda a: a.index_select(0, rg.tensor([2, 0, 2])), [(3, 4)], None),
    # activations
    ("relu", lambda a: a.relu(), [(3, 4)], away_from_zero),
    ("leaky_relu", lambda a: rg.leaky_relu(a, 0.1), [(3, 4)], away_from_zero),
    ("elu", lambda a: rg.elu(a, 1.3), [(3, 4)], away_from_zero),
    ("gelu", lambda a: rg.gelu(a), [(3, 4)], None),
    ("gelu_tanh", lambda a: rg.gelu(a, approximate="tanh"), [(3, 4)], None),
    ("sigmoid", lambda a: a.sigmoid(), [(3, 4)], None),
    ("tanh", lambda a: a.tanh(), [(3, 4)], None),
    ("softplus", lambda a: rg.softplus(a, beta=2.0), [(3, 4)], None),
    ("softmax", lambda a: a.softmax(1), [(3, 4)], None),
    ("softmax_dim0", lambda a: a.softmax(0), [(3, 4)], None),
    ("log_softmax", lambda a: a.log_softmax(-1), [(3, 4)], None),
    ("cast", lambda a: a.float().double() * 1.0, [(2, 2)], lambda a: np.round(a, 2)),
]

CASES = [Case(name, (lambda f: lambda m, *xs: f(*xs))(fn), [shapes], domain=domain, gradgrad=True)
         for name, fn, shapes, domain in OLD_CASES if name != "cast"]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_first_and_second_derivatives_match_finite_differences(case):
    check_gradients(case)
