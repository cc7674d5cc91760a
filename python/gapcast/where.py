"""Conditions on an ensemble's columns: the ``--where`` language of ``gapcast discover``.

A condition says which sampled worlds are *cases of interest*, e.g. the worlds in which the
embargo fails to keep the training gap above 10x::

    gap_training@2030-12 < 10
    added_gap_months_vs_no_controls@2030-12 < 3 and threshold_month <= 60
    not (gap_training@2035-12 >= 10 or world.target_lag_months > 12)

Grammar (keywords are lower case; ``&&``, ``||`` and ``!`` are accepted too)::

    condition  := disjunct ("or" disjunct)*
    disjunct   := negation ("and" negation)*
    negation   := "not" negation | "(" condition ")" | comparison
    comparison := operand OP operand          OP: < <= > >= == !=
    operand    := number | column
    column     := NAME "@" YYYY-MM            a series metric at a recorded month
                | NAME                        a scalar metric or a drawn parameter (world.*)

Numbers follow Python's float syntax, plus ``inf``. Comparisons are IEEE: an undefined value
(NaN, e.g. a delay against a baseline the run did not have) satisfies none of them except
``!=``; an event never reached by the horizon is +inf (so ``threshold_month > 60`` includes
the worlds that never reach it). Every error is a :class:`WhereError` (a ``ValueError``) that
names the offending text and its position, and for an unknown column the valid names.
"""

from __future__ import annotations

import difflib
import math
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Condition", "WhereError", "parse_where"]

_COMPARISONS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "==": operator.eq, "!=": operator.ne}
_KEYWORDS = {"and": "and", "&&": "and", "or": "or", "||": "or", "not": "not", "!": "not"}

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?![\w.@])|inf\b)
  | (?P<op><=|>=|==|!=|<|>)
  | (?P<logic>&&|\|\||!(?!=))
  | (?P<paren>[()])
  | (?P<name>[A-Za-z_][\w.]*(?:@[^\s()<>=!&|]*)?)
