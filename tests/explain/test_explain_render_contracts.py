"""Renderers' symbols, shapes and matrix layout (holes a mutation run found): what each row of a
convolution layer's table says, LaTeX symbols and matrices, digits in nested arrays, NaN in JSON."""
import json

import numpy as np
import pytest

import retrograd.nn.functional as F
from retrograd import nn, optim
from retrograd.explain import record_step
from retrograd.explain.render import (_json_value, _latex_symbol, _rows, bmatrix, format_array,
                                      to_json, to_latex, to_markdown)


@pytest.fixture(scope="module")
def conv_record():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(8, 3)).double()
    rng = np.random.default_rng(0)
    return record_step(model, rng.normal(size=(2, 1, 6, 6)), rng.normal(size=(2, 3)), F.mse_loss,
                       optim.SGD(model.parameters(), lr=0.1))


def test_table_rows_name_the_formulas(conv_record):
    conv, lin = ([(sym, meaning) for sym, meaning, _ in _rows(layer)] for layer in conv_record.layers)
    assert conv[:4] == [("A_0", "input of the layer"), ("Z_1", "pre-activation W_1 ⋆ A_0 + b_1"),
                        ("A_1", "activation Flatten ∘ MaxPool2d ∘ ReLU(Z_1)"),
                        ("delta_1", "error dL/dZ_1")]
    assert conv[4:7] == [("W_1", "weight before the step"), ("dL/dW_1", "gradient of weight"),
                         ("W_1'", "weight after the step")]
    assert lin[1:3] == [("Z_2", "pre-activation W_2 A_1 + b_2"), ("A_2", "activation identity(Z_2)")]


def test_markdown_rows_and_heading(conv_record):
    md = to_markdown(conv_record)
    assert md.startswith("## One training step (SGD, lr = 0.1)\n\n- input `x`: [[[[")
    assert "### Layer 1: `0` Conv2d(1 -> 2, 3x3), then ReLU → MaxPool2d → Flatten\n" in md
    assert "### Layer 2: `4` Linear(8 -> 3)\n" in md
    row = next(line for line in md.splitlines() if line.startswith("| `b_2` |"))
    assert row == f"| `b_2` | bias before the step | (3,) | {format_array(conv_record.layers[1].b)} |"
    assert "| `W_1` | weight before the step | (2, 1, 3, 3) |" in md
    conv_record.optimizer, lr = "", conv_record.lr
    conv_record.lr = None
    try:
        assert to_markdown(conv_record).startswith("## One training step (optimizer)\n")
    finally:
        conv_record.optimizer, conv_record.lr = "SGD", lr


def test_latex_symbols_and_matrices(conv_record):
    assert _latex_symbol("A_0") == "A_{0}" and _latex_symbol("delta_2") == r"\delta_{2}"
    assert _latex_symbol("W_1'") == "W_{1}'" and _latex_symbol("gain_3") == r"\mathrm{gain}_{3}"
    assert _latex_symbol("dL/dW_12") == r"\frac{\partial L}{\partial W_{12}}"
    assert _latex_symbol("dL/db_1'") == r"\frac{\partial L}{\partial b_{1}'}"
    assert bmatrix([1.0, 2.0]) == r"\begin{bmatrix} 1 \\ 2 \end{bmatrix}"  # a column
    assert bmatrix(np.arange(8.0).reshape(2, 2, 2)) == (
        r"\begin{bmatrix} 0 & 1 & 2 & 3 \\ 4 & 5 & 6 & 7 \end{bmatrix}")
    assert bmatrix(np.float64(1 / 3), 2) == "0.33"
    tex = to_latex(conv_record, digits=3)
    assert r"\subparagraph{Layer 1: 0 Conv2d(1 $\to$ 2, 3x3), then ReLU $\to$ MaxPool2d $\to$ Flatten}" in tex
    a1 = conv_record.layers[0].a  # (2 samples, 8): shown as 8 rows, one column per sample
    assert rf"$A_{{1}}$ & (2, 8) & ${bmatrix(a1.T, 3)}$ \\" in tex
    dw = conv_record.layers[1].dW  # a gradient is shown as it is
    assert rf"$\frac{{\partial L}}{{\partial W_{{2}}}}$ & (3, 8) & ${bmatrix(dw, 3)}$ \\" in tex
    w1 = conv_record.layers[0].W  # (2, 1, 3, 3): 2 rows of 9
    assert rf"$W_{{1}}$ & (2, 1, 3, 3) & ${bmatrix(w1.reshape(2, 9), 3)}$ \\" in tex
    assert tex.count(r"\begin{tabular}{lll}") == tex.count(r"\end{tabular}") == 2
    assert tex.split("\n")[2] == (f"Loss before the step: ${float(f'{conv_record.loss_before:.3g}'):g}$; "
                                  "after the step (new forward pass): "
                                  f"${float(f'{conv_record.loss_after:.3g}'):g}$.")


def test_digits_of_nested_arrays_and_non_finite_json():
    assert format_array([[1 / 3, 2 / 3]], 3) == "[[0.333, 0.667]]"
    assert format_array(np.zeros((1, 1))) == "[[0]]"
    assert _json_value(np.array([np.nan, np.inf, -np.inf]), 6) == ["nan", "inf", "-inf"]
    assert _json_value(np.float64(1 / 3), None) == 1 / 3


def test_module_level_defaults(conv_record):
    assert to_json(conv_record) == json.dumps(json.loads(conv_record.to_json()), indent=2,
                                              ensure_ascii=False)
    assert to_markdown(conv_record) == conv_record.to_markdown(6)
    assert to_latex(conv_record) == conv_record.to_latex(6)
    assert format_array([1 / 3]) == "[0.333333]" and bmatrix([1 / 3]) == r"\begin{bmatrix} 0.333333 \end{bmatrix}"


def test_a_one_dimensional_convolution_is_written_as_one():
    model = nn.Sequential(nn.Conv1d(1, 2, 3), nn.Flatten(), nn.Linear(8, 1)).double()
    rec = record_step(model, np.ones((1, 1, 6)), np.zeros((1, 1)), F.mse_loss,
                      optim.SGD(model.parameters(), lr=0.1))
    assert ("Z_1", "pre-activation W_1 ⋆ A_0 + b_1") in [(s, m) for s, m, _ in _rows(rec.layers[0])]
