"""What changed between two versions: per key and field, shown as a reader compares, with the version's causes."""

from __future__ import annotations

import pandas as pd

from tasks.rules.changes import CHANGE_COLUMNS, Compared, change_causes, result_changes

RANKING = Compared("ranking.csv", ("rank", "score", "designation"))


def ranking(*rows: tuple) -> pd.DataFrame:
    """(unit_id, rank, score, designation) rows as read back from a published ranking.csv (text)."""
    return pd.DataFrame([{"unit_id": u, "unit_name": f"{u}单位", "rank": r, "score": s, "designation": d}
                         for u, r, s, d in rows]).astype({"rank": "str", "score": "str"})


def test_only_what_a_reader_sees_change_is_listed():
    before = ranking(("U1", 1, "97.0012", None), ("U2", 2, "90.5", None), ("U3", 3, "80.004", "重点管理单位"))
    after = ranking(("U1", 1, "97.0049", None), ("U2", 3, "80.0", "重点管理单位"), ("U3", 2, "90.5", None))
    got = result_changes(before, after, RANKING, "新增文件:survey_responses_2026H1_更正.csv")
    assert list(got.columns) == CHANGE_COLUMNS
    # U1's score moves in the fourth decimal only: shown to two decimals it is 97.00 both times.
    assert got[["unit_id", "field", "before", "after"]].values.tolist() == [
        ["U2", "名次", "2", "3"], ["U3", "名次", "3", "2"],
        ["U2", "得分", "90.50", "80.00"], ["U3", "得分", "80.00", "90.50"],
        ["U2", "确定结果", "—", "重点管理单位"], ["U3", "确定结果", "重点管理单位", "—"],
    ]
    assert set(got["cause"]) == {"新增文件:survey_responses_2026H1_更正.csv"}


def test_a_unit_in_one_version_only_shows_against_a_dash():
    got = result_changes(ranking(("U1", 1, "90", None)), ranking(("U1", 1, "90", None), ("U9", 2, "80", None)),
                         RANKING, "c")
    assert got[["unit_id", "unit_name", "field", "before", "after"]].values.tolist() == [
        ["U9", "U9单位", "名次", "—", "2"], ["U9", "U9单位", "得分", "—", "80.00"]]


def test_persons_are_reported_under_their_unit_and_yes_no_in_words():
    cards = Compared("scorecards.csv", ("grade", "promotable"), key="person_id", person=True)
    before = pd.DataFrame({"person_id": ["P1"], "unit_id": ["U1"], "unit_name": ["解放路社区"], "grade": ["称职"],
                           "promotable": ["False"]})
    after = before.assign(grade="优秀", promotable="true")  # as a published CSV writes it
    got = result_changes(before, after, cards, "政策变更")
    assert got[["unit_id", "field", "before", "after"]].values.tolist() == [
        ["U1", "等次(人员 P1)", "称职", "优秀"], ["U1", "破格录用或提拔人选(人员 P1)", "否", "是"]]


def test_nothing_changed_gives_an_empty_table_with_the_columns():
    same = ranking(("U1", 1, "90", None))
    got = result_changes(same, same, RANKING, "c")
    assert got.empty and list(got.columns) == CHANGE_COLUMNS


def test_causes_name_files_added_and_gone_and_a_policy_change():
    previous = {"policy_sha256": "a", "inputs": [{"sha256": "1", "file_name": "units.xlsx"},
                                                 {"sha256": "2", "file_name": "survey_第一批.csv"}]}
    inputs = [{"sha256": "1", "file_name": "units.xlsx"}, {"sha256": "3", "file_name": "survey_更正.csv"}]
    assert change_causes(previous, inputs, "b") == "新增文件:survey_更正.csv;不再计入的文件:survey_第一批.csv;政策变更"
    assert change_causes(previous, previous["inputs"], "a") == "数据与政策均未变化(重新运行)"
