"""A summary's ranking at any scale: head and tail, every unit that must be named, one line per gap."""

from __future__ import annotations

import pandas as pd

from tasks.dossiers.common import head_and_tail


def _ranking(n: int) -> pd.DataFrame:
    return pd.DataFrame({"rank": range(1, n + 1), "unit_name": [f"单位{i}" for i in range(1, n + 1)],
                         "score": [100.0 - i for i in range(n)]})


def test_a_short_ranking_is_listed_whole():
    frame = _ranking(10)
    assert head_and_tail(frame, 5, pd.Series(False, index=frame.index), "ranking.xlsx").equals(frame)


def test_a_long_ranking_keeps_head_tail_and_marked_units_with_one_line_per_gap():
    frame = _ranking(1_200)
    keep = frame["rank"].eq(600)  # a designated unit in the middle
    shown = head_and_tail(frame, 3, keep, "ranking.xlsx")
    assert shown["unit_name"].tolist() == [
        "单位1", "单位2", "单位3", "……第4至599名共596个单位从略,完整排名见 ranking.xlsx", "单位600",
        "……第601至1197名共597个单位从略,完整排名见 ranking.xlsx", "单位1198", "单位1199", "单位1200"]
    assert shown.loc[3, "score"] == "" and shown.loc[4, "score"] == 100.0 - 599
