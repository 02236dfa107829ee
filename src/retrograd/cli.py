"""The ``retrograd`` command: train, evaluate, predict, explain.

Bad input (a missing file, a wrong shape, an unknown name) ends with a one-line error and exit
status 2, never a traceback.
"""
from __future__ import annotations

import argparse
import pickle
import sys
import warnings

import numpy as np

from .cli_help import show_defaults
from .cli_train import _load_split, run_train
from .cli_types import (EXIT_USAGE, OneLineParser, UsageError, nonnegative_float,
                        positive_float, positive_int, seed)

DESCRIPTION = ("retrograd: train, evaluate, export and explain neural networks with a small "
               "deep-learning framework over NumPy. Run 'retrograd COMMAND --help' for a "
               "command's options and their defaults.")


def _add_train(sub):
    p = sub.add_parser("train", help="train a model (default: LeNet-5 on the built-in MNIST sample)")
    p.add_argument("--model", default="lenet5", help="mlp, lenet5, resnet8, resnet20, resnet32, "
                   "resnet56, resnet18, vgg_small, vgg11, vgg16, lstm, gru, rnn (any case; - and _ "
                   "optional; lstm/gru/rnn read images row by row)")
    p.add_argument("--dataset", default="mnist-sample", help="mnist-sample (built in), mnist, "
                   "fashion-mnist, cifar10, cifar100, a folder of the official files, or an image "
                   "folder (one subfolder of PNG/JPEG images per class, optionally under train/ and test/)")
    p.add_argument("--data-root", default=None, help="root of the dataset cache: a named dataset "
                   "lives in DATA_ROOT/<name> (default: $RETROGRAD_HOME, else ~/.cache/retrograd)")
    p.add_argument("--image-size", type=positive_int, default=None,
                   help="resize images to this size (image folders: default 28 if grayscale, 32 if RGB)")
    p.add_argument("--epochs", type=positive_int, default=None,
                   help="default: 8 (lstm/gru/rnn: 12)")
    p.add_argument("--batch-size", type=positive_int, default=64)
    p.add_argument("--optimizer", default=None, type=str.lower,
                   choices=["sgd", "adam", "adamw", "rmsprop", "adagrad"],
                   help="default: sgd (lstm/gru/rnn: adam)")
    p.add_argument("--lr", type=positive_float, default=None, help="default 0.05 for sgd, 0.001 otherwise")
    p.add_argument("--momentum", type=nonnegative_float, default=0.9)
    p.add_argument("--weight-decay", type=nonnegative_float, default=None,
                   help="default: 0.0005 (lstm/gru/rnn: 0)")
    p.add_argument("--schedule", default=None, type=str.lower,
                   choices=["none", "step", "cosine", "onecycle"], help="default: onecycle")
    p.add_argument("--clip-grad-norm", type=positive_float, default=None,
                   help="rescale gradients to this total norm (default: none; lstm/gru/rnn: 1)")
    p.add_argument("--seed", type=seed, default=0)
    p.add_argument("--out", default="runs/{model}-{dataset}", help="output folder")
    p.add_argument("--resume", nargs="?", const="auto", default=None,
                   help="resume from a checkpoint (default: OUT/checkpoint.safetensors)")
    p.add_argument("--force", action="store_true", help="overwrite a run already in --out")
    p.add_argument("--no-plots", action="store_true", help="write no PNG plots")
    p.add_argument("--tensorboard", action="store_true",
                   help="log losses, metrics, learning rate and gradient norms to OUT/tensorboard/")
    p.add_argument("--quiet", "-q", action="store_true",
                   help="print only the final line (no summary, bars or epoch lines)")
    p.set_defaults(run=run_train)


def _add_evaluate(sub):
    p = sub.add_parser("evaluate", help="metrics and confusion matrix of a saved model on a test split")
    p.add_argument("model", help="a model file written by `retrograd train` (model.safetensors)")
    p.add_argument("--dataset", default=None, help="default: the dataset the model was trained on")
    p.add_argument("--data-root", default=None)
    p.add_argument("--batch-size", type=positive_int, default=256)
    p.set_defaults(run=run_evaluate)


