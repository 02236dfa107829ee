"""Op table, the nn.functional ops of issue 14 part B: activations (on a matrix, a 0-d and an
empty tensor), padding, resampling, distances, norms, attention, 3-d convolution and pooling,
unfold/fold, against PyTorch (float32 and float64, values and gradients) and finite differences
(first and second order where the op is smooth)."""
from optable import Case, table_tests


def F(m):
    return m.nn.functional


CASES = [
    # activations (default shapes: a matrix, a 0-d and an empty tensor)
    Case("hardtanh", lambda m, x: F(m).hardtanh(x * 2, -0.5, 1.5), domain="away"),
    Case("relu6", lambda m, x: F(m).relu6(x * 4 + 2), domain="away"),
    Case("hardsigmoid", lambda m, x: F(m).hardsigmoid(x * 3), domain="away"),
    Case("hardswish", lambda m, x: F(m).hardswish(x * 3), domain="away"),
    Case("threshold", lambda m, x: F(m).threshold(x, 0.1, -2.0), domain="away"),
    Case("selu", lambda m, x: F(m).selu(x), domain="away", gradgrad=True),
    Case("celu", lambda m, x: F(m).celu(x, 0.7), domain="away", gradgrad=True),
    Case("mish", lambda m, x: F(m).mish(x), gradgrad=True),
    Case("softsign", lambda m, x: F(m).softsign(x), domain="away", gradgrad=True),
    Case("logsigmoid", lambda m, x: F(m).logsigmoid(x), gradgrad=True),
    Case("tanhshrink", lambda m, x: F(m).tanhshrink(x), gradgrad=True),
    Case("softmin", lambda m, x: F(m).softmin(x, dim=-1), [[(3, 4)]], gradgrad=True),
    Case("glu", lambda m, x: F(m).glu(x, 1), [[(3, 4)]], gradgrad=True),
    Case("prelu", lambda m, x, w: F(m).prelu(x, w), [[(2, 3, 4), (3,)]], domain="away"),
    # padding and resampling
    Case("pad_modes", lambda m, x: (F(m).pad(x, (2, -1, 1, 2), mode="reflect"),
                                    F(m).pad(x, (1, 2, 0, 3), mode="replicate"),
                                    F(m).pad(x, (2, 1, -1, 2), mode="circular"),
                                    F(m).pad(x, (-1, 2, 1, -2), value=0.5)),
         [[(2, 3, 4, 5)]], gradgrad=True),
    Case("interpolate", lambda m, x: (
        F(m).interpolate(x, size=(5, 7), mode="bilinear"),
        F(m).interpolate(x, scale_factor=1.5, mode="bilinear", align_corners=True),
        F(m).interpolate(x, size=(6, 3)), F(m).interpolate(x, size=(5, 6), mode="bicubic"),
        F(m).interpolate(x, size=(2, 3), mode="area")), [[(2, 2, 4, 5)]], gradgrad=True),
    # distances and norms
    Case("distances", lambda m, a, b: (F(m).normalize(a), F(m).normalize(a, p=3, dim=0),
                                       F(m).cosine_similarity(a, b), F(m).pairwise_distance(a, b),
                                       F(m).pdist(a)), [[(4, 5), (4, 5)]], gradgrad=True),
    Case("group_norm", lambda m, x, w, b: F(m).group_norm(x, 2, w, b), [[(3, 4, 5), (4,), (4,)]],
         gradgrad=True, rtol=1e-4, atol=1e-5),
    Case("instance_norm", lambda m, x: F(m).instance_norm(x), [[(2, 3, 4, 2)]], gradgrad=True,
         rtol=1e-4, atol=1e-5),
    Case("rms_norm", lambda m, x, w: F(m).rms_norm(x, (5,), w), [[(3, 5), (5,)]], gradgrad=True,
         rtol=1e-4, atol=1e-5),
    Case("local_response_norm", lambda m, x: F(m).local_response_norm(x, 3, alpha=0.1),
         [[(2, 5, 3, 2)]], rtol=1e-4, atol=1e-5),
    # attention
    Case("scaled_dot_product_attention", lambda m, q, k, v: (
        F(m).scaled_dot_product_attention(q, k, v),
        F(m).scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.4)),
         [[(2, 3, 4), (2, 5, 4), (2, 5, 2)]], gradgrad=True),
    # 3-d convolution and pooling, windows
    Case("conv3d", lambda m, x, w, b: F(m).conv3d(x, w, b, stride=(1, 2, 1), padding=1),
         [[(1, 2, 3, 4, 3), (3, 2, 2, 3, 2), (3,)]], gradgrad=True),
    Case("conv_transpose3d", lambda m, x, w: F(m).conv_transpose3d(x, w, stride=2, padding=1,
                                                                   output_padding=1),
         [[(1, 2, 2, 3, 2), (2, 3, 3, 2, 2)]], gradgrad=True),
    Case("conv_transpose1d", lambda m, x, w: F(m).conv_transpose1d(x, w, stride=2, dilation=2),
         [[(2, 3, 5), (3, 2, 3)]], gradgrad=True),
    Case("pool3d", lambda m, x: (F(m).max_pool3d(x, 2, stride=(1, 2, 1), padding=1),
                                 F(m).avg_pool3d(x, 3, stride=2, padding=1, ceil_mode=True),
                                 F(m).adaptive_max_pool3d(x, (2, 1, 3)),
                                 F(m).adaptive_avg_pool3d(x, (2, 3, 1))),
         [[(1, 2, 4, 3, 5)]], domain="distinct"),
    Case("unfold_fold", lambda m, x: (F(m).unfold(x, 2, padding=1, stride=(1, 2)),
                                      F(m).fold(F(m).unfold(x, 2), (4, 5), 2)),
         [[(2, 3, 4, 5)]], gradgrad=True),
    Case("pixel_shuffle", lambda m, x: (F(m).pixel_shuffle(x, 2),
                                        F(m).pixel_unshuffle(x, 2)), [[(1, 4, 2, 4)]]),
    Case("grid_sample", lambda m, x, g: F(m).grid_sample(x, g.tanh() * 1.2, align_corners=False),
         [[(1, 2, 4, 5), (1, 3, 2, 2)]]),
    Case("bilinear", lambda m, a, b, w: F(m).bilinear(a, b, w), [[(3, 2), (3, 4), (5, 2, 4)]],
         gradgrad=True),
]


test_matches_pytorch, test_gradient_matches_finite_differences = table_tests(CASES)
