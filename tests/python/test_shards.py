"""Shards without a cluster: gapcast.run(..., shard=(start, stop)), Results.merge, and the
command line's --shard / --out-shard and `gapcast merge`. Merged results must be
byte-identical to the run made in one piece (docs/distributed.md)."""

from __future__ import annotations

import filecmp
import hashlib
import json
import pickle
import random
import struct
import subprocess

import numpy as np
import pytest

from conftest import scenario_file

SCENARIOS = [str(scenario_file("baseline")), str(scenario_file("comprehensive_embargo"))]
RUN = dict(samples=240, seed=21, horizon="2029-12", progress=False)
# Every result file but the manifest (which records the wall time and the thread count).
SAME_BYTES = ["results.json", "series.csv", "scalars.csv", "assumptions.json"]


@pytest.fixture(scope="module")
def whole(gc):
    return gc.run(SCENARIOS, **RUN)


def _same_files(a, b):
    return {name: filecmp.cmp(a / name, b / name, shallow=False) for name in SAME_BYTES}


@pytest.mark.parametrize("count", [1, 3, 7])
def test_merged_shards_write_the_same_files_as_the_whole_run(gc, whole, tmp_path, count):
    ranges = gc.split_samples(RUN["samples"], count)
    shards = [gc.run(SCENARIOS, **RUN, shard=r, threads=1 + k % 3)
              for k, r in enumerate(ranges)]
    random.Random(count).shuffle(shards)  # merged by range, not by the order given
    merged = gc.Results.merge(shards)
    whole.write(tmp_path / "whole")
    merged.write(tmp_path / "merged")
    assert _same_files(tmp_path / "whole", tmp_path / "merged") == dict.fromkeys(SAME_BYTES, True)
    np.testing.assert_array_equal(merged.series, whole.series)
    np.testing.assert_array_equal(merged.series_counts, whole.series_counts)
    assert merged.info["solver_steps"] == whole.info["solver_steps"]


def test_split_samples_covers_the_run_in_near_equal_ranges(gc):
    assert gc.split_samples(10, 3) == [(0, 4), (4, 7), (7, 10)]
    assert gc.split_samples(5, 5) == [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)]
    for bad in (0, 6, 2.0, True):
        with pytest.raises(ValueError, match="shards must be a whole number from 1 to the 5"):
            gc.split_samples(5, bad)


def test_a_shard_pickles_as_its_bytes_and_survives_files(gc, whole, tmp_path):
    shard = gc.run(SCENARIOS, **RUN, shard=(0, 100))
    assert (shard.start, shard.stop, shard.samples, shard.seed) == (0, 100, 240, 21)
    assert shard.scenarios == ["baseline", "comprehensive_embargo"]
    again = pickle.loads(pickle.dumps(shard))
    assert again.to_bytes() == shard.to_bytes()
    path = shard.write(tmp_path / "a.shard")
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind
    rest = gc.run(SCENARIOS, **RUN, shard=(100, 240))
    merged = gc.Results.merge([path, rest.to_bytes()])  # paths, bytes and Shards mix
    np.testing.assert_array_equal(merged.scalars, whole.scalars)
    assert "100" in repr(shard) and "240" in repr(shard)


def test_shard_size_follows_the_spread_of_values_not_the_sample_count(gc):
    small = gc.run(SCENARIOS[:1], samples=4000, seed=3, horizon="2027-12", progress=False,
                   shard=(0, 200))
    large = gc.run(SCENARIOS[:1], samples=4000, seed=3, horizon="2027-12", progress=False,
                   shard=(0, 4000))
    # 20 times the samples: the sketches fill in, but the bytes grow far less than 20 times.
    assert large.nbytes < 4 * small.nbytes


def test_shards_of_different_runs_refuse_to_merge(gc):
    a = gc.run(SCENARIOS, **RUN, shard=(0, 120))
    other_seed = gc.run(SCENARIOS, **{**RUN, "seed": 22}, shard=(120, 240))
    with pytest.raises(ValueError, match="different options: seed is 21 and 22"):
        gc.Results.merge([a, other_seed])
    other_scenarios = gc.run(SCENARIOS[::-1], **RUN, shard=(120, 240))
    with pytest.raises(ValueError, match="different scenarios"):
        gc.Results.merge([a, other_scenarios])
    other_accuracy = gc.run(SCENARIOS, **RUN, quantile_accuracy=0.01, shard=(120, 240))
    with pytest.raises(ValueError, match="quantile_accuracy"):
        gc.Results.merge([a, other_accuracy])


