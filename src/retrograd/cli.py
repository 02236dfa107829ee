"""The ``retrograd`` command: train, evaluate, predict, explain.

Bad input (a missing file, a wrong shape, an unknown name) ends with a one-line error and exit
status 2, never a traceback.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

EXIT_USAGE = 2


class UsageError(Exception):
    """A problem with what the user asked for: reported in one line, exit status 2."""


def _add_train(sub):
    p = sub.add_parser("train", help="train a model (default: LeNet-5 on the built-in MNIST sample)")
    p.add_argument("--model", default="lenet5", help="mlp, lenet5, resnet8, resnet20, resnet32, "
                   "resnet56, resnet18, vgg_small, vgg11, vgg16, lstm, gru, rnn (default lenet5; "
                   "lstm/gru/rnn read images row by row)")
    p.add_argument("--dataset", default="mnist-sample", help="mnist-sample (built in), mnist, "
                   "fashion-mnist, cifar10, cifar100, or a folder of the official files")
    p.add_argument("--data-root", default=None, help="where named datasets are cached")
    p.add_argument("--epochs", type=int, default=None, help="default 8 (lstm/gru/rnn: 12)")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--optimizer", default=None, choices=["sgd", "adam", "adamw", "rmsprop", "adagrad"],
                   help="default sgd (lstm/gru/rnn: adam)")
    p.add_argument("--lr", type=float, default=None, help="default 0.05 for sgd, 0.001 otherwise")
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--weight-decay", type=float, default=None, help="default 5e-4 (lstm/gru/rnn: 0)")
    p.add_argument("--schedule", default=None, choices=["none", "step", "cosine", "onecycle"],
                   help="default onecycle")
    p.add_argument("--clip-grad-norm", type=float, default=None,
                   help="rescale gradients to this total norm (default: none; lstm/gru/rnn: 1)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="runs/{model}-{dataset}", help="output folder")
    p.add_argument("--resume", nargs="?", const="auto", default=None,
                   help="resume from a checkpoint (default: OUT/checkpoint.safetensors)")
    p.add_argument("--no-plots", action="store_true")
    p.add_argument("--quiet", "-q", action="store_true")
    p.set_defaults(run=run_train)


def _add_evaluate(sub):
    p = sub.add_parser("evaluate", help="metrics and confusion matrix of a saved model on a test split")
    p.add_argument("model", help="a model file written by `retrograd train` (model.safetensors)")
    p.add_argument("--dataset", default=None, help="default: the dataset the model was trained on")
    p.add_argument("--data-root", default=None)
    p.add_argument("--batch-size", type=int, default=256)
    p.set_defaults(run=run_evaluate)


def _add_predict(sub):
    p = sub.add_parser("predict", help="class and probabilities for image files or a .npy array")
    p.add_argument("model")
    p.add_argument("inputs", nargs="+", help="PNG/JPEG images (needs Pillow) or .npy arrays")
    p.add_argument("--top", type=int, default=3, help="how many classes to show")
    p.set_defaults(run=run_predict)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="retrograd", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    _add_train(sub)
    _add_evaluate(sub)
    _add_predict(sub)
    try:
        from .explain.cli import add_explain_parser
    except ImportError:
        pass
    else:
        add_explain_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result = args.run(args)
    except KeyboardInterrupt:
        print("retrograd: interrupted; the last checkpoint written is intact", file=sys.stderr)
        return 130
    except (UsageError, FileNotFoundError, ValueError, KeyError, ImportError, OSError) as e:
        message = e.args[0] if isinstance(e, KeyError) and e.args else e
        print(f"retrograd {args.command}: error: {message}", file=sys.stderr)
        return EXIT_USAGE
    return int(result or 0)


# ----- train ------------------------------------------------------------------------------
def _load_split(name, root, train):
    from .data.datasets import load_dataset

    ds = load_dataset(name, root=root, train=train)
    images, labels = ds.arrays()
    return images.astype(np.float32, copy=False), labels.astype(np.int64, copy=False), ds


def _make_optimizer(args, params):
    from . import optim

    lr = args.lr if args.lr is not None else (0.05 if args.optimizer == "sgd" else 1e-3)
    if lr <= 0:
        raise UsageError(f"--lr must be positive, got {lr}")
    if args.optimizer == "sgd":
        return optim.SGD(params, lr=lr, momentum=args.momentum, weight_decay=args.weight_decay,
                         nesterov=args.momentum > 0)
    cls = {"adam": optim.Adam, "adamw": optim.AdamW, "rmsprop": optim.RMSprop,
           "adagrad": optim.Adagrad}[args.optimizer]
    return cls(params, lr=lr, weight_decay=args.weight_decay)


def _make_schedule(args, optimizer, steps_per_epoch):
    from .optim import lr_scheduler as S

    if args.schedule == "none":
        return None, False
    if args.schedule == "step":
        return S.StepLR(optimizer, step_size=max(args.epochs // 3, 1), gamma=0.1), False
    if args.schedule == "cosine":
        return S.CosineAnnealingLR(optimizer, T_max=args.epochs), False
    lr = optimizer.param_groups[0]["lr"]
    return S.OneCycleLR(optimizer, max_lr=lr, epochs=args.epochs, steps_per_epoch=steps_per_epoch), True


_TRAIN_DEFAULTS = {"epochs": 8, "optimizer": "sgd", "lr": None, "weight_decay": 5e-4,
                   "schedule": "onecycle", "clip_grad_norm": None}


def _fill_model_defaults(args) -> None:
    """Options left unset take the model's own defaults (models.registry.TRAIN_DEFAULTS), then
    the command's."""
    from .models.registry import train_defaults

    defaults = {**_TRAIN_DEFAULTS, **train_defaults(args.model)}
    for key, value in defaults.items():
        if getattr(args, key, None) is None:
            setattr(args, key, value)


