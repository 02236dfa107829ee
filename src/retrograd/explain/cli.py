"""``retrograd explain``: print a worked example of backpropagation, every number shown.

Wire it into a parent parser with ``add_explain_parser(subparsers)`` (its handler is
``run_explain``), or run it alone with ``main(argv)``::

    retrograd explain                                  # the default 2-2-2-2 sigmoid network
    retrograd explain --activation tanh --steps 3 --format markdown
    retrograd explain --loss cross-entropy --target 0,1
    retrograd explain --from model.safetensors --input x.npy --target 1,0,0
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

import numpy as np

from . import worked_example as W
from .graph import layer_graph
from .render import to_dict

DESCRIPTION = ("Print one (or more) steps of backpropagation and gradient descent on a small "
               "network: every forward value, error, gradient and updated parameter, computed "
               "by retrograd's autograd.")


def parse_values(text: str, what: str) -> np.ndarray:
    """An ``.npy`` file path, or numbers separated by commas (rows by ';'), as a float64 array."""
    if text.endswith(".npy") or os.path.exists(text):
        if not os.path.exists(text):
            raise ValueError(f"{what}: file {text!r} not found")
        try:
            arr = np.asarray(np.load(text, allow_pickle=False), dtype=np.float64)
        except (ValueError, TypeError, OSError, EOFError) as err:
            raise ValueError(f"{what}: {text!r} is not a numeric .npy file ({err})") from None
        if arr.size == 0 or not np.isfinite(arr).all():
            raise ValueError(f"{what}: {text!r} must hold finite numbers")
        return arr
    try:
        rows = [[float(v) for v in row.split(",") if v.strip()] for row in text.split(";")]
    except ValueError:
        raise ValueError(f"{what}: expected an .npy file or comma-separated numbers, got "
                         f"{text!r}") from None
    try:
        arr = np.array(rows, dtype=np.float64)
    except ValueError:
        raise ValueError(f"{what}: rows of different lengths in {text!r}") from None
    if arr.size == 0 or not np.isfinite(arr).all():
        raise ValueError(f"{what}: expected finite numbers, got {text!r}")
    return arr[0] if arr.shape[0] == 1 else arr


def configure_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the explain options to ``parser``."""
    parser.add_argument("--loss", choices=sorted(W.LOSSES), default="mse",
                        help="mse: L = 1/2*sum((y - y_hat)^2); cross-entropy: softmax on the "
                             "output, one-hot or probability target (default: mse)")
    parser.add_argument("--activation", choices=sorted(W.ACTIVATIONS), default=None,
                        help="activation after each layer (default: sigmoid; with --model rnn "
                             "tanh or relu, default tanh)")
    parser.add_argument("--output-activation", choices=sorted(W.ACTIVATIONS) + ["none"],
                        default=None, help="activation after the last layer (default: the same "
                                           "as --activation for mse, none for cross-entropy)")
    parser.add_argument("--lr", type=float, default=0.1, help="learning rate (default: 0.1)")
    parser.add_argument("--steps", type=int, default=1, help="gradient steps (default: 1)")
    parser.add_argument("--format", choices=["text", "markdown", "latex", "json"], default="text")
    parser.add_argument("--digits", type=int, default=6, help="significant digits (default: 6)")
    parser.add_argument("--from", dest="model_path", metavar="MODEL.safetensors",
                        help="a saved Sequential of Linear layers ('N.weight', 'N.bias')")
    parser.add_argument("--input", metavar="X", help="X.npy or comma-separated numbers")
    parser.add_argument("--target", metavar="Y", help="Y.npy or comma-separated numbers; with "
                        "cross-entropy a single integer is a class index")
    parser.add_argument("--graph", choices=["mermaid", "dot"], default=None,
                        help="also print the layer graph with errors and updates")
    parser.add_argument("--model", choices=["mlp", "rnn"], default="mlp",
                        help="mlp: the feed-forward network (default: mlp); rnn: backpropagation "
                             "through time in a tanh RNN of 2 units over a sequence (--input: "
                             "one number per step, or rows by ';'), a Linear layer on its last "
                             "state; --graph draws the unrolled network")
    return parser


def add_explain_parser(subparsers) -> argparse.ArgumentParser:
    """Register ``explain`` on an ``ArgumentParser.add_subparsers()`` object; the parsed args
    carry ``run=run_explain`` (also as ``func``)."""
    parser = subparsers.add_parser("explain", help="a worked example of backpropagation",
                                   description=DESCRIPTION)
    configure_parser(parser)
    parser.set_defaults(func=run_explain, run=run_explain)
    return parser


