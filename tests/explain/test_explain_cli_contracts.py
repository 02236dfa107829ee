"""`retrograd explain` options the number checks do not reach (holes a mutation run found):
default and class-index targets, rows split by ';', pickled .npy refused, networks of more than
two layers from a file, step headings, --digits 1, the appended layer graph."""
import json

import numpy as np
import pytest

import retrograd.io as rio
from retrograd import nn
from retrograd.explain import cli


def run_json(capsys, *argv) -> dict:
    assert cli.main([*argv, "--format", "json", "--digits", "17"]) == 0
    return json.loads(capsys.readouterr().out)


def error(capsys, *argv) -> str:
    assert cli.main(list(argv)) == 2
    return capsys.readouterr().err


def test_cross_entropy_targets(capsys):
    assert run_json(capsys, "--loss", "cross-entropy")["steps"][0]["y"] == [[0.0, 1.0]]  # last class
    assert run_json(capsys, "--loss", "cross-entropy", "--target", "0")["steps"][0]["y"] == [[1.0, 0.0]]
    assert run_json(capsys, "--loss", "cross-entropy", "--target", "1")["steps"][0]["y"] == [[0.0, 1.0]]
    for bad in ("2", "-1", "0.5"):
        assert "class index must be an integer in [0, 2)" in error(
            capsys, "--loss", "cross-entropy", "--target", bad)


def test_rows_split_by_semicolons(capsys):
    d = run_json(capsys, "--input", "1,2;3,4;5,6", "--target", "0,1;1,0;0.5,0.5")
    assert d["steps"][0]["x"] == [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    assert d["steps"][0]["y"] == [[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]]
    assert run_json(capsys, "--input", "1,2")["steps"][0]["x"] == [[1.0, 2.0]]


def test_one_input_per_row_from_a_file(tmp_path, capsys):
    model = nn.Sequential(nn.Linear(1, 3), nn.Tanh(), nn.Linear(3, 4), nn.Tanh(),
                          nn.Linear(4, 1)).double()  # three layers, 1 -> 3 -> 4 -> 1
    rio.save(model, str(tmp_path / "m.safetensors"))
    d = run_json(capsys, "--from", str(tmp_path / "m.safetensors"), "--input", "1;2",
                 "--target", "0.5;-0.5", "--activation", "tanh")
    assert d["steps"][0]["x"] == [[1.0], [2.0]] and d["steps"][0]["y"] == [[0.5], [-0.5]]
    assert [lay["module"] for lay in d["steps"][0]["layers"]] == [
        "Linear(1 -> 3)", "Linear(3 -> 4)", "Linear(4 -> 1)"]


def test_a_pickled_npy_file_is_refused(tmp_path, capsys):
    path = tmp_path / "x.npy"
    np.save(path, np.array([1.0, 2.0], dtype=object), allow_pickle=True)
    assert "not a numeric .npy file" in error(capsys, "--input", str(path))


def test_step_headings_and_digits(capsys):
    assert cli.main(["--format", "markdown", "--steps", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Step 1\n\n") and "\n# Step 2\n\n" in out and "Step 3" not in out
    assert cli.main(["--format", "latex", "--steps", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("% Step 1\n") and "% Step 2\n" in out
    assert cli.main(["--format", "markdown"]) == 0
    assert "Step" not in capsys.readouterr().out
    assert cli.main(["--format", "json", "--digits", "1"]) == 0
    text = capsys.readouterr().out
    assert text.startswith('{\n  "loss": "mse",\n')
    assert json.loads(text)["steps"][0]["loss_before"] == 7.0  # 6.82... to 1 digit


@pytest.mark.parametrize("fmt", ["mermaid", "dot"])
def test_graph_of_the_last_step_is_appended(capsys, fmt):
    assert cli.main(["--graph", fmt, "--steps", "2", "--format", "json"]) == 0
    out = capsys.readouterr().out
    text, graph = out.split("\n" + ("flowchart LR" if fmt == "mermaid" else "digraph"), 1)
    assert len(json.loads(text)["steps"]) == 2
    assert "0: Linear(2 " in graph and "δ = [" in graph and "ΔW = [[" in graph


@pytest.mark.parametrize("option, bad", [("--format", "html"), ("--loss", "l1"),
                                         ("--activation", "gelu"),
                                         ("--output-activation", "gelu"), ("--graph", "svg"),
                                         ("--model", "lstm")])
def test_unknown_choices_are_refused_by_the_parser(capsys, option, bad):
    with pytest.raises(SystemExit) as info:
        cli.main([option, bad])
    assert info.value.code == 2 and "invalid choice" in capsys.readouterr().err


def test_every_documented_choice_is_accepted(capsys):
    for argv in (["--format", "text"], ["--format", "latex"], ["--graph", "dot"],
                 ["--graph", "mermaid"], ["--output-activation", "none"], ["--loss", "mse"]):
        assert cli.main(argv) == 0, argv
    capsys.readouterr()


def test_numbers_refused_and_accepted(tmp_path, capsys):
    np.save(tmp_path / "nan.npy", np.array([1.0, np.nan]))
    np.save(tmp_path / "one.npy", np.array([[1.0, 2.0]]))
    assert "finite numbers" in error(capsys, "--input", str(tmp_path / "nan.npy"))
    assert run_json(capsys, "--input", str(tmp_path / "one.npy"))["steps"][0]["x"] == [[1.0, 2.0]]
    assert "expected finite numbers" in error(capsys, "--input", "1,inf")
    for lr in ("0", "-0.1", "nan"):
        assert "--lr must be a finite number above 0" in error(capsys, "--lr", lr)


def test_default_cross_entropy_target_of_a_three_class_network(tmp_path, capsys):
    model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 3)).double()
    rio.save(model, str(tmp_path / "m.safetensors"))
    d = run_json(capsys, "--from", str(tmp_path / "m.safetensors"), "--input", "1,2",
                 "--loss", "cross-entropy")
    assert d["steps"][0]["y"] == [[0.0, 0.0, 1.0]]  # one-hot on the last class


def test_markdown_keeps_its_heading_and_notes(capsys):
    assert cli.main(["--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("## One training step (SGD, lr = 0.1)\n\n> L = 1/2 * sum(")
    assert "> weights W_l have shape (out, in)" in out
