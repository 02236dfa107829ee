"""``retrograd explain --model rnn`` in process (the subprocess test cannot run under the
mutation tool): formats, the appended unrolled graph, the numbers of the JSON against the
record, and the options it refuses."""
import json

import pytest

import retrograd as rg
from retrograd.explain import cli
from retrograd.explain.bptt_example import render, run


def out(capsys, *argv):
    assert cli.main(["--model", "rnn", *argv]) == 0
    return capsys.readouterr().out


def test_text_markdown_json_and_graph(capsys):
    _, records = run(steps=2)
    text = out(capsys, "--steps", "2")
    assert text == "\n".join(r.to_text() for r in records)
    assert text.count("Backpropagation through time") == 2
    assert out(capsys, "--format", "markdown") == records[0].to_markdown()
    data = json.loads(out(capsys, "--format", "json", "--digits", "17", "--steps", "2"))
    assert data["loss"] == "L = 1/2 * sum((y - y_hat)^2)" and len(data["steps"]) == 2
    assert data["steps"][1] == json.loads(json.dumps(records[1].to_dict(17)))
    graph = out(capsys, "--graph", "dot")
    assert graph.startswith(render(records[:1])) and "digraph" in graph and "h2 -> h3" in graph
    assert "flowchart LR" in out(capsys, "--graph", "mermaid")


def test_default_sequence_with_relu_and_one_row_sequences(capsys):
    assert "h_t = relu(a_t)" in out(capsys, "--activation", "relu")
    _, (rec,) = run(nonlinearity="relu")
    assert rec.nonlinearity == "relu"
    rg.manual_seed(4)
    row = json.loads(out(capsys, "--input", "1,-2,0.5", "--format", "json", "--digits", "17"))
    rg.manual_seed(4)
    rows = json.loads(out(capsys, "--input", "1;-2;0.5", "--format", "json", "--digits", "17"))
    assert row == rows and len(row["steps"][0]["steps"]) == 3  # one number per time step
    assert len(row["steps"][0]["steps"][0]["h"][0]) == 2  # two hidden units


def test_own_sequence_target_activation_and_rate(capsys):
    rg.manual_seed(3)  # a sequence of one's own gets a freshly initialised network
    data = json.loads(out(capsys, "--input", "1;-2;0.5;1.5", "--target", "1", "--activation",
                          "relu", "--lr", "0.5", "--format", "json", "--digits", "17"))
    rg.manual_seed(3)
    _, (rec,) = run([[1.0], [-2.0], [0.5], [1.5]], [1.0], nonlinearity="relu", lr=0.5)
    assert data["steps"][0] == json.loads(json.dumps(rec.to_dict(17)))


@pytest.mark.parametrize("argv, message", [
    (["--activation", "sigmoid"], "tanh or relu"),
    (["--loss", "cross-entropy"], "its loss is 1/2"),
    (["--format", "latex"], "not available with --model rnn"),
    (["--target", "1,2"], "--target has 2 values"),  # the default network has one output
])
def test_refused_options(capsys, argv, message):
    assert cli.main(["--model", "rnn", *argv]) == 2
    assert message in capsys.readouterr().err
