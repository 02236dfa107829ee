"""The opt-in allocator setting that keeps freed array memory mapped
(retrograd/backends/cpu/memory.py): importing retrograd leaves the allocator alone. A "step"
that allocates and frees eight 1.5 MiB arrays, as a training step does with activations: glibc's
default gives the freed heap back to the kernel after each step (its trim threshold follows the
largest block freed so far), so every page is faulted in again in the next."""
import os
import platform
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                                reason="the tuning applies to glibc only")

LOOP = """
import resource, numpy as np
import sys, retrograd
from retrograd.backends.cpu import memory as m
if sys.argv[1] == "opt-in":
    retrograd.tune_malloc()
np.ones(1 << 19, np.float32)  # one 2 MiB block, freed: glibc now trims the heap beyond 4 MiB free


def step():
    return [np.ones(3 << 17, np.float32) for _ in range(8)]  # 12 MiB, every page touched


for _ in range(3):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    step()
print(m.tuned, (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 20)
"""


def _faults_per_loop(mode, **env):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")} | env
    out = subprocess.run([sys.executable, "-c", LOOP, mode], capture_output=True, text=True,
                         env=env, check=True).stdout.split()
    return out[0] == "True", float(out[1])


def test_importing_retrograd_leaves_the_allocator_alone():
    tuned, faults = _faults_per_loop("import-only")
    assert not tuned
    assert faults > 1000  # glibc's default trims the freed heap each step


def test_opting_in_reuses_freed_arrays_without_page_faults():
    tuned, faults = _faults_per_loop("opt-in")
    assert tuned
    assert faults < 64  # 3,072 pages are touched per step; (almost) none is faulted in afresh


def test_opting_in_can_be_overridden_by_the_environment():
    tuned, faults = _faults_per_loop("opt-in", RETROGRAD_MALLOC_TUNING="0")
    assert not tuned
    assert faults > 1000
