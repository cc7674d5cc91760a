"""The house rules of docs/architecture.md, checked: the engine's folders include only the
folders above them in the pipeline, the command line and the bindings use only public
headers, every vocabulary is declared once (the *.def lists are what the catalogues say, in
the same order), and the tests mirror the folders."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import REPO

CORE = REPO / "core" / "gapcast"
# The pipeline order: a folder may include itself and the folders before it.
AREAS = ["util", "uncertainty", "scenario", "sampling", "model", "metrics", "summary", "run",
         "output"]
INCLUDE = re.compile(r'#include "gapcast/([a-z_]+)/([^"]+)"')


def includes(path: Path) -> list[tuple[str, str]]:
    return INCLUDE.findall(path.read_text())


def test_every_folder_is_part_of_the_pipeline():
    assert sorted(p.name for p in CORE.iterdir() if p.is_dir()) == sorted(AREAS)


def test_each_folder_includes_only_folders_above_it():
    wrong = []
    for area in AREAS:
        allowed = set(AREAS[: AREAS.index(area) + 1])
        for source in sorted((CORE / area).rglob("*.[ch]pp")):
            for used, header in includes(source):
                if used not in allowed:
                    wrong.append(f"{source.relative_to(REPO)} includes gapcast/{used}/{header}")
    assert wrong == [], "an include runs back up the pipeline:\n" + "\n".join(wrong)


def test_the_command_and_the_bindings_use_only_public_headers():
    private = []
    for folder in ("cli", "bindings", "fuzz"):
        for source in sorted((REPO / folder).rglob("*.[ch]pp")):
            for used, header in includes(source):
                if header.startswith("detail/"):
                    private.append(f"{source.relative_to(REPO)}: gapcast/{used}/{header}")
    assert private == []


def def_names(file: str, macro: str) -> list[str]:
    text = (CORE / file).read_text()
    return re.findall(rf"^{macro}\((\w+),", text, flags=re.MULTILINE)


def chip_field_paths(macro: str) -> list[str]:
    text = (CORE / "scenario" / "chip_fields.def").read_text()
    return re.findall(rf'^{macro}\(\w+, "([^"]+)"', text, flags=re.MULTILINE)


def test_each_vocabulary_is_its_list_file_in_order(gc):
    catalogue = gc.catalogue()
    names = {key: [entry["name"] for entry in value] for key, value in catalogue.items()}
    assert names["world_parameters"] == def_names("scenario/world_parameters.def",
                                                  "GAPCAST_WORLD_PARAMETER")
    assert names["chip_fields"] == chip_field_paths("GAPCAST_CHIP_FIELD")
    assert names["line_fields"] == chip_field_paths("GAPCAST_LINE_FIELD")
    assert names["chip_levers"] == def_names("scenario/levers.def", "GAPCAST_CHIP_LEVER")
    assert names["global_levers"] == def_names("scenario/levers.def", "GAPCAST_GLOBAL_LEVER")


def test_the_metrics_are_the_series_list_then_the_derived_list(all_results):
    series = def_names("model/series.def", "GAPCAST_SERIES")
    derived = def_names("metrics/derived_metrics.def", "GAPCAST_METRIC")
    scalars = def_names("metrics/derived_metrics.def", "GAPCAST_SCALAR")
    assert all_results.metrics == series + derived
    assert all_results.scalar_metrics == scalars


def test_reproduce_knows_every_result_file_a_run_writes(cli, tmp_path):
    import subprocess

    out = tmp_path / "results"
    done = subprocess.run([str(cli), "run", str(REPO / "scenarios" / "baseline.json"), "-n",
                           "3", "--raw", "-q", "--no-progress", "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    written = {p.name for p in out.iterdir()} - {"manifest.json"}
    known = set(re.findall(r'"([a-z_]+\.(?:json|csv))"',
                           (CORE / "output" / "reproduce.cpp").read_text().split(
                               "result_file_names")[1].split(";")[0]))
    assert written <= known, f"reproduce does not accept {written - known}"


# Tests that check the engine across folders rather than one header.
CROSS_CUTTING = {"scenario/bad_inputs_test.cpp", "model/seed_arithmetic_test.cpp"}


def test_the_cpp_tests_mirror_the_folders():
    tests = REPO / "tests" / "cpp"
    orphans = []
    for test in sorted(tests.rglob("*_test.cpp")):
        relative = test.relative_to(tests).as_posix()
        if relative in CROSS_CUTTING:
            continue
        header = CORE / relative.replace("_test.cpp", ".hpp")
        if not header.exists():
            orphans.append(relative)
    assert orphans == [], f"tests without a header of the same name: {orphans}"
