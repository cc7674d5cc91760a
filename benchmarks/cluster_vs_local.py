"""Issue 15's measurement: a compare of the five shipped scenarios made locally on 2 threads,
then on a distributed.LocalCluster of two worker processes (one thread each) through
`gapcast compare ... --scheduler`, one after the other in the same run; wall times, peak
memory, and whether the result files are byte-identical.

    python3 benchmarks/cluster_vs_local.py [path/to/gapcast] [samples (default 1000000)]

Needs Dask (pip install "gapcast[dask]") and /usr/bin/time. Work files go to a temporary
directory that is removed at the end. (Not named distributed.py: tests put this folder on
sys.path, where that name would hide Dask's own package from its worker processes.)
"""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAME_BYTES = ["results.json", "series.csv", "scalars.csv", "assumptions.json"]


def peak_kib(stderr: str) -> int:
    for line in stderr.splitlines():
        if "Maximum resident set size" in line:
            return int(line.split()[-1])
    return -1


def main() -> int:
    from distributed import Client, LocalCluster

    gapcast = sys.argv[1] if len(sys.argv) > 1 else str(
        Path(sysconfig.get_path("scripts")) / "gapcast")
    samples = sys.argv[2] if len(sys.argv) > 2 else "1000000"
    scenarios = sorted(str(p) for p in (REPO / "scenarios").glob("*.json"))
    work = Path(tempfile.mkdtemp(prefix="gapcast-distributed-"))
    try:
        # gapcast-cluster: installed beside gapcast, or this Python's module.
        bin_dir = work / "bin"
        bin_dir.mkdir()
        if shutil.which("gapcast-cluster") is None:
            wrapper = bin_dir / "gapcast-cluster"
            wrapper.write_text(f"#!/bin/sh\nexec {sys.executable} -m gapcast.cluster_main \"$@\"\n")
            wrapper.chmod(0o755)
        env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")

        started = time.monotonic()
        local = subprocess.run(["/usr/bin/time", "-v", gapcast, "compare", *scenarios, "-n",
                                samples, "-j", "2", "-q", "--no-progress", "--out",
                                str(work / "local")], capture_output=True, text=True, check=True)
        local_wall = time.monotonic() - started
        print(f"local, 2 threads:        {local_wall:7.1f} s  peak {peak_kib(local.stderr) / 1024:.0f} MiB")

        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          dashboard_address=None, silence_logs=40) as cluster:
            started = time.monotonic()
            subprocess.run([gapcast, "compare", *scenarios, "-n", samples, "--scheduler",
                            cluster.scheduler_address, "-q", "--no-progress", "--out",
                            str(work / "cluster")], env=env, check=True)
            cluster_wall = time.monotonic() - started
            with Client(cluster) as client:
                import resource

                children = client.run(
                    lambda: resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
        peaks = ", ".join(f"{kib / 1024:.0f}" for kib in children.values())
        print(f"LocalCluster, 2 workers: {cluster_wall:7.1f} s  peak {peaks} MiB per worker's "
              f"gapcast")
        print(f"ratio cluster / local:   {cluster_wall / local_wall:.2f}")
        same = all(filecmp.cmp(work / "local" / f, work / "cluster" / f, shallow=False)
                   for f in SAME_BYTES)
        print("result files byte-identical:", "yes" if same else "NO")
        return 0 if same else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
