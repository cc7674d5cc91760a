"""gapcast._atomic_dir: an output directory is replaced whole, or not at all.

The protocol (lock, clean, check, stage, swap) is the one the C++ side follows for
`gapcast run --out`; these tests hold it to its description: the old set never survives in
part, a failure or a signal leaves the old set and no staging directory, a killed writer's
staging directory is removed by the next writer, and of two concurrent writers the second is
told who holds the place.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from gapcast import _atomic_dir
from gapcast._atomic_dir import Terminated, check_target, replacing
from gapcast.errors import OutputDirError

MARKER = "made.json"


def write_set(staging: Path, *names: str) -> None:
    (staging / MARKER).write_text("{}")
    for name in names:
        path = staging / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(name)


def listing(directory: Path) -> list[str]:
    return sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*"))


def leftovers(parent: Path, name: str) -> list[str]:
    """Staging and set-aside directories beside the output (the lock file is expected)."""
    return sorted(p.name for p in parent.iterdir()
                  if p.name.startswith(f".{name}.") and not p.name.endswith(".lock"))


@pytest.fixture(params=["exchange", "two renames"])
def swap_mode(request, monkeypatch):
    # Both ways of swapping: renameat2(RENAME_EXCHANGE), and the fallback without it.
    monkeypatch.setattr(_atomic_dir, "USE_RENAME_EXCHANGE", request.param == "exchange")
    return request.param


def test_creates_then_replaces_whole(tmp_path, swap_mode):
    out = tmp_path / "deep" / "out"
    with replacing(out, marker=MARKER) as staging:
        assert staging.parent == out.parent and staging.name.startswith(".out.staging-")
        write_set(staging, "a.txt", "sub/b.txt")
    assert listing(out) == sorted([MARKER, "a.txt", "sub", "sub/b.txt"])
    # A narrower second set: nothing of the first survives.
    with replacing(out, marker=MARKER) as staging:
        write_set(staging, "c.txt")
    assert listing(out) == sorted([MARKER, "c.txt"])
    assert leftovers(out.parent, "out") == []
    assert (out.parent / ".out.lock").read_text().strip() == str(os.getpid())


def test_empty_directory_is_replaced(tmp_path, swap_mode):
    (tmp_path / "out").mkdir()
    with replacing(tmp_path / "out", marker=MARKER) as staging:
        write_set(staging, "a.txt")
    assert listing(tmp_path / "out") == sorted([MARKER, "a.txt"])


def test_a_failure_leaves_the_old_set_and_no_staging(tmp_path, swap_mode):
    out = tmp_path / "out"
    with replacing(out, marker=MARKER) as staging:
        write_set(staging, "old.txt")
    for error in (RuntimeError("drawing failed"), KeyboardInterrupt()):
        with pytest.raises(type(error)), replacing(out, marker=MARKER) as staging:
            write_set(staging, "new.txt")
            raise error
        assert listing(out) == sorted([MARKER, "old.txt"])
        assert leftovers(tmp_path, "out") == []


def test_refuses_what_it_did_not_make_before_any_work(tmp_path):
    (tmp_path / "file").write_text("precious")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("precious")
    for target, words in ((tmp_path / "file", "is not a directory"),
                          (tmp_path / "mine", f"has no {MARKER}"),
                          (tmp_path / "file" / "below", "file is not a directory")):
        with pytest.raises(OutputDirError, match=words):
            check_target(target, marker=MARKER)
        entered = False
        with pytest.raises(OutputDirError, match=words), replacing(target, marker=MARKER):
            entered = True
        assert not entered
    assert (tmp_path / "file").read_text() == "precious"
    assert listing(tmp_path / "mine") == ["thesis.tex"]
    # Nothing was created for the refused writes, not even a lock file.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "mine"]


def test_a_symbolic_link_is_followed(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    with replacing(tmp_path / "link", marker=MARKER) as staging:
        write_set(staging, "a.txt")
    assert (tmp_path / "link").is_symlink()
    assert listing(tmp_path / "real") == sorted([MARKER, "a.txt"])


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(done.stdout)


def test_stale_staging_of_dead_processes_is_removed(tmp_path):
    dead = _dead_pid()
    for name in (f".out.staging-{dead}-0", f".out.staging-{dead}-3", f".out.old-{dead}"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "half.txt").write_text("half")
    # A live process's staging directory (here: pid 1) and other names are not touched.
    (tmp_path / ".out.staging-1-0").mkdir()
    (tmp_path / ".other.staging-99999999-0").mkdir()
    with replacing(tmp_path / "out", marker=MARKER) as staging:
        write_set(staging)
    assert leftovers(tmp_path, "out") == [".out.staging-1-0"]
    assert (tmp_path / ".other.staging-99999999-0").exists()


HOLDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from gapcast._atomic_dir import replacing
    out, ready = Path(sys.argv[1]), Path(sys.argv[2])
    with replacing(out, marker="made.json") as staging:
        (staging / "made.json").write_text("{}")
        (staging / "half.txt").write_text("half")
        ready.write_text("ready")
        time.sleep(60)
""")


