"""Writing files so that a kill or a full disk never leaves a half-written one behind.

A file is written under a temporary name, flushed to the disk (``fsync``) and
renamed over its final name; POSIX renames are atomic, so readers see the old
file or the new one, never a mix. ``disk_full_error`` turns the ``ENOSPC``
that a full disk raises into one line that says how much room the run needs.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
from typing import Any

from ganzoo.errors import GanzooError


def fsync_dir(path: str) -> None:
    """Flushes a directory's entries (a rename inside it) to the disk; a no-op where unsupported."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def fsync_file(path: str) -> None:
    """Flushes a written file's data to the disk."""
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def write_bytes(path: str, data: bytes) -> None:
    """Writes ``data`` to ``path`` atomically: a temporary file, fsync, rename."""
    partial = f"{path}.partial"
    with open(partial, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
    fsync_dir(os.path.dirname(os.path.abspath(path)))


def write_json(path: str, value: Any) -> None:
    """Writes ``value`` as indented JSON to ``path`` atomically."""
    write_bytes(path, (json.dumps(value, indent=2, sort_keys=True) + "\n").encode())


def sha256_file(path: str) -> str:
    """The SHA-256 of a file's bytes, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(2**20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def tree_bytes(path: str) -> int:
    """Total size of the regular files under ``path`` (0 when it does not exist)."""
    if os.path.isfile(path):
        return os.path.getsize(path)
    total = 0
    for folder, _, files in os.walk(path):
        total += sum(os.path.getsize(os.path.join(folder, f)) for f in files
                     if not os.path.islink(os.path.join(folder, f)))
    return total


def is_disk_full(error: BaseException) -> bool:
    """True for the error a full disk (or an exceeded quota) raises, including h5py's wrapped ones."""
    chain = [error]
    while chain[-1].__cause__ is not None or chain[-1].__context__ is not None:
        chain.append(chain[-1].__cause__ or chain[-1].__context__)
        if len(chain) > 10:
            break
    for item in chain:
        if isinstance(item, OSError) and item.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        text = str(item)
        if "No space left on device" in text or "errno = 28" in text or "Disk quota exceeded" in text:
            return True
    return False


def disk_full_error(tool: str, path: str, needed_bytes: int, kept: str) -> GanzooError:
    """The one-line error for a full disk while writing ``path``."""
    folder = os.path.dirname(os.path.abspath(path))
    while folder and not os.path.exists(folder):
        folder = os.path.dirname(folder)
    free = shutil.disk_usage(folder or ".").free
    return GanzooError(
        f"{tool}: the disk is full while writing '{path}' ({_mb(free)} free); {kept} "
        f"The run needs about {_mb(needed_bytes)} free: free space (or choose another --workdir) "
        "and re-run the same command to resume."
    )


def _mb(size: int) -> str:
    return f"{size / 2**20:.1f} MB"
