"""Provenance: what identifies the numbers of a figure or table.

Only what determines the numbers enters it: the engine version and commit, the seed, the
sample count, the scenarios' fingerprints and the SHA-256 of results.json. The manifest's
wall time, thread count and creation time do not, so a report drawn from a rerun
(``gapcast reproduce --keep``) is identical to the report drawn from the original.

:attr:`gapcast.Results.provenance` makes one from a run or a results directory; the report
writes it as captions and file metadata (docs/reports.md, "Provenance").
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Provenance"]


@dataclass(frozen=True)
class Provenance:
    """Where a set of results comes from.

    Attributes:
        engine_version, git_commit: the engine that computed them.
        seed, samples, central: with the inputs, these determine every number.
        scenarios: ``(name, fingerprint)`` of every scenario of the run, in run order.
        results_sha256: SHA-256 of results.json (as written, or as it would be written).
        rerun: the command line that reruns the run ("" when not recorded).
    """

    engine_version: str
    git_commit: str
    seed: int
    samples: int
    central: bool
    scenarios: tuple[tuple[str, str], ...]
    results_sha256: str
    rerun: str

    @property
    def commit_short(self) -> str:
        """The commit's first ten hex digits, keeping a "-dirty" mark (an uncommitted tree)."""
        commit = self.git_commit
        dirty = commit.endswith("-dirty")
        core = commit[: -len("-dirty")] if dirty else commit
        return core[:10] + ("-dirty" if dirty else "")

    def _shown(self, names: Sequence[str] | None) -> list[tuple[str, str]]:
        return [(n, f) for n, f in self.scenarios if names is None or n in names]

    def scenario_hash(self, names: Sequence[str] | None = None) -> str:
        """A 12-digit hash naming a set of scenarios: SHA-256 over "name fingerprint" lines
        of the scenarios shown, in run order. One short token identifies exactly which
        worlds and policies a figure or table shows; the full fingerprints are in the file's
        metadata and in the HTML page."""
        text = "".join(f"{n} {f}\n" for n, f in self._shown(names))
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def samples_text(self) -> str:
        return "central sample" if self.central else f"{self.samples:,} samples"

    def caption(self, names: Sequence[str] | None = None) -> str:
        """The visible provenance line of a figure or table."""
        return " · ".join(self.caption_lines(names))

    def caption_lines(self, names: Sequence[str] | None = None) -> list[str]:
        """The caption in two short lines, for figures at single-column width."""
        return [
            f"gapcast {self.engine_version} ({self.commit_short}) · seed {self.seed} · "
            f"{self.samples_text()}",
            f"scenarios #{self.scenario_hash(names)} · results.json "
            f"#{self.results_sha256[:12]}",
        ]

    def long_text(self, names: Sequence[str] | None = None) -> str:
        """Everything, for file metadata: versions, seed, samples, every fingerprint shown."""
        fingerprints = "; ".join(f"{n}={f}" for n, f in self._shown(names))
        return (f"gapcast {self.engine_version} commit {self.git_commit}; seed {self.seed}; "
                f"samples {self.samples}{' (central)' if self.central else ''}; "
                f"scenario set #{self.scenario_hash(names)}: {fingerprints}; "
                f"results.json sha256 {self.results_sha256}; rerun: {self.rerun}")
