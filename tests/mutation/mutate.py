"""Mutation testing of one part of retrograd with mutmut: how many deliberate bugs do the tests
catch?

    pip install mutmut==3.8.1
    python tests/mutation/mutate.py models            # or train, explain, metrics, loss, optim
    python tests/mutation/mutate.py train --tests tests/train/test_trainer.py --mutants 'retrograd.train.trainer.*'
    python tests/mutation/mutate.py train --survivors      # after adding tests: rerun the survivors

mutmut changes the code one small edit at a time (a ``+`` for a ``-``, a constant, a dropped
argument, ...) and runs the tests that reach the changed function; a mutant the tests fail on is
"killed", one they pass on "survived" (a hole in the tests, or an edit that changes nothing
observable: an equivalent mutant). The run happens in a scratch copy of src/ and tests/
(``--workdir``, default /tmp/retrograd-mutation-PART) with mutmut's settings written into the
copy's pyproject.toml, so the checkout is never touched and parts can run side by side. It
prints the share of mutants killed per file, and lists the survivors; ``mutmut show NAME`` in
the work folder shows one as a diff. tests/mutation/README.md records the last results.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# part -> (files to mutate, relative to the root; the tests that check them)
PARTS = {
    "train": (["src/retrograd/train/*"], ["tests/train"]),
    "explain": (["src/retrograd/explain/*"], ["tests/explain"]),
    "models": (["src/retrograd/models/*"], ["tests/models"]),
    "metrics": (["src/retrograd/metrics/*"], ["tests/metrics"]),
    "loss": (["src/retrograd/ops/loss.py"], ["tests/nn/test_losses.py"]),
    "optim": (["src/retrograd/optim/*"], ["tests/optim"]),
}

# Lines left alone: error and warning messages (a mutant there changes words, not answers; the
# conditions that raise are still mutated), and lines that only continue a message.
NOT_MUTATED = [r"^\s*raise ", r"^\s*warnings\.warn\(", r"""^\s*(f|rf|r)?["']"""]
# Tests that fail under mutmut whatever the mutant: mutmut calls each mutated function through a
# trampoline, one stack frame more, so a warning's stacklevel points into mutmut; and a child
# process started in another folder cannot find mutmut's settings (so the mutants in its code are
# checked by the in-process tests only).
DESELECTED = ["tests/metrics/test_metrics_stateful.py::test_warnings_point_at_caller",
              "tests/explain/test_explain_bptt.py::test_command_prints_the_steps"]


def prepare(workdir: Path, mutate: list[str], tests: list[str]) -> None:
    """A scratch copy of src/ and tests/ with mutmut's settings in its pyproject.toml."""
    if workdir.exists():
        shutil.rmtree(workdir)
    deselect = [arg for test in DESELECTED for arg in ("--deselect", test)]
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache")
    shutil.copytree(ROOT / "src", workdir / "src", ignore=ignore)
    shutil.copytree(ROOT / "tests", workdir / "tests", ignore=ignore)
    quoted = lambda items: "[" + ", ".join(json.dumps(i) for i in items) + "]"  # noqa: E731
    settings = (f"\n[tool.mutmut]\nsource_paths = [\"src\"]\nonly_mutate = {quoted(mutate)}\n"
                f"pytest_add_cli_args_test_selection = {quoted(tests)}\n"
                f"pytest_add_cli_args = {quoted(['-p', 'no:cacheprovider', '-q', *deselect])}\n"
                f"do_not_mutate_patterns = {quoted(NOT_MUTATED)}\n")
    (workdir / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text() + settings)


def rerun_survivors(workdir: Path, env: dict) -> list[str]:
    """The survivors of the run in ``workdir``, whose tests/ (and mutmut's copy of them) are
    replaced by the checkout's, so that new tests get their chance on them."""
    for target in (workdir / "tests", workdir / "mutants" / "tests"):
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(ROOT / "tests", target,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache"))
    results = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"],
                             cwd=workdir, env=env, capture_output=True, text=True, check=False)
    names = summarize(results.stdout, states=("survived", "no tests"))[1]
    if not names:
        raise SystemExit(f"no survivors to rerun in {workdir}")
    return names


def summarize(results: str, states=("survived",)) -> tuple[dict, list[str]]:
    """Counts of mutant states per source file, and the names of those in ``states`` (the
    survivors), from the output of ``mutmut results --all true`` (lines
    ``    retrograd.x.y.x_f__mutmut_3: survived``)."""
    counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    survivors = []
    for line in results.splitlines():
        m = re.match(r"\s*([\w.]+)\.x[ǁ_]\S*__mutmut_\d+: (.+)$", line)
        if not m:
            continue
        module, state = m.group(1), m.group(2).strip()
        counts[module][state] += 1
        if state in states:
            survivors.append(line.strip().split(":")[0])
    return counts, survivors


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", choices=sorted(PARTS))
    parser.add_argument("--tests", nargs="+", help="test paths to run (default: the part's)")
    parser.add_argument("--max-children", type=int, default=1, help="mutants run in parallel")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--mutants", nargs="+", default=[],
                        help="run only these mutants (names or fnmatch patterns, as listed)")
    parser.add_argument("--survivors", action="store_true",
                        help="rerun the last run's survivors in --workdir with the current tests "
                             "(after adding tests; the source must be unchanged)")
    args = parser.parse_args(argv)
    mutate, tests = PARTS[args.part]
    workdir = args.workdir or Path("/tmp") / f"retrograd-mutation-{args.part}"
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg")
    if args.survivors:
        if args.tests:  # a new test selection for the rerun
            settings = workdir / "pyproject.toml"
            settings.write_text(re.sub(r"(?m)^pytest_add_cli_args_test_selection = .*$",
                                       "pytest_add_cli_args_test_selection = "
                                       + json.dumps(args.tests), settings.read_text()))
        names = rerun_survivors(workdir, env)
    else:
        prepare(workdir, mutate, args.tests or tests)
        names = args.mutants
    run = subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children",
                          str(args.max_children), *names], cwd=workdir, env=env, check=False)
    if run.returncode:
        print(f"mutmut run exited with {run.returncode}", file=sys.stderr)
    results = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"],
                             cwd=workdir, env=env, capture_output=True, text=True, check=False)
    counts, survivors = summarize(results.stdout)
    print(f"\n{'module':<40}{'mutants':>8}{'killed':>8}{'share':>8}  other states")
    for module, c in sorted(counts.items()):
        total, killed = sum(c.values()), c["killed"] + c["timeout"]
        other = ", ".join(f"{k} {v}" for k, v in sorted(c.items()) if k not in ("killed", "timeout"))
        print(f"{module:<40}{total:>8}{killed:>8}{killed / total:>8.0%}  {other}")
    print(f"\n{len(survivors)} survivors (see one with: cd {workdir} && mutmut show NAME):")
    print("\n".join(survivors))
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