def run_train(args) -> int:
    from .train.launch import current_job

    job = current_job(brief_errors=(UsageError,))  # data-parallel when mpiexec started it
    with job.failures():
        return _train(args, job)


def _train(args, job) -> int:
    import retrograd as rg
    from . import nn
    from .data import TensorDataset
    from .models.registry import build_model
    from .train import CSVLogger, ModelCheckpoint
    from .train.launch import scaled_lr
    from .train.model_file import save_model_file

    _fill_model_defaults(args)
    if args.epochs < 1 or args.batch_size < 1:
        raise UsageError("--epochs and --batch-size must be at least 1")
    out = args.out.format(model=args.model, dataset=os.path.basename(str(args.dataset).rstrip("/")))
    rg.manual_seed(args.seed)
    x_train, y_train, ds = _load_split(args.dataset, args.data_root, True)
    x_test, y_test, _ = _load_split(args.dataset, args.data_root, False)
    num_classes = int(max(y_train.max(), y_test.max()) + 1)
    in_channels, image_size = x_train.shape[1], x_train.shape[-1]
    spec = {"name": args.model, "num_classes": num_classes, "in_channels": int(in_channels),
            "image_size": int(image_size), "dataset": str(args.dataset),
            "classes": [str(c) for c in getattr(ds, "classes", range(num_classes))]}
    model = build_model(args.model, num_classes, in_channels, image_size)
    train_loader = job.train_loader(TensorDataset(x_train, y_train), args.batch_size, args.seed)
    test_loader = job.test_loader(TensorDataset(x_test, y_test), 256)
    base_lr = args.lr if args.lr is not None else (0.05 if args.optimizer == "sgd" else 1e-3)
    args.lr, lr_rule = scaled_lr(base_lr, job.world_size, args.optimizer)
    optimizer = _make_optimizer(args, model.parameters())
    scheduler, per_batch = _make_schedule(args, optimizer, len(train_loader))
    os.makedirs(out, exist_ok=True)
    checkpoint = os.path.join(out, "checkpoint.safetensors")
    trainer = job.trainer(job.wrap(model), optimizer, nn.CrossEntropyLoss(), seed=args.seed,
                          metrics=["accuracy"], scheduler=scheduler, schedule_per_batch=per_batch,
                          verbose=0 if args.quiet else 1, clip_grad_norm=args.clip_grad_norm,
                          callbacks=[ModelCheckpoint(checkpoint)]
                          + [CSVLogger(os.path.join(out, "history.csv"), append=bool(args.resume))
                             ] * job.is_writer)
    trainer.train_loader = train_loader
    if args.resume:
        path = checkpoint if args.resume == "auto" else args.resume
        if not os.path.isfile(path):
            raise UsageError(f"--resume: no checkpoint at {path}")
        planned = _peek_plan(path)
        if planned and (planned.get("model"), planned.get("dataset")) != (args.model, str(args.dataset)):
            raise UsageError(f"--resume: {path} was trained as {planned.get('model')} on "
                             f"{planned.get('dataset')}, not {args.model} on {args.dataset}")
        if planned and args.schedule == "onecycle" and planned.get("epochs") != args.epochs:
            raise UsageError(f"--resume: the checkpoint follows a one-cycle schedule planned for "
                             f"{planned.get('epochs')} epochs; resume with --epochs "
                             f"{planned.get('epochs')} (or train anew)")
        start = trainer.load_checkpoint(path, loader=train_loader)
        if job.is_writer:
            print(f"resumed from {path} at epoch {start}")
    trainer.checkpoint_extra = {"model": args.model, "dataset": str(args.dataset), "epochs": args.epochs}
    if not args.quiet and job.is_writer:
        n_params = sum(p.numel() for p in model.parameters())
        print(f"training {args.model} ({n_params:,} parameters) on {args.dataset}: "
              f"{len(x_train)} train / {len(x_test)} test images, {args.epochs} epochs")
        if job.world_size > 1:
            threads = f"{job.threads} thread{'s' * (job.threads != 1)}"
            print(f"data-parallel over {job.world_size} processes x {threads}: global "
                  f"batch {args.batch_size * job.world_size} ({args.batch_size} per process), "
                  f"lr {args.lr:g} (scaling rule: {lr_rule})")
    t0 = time.perf_counter()
    history = trainer.fit(train_loader, epochs=args.epochs, validation=test_loader)
    seconds = time.perf_counter() - t0
    final = trainer.evaluate(test_loader, metrics=["accuracy", "confusion_matrix"])
    probs = None if args.no_plots else trainer.predict(test_loader).softmax(1).numpy()
    if not job.is_writer:
        return 0
    save_model_file(model, os.path.join(out, "model.safetensors"), spec)
    history.to_csv(os.path.join(out, "history.csv"))
    plotted = probs is not None and _plots(history, final, probs, y_test, out)
    print(f"test accuracy {final['accuracy']:.4f} after {trainer.epoch} epochs "
          f"({seconds:.1f} s of training); wrote {out}/model.safetensors, checkpoint.safetensors, "
          f"history.csv{' and plots (curves, confusion matrix, ROC)' if plotted else ''}")
    return 0


