"""The --where condition language of scenario discovery (gapcast.where): what parses, what it
selects (IEEE comparisons, +inf for events never reached, NaN for undefined values), and the
located errors for what does not."""
from __future__ import annotations

import numpy as np
import pytest

from gapcast.where import WhereError, parse_where

COLUMNS = ["sample", "scenario", "weight", "threshold_month", "delay_months_vs_baseline",
           "gap_training@2030-12", "gap_training@2035-12", "world.target_lag_months"]
FRAME = {
    "threshold_month": np.array([10.0, np.inf, 70.0, 40.0]),
    "delay_months_vs_baseline": np.array([np.nan, 1.0, 2.0, np.nan]),
    "gap_training@2030-12": np.array([5.0, 20.0, 9.99, 10.0]),
    "gap_training@2035-12": np.array([1.0, 2.0, 3.0, 4.0]),
    "world.target_lag_months": np.array([1.0, 2.0, 3.0, 4.0]),
}


@pytest.mark.parametrize("text, expected", [
    ("gap_training@2030-12 < 10", [True, False, True, False]),
    ("gap_training@2030-12 <= 10", [True, False, True, True]),
    ("10 > gap_training@2030-12", [True, False, True, False]),
    ("threshold_month > 60", [False, True, True, False]),       # never reached is +inf
    ("threshold_month == inf", [False, True, False, False]),
    ("delay_months_vs_baseline >= 0", [False, True, True, False]),  # NaN fails
    ("delay_months_vs_baseline != 1", [True, False, True, True]),
    ("gap_training@2030-12 < 10 and world.target_lag_months > 1", [False, False, True, False]),
    ("gap_training@2030-12 < 10 && world.target_lag_months > 1", [False, False, True, False]),
    ("gap_training@2030-12 >= 20 or gap_training@2035-12 > 3.5", [False, True, False, True]),
    ("not (gap_training@2030-12 >= 20 or gap_training@2035-12 > 3.5)",
     [True, False, True, False]),
    ("!(threshold_month > 60)", [True, False, False, True]),
    # and binds tighter than or
    ("threshold_month < 20 or threshold_month > 60 and world.target_lag_months > 2",
     [True, False, True, False]),
    ("gap_training@2035-12 > gap_training@2030-12", [False, False, False, False]),
    ("gap_training@2030-12<1e1", [True, False, True, False]),
])
def test_conditions_select_the_right_worlds(text, expected):
    condition = parse_where(text, COLUMNS)
    assert condition.evaluate(FRAME).tolist() == expected


def test_the_condition_names_the_columns_it_reads_once_each():
    condition = parse_where("gap_training@2030-12 < 10 and (gap_training@2030-12 > 1 or "
                            "world.target_lag_months < 3)", COLUMNS)
    assert condition.columns == ["gap_training@2030-12", "world.target_lag_months"]


@pytest.mark.parametrize("text, message, column", [
    ("", "the condition is empty", None),
    ("gap_training < 10", "gap_training is a series: name a month, e.g. gap_training@2035-12",
     0),
    ("gap_training@2031-12 < 10", "no gap_training at 2031-12; it has gap_training at "
     "2030-12, 2035-12", 0),
    ("gap_training@2030 < 10", "'2030' is not a month", 0),
    ("threshold_month@2030-12 < 10", "threshold_month is a scalar", 0),
    ("gap_trainng@2030-12 < 10", "no column 'gap_trainng' \\(did you mean gap_training\\?\\)",
     0),
    ("world.nope > 1", "no column 'world.nope'", 0),
    ("sample < 10", "no column 'sample'", 0),
    ("gap_training@2030-12 <", "expected a column .* found the end", 22),
    ("gap_training@2030-12 10", "expected a comparison", 21),
    ("(gap_training@2030-12 < 10", "expected '\\)'", 26),
    ("gap_training@2030-12 < 10 threshold_month", "expected and/or or the end", 26),
    ("1 < 2", "no column on either side", 2),
    ("gap_training@2030-12 ~ 10", "cannot read '~ 10'", 21),
    ("gap_training@2030-12 = 10", "cannot read '= 10'", 21),
])
def test_bad_conditions_are_refused_with_the_place_and_the_reason(text, message, column):
    with pytest.raises(WhereError, match=message) as caught:
        parse_where(text, COLUMNS)
    assert isinstance(caught.value, ValueError)
    if column is not None:
        caret_line = str(caught.value).splitlines()[-1]
        assert caret_line.index("^") - 2 == column, str(caught.value)
