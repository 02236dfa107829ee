"""``retrograd train``: data, model, optimizer, schedule and run folder from the command line,
then the Trainer (data-parallel when ``mpiexec`` started the command)."""
from __future__ import annotations

import os
import time

import numpy as np

from .cli_help import canonical_name
from .cli_types import UsageError


def _load_split(name, root, train, image_size=None, seed=0):
    """(images float32 (N, C, S, S), labels int64, dataset or None) of a named dataset, a folder
    of official files or an image folder (resized to ``image_size``)."""
    from types import SimpleNamespace

    from .data.datasets import image_folder_arrays, is_image_folder, load_dataset

    if os.path.isdir(str(name)) and is_image_folder(name):
        images, labels, classes = image_folder_arrays(name, train, image_size, seed)
        return images, labels, SimpleNamespace(classes=classes)
    ds = load_dataset(name, root=root, train=train)
    images, labels = ds.arrays()
    images = images.astype(np.float32, copy=False)
    if image_size and images.shape[-1] != image_size:
        from .data.transforms import Resize

        images = Resize((image_size, image_size))(images)
    return images, labels.astype(np.int64, copy=False), ds


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
    from .train.run_folder import prepare_run_folder

    _fill_model_defaults(args)
    _canonical_names(args)
    dataset = _dataset_id(args.dataset)
    _check_model_name(args.model)
    dataset_label = os.path.basename(str(args.dataset).rstrip("/"))
    try:
        out = args.out.format(model=args.model, dataset=dataset_label)
    except (KeyError, IndexError, ValueError) as e:
        raise UsageError(f"--out {args.out!r}: only {{model}} and {{dataset}} can be filled in "
                         f"({e})") from None
    resume_from = prepare_run_folder(out, args.resume, args.force)
    if resume_from is not None:
        _check_plan(resume_from, args, dataset)
    rg.manual_seed(args.seed)
    x_train, y_train, ds = _load_split(args.dataset, args.data_root, True, args.image_size, args.seed)
    x_test, y_test, _ = _load_split(args.dataset, args.data_root, False, args.image_size, args.seed)
    num_classes = int(max(y_train.max(), y_test.max()) + 1)
    in_channels, image_size = x_train.shape[1], x_train.shape[-1]
    spec = {"name": args.model, "num_classes": num_classes, "in_channels": int(in_channels),
            "image_size": int(image_size), "dataset": dataset,
            "classes": [str(c) for c in getattr(ds, "classes", range(num_classes))]}
    if args.data_root is not None:
        spec["data_root"] = os.path.abspath(os.path.expanduser(args.data_root))
    model = build_model(args.model, num_classes, in_channels, image_size)
    train_loader = job.train_loader(TensorDataset(x_train, y_train), args.batch_size, args.seed)
    test_loader = job.test_loader(TensorDataset(x_test, y_test), 256)
    base_lr = args.lr if args.lr is not None else (0.05 if args.optimizer == "sgd" else 1e-3)
    args.lr, lr_rule = scaled_lr(base_lr, job.world_size, args.optimizer)
    optimizer = _make_optimizer(args, model.parameters())
    scheduler, per_batch = _make_schedule(args, optimizer, len(train_loader))
    checkpoint = os.path.join(out, "checkpoint.safetensors")
    board = _tensorboard(args, out) if job.is_writer else []
    trainer = job.trainer(job.wrap(model), optimizer, nn.CrossEntropyLoss(), seed=args.seed,
                          metrics=["accuracy"], scheduler=scheduler, schedule_per_batch=per_batch,
                          verbose=0 if args.quiet else 1, clip_grad_norm=args.clip_grad_norm,
                          callbacks=[ModelCheckpoint(checkpoint)]
                          + [CSVLogger(os.path.join(out, "history.csv"), append=bool(resume_from))
                             ] * job.is_writer + board)
    trainer.train_loader = train_loader
    if resume_from is not None:
        try:
            start = trainer.load_checkpoint(resume_from, loader=train_loader)
        except RuntimeError as e:  # load_state_dict: keys or shapes of another model
            raise UsageError(f"--resume: {resume_from} does not fit {args.model}: {e}") from None
        if job.is_writer:
            print(f"resumed from {resume_from} at epoch {start}")
    trainer.checkpoint_extra = {"model": args.model, "dataset": dataset, "epochs": args.epochs,
                                "optimizer": args.optimizer}
    if not args.quiet and job.is_writer:
        print(rg.summary(model, (1, *x_train.shape[1:]), verbose=0))
        n_params = sum(p.numel() for p in model.parameters())
        print(f"training {args.model} ({n_params:,} parameters) on {args.dataset}: "
              f"{len(x_train)} train / {len(x_test)} test images, {args.epochs} epochs")
        if job.world_size > 1:
            threads = f"{job.threads} thread{'s' * (job.threads != 1)}"
            print(f"data-parallel over {job.world_size} processes x {threads}: global "
                  f"batch {args.batch_size * job.world_size} ({args.batch_size} per process), "
                  f"lr {args.lr:g} (scaling rule: {lr_rule})")
    t0 = time.perf_counter()
    try:
        history = trainer.fit(train_loader, epochs=args.epochs, validation=test_loader)
    except FloatingPointError as e:
        lr = optimizer.defaults["lr"]
        raise UsageError(f"{e} (--lr {lr:g}; try {lr / 10:g} or smaller)") from None
    seconds = time.perf_counter() - t0
    final = trainer.evaluate(test_loader, metrics=["accuracy", "confusion_matrix"])
    probs = None if args.no_plots else trainer.predict(test_loader).softmax(1).numpy()
    if not job.is_writer:
        return 0
    save_model_file(model, os.path.join(out, "model.safetensors"), spec)
    history.to_csv(os.path.join(out, "history.csv"))
    for callback in board:
        callback.writer.add_hparams({k: v for k, v in vars(args).items()
                                     if isinstance(v, (int, float, str)) and k != "command"},
                                    {"hparam/accuracy": final["accuracy"], "hparam/loss": final["loss"]},
                                    run_name="hparams")
        callback.writer.close()
    plotted = probs is not None and _plots(history, final, probs, y_test, out,
                                           f"{args.model} on {dataset_label}", spec["classes"])
    print(f"test accuracy {final['accuracy']:.4f} after {trainer.epoch} epochs "
          f"({seconds:.1f} s of training); wrote {out}/model.safetensors, checkpoint.safetensors, "
          f"history.csv{' and plots (curves, confusion matrix, ROC)' if plotted else ''}"
          f"{'; TensorBoard logs in ' + os.path.join(out, 'tensorboard') if board else ''}")
    return 0