def _peek_plan(path) -> dict:
    """The training plan stored in a checkpoint by `retrograd train` (empty if none)."""
    import json

    from .io import load_metadata

    meta = load_metadata(path)
    try:
        return json.loads(meta.get("retrograd.checkpoint", "{}")).get("extra", {}).get("user", {}) or {}
    except (ValueError, AttributeError):
        return {}


def _plots(history, final, probs, y_test, out) -> bool:
    from .train.plots import plot_confusion_matrix, plot_history, plot_roc

    try:
        plot_history(history, os.path.join(out, "curves.png"))
        plot_confusion_matrix(np.asarray(final["confusion_matrix"]), os.path.join(out, "confusion_matrix.png"))
        plot_roc(y_test, probs, os.path.join(out, "roc.png"))
    except ImportError as e:
        print(f"(plots skipped: {e})")
        return False
    return True


# ----- evaluate / predict --------------------------------------------------------------------
def run_evaluate(args) -> int:
    from . import nn
    from .data import DataLoader, TensorDataset
    from .train import Trainer
    from .train.model_file import load_model_file

    model, spec = load_model_file(args.model)
    name = args.dataset or spec.get("dataset", "mnist-sample")
    x, y, _ = _load_split(name, args.data_root, False)
    if x.shape[1:] != (spec["in_channels"], spec["image_size"], spec["image_size"]):
        raise UsageError(f"dataset {name} has images of shape {x.shape[1:]}, but the model expects "
                         f"{(spec['in_channels'], spec['image_size'], spec['image_size'])}")
    trainer = Trainer(model, None, nn.CrossEntropyLoss(), verbose=0)
    figures = trainer.evaluate(DataLoader(TensorDataset(x, y), batch_size=args.batch_size),
                               metrics=["accuracy", "precision", "recall", "f1", "confusion_matrix"])
    print(f"{spec['name']} on {name} (test split, {len(x)} images)")
    for key in ("loss", "accuracy", "precision", "recall", "f1"):
        print(f"  {key:10s} {figures[key]:.4f}")
    print("confusion matrix (rows: true class, columns: predicted):")
    for row in np.asarray(figures["confusion_matrix"]):
        print("  " + " ".join(f"{int(v):5d}" for v in row))
    return 0


