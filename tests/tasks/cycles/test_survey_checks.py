"""The half-year's screening and 边界单位 wording: what is excluded, counted and said."""

from __future__ import annotations

import pandas as pd

from schemas.datasets import DIMENSIONS
from schemas.policy import HalfYear
from tasks.cycles.half_year.survey_checks import boundary_sentence, screen, screening_notes


def _responses() -> pd.DataFrame:
    """U1: ten consecutive identical sheets from one file (雷同答卷); U2: five careful respondents."""
    rows = [{"period": "2026H1", "respondent_id": f"R{n:03d}", "respondent_group": "社会各界", "unit_id": "U1",
             "dimension": d, "grade": "满意", "file_id": 1} for n in range(10) for d in DIMENSIONS]
    rows += [{"period": "2026H1", "respondent_id": f"S{n}", "respondent_group": "机关", "unit_id": "U2",
              "dimension": d, "grade": g, "file_id": 2}
             for n in range(5) for d, g in zip(DIMENSIONS, ["满意", "基本满意", "满意", "不满意", "满意"])]
    return pd.DataFrame(rows)


def test_flagged_answers_are_kept_by_default_and_counted():
    screening = screen(_responses(), "2026H1", HalfYear())
    assert len(screening.scored) == 75 and screening.excluded == 0
    assert screening.flagged_per_unit.to_dict("index") == {"U1": {"flagged": 50, "rules": "雷同答卷"}}
    assert screening_notes(screening) == ["测评完整性筛查标记测评票50张(雷同答卷50张);这些测评票照常计分,另行列出供核查。"]


def test_flagged_answers_leave_the_score_when_the_policy_excludes_them():
    policy = HalfYear(integrity={"exclude_flagged": True})
    screening = screen(_responses(), "2026H1", policy)
    assert screening.scored["unit_id"].unique().tolist() == ["U2"] and screening.excluded == 50
    assert screening_notes(screening)[0].endswith("按政策规定,这50张测评票不计分,也不计为有效测评票。")


def test_a_boundary_unit_is_explained_in_plain_words():
    row = {"designation": "重点管理单位", "rank_low": 1138, "rank_high": 1164, "p_designated": 0.4213}
    assert boundary_sentence(row) == ("按本期得分确定为重点管理单位;因有效票较少,排名区间为第1138—1164名,"
                                      "被确定的可能性约为42%,属边界单位。")
