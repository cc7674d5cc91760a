"""Replacing an output directory whole, so that a reader sees the old set of files or the new
one, never a mix, and an interrupted or failed write leaves the old set as it was.

The protocol, for an output directory ``P/NAME`` (the C++ side follows the same one for
``gapcast run --out``; keep the two identical, so that either program can clean up after the
other and a reader never sees a mix):

1. **Lock.** An exclusive ``flock(LOCK_EX | LOCK_NB)`` on ``P/.NAME.lock`` (content: the
   holder's pid), held until the swap is done. If another process holds it, the write is
   refused: "another gapcast process (pid N) is writing NAME". The lock file stays when done:
   deleting it would let a process that opened it just before lock the deleted file while a
   third locks a new one of the same name.
2. **Clean.** ``P/.NAME.staging-<pid>-<n>`` and ``P/.NAME.old-<pid>`` directories whose process
   is no longer running (``kill(pid, 0)`` fails with ESRCH) are what a killed writer left;
   they are removed.
3. **Check.** ``P/NAME`` must be absent, an empty directory, or a directory this kind of
   writer made (it holds the marker file, ``report.json`` for reports). A file, or a
   non-empty directory without the marker, is refused before any work: it may hold
   someone's files.
4. **Stage.** Everything is written into a new ``P/.NAME.staging-<pid>-<n>``.
5. **Swap.** Without ``P/NAME``: ``rename(staging, P/NAME)``. Otherwise the two are exchanged
   in one step with ``renameat2(RENAME_EXCHANGE)`` (Linux 3.15, glibc 2.28) and the old
   contents, now under the staging name, are deleted. Where the exchange is not available:
   ``rename(P/NAME, P/.NAME.old-<pid>)``, ``rename(staging, P/NAME)``, delete the old; a
   reader may then briefly find no ``P/NAME``, but never a mix.

An exception in the writer (including Ctrl-C, and SIGTERM, which is turned into
:class:`Terminated` while the staging directory exists) removes the staging directory and
leaves ``P/NAME`` untouched. A ``kill -9`` leaves the staging directory behind, for step 2 of
the next write into the same place.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import re
import shutil
import signal
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

from .errors import OutputDirError

__all__ = ["Terminated", "check_target", "replacing"]

#: Set to False to use the two-rename fallback (tests exercise both paths).
USE_RENAME_EXCHANGE = True

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


class Terminated(SystemExit):
    """SIGTERM arrived while a staging directory existed. A SystemExit (status 128 + the
    signal number): uncaught, the process ends as if killed, after the clean-up ran."""

    def __init__(self, signum: int) -> None:
        super().__init__(128 + signum)
        self.signum = signum


def _resolve(target: str | os.PathLike[str]) -> Path:
    # Symbolic links are followed: the lock and the swap must be those of the real
    # directory, whichever path names it.
    path = Path(os.path.realpath(os.fspath(target)))
    if path.name in ("", ".", ".."):
        raise OutputDirError(f"{os.fspath(target)} cannot be replaced: give a directory with "
                             f"a parent, e.g. ./report")
    return path


def _state(path: Path, marker: str, what: str) -> str:
    """"absent", "empty" or "ours"; OutputDirError for anything this writer must not
    replace."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return "absent"
    except NotADirectoryError:
        blocking = next(p for p in path.parents if p.exists())
        raise OutputDirError(f"{path} cannot be created: {blocking} is not a directory") \
            from None
    except OSError as error:
        raise OutputDirError(f"{path} cannot be examined: {error.strerror}") from None
    if not stat.S_ISDIR(st.st_mode):
        raise OutputDirError(f"{path} exists and is not a directory: give a directory for "
                             f"the {what} (a new one is created)")
    try:
        entries = os.listdir(path)
    except OSError as error:
        raise OutputDirError(f"{path} cannot be read: {error.strerror}") from None
    if not entries:
        return "empty"
    if marker in entries and (path / marker).is_file():
        return "ours"
    raise OutputDirError(
        f"{path} exists and is not a {what} (it has no {marker}); it is left alone, since "
        f"it may hold other files: give a new or empty directory, or remove this one first")


def check_target(target: str | os.PathLike[str], *, marker: str,
                 what: str = "directory") -> Path:
    """The real path ``target`` names, if a write could replace it (step 3 of the protocol,
    without taking the lock or creating anything); OutputDirError otherwise. A check to make
    before any work, so that a refusal is quick; :func:`replacing` checks again under the
    lock."""
    path = _resolve(target)
    _state(path, marker, what)
    return path


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    except OverflowError:
        return False
    return True


