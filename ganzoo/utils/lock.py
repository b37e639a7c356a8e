"""One live run per workdir: a lock file that names its holder (PID and host).

``with WorkdirLock(workdir, "ganzoo.train"):`` creates ``workdir/.ganzoo.lock``,
takes an exclusive ``flock`` on it for as long as the run lives and writes the
holder's PID, host and start time into it. The kernel drops the ``flock`` when
its process dies, however it dies, so:

- a second run finds the lock held and refuses with one line naming the holder;
- a lock file left by a killed run (its ``flock`` gone, its PID dead on this
  host) is taken over with a warning;
- a lock written on another host (a shared disk, where ``flock`` may not reach)
  is refused while that host's process may still live; the message says how to
  remove it.

The lock file is removed when the run ends; it is the only file ganzoo writes
outside the run's outputs, and ``--overwrite`` never removes it.
"""

from __future__ import annotations

import json
import os
import socket
import time

from absl import logging

from ganzoo.errors import GanzooError

try:
    import fcntl
except ImportError:  # Windows: PID liveness only
    fcntl = None

LOCK_NAME = ".ganzoo.lock"


def pid_alive(pid: int) -> bool:
    """True when a process with ``pid`` runs on this host."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _holder(text: str) -> dict | None:
    try:
        holder = json.loads(text)
        return holder if isinstance(holder, dict) and "pid" in holder else None
    except ValueError:
        return None


class WorkdirLock:
    """An exclusive lock on ``workdir`` for one run (a context manager)."""

    def __init__(self, workdir: str, tool: str = "ganzoo.train"):
        self.workdir = workdir
        self.tool = tool
        self.path = os.path.join(workdir, LOCK_NAME)
        self._fd: int | None = None

    def __enter__(self) -> "WorkdirLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def acquire(self) -> None:
        try:
            os.makedirs(self.workdir, exist_ok=True)
            os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644))
        except OSError as error:
            raise GanzooError(
                f"{self.tool}: cannot write to workdir '{self.workdir}' ({error.strerror}); choose a "
                "writable --workdir."
            ) from None
        host = socket.gethostname()
        for _ in range(50):  # retries only when the file is replaced under us
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            if not self._flock(fd):
                holder = _holder(self._read(fd)) or {}
                os.close(fd)
                self._refuse(holder, held=True)
            try:
                same_file = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same_file = False
            if not same_file:  # the previous holder removed it as we opened it
                os.close(fd)
                continue
            previous = _holder(self._read(fd))
            if previous is not None:
                if previous.get("host") != host:
                    os.close(fd)
                    self._refuse(previous, held=False)
                if fcntl is None and pid_alive(int(previous["pid"])):
                    os.close(fd)
                    self._refuse(previous, held=True)
                logging.warning(
                    "%s: taking over the stale lock of process %s on host '%s' in '%s' (that process "
                    "is no longer running).", self.tool, previous["pid"], host, self.workdir,
                )
            record = {"pid": os.getpid(), "host": host, "started": time.strftime("%Y-%m-%d %H:%M:%S")}
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, json.dumps(record).encode())
            os.fsync(fd)
            self._fd = fd
            return
        raise GanzooError(f"{self.tool}: could not lock workdir '{self.workdir}' (its lock file kept changing).")

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            os.remove(self.path)
        except FileNotFoundError:
            pass
        os.close(self._fd)  # drops the flock
        self._fd = None

    @staticmethod
    def _flock(fd: int) -> bool:
        if fcntl is None:
            return True
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    @staticmethod
    def _read(fd: int) -> str:
        os.lseek(fd, 0, os.SEEK_SET)
        return os.read(fd, 4096).decode("utf-8", "replace")

    def _refuse(self, holder: dict, held: bool) -> None:
        who = f"process {holder.get('pid', '?')} on host '{holder.get('host', '?')}'"
        since = f" since {holder['started']}" if holder.get("started") else ""
        if held:
            raise GanzooError(
                f"{self.tool}: workdir '{self.workdir}' is in use by {who}{since}; wait for that run "
                "to finish (or stop it), or choose another --workdir."
            )
        raise GanzooError(
            f"{self.tool}: workdir '{self.workdir}' is locked by {who}{since}, which this host cannot "
            f"check; if that run has ended, delete '{self.path}', or choose another --workdir."
        )
