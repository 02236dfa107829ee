"""Op table, element-wise math: each op against PyTorch (values, dtypes, gradients; float32 and
float64; 0-d and empty inputs) and float64 finite differences."""
import pytest
from optable import Case, table_tests

import retrograd as rg

BIN = [[(3, 4), (4,)], [(), ()], [(0, 3), (3,)]]

CASES = [
    Case("sign", lambda m, x: x.sign(), domain="away"),
    Case("erf", lambda m, x: m.erf(x), gradgrad=True),
    Case("erfc", lambda m, x: m.erfc(x * 3)),
    Case("exp2", lambda m, x: m.exp2(x)),
    Case("expm1", lambda m, x: x.expm1(), gradgrad=True),
    Case("log2", lambda m, x: x.log2(), domain="positive"),
    Case("log10", lambda m, x: m.log10(x), domain="positive"),
    Case("log1p", lambda m, x: x.log1p(), domain="positive", gradgrad=True),
    Case("rsqrt", lambda m, x: x.rsqrt(), domain="positive", gradgrad=True),
    Case("tan", lambda m, x: x.tan(), domain="unit"),
    Case("asin", lambda m, x: x.asin(), domain="unit", gradgrad=True),
    Case("acos", lambda m, x: m.acos(x), domain="unit"),
    Case("atan", lambda m, x: m.arctan(x)),
    Case("sinh", lambda m, x: x.sinh(), gradgrad=True),
    Case("cosh", lambda m, x: x.cosh()),
    Case("asinh", lambda m, x: x.asinh()),
    Case("acosh", lambda m, x: x.acosh(), domain="above1"),
    Case("atanh", lambda m, x: x.atanh(), domain="unit"),
    Case("floor", lambda m, x: x.floor(), domain="away"),
    Case("ceil", lambda m, x: m.ceil(x), domain="away"),
    Case("trunc", lambda m, x: x.trunc(), domain="away"),
    Case("round", lambda m, x: (x * 4).round(), domain="away"),
    Case("round_half_even", lambda m, x: m.round(m.tensor([0.5, 1.5, 2.5, -0.5, -2.5]) + x * 0), [(5,)]),
    Case("round_decimals", lambda m, x: m.round(x * 10, decimals=1), domain="away"),
    Case("frac", lambda m, x: (x * 3).frac()),
    Case("reciprocal", lambda m, x: x.reciprocal(), domain="positive", gradgrad=True),
    Case("square", lambda m, x: x.square(), gradgrad=True),
    Case("nan_to_num", lambda m, x: m.nan_to_num(m.log(x), nan=2.0, neginf=-5.0)),
    Case("nan_to_num_inf", lambda m, x: (x.detach() / 0).nan_to_num(posinf=1.0, neginf=-1.0) + x),
    Case("nan_to_num_defaults", lambda m, x: (x / 0).nan_to_num(), grad=False),
    # integer and bool inputs: the dtype rules
    Case("sign_int", lambda m, x: x.sign(), domain="int"),
    Case("floor_int", lambda m, x: x.floor(), domain="int"),
    Case("square_int", lambda m, x: m.square(x), domain="int"),
    Case("exp2_int", lambda m, x: m.exp2(x), domain="int"),
    Case("erf_int", lambda m, x: x.erf(), domain="int"),
    Case("reciprocal_int", lambda m, x: (x + 10).reciprocal(), domain="int"),
    # two operands
    Case("atan2", lambda m, a, b: m.atan2(a, b), BIN, gradgrad=True),
    Case("logaddexp", lambda m, a, b: m.logaddexp(a * 100, b), BIN),
    Case("hypot", lambda m, a, b: m.hypot(a, b), BIN, domain="away"),
    Case("copysign", lambda m, a, b: m.copysign(a, b), BIN, domain="away"),
    Case("copysign_int", lambda m, a, b: m.copysign(a, b), BIN, domain="int"),
    Case("fmod", lambda m, a, b: m.fmod(a * 5, b), BIN, domain="away"),
    Case("remainder", lambda m, a, b: m.remainder(a * 5, b), BIN, domain="away"),
    Case("mod_operator", lambda m, a: (a * 5) % 1.5, domain="away"),
    Case("rmod_operator", lambda m, a: 7.0 % (a + 10) + 2 % a, domain="away", grad=False),
    Case("remainder_int", lambda m, a, b: a % (b.abs() + 1) + (-7) % (b.abs() + 1), BIN, domain="int"),
    Case("fmod_int", lambda m, a, b: m.fmod(a * 3, b.abs() + 1), BIN, domain="int"),
    Case("floordiv", lambda m, a: ((a * 5) // 1.5, 2.0 // a), domain="away", grad=False),
    Case("floordiv_int", lambda m, a, b: a // (b.abs() + 1) + 7 // (b.abs() + 1), BIN, domain="int"),
    Case("div_trunc", lambda m, a, b: m.div(a * 5, b, rounding_mode="trunc"), BIN, domain="away"),
    Case("div_floor", lambda m, a, b: m.div(a * 5, b, rounding_mode="floor"), BIN, domain="away"),
    Case("div_trunc_int", lambda m, a, b: m.div(a * 3, b.abs() + 1, rounding_mode="trunc"), BIN,
         domain="int"),
    Case("true_div_int", lambda m, a, b: a / (b.abs() + 1), BIN, domain="int"),
    Case("lerp_scalar", lambda m, a, b: m.lerp(a, b, 0.3), BIN),
    Case("lerp_tensor", lambda m, a, b, w: a.lerp(b, w), [[(3, 4), (3, 4), (4,)]]),
    Case("bitwise", lambda m, a, b: ((a & b) | (a ^ 3), ~a, a << 2, (a.abs() >> 1) & 5), BIN, domain="int"),
    Case("bitwise_bool", lambda m, a, b: ((a & b) | (a ^ True), ~a, m.bitwise_or(a, b)), BIN, domain="bool"),
    Case("int_float_promotion", lambda m, a, b: (a * 2.5, a + b.float(), m.maximum(a, b * 1.5)), BIN,
         domain="int"),
]


test_matches_pytorch, test_gradient_matches_finite_differences = table_tests(CASES)


def test_float_operands_of_bitwise_ops_are_refused():
    with pytest.raises(NotImplementedError, match="floating"):
        rg.tensor([1.0]) & rg.tensor([1.0])
    with pytest.raises(NotImplementedError, match="float32"):
        ~rg.tensor([1.0])
    with pytest.raises(NotImplementedError, match="int64"):
        rg.tensor([1]).frac()


def test_inplace_forms_write_back_and_refuse_a_wider_dtype():
    x = rg.tensor([5, -7, 9])
    x %= 4
    x //= 2
    x <<= 1
    x |= 1
    assert x.tolist() == [1, 1, 1] and x.dtype == rg.int64
    y = rg.tensor([1.7, -2.2])
    assert y.floor_() is y and y.tolist() == [1.0, -3.0]
    with pytest.raises(RuntimeError, match="can't be cast"):
        x.sqrt_()
