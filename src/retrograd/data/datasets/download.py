"""Dataset cache folder, verified downloads and the errors raised when files are missing.

Files go to ``$RETROGRAD_HOME/<dataset>`` (default ``~/.cache/retrograd/<dataset>``). A download
streams into a temporary file in the destination folder, is checked against its SHA-256 digest,
and only then renamed into place, so a failed or interrupted download never leaves a partial file.
"""
from __future__ import annotations

import hashlib
import http.client
import os
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterable, Sequence

_CHUNK = 1 << 20


class DatasetNotFoundError(FileNotFoundError):
    """Dataset files are missing locally and could not be downloaded."""


class ChecksumError(OSError):
    """A downloaded file does not match its published SHA-256 digest."""


def data_home() -> Path:
    """The cache root: ``$RETROGRAD_HOME`` or ``~/.cache/retrograd``."""
    return Path(os.environ.get("RETROGRAD_HOME") or "~/.cache/retrograd").expanduser()


def dataset_folder(name: str) -> Path:
    """The cache folder of one dataset, ``data_home() / name``."""
    return data_home() / name


def sha256_file(path: str | os.PathLike) -> str:
    """Hex SHA-256 digest of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fetch(url: str, dest: Path, sha256: str | None, timeout: float) -> None:
    """Stream ``url`` into a temp file next to ``dest``, verify, then rename into place."""
    from ...progress import interactive, progress_bar

    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as resp:
            total = int(getattr(resp, "headers", {}).get("Content-Length") or 0) or None
            with progress_bar(total=total, desc=dest.name, unit="B", unit_scale=True,
                              unit_divisor=1024, leave=False, disable=not interactive()) as bar:
                for chunk in iter(lambda: resp.read(_CHUNK), b""):
                    digest.update(chunk)
                    out.write(chunk)
                    bar.update(len(chunk))
        if sha256 is not None and digest.hexdigest() != sha256.lower():
            raise ChecksumError(f"{url}: SHA-256 mismatch, expected {sha256}, got "
                                f"{digest.hexdigest()} (the file was discarded)")
        os.replace(tmp, dest)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def download_file(urls: str | Sequence[str], dest: str | os.PathLike, sha256: str | None = None,
                  timeout: float = 60.0) -> Path:
    """Download ``dest`` from the first of ``urls`` that works and matches ``sha256``.

    Raises ``ChecksumError`` if every mirror answered with wrong bytes, otherwise
    ``DatasetNotFoundError`` (network failure) listing the URLs tried and the destination.
    """
    urls = [urls] if isinstance(urls, str) else list(urls)
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    bad_checksum: ChecksumError | None = None
    for url in urls:
        print(f"retrograd: downloading {url} -> {dest}", file=sys.stderr)
        try:
            _fetch(url, dest, sha256, timeout)
            return dest
        except ChecksumError as err:
            bad_checksum = err
            errors.append(str(err))
        except (OSError, http.client.HTTPException, ValueError) as err:  # URLError is OSError
            errors.append(f"{url}: {err}")
    if bad_checksum is not None:
        raise ChecksumError("; ".join(errors))
    raise DatasetNotFoundError(f"could not download {dest.name} into {dest.parent}: "
                               + "; ".join(errors))


def ensure_files(dataset: str, folder: Path, files: dict[str, str | None],
                 mirrors: Sequence[str], download: bool) -> None:
    """Make sure every file of ``files`` (name -> SHA-256) is in ``folder``.

    Missing files are downloaded from ``mirrors`` (tried in order) when ``download``.
    Raises ``DatasetNotFoundError`` naming the missing files and the folder to put them in.
    """
    missing = [name for name in files if not (folder / name).is_file()]
    if not missing:
        return
    errors: list[str] = []
    if download:
        for name in list(missing):
            try:
                download_file([m + name for m in mirrors], folder / name, files[name])
                missing.remove(name)
            except ChecksumError:
                raise
            except DatasetNotFoundError as err:
                errors.append(str(err))
    if missing:
        raise DatasetNotFoundError(missing_message(dataset, folder, missing, mirrors, errors,
                                                   download))


def missing_message(dataset: str, folder: Path, missing: Iterable[str], mirrors: Sequence[str],
                    errors: Sequence[str] = (), download: bool = False) -> str:
    """The text of ``DatasetNotFoundError``: what is missing, where it goes, where to get it."""
    missing = list(missing)
    lines = [f"{dataset}: missing file(s) {', '.join(missing)} in folder {folder}."]
    if errors:
        lines.append("Download failed: " + "; ".join(errors))
    elif not download:
        lines.append("Pass download=True to fetch them, or put them there yourself.")
    lines.append(f"Put the official files in {folder} (get them from {', '.join(mirrors)}), "
                 "or set RETROGRAD_HOME to another cache root.")
    return "\n".join(lines)