def _with_engine_version(data: bytes, version: str) -> bytes:
    """The shard as another engine version would have written it: header edited, length and
    checksum made consistent again (the layout is in core/gapcast/output/shard_file.hpp)."""
    magic = b"GAPCAST-SHARD\n"
    at = len(magic) + 4
    (length,) = struct.unpack_from("<Q", data, at)
    header = json.loads(data[at + 8:at + 8 + length])
    header["info"]["engine_version"] = version
    text = json.dumps(header).encode()
    body = data[:at] + struct.pack("<Q", len(text)) + text + data[at + 8 + length:-64]
    return body + hashlib.sha256(body).hexdigest().encode()


def test_shards_of_another_engine_version_refuse_to_merge(gc):
    a = gc.run(SCENARIOS, **RUN, shard=(0, 120))
    b = gc.run(SCENARIOS, **RUN, shard=(120, 240)).to_bytes()
    assert gc.Results.merge([a, _with_engine_version(b, gc.__version__)]).samples == 240
    with pytest.raises(ValueError, match="different engines: gapcast .* and 9.9.9"):
        gc.Results.merge([a, _with_engine_version(b, "9.9.9")])


def test_overlapping_and_missing_ranges_are_named(gc):
    a = gc.run(SCENARIOS, **RUN, shard=(0, 120))
    b = gc.run(SCENARIOS, **RUN, shard=(100, 240))
    c = gc.run(SCENARIOS, **RUN, shard=(130, 240))
    with pytest.raises(ValueError, match="shard 100:240 overlaps shard 0:120 on samples "
                                         "100 to 120"):
        gc.Results.merge([a, b])
    with pytest.raises(ValueError, match="samples 120 to 130 are in no shard"):
        gc.Results.merge([a, c])
    with pytest.raises(ValueError, match="samples 120 to 240 are in no shard"):
        gc.Results.merge([a])
    with pytest.raises(ValueError, match="no shards to merge"):
        gc.Results.merge([])


