"""Half-year survey rules: scores, 满意率 and its interval, 样本不足, ranking ties and designations."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal

from schemas.policy import HalfYear
from tasks.rules.survey import (
    city_medians, designation_notes, dimension_scores, group_scores, half_year_ranking, wilson_interval,
)

PERIOD = "2026H1"
GRADES = ("满意", "基本满意", "不满意", "弃权")


def _answers(unit: str, counts: tuple[int, int, int, int], group: str = "机关",
             dimension: str = "精神状态", period: str = PERIOD) -> list[dict]:
    """One answer per respondent: `counts` of 满意, 基本满意, 不满意, 弃权."""
    rows = []
    for grade, count in zip(GRADES, counts, strict=True):
        rows += [{"period": period, "respondent_group": group, "unit_id": unit,
                  "dimension": dimension, "grade": grade} for _ in range(count)]
    return rows


def _responses(*parts: list[dict]) -> pd.DataFrame:
    rows = [row for part in parts for row in part]
    frame = pd.DataFrame(rows)
    frame.insert(1, "respondent_id", [f"R{i}" for i in range(len(frame))])
    return frame


def _units(ids: list[str], categories: list[str] | None = None, window: list[bool] | None = None) -> pd.DataFrame:
    return pd.DataFrame({
        "unit_id": ids,
        "unit_name": [f"{i}单位" for i in ids],
        "category": categories or ["党群部门"] * len(ids),
        "region": "市直", "level": "市级",
        "is_window": window or [True] * len(ids),
        "leader_name": "张三",
    })


def _table(ranking: pd.DataFrame, columns: list[str]) -> list[tuple]:
    return [tuple(None if pd.isna(v) else v for v in row) for row in ranking[columns].itertuples(index=False)]


SMALL = HalfYear(min_valid_responses=1, key_management_count=1, key_supervision_count=1)


def test_scores_counts_and_rates_of_one_unit():
    # Points 100/60/0; 弃权 counted and in the abstention rate but excluded from score and rate.
    responses = _responses(_answers("U1", (2, 1, 1, 1)))
    ranking = half_year_ranking(responses, _units(["U1"]), PERIOD, SMALL)
    expected = pd.DataFrame({
        "unit_id": ["U1"], "answers": [5], "valid_responses": [4], "abstentions": [1],
        "abstention_rate": [0.2], "satisfied": [2], "basically_satisfied": [1], "dissatisfied": [1],
        "score": [65.0], "satisfaction_rate": [0.75], "rank": pd.array([1], dtype="Int64"),
        "designation": pd.array(["重点管理单位"], dtype="str"),
    })
    assert_frame_equal(ranking[list(expected.columns)], expected, check_dtype=False)


@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [
        (8, 10, 0.4902, 0.9433),  # textbook Wilson 95 % interval of 8/10
        (0, 10, 0.0, 0.2775),  # no successes: the interval still has width
        (10, 10, 0.7225, 1.0),  # all successes
        (45, 50, 0.7864, 0.9565),  # a typical unit of the survey
    ],
)
def test_wilson_interval_known_values(successes, trials, low, high):
    lower, upper = wilson_interval(pd.Series([successes]), pd.Series([trials]))
    assert (round(lower[0], 4), round(upper[0], 4)) == (low, high)


def test_wilson_interval_bounds_are_exact_at_the_extremes():
    # All or none successful: the outer bound is exactly 1 or 0, never 0.9999999999999999.
    lower, upper = wilson_interval(pd.Series([30, 0]), pd.Series([30, 30]))
    assert (upper[0], lower[1]) == (1.0, 0.0)


def test_wilson_interval_without_trials_is_empty():
    # No non-abstaining answers means no rate and no interval.
    lower, upper = wilson_interval(pd.Series([0]), pd.Series([0]))
    assert math.isnan(lower[0]) and math.isnan(upper[0])


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        # Equal scores (60): the higher 满意率 ranks first.
        ({"A": (3, 0, 2, 0), "B": (0, 4, 0, 0)}, [("B", 60.0, 1.0, 1), ("A", 60.0, 0.6, 2)]),
        # Equal score (75) and 满意率 (0.75): fewer 不满意 answers rank first.
        ({"A": (6, 0, 2, 0), "B": (3, 0, 1, 0)}, [("B", 75.0, 0.75, 1), ("A", 75.0, 0.75, 2)]),
        # Equal on every key: the units share the rank and the next rank skips (“1224”).
        ({"A": (1, 0, 0, 0), "B": (3, 0, 1, 0), "C": (3, 0, 1, 0), "D": (0, 0, 1, 0)},
         [("A", 100.0, 1.0, 1), ("B", 75.0, 0.75, 2), ("C", 75.0, 0.75, 2), ("D", 0.0, 0.0, 4)]),
        # Abstentions change neither score nor rate, so they cannot break a tie.
        ({"A": (1, 0, 0, 5), "B": (1, 0, 0, 0)}, [("A", 100.0, 1.0, 1), ("B", 100.0, 1.0, 1)]),
    ],
)
def test_ranking_ties(answers, expected):
    responses = _responses(*(_answers(u, c) for u, c in answers.items()))
    ranking = half_year_ranking(responses, _units(list(answers)), PERIOD, SMALL)
    assert _table(ranking, ["unit_id", "score", "satisfaction_rate", "rank"]) == expected


def _ladder(units: int, tied: tuple[int, int] | None = None) -> pd.DataFrame:
    """Unit Uk has k 满意 and 20−k 不满意 (score 5k); `tied` = (k, j) gives unit Uk the answers of Uj."""
    parts = []
    for k in range(1, units + 1):
        grades = tied[1] if tied and k == tied[0] else k
        parts.append(_answers(f"U{k:02d}", (grades, 0, 20 - grades, 0)))
    return _responses(*parts)


@pytest.mark.parametrize(
    ("tied", "managed", "supervised", "notes"),
    [
        # No ties: the 10 lowest (U01–U10) and the next 5 (U11–U15).
        (None, range(1, 11), range(11, 16), ["参与排名16个单位,重点管理单位10个,重点督查单位5个。"]),
        # U11 ties U10 across the 10/11 boundary: both are 重点管理单位, supervision counts from the 12th.
        ((11, 10), range(1, 12), range(12, 16), [
            "参与排名16个单位,重点管理单位11个,重点督查单位4个。",
            "重点管理单位按规定为排名最后的10个单位;第6名有2个单位得分、满意率和不满意票数均相同,并列于界线上,"
            "依“与界内单位并列者一并列入”的规定全部列入,名单增至11个。",
            "因重点管理单位名单增加1个,重点督查单位相应从倒数第12位起计。",
        ]),
        # U16 ties U15 across the 15/16 boundary: the supervision list grows to 6.
        ((16, 15), range(1, 11), range(11, 17), [
            "参与排名16个单位,重点管理单位10个,重点督查单位6个。",
            "重点督查单位按规定为倒数第11至第15位的单位;第1名有2个单位并列于界线上,一并列入,名单为6个。",
        ]),
    ],
)
def test_designation_boundaries(tied, managed, supervised, notes):
    ids = [f"U{k:02d}" for k in range(1, 17)]
    ranking = half_year_ranking(_ladder(16, tied), _units(ids), PERIOD, HalfYear(min_valid_responses=20))
    by_unit = ranking.set_index("unit_id")["designation"]
    assert sorted(by_unit[by_unit.eq("重点管理单位")].index) == [f"U{k:02d}" for k in managed]
    assert sorted(by_unit[by_unit.eq("重点督查单位")].index) == [f"U{k:02d}" for k in supervised]
    assert designation_notes(ranking, HalfYear(min_valid_responses=20)) == notes


def test_insufficient_sample_with_many_abstentions_is_listed_after_ranked_units():
    # 29 valid answers (plus 50 弃权) are below 30: 样本不足, not ranked; exactly 30 is enough.
    responses = _responses(_answers("U1", (29, 0, 0, 50)), _answers("U2", (0, 30, 0, 0)),
                           _answers("U3", (10, 0, 30, 0)))
    ranking = half_year_ranking(responses, _units(["U1", "U2", "U3"]), PERIOD, HalfYear())
    assert _table(ranking, ["unit_id", "valid_responses", "abstentions", "rank", "designation", "from_bottom"]) == [
        ("U2", 30, 0, 1, "重点管理单位", 2),
        ("U3", 40, 0, 2, "重点管理单位", 1),
        ("U1", 29, 50, None, "样本不足", None),
    ]
    assert ranking.loc[2, "abstention_rate"] == pytest.approx(50 / 79)
    assert designation_notes(ranking, HalfYear())[-1] == "1个单位有效测评票少于30张,标为“样本不足”,不参与排名,另行列出。"


def test_only_the_period_and_window_units_count():
    # Answers of 2025H2 are ignored; a non-window unit is not in the ranking at all.
    responses = _responses(_answers("U1", (1, 0, 0, 0)), _answers("U1", (0, 0, 9, 0), period="2025H2"),
                           _answers("U2", (1, 0, 0, 0)))
    ranking = half_year_ranking(responses, _units(["U1", "U2"], window=[True, False]), PERIOD, SMALL)
    assert _table(ranking, ["unit_id", "answers", "score", "rank"]) == [("U1", 1, 100.0, 1)]


def test_group_weights_average_the_groups_present():
    # 机关 mean 100 (w 3), 社会各界 mean 30 (w 1); 中省直部门 (w 5) has no answers so its weight drops out.
    responses = _responses(_answers("U1", (2, 0, 0, 1), group="机关"),
                           _answers("U1", (0, 1, 1, 0), group="社会各界"))
    weighted = HalfYear(min_valid_responses=1, group_weights={"机关": 3, "社会各界": 1, "中省直部门": 5, "重点项目单位": 0})
    assert half_year_ranking(responses, _units(["U1"]), PERIOD, weighted).loc[0, "score"] == pytest.approx(82.5)
    # Without weights every non-abstaining answer counts once: (200 + 60 + 0) / 4.
    assert half_year_ranking(responses, _units(["U1"]), PERIOD, SMALL).loc[0, "score"] == pytest.approx(65.0)


def test_answers_of_a_zero_weight_group_are_not_valid_answers():
    # 重点项目单位 weighs 0 (SPEC §2.2: its answers are not valid answers for the minimum sample of 30).
    policy = HalfYear(group_weights={"机关": 1, "中省直部门": 1, "重点项目单位": 0, "社会各界": 1},
                      key_management_count=0, key_supervision_count=0)
    responses = _responses(
        # U1: 40 answers, all from the zero-weight group → no valid answer, 样本不足 (and the note is true).
        _answers("U1", (30, 10, 0, 0), group="重点项目单位"),
        # U2: 40 valid answers in weighted groups (机关 mean 100, 社会各界 mean 30) plus 12 zero-weight ones → scored.
        _answers("U2", (20, 0, 0, 0), group="机关"), _answers("U2", (0, 10, 10, 2), group="社会各界"),
        _answers("U2", (0, 0, 12, 0), group="重点项目单位"),
        # U3: 29 valid weighted answers and 20 zero-weight ones: still short of 30.
        _answers("U3", (29, 0, 0, 0), group="中省直部门"), _answers("U3", (20, 0, 0, 0), group="重点项目单位"),
    )
    ranking = half_year_ranking(responses, _units(["U1", "U2", "U3"]), PERIOD, policy)
    columns = ["unit_id", "answers", "valid_responses", "abstentions", "unweighted_answers", "dissatisfied", "score",
               "satisfaction_rate", "rank", "designation"]
    assert _table(ranking, columns) == [
        ("U2", 42, 40, 2, 12, 10, 65.0, 0.75, 1, ""),   # (100 + 30) / 2; 满意率 30 / 40, zero-weight answers aside
        ("U1", 0, 0, 0, 40, 0, None, None, None, "样本不足"),
        ("U3", 29, 29, 0, 20, 0, 100.0, 1.0, None, "样本不足"),
    ]
    assert designation_notes(ranking, policy)[-2:] == [
        "2个单位有效测评票少于30张,标为“样本不足”,不参与排名,另行列出。",
        "重点项目单位的权重为0,其72张测评票不计分,也不计为有效测评票。",
    ]


def test_ranking_within_category_restarts_ranks_and_lists():
    # Each category ranks and designates its own bottom unit.
    responses = _responses(*(_answers(u, c) for u, c in
                             {"A": (2, 0, 0, 0), "B": (1, 0, 1, 0), "C": (0, 1, 0, 0), "D": (0, 0, 1, 0)}.items()))
    units = _units(["A", "B", "C", "D"], categories=["党群部门", "党群部门", "中央省驻单位", "中央省驻单位"])
    policy = HalfYear(min_valid_responses=1, key_management_count=1, key_supervision_count=0,
                      rank_within_category=True)
    ranking = half_year_ranking(responses, units, PERIOD, policy)
    assert _table(ranking, ["unit_id", "rank", "designation"]) == [
        ("C", 1, ""), ("D", 2, "重点管理单位"), ("A", 1, ""), ("B", 2, "重点管理单位"),
    ]
    assert designation_notes(ranking, policy) == [
        "中央省驻单位:参与排名2个单位,重点管理单位1个,重点督查单位0个。",
        "党群部门:参与排名2个单位,重点管理单位1个,重点督查单位0个。",
    ]


def test_dimension_and_group_profiles_and_city_median():
    # Per-dimension and per-group means skip 弃权; the city median is taken over the units given.
    responses = _responses(_answers("U1", (1, 0, 0, 1), dimension="精神状态"),
                           _answers("U1", (0, 1, 0, 0), dimension="工作效率", group="社会各界"),
                           _answers("U2", (0, 0, 1, 0), dimension="精神状态"),
                           _answers("U3", (1, 0, 0, 0), dimension="精神状态"))
    points = HalfYear().grade_points
    dims = dimension_scores(responses, PERIOD, points)
    nan = float("nan")
    expected = pd.DataFrame({"精神状态": [100.0, 0.0, 100.0], "工作落实": nan, "工作效率": [60.0, nan, nan],
                             "服务意识": nan, "机关风纪": nan}, index=pd.Index(["U1", "U2", "U3"], name="unit_id"))
    assert_frame_equal(dims, expected, check_index_type=False)
    groups = group_scores(responses, PERIOD, points)
    assert groups.loc["U1"].tolist()[::3] == [100.0, 60.0]  # 机关 and 社会各界
    medians = city_medians(dims, pd.Series(["U1", "U2"]))
    assert_series_equal(medians, pd.Series({"精神状态": 50.0, "工作落实": nan, "工作效率": 60.0,
                                            "服务意识": nan, "机关风纪": nan}), check_names=False)
