"""Reasons in words: numbers as readers write them, and parts joined row by row in a fixed order."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.testing import assert_series_equal

from tasks.rules.wording import joined, number


def test_number_drops_a_trailing_zero_only():
    assert number(pd.Series([40.0, 2.5, 0.0, 1000.0])).tolist() == ["40", "2.5", "0", "1000"]


def test_parts_join_per_row_in_the_order_given_whatever_the_index():
    # A (year, person) index: rows are joined by position, never merged by their first level.
    index = pd.MultiIndex.from_tuples([(2026, "A"), (2026, "B"), (2027, "A")])
    got = joined({"first": pd.Series(["甲", np.nan, "丙"], index=index),
                  "second": pd.Series(["乙", np.nan, np.nan], index=index)}, index, "；")
    assert_series_equal(got, pd.Series(["甲；乙", "", "丙"], index=index, dtype="str"))