def _target(args, n_out: int) -> np.ndarray:
    if args.target is None:
        if args.loss == "cross-entropy":
            y = np.zeros(n_out)
            y[-1] = 1.0
            return y
        if args.model_path is not None:
            raise ValueError("--target is required with --from (the default y = [3, 4] fits only "
                             "the default network)")
        return np.array(W.DEFAULT_Y)
    y = parse_values(args.target, "--target")
    if args.loss == "cross-entropy" and y.size == 1 and n_out > 1:  # a class index
        k = int(y.reshape(-1)[0])
        if k != y.reshape(-1)[0] or not 0 <= k < n_out:
            raise ValueError(f"--target: class index must be an integer in [0, {n_out}), got {y}")
        y = np.eye(n_out)[k]
    return y


def build(args) -> tuple:
    """(model, x, y) from the parsed arguments."""
    out_act = args.output_activation or ("none" if args.loss == "cross-entropy" else "same")
    if args.model_path is not None:
        model = W.load_network(args.model_path, args.activation, out_act)
    else:
        model = W.build_network(W.DEFAULT_LAYERS, args.activation, out_act)
    weights = [p for n, p in model.named_parameters() if n.endswith("weight")]
    n_in, n_out = weights[0].shape[1], weights[-1].shape[0]
    if args.input is None and args.model_path is not None:
        raise ValueError("--input is required with --from")
    x = parse_values(args.input, "--input") if args.input is not None else np.array(W.DEFAULT_X)
    y = _target(args, n_out)
    if np.atleast_2d(x).shape[-1] != n_in:
        raise ValueError(f"--input has {np.atleast_2d(x).shape[-1]} features; the network takes {n_in}")
    if np.atleast_2d(y).shape[-1] != n_out:
        raise ValueError(f"--target has {np.atleast_2d(y).shape[-1]} values per sample; the "
                         f"network gives {n_out}")
    return model, x, y


def render(records, args, model=None) -> str:
    """The records in ``args.format``."""
    if args.format == "text":
        text = W.explain_text(records, args.loss, args.digits)
    elif args.format == "json":
        text = json.dumps({"loss": args.loss, "description": W.LOSS_TEXT[args.loss],
                           "steps": [to_dict(r, args.digits) for r in records]},
                          indent=2, ensure_ascii=False) + "\n"
    else:
        parts = []
        for i, r in enumerate(records, start=1):
            head = f"Step {i}" if len(records) > 1 else ""
            body = r.to_markdown(args.digits) if args.format == "markdown" else r.to_latex(args.digits)
            if head:
                body = (f"# {head}\n\n" if args.format == "markdown" else f"% {head}\n") + body
            parts.append(body)
        text = "\n".join(parts)
    if args.graph and model is not None:
        text += "\n" + layer_graph(model, records[-1], fmt=args.graph)
    return text


def run_explain(args: argparse.Namespace) -> int:
    """Run the worked example for parsed ``args``; print it; return the exit status."""
    try:
        if args.steps < 1:
            raise ValueError(f"--steps must be at least 1, got {args.steps}")
        if not np.isfinite(args.lr) or args.lr <= 0:
            raise ValueError(f"--lr must be a finite number above 0, got {args.lr}")
        if args.digits < 1:
            raise ValueError(f"--digits must be at least 1, got {args.digits}")
        if getattr(args, "model", "mlp") == "rnn":
            return _run_rnn(args)
        args.activation = args.activation or "sigmoid"
        model, x, y = build(args)
        records = W.run_example(model, x, y, args.loss, args.lr, args.steps)
    except (ValueError, FileNotFoundError, OSError) as e:
        print(f"retrograd explain: error: {e}", file=sys.stderr)
        return 2
    sys.stdout.write(render(records, args, model))
    return 0


def _run_rnn(args) -> int:
    """``--model rnn``: one (or more) steps of backpropagation through time, printed."""
    from . import bptt_example

    if args.activation not in (None, "tanh", "relu"):
        raise ValueError(f"--activation {args.activation} is not available with --model rnn "
                         "(tanh or relu)")
    if args.loss != "mse" or args.model_path is not None:
        raise ValueError("--model rnn takes --input, --target, --activation, --lr, --steps, "
                         "--format, --digits and --graph (its loss is 1/2 (y - y_hat)^2)")
    x = parse_values(args.input, "--input") if args.input is not None else None
    y = parse_values(args.target, "--target") if args.target is not None else None
    _, records = bptt_example.run(x, y, args.activation or "tanh", args.lr, args.steps)
    sys.stdout.write(bptt_example.render(records, args.format, args.digits, args.graph))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``retrograd explain [options]`` as a stand-alone command; returns the exit status."""
    parser = configure_parser(argparse.ArgumentParser(prog="retrograd explain",
                                                      description=DESCRIPTION))
    return run_explain(parser.parse_args(argv))


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
