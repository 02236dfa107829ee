"""Op table, the network ops: convolutions, pooling, normalisation and losses (PyTorch's
functional forms, against PyTorch and finite differences, first and second order where the
op is smooth)."""
from optable import Case, table_tests


def F(m):
    return m.nn.functional


CASES = [
    # convolutions
    Case("conv2d", lambda m, x, w, b: F(m).conv2d(x, w, b, padding=1),
         [[(2, 3, 6, 6), (4, 3, 3, 3), (4,)]], gradgrad=True),
    Case("conv2d_strided_dilated_grouped", lambda m, x, w: F(m).conv2d(
        x, w, stride=2, padding=(1, 2), dilation=2, groups=2), [[(2, 4, 9, 8), (6, 2, 3, 2)]]),
    Case("conv2d_1x1", lambda m, x, w: F(m).conv2d(x, w), [[(2, 3, 4, 5), (5, 3, 1, 1)]]),
    Case("conv1d", lambda m, x, w, b: F(m).conv1d(x, w, b, stride=2, padding=1),
         [[(2, 3, 9), (4, 3, 3), (4,)]], gradgrad=True),
    Case("conv_transpose2d", lambda m, x, w, b: F(m).conv_transpose2d(
        x, w, b, stride=2, padding=1, output_padding=1), [[(2, 4, 4, 4), (4, 3, 3, 3), (3,)]],
         gradgrad=True),
    # pooling
    Case("max_pool2d", lambda m, x: F(m).max_pool2d(x, 2), [[(2, 3, 6, 6)]], domain="distinct",
         gradgrad=True),
    Case("max_pool2d_overlapping", lambda m, x: F(m).max_pool2d(
        x, 3, stride=2, padding=1, dilation=1, ceil_mode=True), [[(2, 2, 7, 7)]], domain="distinct"),
    Case("max_pool1d", lambda m, x: F(m).max_pool1d(x, 3, stride=2, padding=1), [[(2, 3, 9)]],
         domain="distinct"),
    Case("avg_pool2d", lambda m, x: (F(m).avg_pool2d(x, 2), F(m).avg_pool2d(
        x, 3, stride=2, padding=1, count_include_pad=False), F(m).avg_pool2d(x, 3, 2, 1, True)),
         [[(2, 3, 7, 7)]], gradgrad=True),
    Case("avg_pool1d", lambda m, x: F(m).avg_pool1d(x, 3, stride=2, padding=1), [[(2, 3, 9)]]),
    Case("adaptive_avg_pool2d", lambda m, x: (F(m).adaptive_avg_pool2d(x, (3, 2)),
                                              F(m).adaptive_avg_pool2d(x, 1)), [[(2, 3, 7, 5)]],
         gradgrad=True),
    # normalisation
    Case("batch_norm_training", lambda m, x, w, b: F(m).batch_norm(
        x, None, None, w, b, training=True, eps=1e-3), [[(4, 3, 5, 5), (3,), (3,)], [(6, 4), (4,), (4,)]],
         gradgrad=True, rtol=1e-4, atol=1e-5),
    Case("layer_norm", lambda m, x, w, b: F(m).layer_norm(x, (5,), w, b), [[(4, 3, 5), (5,), (5,)]],
         gradgrad=True, rtol=1e-4, atol=1e-5),
    # losses
    Case("cross_entropy", lambda m, x: (
        F(m).cross_entropy(x, m.tensor([1, 0, 3])),
        F(m).cross_entropy(x, m.tensor([1, 0, 3]), reduction="sum", label_smoothing=0.1),
        F(m).cross_entropy(x, m.tensor([1, -100, 3]), reduction="none")), [[(3, 4)]], gradgrad=True),
    Case("nll_loss", lambda m, x: F(m).nll_loss(F(m).log_softmax(x, 1), m.tensor([2, 0, 1])),
         [[(3, 4)]]),
    Case("regression_losses", lambda m, a, b: (
        F(m).mse_loss(a, b), F(m).l1_loss(a, b, reduction="sum"), F(m).smooth_l1_loss(a, b, beta=0.5),
        F(m).huber_loss(a, b, delta=0.7, reduction="none")), [[(3, 4), (3, 4)]]),
    Case("binary_cross_entropy", lambda m, p, t: (
        F(m).binary_cross_entropy(p.sigmoid(), t.sigmoid()),
        F(m).binary_cross_entropy_with_logits(p, t.sigmoid(), reduction="sum")),
         [[(3, 4), (3, 4)]], gradgrad=True),
    Case("kl_div", lambda m, a, b: F(m).kl_div(F(m).log_softmax(a, 1), F(m).softmax(b, 1),
                                               reduction="batchmean"), [[(3, 4), (3, 4)]]),
]


test_matches_pytorch, test_gradient_matches_finite_differences = table_tests(CASES)
