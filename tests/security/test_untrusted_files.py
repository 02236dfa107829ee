"""Fuzzing: malformed files of every kind retrograd reads (CIFAR pickles, IDX, safetensors state
dicts, checkpoints, model files, images and arrays for `predict`) are loaded in a child process
with a memory limit (3 GiB of address space), a CPU limit and a 10-second alarm per load.

Each load must either succeed or raise one of its documented errors: no other exception, no
crash (the child must exit 0 after reporting every file), no hang, and no code run (payloads
try to create a marker file).
"""
import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

import fuzz_child
import malformed

pytestmark = pytest.mark.filterwarnings("ignore")
CHILD = Path(__file__).with_name("fuzz_child.py")


def _valid_files(folder: Path) -> dict:
    """Valid files of each kind, written by retrograd itself."""
    import retrograd as rg
    from retrograd import nn, optim
    from retrograd.io import save, save_checkpoint
    from retrograd.models.registry import build_model
    from retrograd.train.model_file import save_model_file

    rg.manual_seed(0)
    save({"w": rg.ones(2, 3), "n": rg.tensor(4)}, folder / "w.safetensors", metadata={"a": "b"})
    model = nn.Linear(3, 2)
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(rg.ones(1, 3)).sum().backward()
    opt.step()
    loader = fuzz_child.checkpoint_loader()
    next(iter(loader))
    save_checkpoint(folder / "c.safetensors", model, opt, optim.lr_scheduler.StepLR(opt, 1),
                    epoch=1, extra={"k": (1, 2)}, loader=loader)
    mlp = build_model("mlp", 10, 1, 28, hidden=[8])
    spec = {"name": "mlp", "num_classes": 10, "in_channels": 1, "image_size": 28,
            "kwargs": {"hidden": [8]}, "classes": [str(i) for i in range(10)]}
    save_model_file(mlp, str(folder / "m.safetensors"), spec)
    return {k: (folder / f"{k[0]}.safetensors").read_bytes() for k in ("w", "c", "m")}


def _cifar_root(folder: Path) -> Path:
    base = folder / "cifar-10-batches-py"
    base.mkdir(parents=True)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        (base / name).write_bytes(malformed.cifar_batch())
    (base / "batches.meta").write_bytes(pickle.dumps({b"label_names": [b"a"] * 10}, protocol=2))
    return folder


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """kind -> list of file paths, and the marker path the payloads try to create."""
    root = tmp_path_factory.mktemp("fuzz")
    marker = root / "PWNED"
    valid = _valid_files(root)
    groups = {
        "pickle": malformed.pickle_files(marker),
        "cifar": malformed.pickle_files(marker)[::3] + malformed.pickle_attacks(marker),
        "idx": malformed.idx_files(),
        "safetensors": malformed.state_dict_files(valid["w"]),
        "checkpoint": malformed.checkpoint_files(valid["c"]),
        "model": malformed.model_files(valid["m"]),
        "input": malformed.input_files(marker),
        "cifar-archive": malformed.cifar_archives(malformed.cifar_batch()),
        "cli-predict": malformed.input_files(marker),
        "cli-evaluate": malformed.model_files(valid["m"]),
    }
    files = {}
    for kind, entries in groups.items():
        (root / kind).mkdir()
        files[kind] = []
        for name, data in entries:
            path = root / kind / name
            path.write_bytes(data)
            files[kind].append(str(path))
    return root, marker, files


def _run_child(root: Path, kind: str, paths: list) -> list:
    manifest = root / f"{kind}.json"
    manifest.write_text(json.dumps([[kind, p] for p in paths]))
    cifar = _cifar_root(root / f"cifar-{kind}")
    (root / f"archive-{kind}").mkdir()
    env_extra = {"FUZZ_CIFAR_ROOT": str(cifar), "FUZZ_ARCHIVE_ROOT": str(root / f"archive-{kind}"),
                 "FUZZ_MODEL": str(root / "m.safetensors"), "OPENBLAS_NUM_THREADS": "1",
                 "OMP_NUM_THREADS": "1"}
    import os

    result = subprocess.run([sys.executable, str(CHILD), str(manifest)], capture_output=True,
                            text=True, timeout=120, env={**os.environ, **env_extra},
                            cwd=str(root))
    lines = result.stdout.splitlines()
    last = paths[len(lines)] if len(lines) < len(paths) else None
    assert result.returncode == 0, (f"the child died (status {result.returncode}) loading "
                                    f"{last}: {result.stderr[-2000:]}")
    assert len(lines) == len(paths), result.stderr[-2000:]
    return lines


@pytest.mark.parametrize("kind", ["pickle", "cifar", "cifar-archive", "idx", "safetensors",
                                  "checkpoint", "model", "input", "cli-predict",
                                  "cli-evaluate"])
def test_malformed_files_give_only_documented_errors(corpus, kind):
    root, marker, files = corpus
    lines = _run_child(root, kind, files[kind])
    bad = [f"{Path(files[kind][int(line.split()[0])]).name}: {line.split(' ', 2)[2]}"
           for line in lines if line.split()[1] == "BAD"]
    assert not bad, "\n".join(bad)
    assert not marker.exists(), "a payload ran code"
    outcomes = [line.split()[1] for line in lines]
    assert outcomes.count("err") >= len(lines) // 2  # the corpus really is mostly malformed
    assert outcomes[0] == "ok"  # and its first file, the valid one, loads


def test_the_payloads_are_live(tmp_path):
    """Control: under plain pickle the corpus's kind of payload really runs its command."""
    import os

    pickle.loads(pickle.dumps(malformed.Calls(os.system, f"touch {tmp_path / 'm'}")))
    assert (tmp_path / "m").exists()


def test_billion_laughs_is_refused_quickly():
    from retrograd.data.datasets import UnsafeFileError, safe_load

    with pytest.raises(UnsafeFileError, match="laughs.pkl.*expands"):
        safe_load(malformed.billion_laughs(), "laughs.pkl")
    small = safe_load(malformed.billion_laughs(levels=2, width=3))  # the same shape, small
    assert small == [[[], [], []]] * 3
