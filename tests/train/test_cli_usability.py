"""The command's usability: --version, every default in --help, plain top-level help, names
matched ignoring case and dashes, the run folder named canonically, summary at the start."""
from __future__ import annotations

import re

import pytest

import retrograd
from retrograd.cli import build_parser, main
from retrograd.cli_help import canonical_name


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"retrograd {retrograd.__version__}"


def _help(*command) -> str:
    parser = build_parser()
    target = parser
    for name in command:
        target = target._subparsers._group_actions[0].choices[name]
    return target.format_help()


def test_top_level_help_is_plain_text():
    text = _help()
    assert "``" not in text and "retrograd: train, evaluate, export and explain" in text
    assert "export" in text and "--version" in text


@pytest.mark.parametrize("command", ["train", "evaluate", "predict", "explain", "export"])
def test_every_option_with_a_default_shows_it(command):
    parser = build_parser()._subparsers._group_actions[0].choices[command]
    text = " ".join(_help(command).split())
    for action in parser._actions:
        if (action.option_strings and action.default not in (None, False)
                and action.dest != "help"):
            assert re.search(rf"default:? {re.escape(str(action.default))}", text), action.dest


def test_train_help_lists_concrete_defaults():
    text = " ".join(_help("train").split())
    for shown in ("--epochs EPOCHS default: 8", "--batch-size BATCH_SIZE default: 64",
                  "default: onecycle", "default: sgd", "(default: lenet5)"):
        assert shown in text


def test_canonical_names():
    assert canonical_name("LeNet-5", ["mlp", "lenet5"]) == "lenet5"
    assert canonical_name("VGG-Small", ["vgg_small"]) == "vgg_small"
    assert canonical_name("MNIST_Sample", ["mnist-sample"]) == "mnist-sample"
    assert canonical_name("cnn", ["mlp"]) is None


def test_names_ignore_case_and_dashes_and_the_run_folder_is_canonical(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["train", "--model", "MLP", "--dataset", "MNIST_Sample", "--epochs", "1",
                 "--optimizer", "Adam", "--no-plots"]) == 0
    out = capsys.readouterr().out
    assert (tmp_path / "runs" / "mlp-mnist-sample" / "model.safetensors").is_file()
    assert "Total params: 535,818" in out  # the summary printed at the start (784-512-256-10)
    assert main(["train", "--model", "cnn", "--quiet"]) == 2
    assert "unknown model 'cnn'" in capsys.readouterr().err
