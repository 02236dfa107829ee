"""Keep freed array memory mapped between training steps (Linux with glibc only): an opt-in
call, ``retrograd.tune_malloc()``. Importing retrograd never calls it; the ``retrograd``
command calls it for its own process.

A training step allocates and frees the same large arrays (activations, gradients) every
step. glibc returns a freed block of at least its *mmap threshold* to the kernel and maps it
afresh on the next allocation, and the kernel zeroes every page on first touch: measured on a
LeNet-5 step (batch 128), 2,457 page faults a step and 20-30% of the step's time. glibc raises
that threshold only after freeing a block larger than the current one, so whether a program
pays depends on the order of its allocations. Setting the threshold and the trim threshold
explicitly (what ``MALLOC_MMAP_THRESHOLD_`` / ``MALLOC_TRIM_THRESHOLD_`` do) keeps blocks of up
to 32 MiB on the heap and up to ``TRIM_BYTES`` of freed heap mapped for reuse; the cost is that
the process's resident size stays near its peak. It changes the C allocator of the whole
process, which is why a library must not do it unasked.

Set ``RETROGRAD_MALLOC_TUNING=0`` to leave the C allocator alone; variables of glibc's own
(``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_``) win over this.
"""
from __future__ import annotations

import ctypes
import os
import platform

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
MMAP_BYTES = 32 << 20  # glibc's largest allowed mmap threshold on 64-bit
TRIM_BYTES = 256 << 20

tuned = False


def tune_malloc() -> bool:
    """Apply the settings above once; returns whether they are in force."""
    global tuned
    if tuned:
        return True
    if (os.environ.get("RETROGRAD_MALLOC_TUNING", "1") == "0"
            or platform.system() != "Linux" or platform.libc_ver()[0] != "glibc"
            or "MALLOC_MMAP_THRESHOLD_" in os.environ or "MALLOC_TRIM_THRESHOLD_" in os.environ):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    tuned = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_BYTES)) and bool(mallopt(_M_TRIM_THRESHOLD,
                                                                          TRIM_BYTES))
    return tuned
