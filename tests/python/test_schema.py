"""The published JSON Schemas, checked with Python's jsonschema (an implementation independent
of the engine's valijson):

* the four schemas are valid draft-07 schemas whose cross-file references resolve;
* every shipped scenario, world and policy file, and every example file, is valid;
* every case of the bad-input corpus (tests/bad_inputs/cases.json) that the index marks as a
  schema violation ("schema": "reject") is rejected, and every case marked as semantic-only
  ("accept": only the engine can see the problem, e.g. a correlation matrix that is not
  positive definite) is accepted, so that the index cannot silently drift either way.

Needs only jsonschema (and its referencing package); it does not import gapcast.
"""

from __future__ import annotations

import json
import math
import pathlib

import pytest
from jsonschema import Draft7Validator
from referencing import Registry, Resource

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMA_DIR = ROOT / "scenarios" / "schema"
CORPUS = ROOT / "tests" / "bad_inputs"
KINDS = ("scenario", "world", "policy", "distribution")


def load_schemas() -> dict[str, dict]:
    return {k: json.loads((SCHEMA_DIR / f"{k}.schema.json").read_text()) for k in KINDS}


SCHEMAS = load_schemas()
REGISTRY = Registry().with_resources(
    (s["$id"], Resource.from_contents(s)) for s in SCHEMAS.values()
)


def validator(kind: str) -> Draft7Validator:
    return Draft7Validator(SCHEMAS[kind], registry=REGISTRY)


class NotJson(ValueError):
    """The bytes are not JSON as gapcast reads it (strict UTF-8, finite numbers)."""


def _reject_constant(name: str):
    raise NotJson(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise NotJson(f"{text} is beyond the range of a double")
    return value


def strict_load(data: bytes):
    """json.loads as strict as gapcast: no NaN/Infinity, no overflowing numbers, UTF-8 only."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise NotJson(str(e)) from e
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except json.JSONDecodeError as e:
        raise NotJson(str(e)) from e


def errors(kind: str, document) -> list[str]:
    return [
        f"/{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
        for e in validator(kind).iter_errors(document)
    ]


def kind_of(document) -> str | None:
    """Which schema a gapcast document follows: its "kind", else its "$schema" file name."""
    if not isinstance(document, dict):
        return None
    if document.get("kind") in ("scenario", "world", "policy"):
        return document["kind"]
    ref = document.get("$schema")
    if isinstance(ref, str):
        for k in ("scenario", "world", "policy"):
            if ref.endswith(f"{k}.schema.json"):
                return k
    return None


# ---------------------------------------------------------------------------- the schemas


@pytest.mark.parametrize("kind", KINDS)
def test_schema_is_valid_draft07_with_versioned_id(kind):
    schema = SCHEMAS[kind]
    Draft7Validator.check_schema(schema)
    assert schema["$id"] == f"https://gapcast.dev/schema/v1/{kind}.schema.json"
    assert schema["title"] and len(schema["description"]) > 40


def test_cross_file_references_resolve():
    # Walk every "$ref" and resolve it from the schema that contains it.
    def refs(node):
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                yield node["$ref"]
            for v in node.values():
                yield from refs(v)
        elif isinstance(node, list):
            for v in node:
                yield from refs(v)

    count = 0
    for schema in SCHEMAS.values():
        resolver = REGISTRY.resolver(base_uri=schema["$id"])
        for ref in refs(schema):
            resolver.lookup(ref)  # raises if unresolvable
            count += 1
    assert count > 50


# ------------------------------------------------------------- shipped and example files


def shipped_files():
    files = [(p, "scenario") for p in sorted((ROOT / "scenarios").glob("*.json"))]
    files += [(p, "world") for p in sorted((ROOT / "scenarios" / "world").glob("*.json"))]
    files += [(p, "policy") for p in sorted((ROOT / "scenarios" / "policy").glob("*.json"))]
    for folder in ("examples", "tests/bad_inputs/support"):
        for p in sorted((ROOT / folder).rglob("*.json")):
            kind = kind_of(json.loads(p.read_text()))
            if kind is not None:  # other JSON (e.g. notebook data) is not a gapcast document
                files.append((p, kind))
    return files


def test_there_are_shipped_files_of_every_kind():
    kinds = {k for _, k in shipped_files()}
    assert kinds == {"scenario", "world", "policy"}
    assert len(list((ROOT / "scenarios").glob("*.json"))) >= 5


@pytest.mark.parametrize(
    "path,kind", shipped_files(), ids=lambda v: str(v.relative_to(ROOT)) if isinstance(v, pathlib.Path) else v
)
def test_shipped_and_example_files_are_valid(path, kind):
    document = strict_load(path.read_bytes())
    assert errors(kind, document) == []


# ------------------------------------------------------------------ the bad-input corpus

CASES = json.loads((CORPUS / "cases.json").read_text())["cases"]


def case_documents(case) -> list[tuple[str, str, bytes]]:
    """(name, kind, bytes) of every document a case consists of."""
    docs = []
    if "generate" in case:
        g = case["generate"]
        data = (g["prefix"] + g["repeat"] * g["count"] + g["suffix"]).encode()
        docs.append((case["name"] + " (generated)", "scenario", data))
    elif case.get("run") and "args" not in case:
        docs.append((case["run"], "scenario", (CORPUS / case["run"]).read_bytes()))
    for name, kind in case.get("documents", {}).items():
        docs.append((name, kind, (CORPUS / name).read_bytes()))
    return docs


def test_corpus_has_at_least_sixty_cases_with_a_schema_verdict():
    assert len(CASES) >= 60
    assert len({c["name"] for c in CASES}) == len(CASES)
    assert {c["schema"] for c in CASES} <= {"reject", "accept", "n/a"}
    assert sum(c["schema"] == "reject" for c in CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["name"])
def test_corpus_case_agrees_with_the_schema(case):
    verdict = case["schema"]
    if verdict == "n/a":
        # Not a JSON document at all (a directory, an unreadable or oversized file, bytes that
        # are not JSON) or a problem in a --set argument: JSON Schema has nothing to say. Where
        # the case is a file, make sure it really is not JSON.
        if case.get("run") and "args" not in case and "setup" not in case and "generate" not in case:
            data = (CORPUS / case["run"]).read_bytes()
            with pytest.raises(NotJson):
                strict_load(data)
        return
    found = []
    for name, kind, data in case_documents(case):
        document = strict_load(data)
        # A document's own "kind" wins: a world file named where a scenario is expected is
        # judged as the world it is (gapcast reports the mismatch itself).
        own = kind_of(document)
        found += [f"{name}: {e}" for e in errors(own or kind, document)]
    if verdict == "reject":
        assert found, f"{case['name']}: jsonschema accepts what the index calls a schema violation"
    else:
        assert not found, f"{case['name']}: marked semantic-only but jsonschema rejects it: {found[:3]}"
