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
        return load_checkpoint(path, model, optim.SGD(model.parameters(), lr=0.1, momentum=0.9))

    return {
        "pickle": (lambda p: safe_load(open(p, "rb").read(), p), (pickle.UnpicklingError,)),
        "cifar": (cifar, (pickle.UnpicklingError, ValueError, DatasetNotFoundError)),
        "idx": (read_idx, (IDXFormatError,)),
        "safetensors": (load, (CorruptFileError, ValueError)),
        # load_state_dict documents RuntimeError for tensors of the wrong shape
        "checkpoint": (checkpoint, (CorruptFileError, ValueError, RuntimeError)),
        "model": (load_model_file, (CorruptFileError, ValueError)),
        "input": (lambda p: read_input(p, 1, 28), (InputFileError, FileNotFoundError)),
    }


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
