"""The house rules of docs/architecture.md, checked: the engine's folders include only the
folders above them in the pipeline, the command line and the bindings use only public
headers, every vocabulary is declared once (the *.def lists are what the catalogues say, in
the same order), the tests mirror the folders, and a function over 80 lines says why above
it."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import REPO

CORE = REPO / "core" / "gapcast"
# The pipeline order: a folder may include itself and the folders before it.
AREAS = ["util", "uncertainty", "scenario", "sampling", "model", "metrics", "summary",
         "sensitivity", "run", "output"]
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


# Tests that check the engine across folders rather than one header (the monotonicity test
# loads policies with --set overrides, samples worlds and integrates them in pairs).
CROSS_CUTTING = {"scenario/bad_inputs_test.cpp", "model/seed_arithmetic_test.cpp",
                 "model/monotonicity_test.cpp"}


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


# ---- long functions ------------------------------------------------------------------------

LONG_FUNCTION_LINES = 80
REASON = "// Long because:"
_NOT_FUNCTIONS = ("if", "for", "while", "switch", "catch", "else", "do", "try", "return")


def _code_only(text: str) -> str:
    """The text with preprocessor lines, comments, string and character literals blanked out
    (newlines kept), so that braces can be counted."""
    text = re.sub(r"(?m)^[ \t]*#.*$", lambda m: " " * len(m.group(0)), text)
    out, i, n = [], 0, len(text)
    while i < n:
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
        elif text.startswith('R"', i) and not (i and (text[i - 1].isalnum() or text[i - 1] == "_")):
            delimiter = re.match(r'R"([^(]*)\(', text[i:]).group(1)
            j = text.find(")" + delimiter + '"', i) + len(delimiter) + 2
        elif text[i] == '"' or (text[i] == "'" and not (i and text[i - 1].isalnum())):
            j = i + 1
            while j < n and text[j] != text[i]:
                j += 2 if text[j] == "\\" else 1
            j += 1
        else:
            out.append(text[i])
            i += 1
            continue
        out.append(re.sub(r"[^\n]", " ", text[i:j]))
        i = j
    return "".join(out)


def function_bodies(path: Path) -> list[tuple[int, int, str]]:
    """(first line, last line, signature) of every function body that is not inside another
    function (lambdas and local blocks count towards their function)."""
    code = _code_only(path.read_text())
    stack: list[str] = []
    header, line, found = "", 1, []
    starts: list[tuple[int, str]] = []
    for c in code:
        if c == "\n":
            line += 1
            header += " "
        elif c == "{":
            h = " ".join(header.split())
            kind = "block"
            if re.match(r"^(namespace|extern)\b", h) or (not h and not stack):
                kind = "namespace"
            elif re.search(r"\b(class|struct|union|enum)\b[^()]*$", h):
                kind = "class"
            elif ("function" not in stack and "(" in h
                  and not re.match(r"^(%s)\b" % "|".join(_NOT_FUNCTIONS), h)
                  and "=" not in h.split("(")[0].replace("operator=", "").replace("==", "")):
                kind = "function"
            stack.append(kind)
            starts.append((line, h))
            header = ""
        elif c == "}":
            if stack:
                kind = stack.pop()
                start, h = starts.pop()
                if kind == "function":
                    found.append((start, line, h))
            header = ""
        elif c == ";":
            header = ""
        else:
            header += c
    return found


def test_a_long_function_says_why_above_it():
    sources = [p for folder in ("core", "cli", "bindings")
               for p in (REPO / folder).rglob("*.[ch]pp")]
    unexplained = []
    for path in sources:
        lines = path.read_text().split("\n")
        for start, end, signature in function_bodies(path):
            if end - start + 1 <= LONG_FUNCTION_LINES:
                continue
            # The comment block right above the signature (which may span several lines).
            above, k = [], start - 2
            while (k > start - 6 and lines[k].strip()
                   and not lines[k].lstrip().startswith("//")):
                k -= 1
            while k >= 0 and lines[k].lstrip().startswith("//"):
                above.append(lines[k].strip())
                k -= 1
            if not any(a.startswith(REASON) for a in above):
                unexplained.append(f"{path.relative_to(REPO)}:{start}: {end - start + 1} lines")
    assert not unexplained, (
        f"functions over {LONG_FUNCTION_LINES} lines need a '{REASON}' comment above them (or a "
        "split):\n" + "\n".join(unexplained))


def test_the_long_function_check_can_fail(tmp_path):
    source = tmp_path / "long.cpp"
    body = "\n".join(f"  x += {i};" for i in range(90))
    source.write_text("namespace a {\nint f(int x) {\n" + body + "\n  return x;\n}\n}\n")
    [(start, end, signature)] = function_bodies(source)
    assert (start, end) == (2, 94) and signature.startswith("int f(int x)")