def _start_holder(tmp_path: Path) -> subprocess.Popen:
    """A process inside `replacing(tmp_path / "out")`, with a half-written staging."""
    ready = tmp_path / "ready"
    ready.unlink(missing_ok=True)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path / "out"),
                               str(ready)], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not ready.exists():
        assert holder.poll() is None, "the holder ended early"
        assert time.monotonic() < deadline, "the holder never got the lock"
        time.sleep(0.02)
    return holder


def test_a_concurrent_writer_is_told_who_holds_the_place(tmp_path):
    holder = _start_holder(tmp_path)
    try:
        entered = False
        with pytest.raises(OutputDirError, match=rf"another gapcast process \(pid "
                                                 rf"{holder.pid}\) is writing out"):
            with replacing(tmp_path / "out", marker=MARKER):
                entered = True
        assert not entered
        assert not (tmp_path / "out").exists()
    finally:
        holder.kill()
        holder.wait()


def test_after_kill_9_mid_write_the_next_write_succeeds(tmp_path, swap_mode):
    with replacing(tmp_path / "out", marker=MARKER) as staging:
        write_set(staging, "old.txt")
    holder = _start_holder(tmp_path)
    holder.kill()  # SIGKILL: no clean-up runs
    holder.wait()
    assert leftovers(tmp_path, "out") == [f".out.staging-{holder.pid}-0"]
    assert listing(tmp_path / "out") == sorted([MARKER, "old.txt"])
    with replacing(tmp_path / "out", marker=MARKER) as staging:
        write_set(staging, "new.txt")
    assert listing(tmp_path / "out") == sorted([MARKER, "new.txt"])
    assert leftovers(tmp_path, "out") == []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_mid_write_leaves_no_staging(tmp_path, signum):
    with replacing(tmp_path / "out", marker=MARKER) as staging:
        write_set(staging, "old.txt")
    holder = _start_holder(tmp_path)
    os.kill(holder.pid, signum)
    holder.wait(timeout=60)
    # SIGTERM ends the process with status 143 after the clean-up; Ctrl-C with an uncaught
    # KeyboardInterrupt, after which Python ends itself by SIGINT.
    assert holder.returncode == (143 if signum == signal.SIGTERM else -signal.SIGINT)
    assert leftovers(tmp_path, "out") == []
    assert listing(tmp_path / "out") == sorted([MARKER, "old.txt"])


def test_sigterm_becomes_terminated_only_while_staging(tmp_path):
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    with pytest.raises(Terminated) as caught, replacing(tmp_path / "out", marker=MARKER):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler raises before this ends
    assert caught.value.code == 143
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    assert not (tmp_path / "out").exists() and leftovers(tmp_path, "out") == []