def _canonical_names(args) -> None:
    """Model and dataset names as the registries spell them ('LeNet-5' -> 'lenet5',
    'MNIST_sample' -> 'mnist-sample'); a dataset that is no known name stays a path."""
    from .data.datasets import DATASET_NAMES
    from .models.registry import MODELS

    model = canonical_name(args.model, MODELS)
    if model is None:
        raise UsageError(f"unknown model {args.model!r}; choose one of: {', '.join(sorted(MODELS))}")
    args.model = model
    if not os.path.exists(str(args.dataset)):
        args.dataset = canonical_name(args.dataset, DATASET_NAMES) or args.dataset


def _tensorboard(args, out) -> list:
    """The TensorBoard callback for --tensorboard (its writer logs the run's settings too)."""
    if not args.tensorboard:
        return []
    from .train import TensorBoard

    callback = TensorBoard(os.path.join(out, "tensorboard"))
    callback.writer.add_text("run", " ".join(f"--{k.replace('_', '-')} {v}" for k, v in
                                             sorted(vars(args).items()) if k not in ("run", "command")))
    return [callback]


def _peek_plan(path) -> dict:
    """The training plan stored in a checkpoint by `retrograd train` (empty if none)."""
    import json

    from .io import load_metadata

    meta = load_metadata(path)
    try:
        plan = json.loads(meta.get("retrograd.checkpoint", "{}")).get("extra", {}).get("user", {})
    except (ValueError, AttributeError, RecursionError):
        return {}
    return plan if isinstance(plan, dict) else {}


def _check_plan(path, args, dataset) -> None:
    """Refuse to resume a checkpoint made for another model, dataset, optimizer or schedule."""
    planned = _peek_plan(path)
    if not planned:
        return
    planned_dataset = planned.get("dataset")
    if isinstance(planned_dataset, str) and os.path.exists(planned_dataset):
        planned_dataset = os.path.abspath(planned_dataset)  # written before paths were resolved
    if (planned.get("model"), planned_dataset) != (args.model, dataset):
        raise UsageError(f"--resume: {path} was trained as {planned.get('model')} on "
                         f"{planned.get('dataset')}, not {args.model} on {dataset}")
    if planned.get("optimizer", args.optimizer) != args.optimizer:
        raise UsageError(f"--resume: {path} was trained with --optimizer "
                         f"{planned.get('optimizer')}, not {args.optimizer}")
    if args.schedule == "onecycle" and planned.get("epochs") != args.epochs:
        raise UsageError(f"--resume: the checkpoint follows a one-cycle schedule planned for "
                         f"{planned.get('epochs')} epochs; resume with --epochs "
                         f"{planned.get('epochs')} (or train anew)")


def _dataset_id(name) -> str:
    """A dataset's name as given, or a folder's absolute path (what model files store)."""
    from .data.datasets.registry import dataset_key

    if dataset_key(name) is not None:
        return dataset_key(name)
    if not os.path.exists(os.path.expanduser(str(name))):
        from .data.datasets.registry import DATASET_NAMES

        raise UsageError(f"--dataset: unknown dataset {str(name)!r}; known names: "
                         f"{', '.join(DATASET_NAMES)}, or a folder holding the official files")
    return os.path.abspath(os.path.expanduser(str(name)))


def _check_model_name(name) -> None:
    from .models.registry import MODELS

    if name.lower().replace("-", "") not in MODELS:
        raise UsageError(f"--model: unknown model {name!r}; choose one of: "
                         f"{', '.join(sorted(MODELS))}")


def _plots(history, final, probs, y_test, out, title=None, classes=None) -> bool:
    from .train.plots import plot_confusion_matrix, plot_history, plot_roc

    try:
        plot_history(history, os.path.join(out, "curves.png"), title=title)
        plot_confusion_matrix(np.asarray(final["confusion_matrix"]),
                              os.path.join(out, "confusion_matrix.png"), classes, title=title)
        plot_roc(y_test, probs, os.path.join(out, "roc.png"), classes, title=title)
    except ImportError as e:
        print(f"(plots skipped: {e})")
        return False
    return True


# ----- evaluate / predict --------------------------------------------------------------------