""", re.VERBOSE)
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


class WhereError(ValueError):
    """A ``--where`` condition that cannot be used: it does not parse, names a column the
    ensemble does not have, or selects no world or every world."""


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    position: int


def _located(text: str, position: int, message: str) -> WhereError:
    caret = " " * position + "^"
    return WhereError(f"{message}\n  {text}\n  {caret}")


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise _located(text, position, f"cannot read {text[position:position + 12]!r} "
                           "(expected a column, a number, a comparison < <= > >= == !=, "
                           "and/or/not or a parenthesis)")
        kind = match.lastgroup or ""
        word = match.group()
        if kind == "name" and word in _KEYWORDS:
            kind = "logic"
        if kind != "space":
            out.append(_Token(kind, word, position))
        position = match.end()
    out.append(_Token("end", "", len(text)))
    return out


class Condition:
    """A parsed condition: ``columns`` it reads, ``evaluate(frame)`` -> boolean array."""

    def __init__(self, text: str, tree: tuple, columns: list[str]):
        self.text = text
        self._tree = tree
        self.columns = columns

    def __repr__(self) -> str:
        return f"Condition({self.text!r})"

    def evaluate(self, frame) -> np.ndarray:
        """Which rows of ``frame`` (a DataFrame or a mapping of column -> array) satisfy
        the condition."""
        return np.asarray(self._eval(self._tree, frame), dtype=bool)

    def _eval(self, node: tuple, frame):
        kind = node[0]
        if kind == "number":
            return node[1]
        if kind == "column":
            return np.asarray(frame[node[1]], dtype=float)
        if kind == "not":
            return ~self._eval(node[1], frame)
        if kind in ("and", "or"):
            combine = np.logical_and if kind == "and" else np.logical_or
            return combine(self._eval(node[1], frame), self._eval(node[2], frame))
        with np.errstate(invalid="ignore"):
            return _COMPARISONS[node[1]](self._eval(node[2], frame), self._eval(node[3], frame))


class _Parser:
    def __init__(self, text: str, columns: Sequence[str]):
        self.text = text
        self.tokens = _tokens(text)
        self.at = 0
        self.known = list(columns)
        self.known_set = set(columns)
        self.used: list[str] = []

    def peek(self) -> _Token:
        return self.tokens[self.at]

    def take(self) -> _Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def fail(self, token: _Token, expected: str) -> WhereError:
        found = "the end of the condition" if token.kind == "end" else repr(token.text)
        return _located(self.text, token.position, f"expected {expected}, found {found}")

    def condition(self) -> tuple:
        return self.joined("or", self.disjunct)

    def disjunct(self) -> tuple:
        return self.joined("and", self.negation)

    def joined(self, keyword: str, operand) -> tuple:
        """operand (keyword operand)*, left-associative: both levels of and/or."""
        node = operand()
        while self.peek().kind == "logic" and _KEYWORDS[self.peek().text] == keyword:
            self.take()
            node = (keyword, node, operand())
        return node

    def negation(self) -> tuple:
        token = self.peek()
        if token.kind == "logic" and _KEYWORDS[token.text] == "not":
            self.take()
            return ("not", self.negation())
        if token.text == "(":
            self.take()
            node = self.condition()
            if self.peek().text != ")":
                raise self.fail(self.peek(), "')' or and/or")
            self.take()
            return node
        return self.comparison()

    def comparison(self) -> tuple:
        left = self.operand()
        token = self.peek()
        if token.kind != "op":
            raise self.fail(token, "a comparison (< <= > >= == !=)")
        self.take()
        right = self.operand()
        if left[0] == "number" and right[0] == "number":
            raise _located(self.text, token.position,
                           "this comparison has no column on either side")
        return ("compare", token.text, left, right)

    def operand(self) -> tuple:
        token = self.take()
        if token.kind == "number":
            return ("number", math.inf if token.text == "inf" else float(token.text))
        if token.kind == "name":
            return ("column", self.column(token))
        raise self.fail(token, "a column (metric, metric@YYYY-MM or world.<parameter>) "
                               "or a number")

    def column(self, token: _Token) -> str:
        name = token.text
        if name in self.known_set:
            if name not in self.used:
                self.used.append(name)
            return name
        raise _located(self.text, token.position, self.unknown(name))

    def unknown(self, name: str) -> str:
        """Why ``name`` is not a column, and what is."""
        metric, at, month = name.partition("@")
        months = sorted({c.partition("@")[2] for c in self.known if c.startswith(metric + "@")})
        scalars = [c for c in self.known if "@" not in c]
        series = sorted({c.partition("@")[0] for c in self.known if "@" in c})
        if at and months:
            if not _MONTH.fullmatch(month):
                return f"{month!r} is not a month: write {metric}@YYYY-MM"
            return (f"the ensemble has no {metric} at {month}; it has {metric} at "
                    f"{', '.join(months)}")
        if not at and months:
            return (f"{metric} is a series: name a month, e.g. {metric}@{months[-1]} "
                    f"(recorded at {', '.join(months)})")
        if at and metric in scalars:
            return f"{metric} is a scalar (one value per world): drop the @{month}"
        close = difflib.get_close_matches(metric, series + scalars, n=3, cutoff=0.6)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        return (f"the ensemble has no column {metric!r}{hint}. Series metrics: "
                f"{', '.join(series) or 'none'}; scalars and parameters: "
                f"{', '.join(c for c in scalars if not c.startswith('world.'))}, "
                f"world.<parameter>")


def parse_where(text: str, columns: Sequence[str]) -> Condition:
    """Parses ``text`` against the ensemble ``columns``; raises :class:`WhereError`."""
    if not isinstance(text, str) or not text.strip():
        raise WhereError("the condition is empty: give one such as "
                         "\"gap_training@2030-12 < 10\"")
    parser = _Parser(text, [c for c in columns if c not in ("sample", "scenario", "weight")])
    tree = parser.condition()
    if parser.peek().kind != "end":
        raise parser.fail(parser.peek(), "and/or or the end of the condition")
    return Condition(text, tree, parser.used)
