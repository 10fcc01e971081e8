"""Small cells (SPEC §8): a breakdown of fewer than five respondents is withheld."""

from __future__ import annotations

import pandas as pd

from tasks.rules.disclosure import SUPPRESSED, respondents, withhold


def test_rows_of_fewer_respondents_than_the_minimum_are_withheld():
    figures = pd.DataFrame({"score": [80.0, 70.0, None], "difference": [1.5, -2.0, None]}, index=["机关", "社会各界", "中省直部门"])
    counts = pd.Series({"机关": 4, "社会各界": 5, "中省直部门": 0})
    shown = withhold(figures, counts, 5)
    # 4 respondents: withheld; 5: shown; none at all: stays empty (nothing to read off).
    assert shown.loc["机关"].tolist() == [SUPPRESSED, SUPPRESSED]
    assert shown.loc["社会各界"].tolist() == [70.0, -2.0]
    assert shown.loc["中省直部门"].isna().all()


def test_respondents_are_counted_once_per_breakdown():
    answers = pd.DataFrame({"unit_id": ["U1"] * 4 + ["U2"], "group": ["机关"] * 4 + ["机关"],
                            "respondent_id": ["R1", "R1", "R2", "R3", "R1"]})
    assert respondents(answers, ["unit_id", "group"]).to_dict() == {("U1", "机关"): 3, ("U2", "机关"): 1}
