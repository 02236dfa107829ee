"""The output folder of ``retrograd train``: checked before any work starts.

``prepare_run_folder`` makes sure the folder can be written, refuses to overwrite a finished
or unfinished run unless asked (``--force``, ``--resume``), removes temporary files a killed
checkpoint write left behind, and says which checkpoint, if any, to resume from.
"""
from __future__ import annotations

import os
import sys
import tempfile

CHECKPOINT = "checkpoint.safetensors"
MODEL = "model.safetensors"


class RunFolderError(ValueError):
    """The output folder cannot be used as asked (reported by the command in one line)."""


def check_writable(out: str) -> None:
    """Create ``out`` if needed and prove a file can be written in it."""
    if os.path.exists(out) and not os.path.isdir(out):
        raise RunFolderError(f"--out {out} exists and is not a folder")
    try:
        os.makedirs(out, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=out, prefix=".write-test.", suffix=".tmp")
        os.close(fd)
        os.remove(probe)
    except OSError as err:
        raise RunFolderError(f"--out {out} is not writable ({err.strerror or err})") from None


def prepare_run_folder(out: str, resume: str | None, force: bool) -> str | None:
    """Check ``out`` for a training run; returns the checkpoint to resume from, or None.

    ``resume`` is None, "auto" (``OUT/checkpoint.safetensors``) or a path. With "auto" and no
    checkpoint yet, the run starts fresh and says so on stderr (a resubmitted job's first run).
    Raises ``RunFolderError`` when the folder cannot be written, when ``resume`` names a missing
    file, or when the folder holds a run and neither ``resume`` nor ``force`` was given.
    """
    from ..io.safetensors_io import remove_stale_temp_files

    check_writable(out)
    remove_stale_temp_files(out)
    checkpoint = os.path.join(out, CHECKPOINT)
    if resume is not None:
        path = checkpoint if resume == "auto" else resume
        if os.path.isfile(path):
            return path
        if resume != "auto":
            raise RunFolderError(f"--resume: no checkpoint at {path}")
        print(f"retrograd train: note: no checkpoint in {out} yet; starting a fresh run",
              file=sys.stderr)
        return None
    if force:
        return None
    if os.path.isfile(os.path.join(out, MODEL)):
        raise RunFolderError(f"--out {out} already holds a finished run ({MODEL}); pass --force "
                             "to overwrite it, or choose another --out")
    if os.path.isfile(checkpoint):
        raise RunFolderError(f"--out {out} holds an unfinished run ({CHECKPOINT}); pass --resume "
                             "to continue it, --force to start over, or choose another --out")
    return None