def _read_input(path, spec):
    size, channels = spec["image_size"], spec["in_channels"]
    if not os.path.isfile(path):
        raise FileNotFoundError(f"input file not found: {path}")
    if path.endswith(".npy"):
        arr = np.load(path, allow_pickle=False).astype(np.float32)
        if arr.max() > 1.5:
            arr = arr / 255.0
    else:
        try:
            from PIL import Image
        except ImportError:
            raise ImportError("reading images needs Pillow: pip install 'retrograd[image]'") from None
        try:
            img = Image.open(path).convert("L" if channels == 1 else "RGB").resize((size, size))
        except OSError as e:
            raise UsageError(f"cannot read image {path}: {e}") from None
        arr = np.asarray(img, dtype=np.float32) / 255.0
        arr = arr[None] if channels == 1 else arr.transpose(2, 0, 1)
    want = (channels, size, size)
    if channels == 1 and arr.shape[-2:] == want[1:] and arr.ndim in (2, 3):
        arr = arr.reshape(-1, 1, size, size)  # one (H, W) image or a stack (N, H, W)
    elif arr.shape == want:
        arr = arr[None]
    if arr.ndim != 4 or arr.shape[1:] != want:
        raise UsageError(f"{path}: array of shape {arr.shape} does not fit the model's input "
                         f"{want} (or (N, {channels}, {size}, {size}))")
    return arr


def run_predict(args) -> int:
    import retrograd as rg
    from .train.model_file import load_model_file

    model, spec = load_model_file(args.model)
    classes = spec.get("classes") or [str(i) for i in range(spec["num_classes"])]
    batches = [(path, _read_input(path, spec)) for path in args.inputs]
    with rg.no_grad():
        for path, arr in batches:
            probs = model(rg.tensor(arr)).softmax(1).numpy()
            for i, p in enumerate(probs):
                order = np.argsort(-p)[: max(args.top, 1)]
                label = path if len(probs) == 1 else f"{path}[{i}]"
                shown = ", ".join(f"{classes[k]}: {p[k]:.3f}" for k in order)
                print(f"{label}: class {classes[order[0]]}  ({shown})")
    return 0


def entry_point() -> None:
    """The ``retrograd`` command: its own process, so it may tune the C allocator (keeping freed
    activations mapped between steps); ``main`` alone, called from Python, leaves it alone."""
    from .backends.cpu import tune_malloc

    tune_malloc()
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    entry_point()
