"""Ctrl-C during a long run: KeyboardInterrupt within a second, nothing written, and the
interpreter can run again.

A child Python starts a run far too long to finish, the test sends it a real SIGINT (what a
terminal's Ctrl-C or a notebook's "interrupt kernel" sends), and times the child's report.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from conftest import scenario_file

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

CHILD = textwrap.dedent(
    """
    import sys, time
    import gapcast

    out, scenario_path, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    scenario = gapcast.load(scenario_path)
    first = []

    def progress(done, total):
        if not first:
            first.append(done)
            print("running", flush=True)

    options = dict(samples=50_000_000, wave_size=64)
    if mode == "callback":
        options.update(threads=1, progress=progress)
    else:  # the default tqdm bar, all threads
        options.update(progress=True)
        print("running", flush=True)
    try:
        gapcast.run(scenario, **options).write(out)
        print("finished", flush=True)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
    again = gapcast.run(scenario, samples=20, progress=False)
    print("rerun", again.samples, flush=True)
    """
)


def _lines(stream) -> queue.Queue:
    q: queue.Queue = queue.Queue()

    def pump() -> None:
        for line in stream:
            q.put(line.strip())
        q.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return q


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["callback", "tqdm"])
def test_ctrl_c_stops_a_run_quickly(tmp_path: Path, mode: str) -> None:
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    out = tmp_path / "out"
    with subprocess.Popen(
        [sys.executable, str(script), str(out), str(scenario_file("baseline")), mode],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    ) as child:
        try:
            lines = _lines(child.stdout)
            assert lines.get(timeout=60) == "running"
            time.sleep(1.0)  # well into the run
            assert child.poll() is None, "the run ended before it could be interrupted"
            sent = time.monotonic()
            child.send_signal(signal.SIGINT)
            reply = lines.get(timeout=30)
            latency = time.monotonic() - sent
            assert reply == "interrupted"
            assert latency < 1.0, f"the run took {latency:.2f} s to stop"
            assert lines.get(timeout=30) == "rerun 20"
            assert child.wait(timeout=30) == 0
        finally:
            if child.poll() is None:
                child.kill()
            child.wait()
    # An interrupted run writes nothing, not even a staging folder.
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["child.py"]
