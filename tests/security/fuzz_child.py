"""Child process of test_untrusted_files.py: load each file of a manifest under memory, CPU and
per-load time limits, and print one line per file: ``<index> ok``, ``<index> err <Class>`` (a
documented error) or ``<index> BAD <Class>: <message>`` (anything else).

Usage: python fuzz_child.py MANIFEST.json   (a list of [kind, path]; kinds below)
"""
import json
import os
import resource
import shutil
import signal
import sys

MEMORY_LIMIT = 3 << 30  # address space, bytes
SECONDS_PER_LOAD = 10


class Hang(BaseException):  # not caught by any loader's except Exception
    pass


def _alarm(signum, frame):
    raise Hang(f"a load ran longer than {SECONDS_PER_LOAD} s")


def loaders():
    """kind -> (load(path), the exceptions its documentation promises)."""
    import pickle

    from retrograd import nn, optim
    from retrograd.data.datasets import CIFAR10, DatasetNotFoundError, IDXFormatError, read_idx
    from retrograd.data.datasets.safe_pickle import safe_load
    from retrograd.io import CorruptFileError, load, load_checkpoint
    from retrograd.train.model_file import load_model_file
    from retrograd.train.predict_input import InputFileError, read_input

    cifar_root = os.environ["FUZZ_CIFAR_ROOT"]  # a complete CIFAR-10 folder; batch 1 replaced

    def cifar(path):
        shutil.copyfile(path, os.path.join(cifar_root, "cifar-10-batches-py", "data_batch_1"))
        return CIFAR10(root=cifar_root, download=False)

    def checkpoint(path):
        model = nn.Linear(3, 2)
        opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        return load_checkpoint(path, model, opt, optim.lr_scheduler.StepLR(opt, 1),
                               loader=checkpoint_loader())

    def cifar_archive(path):
        root = os.environ["FUZZ_ARCHIVE_ROOT"]
        shutil.copyfile(path, os.path.join(root, "cifar-10-python.tar.gz"))
        return CIFAR10(root=root, download=False)

    return {
        "pickle": (lambda p: safe_load(open(p, "rb").read(), p), (pickle.UnpicklingError,)),
        "cifar": (cifar, (pickle.UnpicklingError, ValueError, DatasetNotFoundError)),
        "idx": (read_idx, (IDXFormatError,)),
        "safetensors": (load, (CorruptFileError, ValueError)),
        # load_state_dict documents RuntimeError for tensors of the wrong shape
        "checkpoint": (checkpoint, (CorruptFileError, ValueError, RuntimeError)),
        "model": (load_model_file, (CorruptFileError, ValueError)),
        "input": (lambda p: read_input(p, 1, 28), (InputFileError, FileNotFoundError)),
        "cifar-archive": (cifar_archive, (pickle.UnpicklingError, ValueError,
                                          DatasetNotFoundError)),
        "cli-predict": (lambda p: command(["predict", os.environ["FUZZ_MODEL"], p]),
                        (CommandError,)),
        "cli-evaluate": (lambda p: command(["evaluate", p, "--batch-size", "500"]),
                         (CommandError,)),
    }


def checkpoint_loader():
    """The loader test_untrusted_files.py saves in its checkpoint."""
    import numpy as np

    from retrograd.data import DataLoader, TensorDataset

    return DataLoader(TensorDataset(np.zeros((8, 3), np.float32), np.zeros(8, np.int64)),
                      batch_size=4, shuffle=True, generator=0)


class CommandError(Exception):
    """`retrograd` ended with exit status 2 and one line on stderr: its documented refusal."""


def command(argv):
    """Run the command in-process; refusals become CommandError, anything else is BAD."""
    import contextlib
    import io

    from retrograd.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    lines = err.getvalue().strip().splitlines()
    if code == 2 and len(lines) == 1 and "Traceback" not in lines[0]:
        raise CommandError(lines[0])
    if code != 0 or lines:
        raise AssertionError(f"exit status {code}, stderr {lines[:3]}")


def main(manifest_path):
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGALRM, _alarm)
    table = loaders()
    with open(manifest_path) as f:
        manifest = json.load(f)
    for index, (kind, path) in enumerate(manifest):
        load, documented = table[kind]
        signal.alarm(SECONDS_PER_LOAD)
        try:
            load(path)
            outcome = "ok"
        except documented as err:
            outcome = f"err {type(err).__name__}"
        except BaseException as err:  # noqa: B902 - the point is to see everything else
            message = " ".join(str(err).split())[:300]
            outcome = f"BAD {type(err).__name__}: {message}"
        finally:
            signal.alarm(0)
        print(index, outcome, flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