def test_altered_or_foreign_bytes_are_refused(gc, tmp_path):
    data = bytearray(gc.run(SCENARIOS, **RUN, shard=(0, 240)).to_bytes())
    data[len(data) // 2] ^= 0x01
    with pytest.raises(ValueError, match="checksum does not match"):
        gc.Results.merge([bytes(data)])
    with pytest.raises(ValueError, match="not a gapcast shard"):
        gc.Results.merge([b"PK\x03\x04 something else"])
    with pytest.raises(TypeError, match="a shard must be"):
        gc.Results.merge([42])


def test_runs_that_cannot_be_sharded_say_why(gc, tmp_path):
    with pytest.raises(ValueError, match="raw output"):
        gc.run(SCENARIOS, **RUN, keep_raw=True, shard=(0, 10))
    with pytest.raises(ValueError, match="central run"):
        gc.run(SCENARIOS, **RUN, central=True, shard=(0, 1))
    with pytest.raises(ValueError, match="STOP at most the run's 240 samples, got 0:241"):
        gc.run(SCENARIOS, **RUN, shard=(0, 241))
    with pytest.raises(ValueError, match="non-empty range"):
        gc.run(SCENARIOS, **RUN, shard=(5, 5))
    with pytest.raises(TypeError, match="pair of sample indices"):
        gc.run(SCENARIOS, **RUN, shard=(0.5, 3))
    with pytest.raises(ValueError, match="not both"):
        gc.run(SCENARIOS, **RUN, shard=(0, 5), client=object())
    with pytest.raises(ValueError, match="give client= too"):
        gc.run(SCENARIOS, **RUN, shards=3)


def test_a_shard_streams_its_part_of_the_ensemble(gc, tmp_path):
    parts = tmp_path / "parts"
    parts.mkdir()
    for start, stop in gc.split_samples(60, 2):
        gc.run(SCENARIOS, samples=60, seed=4, horizon="2028-12", progress=False,
               shard=(start, stop), ensemble=parts / f"part-{start:012d}.parquet")
    gc.run(SCENARIOS, samples=60, seed=4, horizon="2028-12", progress=False,
           ensemble=tmp_path / "whole.parquet")
    together = gc.read_ensemble(parts)
    whole = gc.read_ensemble(tmp_path / "whole.parquet")
    assert together.equals(whole)
    assert gc.ensemble_info(parts)["rows"] == gc.ensemble_info(tmp_path / "whole.parquet")["rows"]


# ---- the command line ------------------------------------------------------------------------


def _run(cli, *args, cwd=None):
    return subprocess.run([str(cli), *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, check=False)


def test_command_shards_merge_into_the_local_run(cli, tmp_path):
    common = ["compare", *SCENARIOS, "-n", "300", "--seed", "8", "--horizon", "2029-12",
              "--no-progress"]
    assert _run(cli, *common, "-q", "--out", tmp_path / "local").returncode == 0
    shard_files = []
    for k, (start, stop) in enumerate([(170, 300), (0, 90), (90, 170)]):
        f = tmp_path / f"s{k}.shard"
        done = _run(cli, *common, "-j", str(k + 1), "--shard", f"{start}:{stop}",
                    "--out-shard", f)
        assert done.returncode == 0, done.stderr
        assert f"wrote shard {start}:{stop} of 300 samples" in done.stderr
        shard_files.append(f)
    done = _run(cli, "merge", *shard_files, "--out", tmp_path / "merged")
    assert done.returncode == 0, done.stderr
    assert "delay vs baseline" in done.stdout  # a compare's tables
    assert _same_files(tmp_path / "local", tmp_path / "merged") == dict.fromkeys(SAME_BYTES, True)
    manifest = json.loads((tmp_path / "merged" / "manifest.json").read_text())
    assert "--shard" not in manifest["command"] and manifest["command"][-2:] == [
        "--out", str(tmp_path / "merged")]
    # The merged directory reruns as the whole run.
    rerun = _run(cli, "reproduce", tmp_path / "merged" / "manifest.json")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr


def test_command_merge_refuses_what_does_not_fit(cli, tmp_path):
    common = ["run", SCENARIOS[0], "-n", "100", "--horizon", "2027-12", "--no-progress"]
    a, b, c = (tmp_path / n for n in ("a.shard", "b.shard", "c.shard"))
    assert _run(cli, *common, "--seed", "1", "--shard", "0:50", "--out-shard", a).returncode == 0
    assert _run(cli, *common, "--seed", "2", "--shard", "50:100", "--out-shard", b).returncode == 0
    assert _run(cli, *common, "--seed", "1", "--shard", "40:100", "--out-shard", c).returncode == 0
    done = _run(cli, "merge", a, b, "--out", tmp_path / "out")
    assert done.returncode == 2
    assert "seed is 1 and 2" in done.stderr and "nothing was written" in done.stderr
    done = _run(cli, "merge", a, c, "--out", tmp_path / "out")
    assert done.returncode == 2 and "overlaps" in done.stderr
    done = _run(cli, "merge", a, a)
    assert done.returncode == 2 and "same shard" in done.stderr
    done = _run(cli, "merge", a)
    assert done.returncode == 2 and "samples 50 to 100 are in no shard" in done.stderr
    c.write_bytes(a.read_bytes()[:-100])
    done = _run(cli, "merge", c, b)
    assert done.returncode == 2 and str(c) in done.stderr and "checksum" in done.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("flags, message", [
    (["--shard", "0:10"], "--shard and --out-shard go together"),
    (["--shard", "10:5", "--out-shard", "x"], "expected START:STOP"),
    (["--shard", "0:101", "--out-shard", "x"], "START < STOP <= --samples (100)"),
    (["--shard", "a:b", "--out-shard", "x"], "expected START:STOP"),
    (["--shard", "0:10", "--out-shard", "x", "--out", "d"], "leave out --out"),
    (["--shard", "0:10", "--out-shard", "x", "--raw"], "raw output"),
])
def test_command_shard_flags_are_checked(cli, tmp_path, flags, message):
    done = _run(cli, "run", SCENARIOS[0], "-n", "100", "--no-progress", *flags, cwd=tmp_path)
    assert done.returncode == 2
    assert message in done.stderr
    assert list(tmp_path.iterdir()) == []
