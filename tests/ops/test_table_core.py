"""Op table, the core ops that existed before (arithmetic, reductions, shapes, activations),
now also against PyTorch: dtypes, 0-d and empty inputs, and the new keyword forms."""
from optable import Case, table_tests

BIN = [[(3, 4), (4,)], [(), ()], [(0, 3), (3,)], [(2, 3), ()]]

CASES = [
    Case("arithmetic", lambda m, a, b: (a + b, a - b, a * b, a / (b.abs() + 1), -a, a.add(b, alpha=2),
                                        m.sub(a, b, alpha=0.5), m.addcmul(a, a, b, value=0.5),
                                        m.addcdiv(a, a, b.abs() + 1, value=2)), BIN, gradgrad=True),
    Case("arithmetic_scalars", lambda m, a: (a + 1, 2 - a, a * 3, 4 / (a.abs() + 1), a ** 2, 2 ** a, a.abs() ** 0.5),
         domain="away"),
    Case("arithmetic_int", lambda m, a, b: (a + b, a - 1, a * 2, a / 2, a * 2.5, a // 2, -a, a ** 2), BIN,
         domain="int"),
    Case("exp_log_sqrt", lambda m, x: (x.exp(), x.log(), x.sqrt(), x.sin(), x.cos(), x.tanh(), x.sigmoid()),
         domain="positive"),
    Case("maximum_minimum", lambda m, a, b: (m.maximum(a, b), m.minimum(a, b)), BIN),
    Case("reductions", lambda m, x: (x.sum(), x.mean(), x.amax(), x.logsumexp(-1),
                                     x.sum(-1, keepdim=True), x.mean(axis=-1)), [[(3, 4)], [()]],
         domain="distinct"),
    Case("var_std", lambda m, x: (x.var(), x.std(0), x.var(1, unbiased=False), x.std(-1, keepdim=True),
                                  m.var(x, 0, correction=0)), [[(3, 4)]]),
    Case("reductions_empty", lambda m, x: (x.sum(), x.sum(0), x.mean(0), x.logsumexp(1)), [[(0, 3)]]),
    Case("max_min_dim", lambda m, x: (x.max(1), x.min(0, keepdim=True), x.max(), x.argmax(), x.argmin(1)),
         [[(3, 4)]], domain="distinct"),
    Case("shapes", lambda m, x: (x.reshape(4, 3), x.view(-1), x.T, x.permute(1, 0), x.unsqueeze(0),
                                 x.flatten(), m.cat([x, x], 1), m.stack([x, x], -1), x.split(2, 1),
                                 x.chunk(2, 0), x.squeeze(), x.expand(2, 3, 4)), [[(3, 4)]]),
    Case("shapes_0d", lambda m, x: (x.reshape(1), x.view(1, 1), x.unsqueeze(0), x.flatten(), x.expand(3)),
         [[()]]),
    Case("activations", lambda m, x: (x.relu(), m.softmax(x, -1), x.log_softmax(0), m.nn.functional.gelu(x),
                                      m.nn.functional.elu(x), m.nn.functional.leaky_relu(x, 0.1),
                                      m.nn.functional.softplus(x)), [[(3, 4)], [(0, 3)]], domain="away"),
    Case("softmax_0d", lambda m, x: (x.softmax(0), m.log_softmax(x, -1), x.logsumexp(0)), [[()]]),
    Case("max_min_transpose_0d", lambda m, x: (x.max(0), x.min(-1, keepdim=True), x.transpose(0, -1),
                                               x.argmax(0)), [[()]]),
    Case("empty_pieces", lambda m, x: (x.chunk(2), x.split(2), m.logsumexp(x, 0), x.split([0, 0])), [[(0,)]]),
    Case("int_inputs_to_float", lambda m, x: (x.exp(), x.sqrt(), x.sigmoid(), x.tanh(), x.sin(), x.cos(),
                                              x.log(), x.clamp(0.5), x.clamp(-1, 2)), domain="int"),
    Case("matmul", lambda m, a, b: (a @ b, m.matmul(a, b), a[0] @ b, a @ b[:, 0]), [[(3, 4), (4, 2)]]),
    Case("indexing", lambda m, x: (x[1], x[:, 1:3], x[..., ::2], x[None, 0], x[m.tensor([0, 2])],
                                   x.gather(1, m.tensor([[0], [1], [2]])), x.index_select(1, m.tensor([3, 0]))),
         [[(3, 4)]]),
]


test_matches_pytorch, test_gradient_matches_finite_differences = table_tests(CASES)