def _add_predict(sub):
    p = sub.add_parser("predict", help="class and probabilities for image files or a .npy array")
    p.add_argument("model")
    p.add_argument("inputs", nargs="+", help="PNG/JPEG images (needs Pillow) or .npy arrays")
    p.add_argument("--top", type=positive_int, default=3, help="how many classes to show")
    p.add_argument("--no-invert", action="store_true", help="never invert images with a light "
                   "background (by default they are, as the model saw light digits on black)")
    p.set_defaults(run=run_predict)


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = OneLineParser(prog="retrograd", description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"retrograd {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_train(sub)
    _add_evaluate(sub)
    _add_predict(sub)
    try:
        from .explain.cli import add_explain_parser
    except ImportError:
        pass
    else:
        add_explain_parser(sub)
    from .onnx.cli import add_export_parser
    add_export_parser(sub)
    from .playground.cli import add_playground_parser
    add_playground_parser(sub)
    for command in sub.choices.values():  # every command's --help shows the defaults
        show_defaults(command)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result = args.run(args)
    except KeyboardInterrupt:
        print("retrograd: interrupted; the last checkpoint written is intact", file=sys.stderr)
        return 130
    except (UsageError, FileNotFoundError, ValueError, KeyError, ImportError, OSError,
            pickle.UnpicklingError, FloatingPointError) as e:
        message = e.args[0] if isinstance(e, KeyError) and e.args else e
        print(f"retrograd {args.command}: error: {' '.join(str(message).split())}",
              file=sys.stderr)
        return EXIT_USAGE
    return int(result or 0)


# ----- train ------------------------------------------------------------------------------
def run_evaluate(args) -> int:
    from . import nn
    from .metrics import get_metric
    from .data import DataLoader, TensorDataset
    from .train import Trainer
    from .train.model_file import load_model_file

    model, spec = load_model_file(args.model)
    name = args.dataset or spec.get("dataset", "mnist-sample")
    root = args.data_root if args.data_root is not None else spec.get("data_root")
    x, y, _ = _load_split(name, root, False, spec["image_size"])
    if x.shape[1:] != (spec["in_channels"], spec["image_size"], spec["image_size"]):
        raise UsageError(f"dataset {name} has images of shape {x.shape[1:]}, but the model expects "
                         f"{(spec['in_channels'], spec['image_size'], spec['image_size'])}")
    trainer = Trainer(model, None, nn.CrossEntropyLoss(), verbose=0)
    # a class never predicted makes precision 0/0: reported as 0 (sklearn's value) without a
    # warning in the command's output
    ill_defined_as_0 = [get_metric(m, zero_division=0) for m in ("precision", "recall", "f1")]
    figures = trainer.evaluate(DataLoader(TensorDataset(x, y), batch_size=args.batch_size),
                               metrics=["accuracy", *ill_defined_as_0, "confusion_matrix"])
    print(f"{spec['name']} on {name} (test split, {len(x)} images)")
    for key in ("loss", "accuracy", "precision", "recall", "f1"):
        print(f"  {key:10s} {figures[key]:.4f}")
    print("confusion matrix (rows: true class, columns: predicted):")
    for row in np.asarray(figures["confusion_matrix"]):
        print("  " + " ".join(f"{int(v):5d}" for v in row))
    return 0


def run_predict(args) -> int:
    import retrograd as rg
    from .train.model_file import load_model_file
    from .train.predict_input import read_input

    model, spec = load_model_file(args.model)
    classes = spec.get("classes") or [str(i) for i in range(spec["num_classes"])]
    with warnings.catch_warnings():  # the command's own process: read_input refuses the
        warnings.filterwarnings("ignore", "Image size", module="PIL")  # image Pillow warns of
        batches = [(path, *read_input(path, spec["in_channels"], spec["image_size"],
                                      invert=not args.no_invert)) for path in args.inputs]
    with rg.no_grad():
        for path, arr, inverted in batches:
            probs = model(rg.tensor(arr)).softmax(1).numpy()
            for i, p in enumerate(probs):
                order = np.argsort(-p)[: max(args.top, 1)]
                label = path if len(probs) == 1 else f"{path}[{i}]"
                shown = ", ".join(f"{classes[k]}: {p[k]:.3f}" for k in order)
                note = "  [light background: inverted; --no-invert to keep]" if inverted[i] else ""
                print(f"{label}: class {classes[order[0]]}  ({shown}){note}")
    return 0


def entry_point() -> None:
    """The ``retrograd`` command: its own process, so it may tune the C allocator (keeping freed
    activations mapped between steps); ``main`` alone, called from Python, leaves it alone."""
    from .backends.cpu import tune_malloc

    tune_malloc()
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    entry_point()
