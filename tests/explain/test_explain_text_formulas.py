"""The formulas `retrograd explain` prints around its numbers (the number checks parse only the
values): layer indices, transposes, the derivative of each activation, the softmax shortcut of
cross-entropy, sums over samples, layers without bias, and when the products are written out.
A wrong index here teaches a wrong formula, so the lines are compared exactly."""
import numpy as np
import pytest

from retrograd.explain import cli
from retrograd.explain.worked_example import build_network, explain_text, run_example


def lines(capsys, *argv) -> list[str]:
    assert cli.main(list(argv)) == 0
    return [line.strip() for line in capsys.readouterr().out.splitlines()]


def starting(out: list[str], prefix: str) -> list[str]:
    return [line for line in out if line.startswith(prefix)]


def test_default_example_formulas(capsys):
    out = lines(capsys)
    assert out[1] == "Network: 2 -> 2 -> 2 -> 2; activation after each layer: sigmoid, sigmoid, sigmoid"
    assert "Forward pass" in out and "Layer 2: Linear(2 -> 2), then sigmoid" in out
    assert [s.rsplit(" = ", 1)[0] for s in starting(out, "z_")] == [
        "z_1 = W_1 a_0 + b_1", "z_1[0] = 0.1*1 + 0.2*2 + 0.1", "z_1[1] = 0.3*1 + 0.4*2 + 0.2",
        "z_2 = W_2 a_1 + b_2", "z_2[0] = 0.5*0.645656 + 0.6*0.785835 + 0.5",
        "z_2[1] = 0.7*0.645656 + 0.8*0.785835 + 0.6", "z_3 = W_3 a_2 + b_3",
        "z_3[0] = 0.9*0.784879 + 1*0.842988 + 0.9", "z_3[1] = 1.1*0.784879 + 1.2*0.842988 + 1"]
    assert "z_1[0] = 0.1*1 + 0.2*2 + 0.1 = 0.6" in out
    assert "a_2 = sigmoid(z_2) = [0.784879, 0.842988]" in out
    assert starting(out, "delta_") == [
        "delta_3 = (a_3 - y) * sigmoid'(z_3),  where sigmoid'(z_3) = a_3 * (1 - a_3)",
        "delta_2 = (W_3^T delta_3) * sigmoid'(z_2),  where sigmoid'(z_2) = a_2 * (1 - a_2)",
        "delta_1 = (W_2^T delta_2) * sigmoid'(z_1),  where sigmoid'(z_1) = a_1 * (1 - a_1)"]
    assert [s.split(" = [")[0] for s in starting(out, "dL/d")] == [
        "dL/dW_3 = delta_3 a_2^T", "dL/db_3 = delta_3", "dL/dW_2 = delta_2 a_1^T",
        "dL/db_2 = delta_2", "dL/dW_1 = delta_1 a_0^T", "dL/db_1 = delta_1"]
    assert "Update (gradient descent: p <- p - 0.1 * dL/dp)" in out
    assert starting(out, "W_1 <-") == ["W_1 <- W_1 - 0.1 * dL/dW_1 = [[0.101308, 0.202615], "
                                       "[0.301124, 0.402248]]"]
    assert out[-1] == "Loss after the step:  6.81191   (a new forward pass with the updated parameters)"


def test_cross_entropy_and_tanh_formulas(capsys):
    out = lines(capsys, "--loss", "cross-entropy", "--activation", "tanh")
    assert "Layer 3: Linear(2 -> 2), no activation" in out
    assert "a_3 = identity(z_3) = [2.60309, 3.06087]" in out
    assert "softmax(y_hat) = [0.387513, 0.612487]   (the output's softmax, inside the loss)" in out
    assert starting(out, "delta_")[:2] == [
        "delta_3 = softmax(a_3) - y",
        "delta_2 = (W_3^T delta_3) * tanh'(z_2),  where tanh'(z_2) = 1 - a_2^2"]


def test_batch_formulas(capsys):
    out = lines(capsys, "--input", "1,2;3,4", "--target", "0,1;1,0", "--activation", "relu")
    assert "Forward pass (one row per sample)" in out and "a_0 = x = [[1, 2], [3, 4]]" in out
    assert not starting(out, "z_1[0]")  # the products are written out for one sample only
    assert starting(out, "delta_1") == [
        "delta_1 = (W_2^T delta_2) * relu'(z_1),  where relu'(z_1) = (1 if z_1 > 0 else 0)"]
    assert [s.split(" = [")[0] for s in starting(out, "dL/d")][:2] == [
        "dL/dW_3 = sum over samples of delta_3 a_2^T", "dL/db_3 = sum over samples of delta_3"]


def test_without_bias_and_when_products_are_written_out():
    rng = np.random.default_rng(0)
    model = build_network([(rng.normal(size=(4, 4)), None), (rng.normal(size=(1, 4)), [0.5])],
                          "tanh", None)
    text = explain_text(run_example(model, np.ones((1, 4)), [[0.0]]))
    assert "z_1 = W_1 a_0 = [" in text and "z_2 = W_2 a_1 + b_2 = [" in text
    assert "W_1 = [[" in text and "b_1" not in text
    assert text.count("z_1[") == 4 and text.count("z_2[") == 1  # 16 weights: written out
    row = next(line.strip() for line in text.splitlines() if line.strip().startswith("z_1[0]"))
    assert row.count("*") == 4 and row.count(" + ") == 3  # no bias term
    model = build_network([(rng.normal(size=(17, 1)), np.zeros(17)), (rng.normal(size=(1, 17)), None)],
                          "tanh", None)
    text = explain_text(run_example(model, [[1.0]], [[0.0]]))
    assert "z_1[" not in text and "z_2[" not in text  # 17 weights: too many to write out


@pytest.mark.parametrize("argv", [[], ["--model", "rnn"], ["--input", "1,2;3,4", "--target", "0,1;1,0"]])
def test_digits_reach_every_number(capsys, argv):
    """--digits 3: no number anywhere in the text (products, biases, updates, losses) has more."""
    import re

    out = "\n".join(lines(capsys, *argv, "--digits", "3"))
    numbers = re.findall(r"-?\d+\.\d+(?:e[-+]\d+)?", out.split("(max difference")[0])
    numbers += re.findall(r"-?\d+\.\d+(?:e[-+]\d+)?", out.split("(max difference")[-1].split(")", 1)[-1])
    digits = [len(re.sub(r"e[-+]\d+", "", n).replace("-", "").replace(".", "").lstrip("0"))
              for n in numbers]
    assert numbers and max(digits) == 3
