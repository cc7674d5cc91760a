"""Argument types shared by the package's commands (gapcast diff, gapcast check)."""

from __future__ import annotations

import argparse


def whole_number(text: str, low: int, high: int | None = None) -> int:
    """``text`` as an integer in [low, high]; argparse's error otherwise."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < low:
        raise argparse.ArgumentTypeError(f"must be {low} or more, got {value}")
    if high is not None and value > high:
        raise argparse.ArgumentTypeError(f"must be at most {high}, got {value}")
    return value


def positive(text: str) -> int:
    """A count: 1 or more."""
    return whole_number(text, 1)
