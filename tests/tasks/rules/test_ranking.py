"""Standard competition ranks and the “among the N lowest” reading."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_series_equal

from tasks.rules.ranking import among_lowest, competition_rank


AFTER = float(np.nextafter(0.0048828125, 1.0))


def _ranks(values: list) -> pd.Series:
    return pd.Series(values, dtype="Int64")


@pytest.mark.parametrize(
    ("frame", "by", "group", "expected"),
    [
        # Equal scores share a rank and the next rank skips (“1224”).
        ({"s": [90.0, 80.0, 80.0, 70.0]}, [("s", False)], None, [1, 2, 2, 4]),
        # Ascending order ranks the smallest value first.
        ({"s": [3.0, 1.0, 2.0]}, [("s", True)], None, [3, 1, 2]),
        # The second key breaks a tie of the first; a tie on both keys stays shared.
        ({"s": [80.0, 80.0, 80.0, 70.0], "r": [0.5, 0.9, 0.5, 1.0]},
         [("s", False), ("r", False)], None, [2, 1, 2, 4]),
        # Mixed directions: a larger second key (a count of 不满意) ranks lower.
        ({"s": [80.0, 80.0, 80.0], "n": [3, 1, 2]}, [("s", False), ("n", True)], None, [3, 1, 2]),
        # Values closer than the tolerance (5e-10) tie; a difference in the 8th decimal does not.
        ({"s": [60.0000000001, 60.0, 60.00000001]}, [("s", False)], None, [2, 2, 1]),
        # Neighbouring floats tie even where rounding to 9 decimals would split them (…8125 rounds down).
        ({"s": [0.0048828125, AFTER]}, [("s", False)], None, [1, 1]),
        # A difference of exactly the tolerance is a difference; just under it is a tie.
        ({"s": [1.0, 1.0 + 5e-10, 7.0, 7.0 + 4.9e-10]}, [("s", False)], None, [4, 3, 1, 1]),
        # Ties chain: each value within the tolerance of its neighbour makes one group (documented choice).
        ({"s": [1.0, 1.0 + 3e-10, 1.0 + 6e-10, 2.0]}, [("s", False)], None, [2, 2, 2, 1]),
        # A score tie by tolerance cascades to the 满意率, even though the exact scores are in the other order.
        ({"s": [80.0000000004, 80.0000000006, 80.0000000004], "r": [0.9, 0.5, 0.7]},
         [("s", False), ("r", False)], None, [1, 3, 2]),
        # …and a tie on score and rate by tolerance cascades to the count of 不满意 (fewer first), then “1224”.
        ({"s": [80.0000000004, 80.0000000006, 80.0000000004, 79.0], "r": [0.8999999996, 0.8999999996, 0.8999999994, 1.0],
          "n": [3, 1, 1, 0]},
         [("s", False), ("r", False), ("n", True)], None, [3, 1, 1, 4]),
        # A missing value is not ranked and does not take a rank from others.
        ({"s": [90.0, None, 70.0]}, [("s", False)], None, [1, None, 2]),
        # A missing tie-breaker leaves the row unranked too.
        ({"s": [90.0, 90.0], "r": [0.5, None]}, [("s", False), ("r", False)], None, [1, None]),
        # Ranks restart in every group.
        ({"s": [90.0, 80.0, 85.0, 85.0, 70.0], "g": ["a", "a", "b", "b", "b"]},
         [("s", False)], "g", [1, 2, 1, 1, 3]),
    ],
)
def test_competition_rank(frame, by, group, expected):
    result = competition_rank(pd.DataFrame(frame), by, group=group)
    assert_series_equal(result, _ranks(expected), check_names=False)


def test_competition_rank_keeps_the_index_and_handles_no_rows():
    # The ranks align to the caller's index, whatever its labels.
    frame = pd.DataFrame({"s": [1.0, 2.0]}, index=["u2", "u1"])
    assert_series_equal(competition_rank(frame, [("s", False)]),
                        pd.Series([2, 1], index=["u2", "u1"], dtype="Int64"), check_names=False)
    # An empty table ranks nothing.
    empty = competition_rank(frame.iloc[:0], [("s", False)])
    assert empty.empty and str(empty.dtype) == "Int64"


@pytest.mark.parametrize(
    ("ranks", "n", "group", "expected"),
    [
        # Plain boundary: the 2 lowest of 1..5 are ranks 4 and 5.
        ([1, 2, 3, 4, 5], 2, None, [False, False, False, True, True]),
        # A unit tied with one inside the boundary is inside too (ranks 3, 3 both within the 3 lowest).
        ([1, 2, 3, 3, 5], 2, None, [False, False, True, True, True]),
        # A tie straddling the boundary widens the list: 1 lowest, but the last two share the rank.
        ([1, 2, 3, 3], 1, None, [False, False, True, True]),
        # Unranked units are never among the lowest and do not count as below anyone.
        ([1, None, 2, 3], 1, None, [False, False, False, True]),
        # n = 0 designates nobody.
        ([1, 2], 0, None, [False, False]),
        # Within groups the count is of the unit's own group.
        ([1, 2, 1, 2, 3], 1, ["a", "a", "b", "b", "b"], [False, True, False, False, True]),
    ],
)
def test_among_lowest(ranks, n, group, expected):
    group_series = pd.Series(group) if group is not None else None
    result = among_lowest(_ranks(ranks), n, group_series)
    assert result.tolist() == expected
