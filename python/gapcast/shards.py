"""Shards: one run split into contiguous ranges of sample indices, computed anywhere and
merged into results bit-identical to the run made in one piece (docs/distributed.md).

A :class:`Shard` holds the summaries of samples ``start`` to ``stop - 1`` (sketch bins,
counts, exact sums: never per-sample values) in the engine's versioned shard format, the
same bytes ``gapcast run --shard START:STOP --out-shard F`` writes. It pickles as those
bytes, so it travels through any scheduler. :meth:`gapcast.Results.merge` joins shards in
any order.
"""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import _core

__all__ = ["Shard", "split_samples"]

_MAGIC = b"GAPCAST-SHARD\n"


def split_samples(samples: int, shards: int) -> list[tuple[int, int]]:
    """``shards`` contiguous ranges ``(start, stop)`` covering ``0 .. samples``, as equal as
    whole numbers allow (the first ``samples % shards`` are one longer).

    Raises:
        ValueError: ``shards`` is not between 1 and ``samples``.
    """
    if isinstance(shards, bool) or not isinstance(shards, int) or not 1 <= shards <= samples:
        raise ValueError(f"shards must be a whole number from 1 to the {samples} samples, "
                         f"got {shards!r}")
    size, extra = divmod(samples, shards)
    ranges = []
    start = 0
    for k in range(shards):
        stop = start + size + (1 if k < extra else 0)
        ranges.append((start, stop))
        start = stop
    return ranges


def _header(data: bytes) -> dict[str, Any]:
    """The JSON header of shard bytes (the layout is in core/gapcast/output/shard_file.hpp);
    ValueError for bytes that are not a shard. The checksum is checked when merging. `data`
    may be just the beginning of a shard, as long as it holds the header."""
    if not data.startswith(_MAGIC) or len(data) < len(_MAGIC) + 12:
        raise ValueError("not a gapcast shard (it does not begin with \"GAPCAST-SHARD\")")
    at = len(_MAGIC)
    (version,) = struct.unpack_from("<I", data, at)
    if version != 1:
        raise ValueError(f"shard format version {version}, but this gapcast reads version 1")
    (length,) = struct.unpack_from("<Q", data, at + 4)
    text = data[at + 12:at + 12 + length]
    if len(text) != length:
        raise ValueError("truncated shard: its header is cut off")
    header: dict[str, Any] = json.loads(text)
    return header


class Shard:
    """Summaries of samples ``start`` to ``stop - 1`` of a run of ``samples`` samples.

    Made by :func:`gapcast.run` with ``shard=(start, stop)`` or read with :meth:`read`;
    merged with :meth:`gapcast.Results.merge`.
    """

    def __init__(self, data: bytes) -> None:
        header = _header(data)
        self._data = bytes(data)
        self._start, self._stop = (int(v) for v in header["range"])
        self._samples = int(header["info"]["samples"])
        self._seed = int(header["info"]["seed"])
        self._scenarios = [s["name"] for s in header["scenarios"]]

    @property
    def start(self) -> int:
        """First sample index of the shard."""
        return self._start

    @property
    def stop(self) -> int:
        """One past the last sample index."""
        return self._stop

    @property
    def samples(self) -> int:
        """Samples of the whole run the shard belongs to."""
        return self._samples

    @property
    def seed(self) -> int:
        return self._seed

    @property
    def scenarios(self) -> list[str]:
        return list(self._scenarios)

    @property
    def nbytes(self) -> int:
        """Size of the serialised shard: it grows with the spread of the values and the
        number of summary cells, not with the number of samples."""
        return len(self._data)

    def to_bytes(self) -> bytes:
        """The shard in the engine's shard format (what ``--out-shard`` writes)."""
        return self._data

    @classmethod
    def from_bytes(cls, data: bytes) -> Shard:
        return cls(data)

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Writes the shard file (a temporary file renamed into place: never half a shard)."""
        target = Path(path)
        temporary = target.with_name(f"{target.name}.partial-{os.getpid()}")
        try:
            temporary.write_bytes(self._data)
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
        return target

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> Shard:
        """Reads a shard file (``gapcast run --out-shard`` or :meth:`write`)."""
        data = Path(path).read_bytes()
        try:
            return cls(data)
        except ValueError as e:
            raise ValueError(f"{os.fspath(path)}: {e}") from None

    def __reduce__(self) -> tuple[Any, ...]:
        return (Shard, (self._data,))

    def __repr__(self) -> str:
        return (f"<gapcast.Shard samples {self._start}:{self._stop} of {self._samples}, seed "
                f"{self._seed}, {', '.join(self._scenarios)}; {self.nbytes / 1e6:.1f} MB>")


def shard_bytes(item: Shard | bytes | str | os.PathLike[str]) -> bytes:
    """The shard bytes of a Shard, bytes, or a shard file's path."""
    if isinstance(item, Shard):
        return item.to_bytes()
    if isinstance(item, (bytes, bytearray, memoryview)):
        return bytes(item)
    if isinstance(item, (str, os.PathLike)):
        return Shard.read(item).to_bytes()
    raise TypeError(f"a shard must be a gapcast.Shard, bytes or a shard file's path, not "
                    f"{type(item).__name__}")


def _file_header(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The header of a shard file, reading only the file's first bytes."""
    with open(path, "rb") as f:
        head = f.read(len(_MAGIC) + 12)
        length = struct.unpack_from("<Q", head, len(_MAGIC) + 4)[0] if len(head) == len(
            _MAGIC) + 12 else 0
        try:
            return _header(head + f.read(length))
        except ValueError as e:
            raise ValueError(f"{os.fspath(path)}: {e}") from None


def _range_of(item: Shard | bytes | str | os.PathLike[str]) -> tuple[int, int]:
    """A shard's sample range from its header alone (for a file, its first bytes)."""
    if isinstance(item, (str, os.PathLike)):
        header = _file_header(item)
    else:
        header = _header(shard_bytes(item))
    start, stop = header["range"]
    return int(start), int(stop)


def merge_payload(shards: Sequence[Shard | bytes | str | os.PathLike[str]],
                  description: bytes | None = None) -> dict[str, Any]:
    """The results payload of the merged shards (the engine's merge; see Results.merge).

    The shards go to the engine one at a time in sample order (files are read only then), so
    memory stays near one shard's summaries however many there are."""
    items = list(shards)
    if not items:
        raise ValueError("no shards to merge")
    ordered = sorted(range(len(items)), key=lambda k: _range_of(items[k]))
    merger = _core.ShardMerger(description)
    for k in ordered:
        merger.add(shard_bytes(items[k]))
    payload: dict[str, Any] = merger.finish()
    return payload