def _remove_stale(parent: Path, name: str) -> None:
    pattern = re.compile(r"^\." + re.escape(name) + r"\.(?:staging-(\d+)-\d+|old-(\d+))$")
    try:
        entries = os.listdir(parent)
    except OSError:
        return
    for entry in entries:
        match = pattern.match(entry)
        if match is None:
            continue
        pid = int(match.group(1) or match.group(2))
        if not _pid_alive(pid):
            shutil.rmtree(parent / entry, ignore_errors=True)


@contextlib.contextmanager
def _lock(parent: Path, name: str) -> Iterator[None]:
    path = parent / f".{name}.lock"
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as error:
        raise OutputDirError(f"cannot create the lock file {path}: {error.strerror}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            pid = holder if holder.isdigit() else "unknown"
            raise OutputDirError(f"another gapcast process (pid {pid}) is writing {name}; "
                                 f"wait for it to finish, or write elsewhere") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def _new_staging(parent: Path, name: str) -> Path:
    n = 0
    while True:
        staging = parent / f".{name}.staging-{os.getpid()}-{n}"
        try:
            staging.mkdir()
            return staging
        except FileExistsError:
            n += 1


def _exchange(a: Path, b: Path) -> bool:
    """Swaps two directories in one step; False when this system cannot."""
    if not USE_RENAME_EXCHANGE:
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False  # glibc before 2.28
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False  # an old kernel, or a file system without exchange
    raise OSError(code, os.strerror(code), os.fspath(b))


@contextlib.contextmanager
def _signals_blocked() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait while the swap runs: between its two renames the fallback
    has the old directory set aside, and an exception there would lose it."""
    if threading.current_thread() is not threading.main_thread():
        yield  # Python runs signal handlers in the main thread only: nothing to defer
        return
    blocked = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _swap(staging: Path, target: Path, marker: str, what: str) -> None:
    state = _state(target, marker, what)
    if state == "absent":
        os.rename(staging, target)
    elif not _exchange(staging, target):
        old = target.parent / f".{target.name}.old-{os.getpid()}"
        shutil.rmtree(old, ignore_errors=True)
        os.rename(target, old)
        os.rename(staging, target)
        shutil.rmtree(old, ignore_errors=True)
    # After an exchange the staging name holds the old contents; the caller deletes them.


@contextlib.contextmanager
def _terminate_raises() -> Iterator[None]:
    """SIGTERM raises Terminated instead of ending the process at once, so that the staging
    directory is removed; only when nobody else handles SIGTERM, and in the main thread."""
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL):
        yield
        return

    def handler(signum: int, _frame: object) -> None:
        raise Terminated(signum)

    signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


@contextlib.contextmanager
def replacing(target: str | os.PathLike[str], *, marker: str,
              what: str = "directory") -> Iterator[Path]:
    """Yields an empty staging directory beside ``target``; when the block ends normally, the
    staging directory replaces ``target`` whole (the protocol above). When the block raises,
    the staging directory is removed and ``target`` is left as it was.

    Raises:
        OutputDirError: ``target`` is a file or a directory without ``marker`` (and not
            empty), its parent cannot be created, or another process is writing it.
    """
    path = _resolve(target)
    _state(path, marker, what)  # refused before the lock file is created
    parent, name = path.parent, path.name
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputDirError(f"cannot create {parent}: {error.strerror}") from None
    with _lock(parent, name):
        _remove_stale(parent, name)
        _state(path, marker, what)  # again: it may have changed before the lock was ours
        with _terminate_raises():
            # Signals are held while the staging directory comes into being and while it is
            # removed: a Ctrl-C between mkdir and the try, or in the middle of rmtree, would
            # otherwise leave it behind.
            staging: Path | None = None
            try:
                with _signals_blocked():
                    staging = _new_staging(parent, name)
                yield staging
                with _signals_blocked():
                    _swap(staging, path, marker, what)
            finally:
                if staging is not None:
                    with _signals_blocked():
                        shutil.rmtree(staging, ignore_errors=True)


def write_text_atomically(path: str | os.PathLike[str], text: str) -> None:
    """Writes one file beside its target and renames it into place, so that a reader sees the
    old file or the new one, never half of one (the CSV side outputs of `gapcast diff` and
    `gapcast check`)."""
    target = Path(os.path.abspath(path))
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        with open(partial, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(partial, target)
    finally:
        if partial.exists():
            partial.unlink()
