"""Row-level validation: the suites run through GX, references, stored keys, and Chinese reasons."""

from __future__ import annotations

import json
from pathlib import Path

import great_expectations as gx
import pandas as pd
import pytest

from schemas.datasets import DATASETS
from schemas.suites import suite_for
from tasks.inbox.expectations import _batch_definition, run_suite
from tasks.inbox.keys import known_key
from tasks.inbox.validation import prepare, reason_kinds, validate

GOOD = json.loads((Path(__file__).parents[2] / "samples" / "good_rows.json").read_text(encoding="utf-8"))
KNOWN = {"units.unit_id": {"U0001"}, "subjects.subject_id": {"S0001"}, "commitments.commitment_id": {"C0001"},
         "appeals.appeal_id": {"AP0001"},
         "site_reviews.review_id": {"2026-R13"}}


def raw_frame(name: str, rows: list[dict]) -> pd.DataFrame:
    """Rows as `read_table` returns them: every column as text, row numbers from 2."""
    frame = pd.DataFrame(rows, columns=DATASETS[name].column_names, dtype="str")
    return frame.assign(_row_number=range(2, len(rows) + 2))


def good(name: str, **changes) -> dict:
    return GOOD[name] | changes


def others(name: str) -> dict:
    """The known registries, less the dataset's own stored keys."""
    return {k: v for k, v in KNOWN.items() if k != known_key(DATASETS[name])}


def reasons(name: str, rows: list[dict], known: dict | None = None) -> dict[int, str]:
    rejected = validate(DATASETS[name], raw_frame(name, rows), others(name) if known is None else known).rejected
    return dict(zip(rejected["_row_number"], rejected["reason"]))


def test_good_rows_cover_every_dataset():
    assert set(GOOD) == set(DATASETS)
    assert all(set(GOOD[n]) == set(DATASETS[n].column_names) for n in DATASETS)


def _variant(name: str, row: dict, n: int) -> tuple[dict, str]:
    """`row` with its first free key column made unique by suffix `-n` (a digit `n` where a pattern needs it, as
    2026-R13 → 2026-R131); the column changed."""
    dataset = DATASETS[name]
    free = [c for c in dataset.key if dataset.column(c).type == "str" and not dataset.column(c).is_code]
    column = next((c for c in free if dataset.column(c).pattern is None), free[0])
    suffix = f"-{n}" if dataset.column(column).pattern is None else str(n)
    return row | {column: f"{row[column]}{suffix}"}, column


@pytest.mark.parametrize("name", list(DATASETS))
def test_every_dataset_one_good_row_and_bad_rows(name):
    dataset = DATASETS[name]
    base = GOOD[name]
    first, key_column = _variant(name, base, 1)
    required = next(c for c in dataset.columns if c.required and c.name != key_column)
    typed = next((c for c in dataset.columns if c.type != "str"), None)
    coded = next((c for c in dataset.columns if c.is_code), None)
    rows = [base, first | {required.name: None}, _variant(name, base, 2)[0], _variant(name, base, 2)[0]]
    expected = {3: f"{required.label}不能为空", 4: None, 5: None}
    if typed is not None:
        rows.append(_variant(name, base, 3)[0] | {typed.name: "无效值x"})
        expected[6] = f"{typed.label}“无效值x”不是"
    if coded is not None:
        rows.append(_variant(name, base, 4)[0] | {coded.name: "其他"})
        expected[len(rows) + 1] = f"{coded.label}“其他”不在允许值({'、'.join(coded.allowed)})中"
    # References to the variant ids are known, so only the planted faults reject rows.
    known = {k: set(v) | {f"{x}-{i}" for x in v for i in range(1, 5)} for k, v in KNOWN.items()
             if k != known_key(dataset)}
    result = validate(dataset, raw_frame(name, rows), known)
    got = dict(zip(result.rejected["_row_number"], result.rejected["reason"]))
    assert result.accepted["_row_number"].tolist() == [2]
    assert len(result.accepted) + len(result.rejected) == len(rows)
    assert got[3] == expected[3]
    duplicate = "、".join(dataset.column(k).label for k in dataset.key)
    assert got[4] == got[5] and got[4].startswith(duplicate + "“") and got[4].endswith("”在本批数据中重复出现 2 次")
    for row_number in set(expected) - {3, 4, 5}:
        assert got[row_number].startswith(expected[row_number])


def test_exact_reasons_per_rule():
    cases = [
        # allowed values: the grade is not one of the four
        ("survey_responses", good("survey_responses", grade="很好"),
         "测评等次“很好”不在允许值(满意、基本满意、不满意、弃权)中"),
        # a date that does not exist
        ("commitments", good("commitments", deadline="2026-02-30"), "完成时限“2026-02-30”不是有效日期"),
        # scores within 0–100
        ("superior_scores", good("superior_scores", score="120"), "分数 120 超出 0–100"),
        # unknown unit
        ("platform_cases", good("platform_cases", unit_id="U9999"), "单位编码“U9999”不在窗口单位名册中"),
        # closing before receipt
        ("platform_cases", good("platform_cases", closed_at="2026/1/4"),
         "办结时间“2026/1/4”早于受理时间“2026-01-05 08:00”"),
        # period pattern
        ("commitment_status", good("commitment_status", period="2026Q5"), "期次“2026Q5”格式不正确(季度,如 2026Q1)"),
        # maximum length
        ("units", good("units", unit_name="窗" * 101), "单位名称长度 101 超过 100 个字"),
        # booleans
        ("complaints", good("complaints", valid="也许"),
         "是否有效“也许”不是有效的是/否值(可填 是/否、Y/N、1/0、true/false、有效/无效、√/×)"),
        # sane date range
        ("deductions", good("deductions", date="1999-12-31"), "日期“1999-12-31”不在 2000-01-01 至 2100-12-31 之间"),
        # whole years only
        ("bonuses", good("bonuses", year="2026.5"), "年度“2026.5”不是整数"),
        # unknown subject
        ("leader_comments", good("leader_comments", subject_id="S9"), "对象编码“S9”不在点评对象名册中"),
        # unknown commitment
        ("commitment_status", good("commitment_status", commitment_id="C9"), "承诺编码“C9”不在公开承诺中"),
        # several faults in one row: all reasons, in suite order, joined
        ("superior_scores", good("superior_scores", unit_id=None, score="-1", evaluator=None),
         "单位编码不能为空;评议单位不能为空;分数 -1 超出 0–100"),
    ]
    for name, row, reason in cases:
        assert reasons(name, [row]) == {2: reason}, (name, reason)


def test_repeated_keys_are_all_rejected_compound_too():
    row = good("survey_responses")
    # Three answers by one respondent for the same unit and dimension: every one is quarantined.
    assert reasons("survey_responses", [row, row, row, good("survey_responses", dimension="工作效率")]) == {
        2: "期次、测评人编码、单位编码、测评项目“2026H1、R0001、U0001、服务意识”在本批数据中重复出现 3 次",
        3: "期次、测评人编码、单位编码、测评项目“2026H1、R0001、U0001、服务意识”在本批数据中重复出现 3 次",
        4: "期次、测评人编码、单位编码、测评项目“2026H1、R0001、U0001、服务意识”在本批数据中重复出现 3 次",
    }


def test_keys_already_stored_are_rejected():
    known = KNOWN | {known_key(DATASETS["platform_cases"]): pd.Index(["G0001"])}
    assert reasons("platform_cases", [good("platform_cases"), good("platform_cases", case_id="G0002")], known) == {
        2: "工单编号“G0001”已入库,不能重复提交,如需修改已入库的数据,请报送文件名中含有更正二字的更正文件"}
    # Compound keys compare by their converted values: year 2026.0 is the stored 2026.
    stored = {known_key(DATASETS["superior_scores"]): pd.Index(["2026\x1fU0001\x1f省政务服务管理局"])}
    assert reasons("superior_scores", [good("superior_scores", year="2026.0")], KNOWN | stored) == {
        2: "年度、单位编码、评议单位“2026.0、U0001、省政务服务管理局”已入库,不能重复提交,如需修改已入库的数据,请报送文件名中含有更正二字的更正文件"}


def test_accepted_rows_are_typed():
    rows = [good("platform_cases"),
            good("platform_cases", case_id="G0002", received_at="46086.5", due_at="2026年3月6日", closed_at=None,
                 rating="未评价")]
    accepted = validate(DATASETS["platform_cases"], raw_frame("platform_cases", rows), KNOWN).accepted
    expected = pd.DataFrame({
        "case_id": pd.Series(["G0001", "G0002"], dtype="str"),
        "platform": pd.Categorical(["12345政府服务热线"] * 2, categories=DATASETS["platform_cases"].column("platform").allowed),
        "unit_id": pd.Series(["U0001", "U0001"], dtype="str"),
        "received_at": pd.Series(pd.to_datetime(["2026-01-05 08:00", "2026-03-05 12:00"]), dtype="datetime64[us]"),
        "due_at": pd.Series(pd.to_datetime(["2026-01-10 18:00", "2026-03-06 00:00"]), dtype="datetime64[us]"),
        "closed_at": pd.Series(pd.to_datetime(["2026-01-08 09:30", None]), dtype="datetime64[us]"),
        "rating": pd.Categorical(["基本满意", "未评价"], categories=DATASETS["platform_cases"].column("rating").allowed),
        "_row_number": [2, 3],
    })
    pd.testing.assert_frame_equal(accepted, expected)


def test_other_types_are_typed():
    rows = [good("complaints"), good("complaints", complaint_id="Q2", valid="N", date="2026/3/5 17:45")]
    accepted = validate(DATASETS["complaints"], raw_frame("complaints", rows), KNOWN).accepted
    # Booleans become bool; date-only columns keep only the day.
    assert accepted["valid"].tolist() == [True, False] and accepted["valid"].dtype == "bool"
    assert accepted["date"].tolist() == [pd.Timestamp("2026-03-15"), pd.Timestamp("2026-03-05")]
    scores = validate(DATASETS["superior_scores"], raw_frame("superior_scores", [good("superior_scores")]), KNOWN)
    assert scores.accepted[["year", "score"]].dtypes.tolist() == ["Int64", "float64"]


def test_rejected_rows_keep_the_raw_text():
    rejected = validate(DATASETS["superior_scores"],
                        raw_frame("superior_scores", [good("superior_scores", score="一百")]), KNOWN).rejected
    expected = pd.DataFrame({"_row_number": [2], "reason": ["分数“一百”不是数字"], "year": ["2026"],
                             "unit_id": ["U0001"], "evaluator": ["省政务服务管理局"], "score": ["一百"]})
    pd.testing.assert_frame_equal(rejected, expected.astype({c: "str" for c in expected.columns[1:]}))


def test_pre_check_skips_only_expectations_that_cannot_fail():
    rows = [good("platform_cases", case_id=None, rating="很好", received_at="1999-01-01"),
            good("platform_cases", closed_at="2026-01-01"), good("platform_cases", due_at="x")]
    prepared = prepare(DATASETS["platform_cases"], raw_frame("platform_cases", rows))
    batch = _batch_definition().get_batch(batch_parameters={"dataframe": prepared})
    full = batch.validate(gx.ExpectationSuite(name="all", expectations=suite_for("platform_cases").expectations),
                          result_format={"result_format": "COMPLETE"})
    everything = [(r.expectation_config.meta["rule"], r.expectation_config.meta["columns"],
                   r.result["unexpected_index_list"]) for r in full.results if not r.success]
    filtered = [(meta["rule"], meta["columns"], rows.tolist()) for meta, rows in run_suite(DATASETS["platform_cases"], prepared)]
    assert filtered == everything


def test_gx_validates_a_table_without_fingerprinting_it(monkeypatch):
    # The fingerprint (a hash of every row, for GX's batch markers) is nothing the intake reads; were it taken, this
    # would raise.
    from great_expectations.execution_engine import pandas_execution_engine

    def fingerprint(frame):
        raise AssertionError("GX hashed the table")

    monkeypatch.setattr(pandas_execution_engine, "hash_pandas_dataframe", fingerprint)
    rows = [good("platform_cases", case_id="G1"), good("platform_cases", case_id="G2", rating="很好")]
    prepared = prepare(DATASETS["platform_cases"], raw_frame("platform_cases", rows))
    assert [(meta["columns"], found.tolist()) for meta, found in run_suite(DATASETS["platform_cases"], prepared)] \
        == [(["rating"], [1])]


def test_reason_kinds_take_out_row_values():
    kinds = reason_kinds(pd.Series(["分数 120 超出 0–100;工单编号“C1”在本批数据中重复出现 2 次", "单位名称长度 101 超过 100 个字"]))
    assert kinds.tolist() == ["分数超出 0–100", "工单编号在本批数据中重复出现", "单位名称超过 100 个字"]


@pytest.mark.parametrize("file_name, pattern, period", [
    ("survey_responses_2026H1_第二批.csv", r"^\d{4}H[12]$", "2026H1"),  # the half-year the rows must be of
    ("survey_responses_2026h2.xlsx", r"^\d{4}H[12]$", "2026H2"),  # written in lower case
    ("commitment_status_2026-Q3_季度评议.csv", r"^\d{4}Q[1-4]$", "2026Q3"),
    ("survey_responses_2026Q1.csv", r"^\d{4}H[12]$", None),  # a quarter says nothing about a half-year
    ("survey_responses_第二批.csv", r"^\d{4}H[12]$", None),  # no period in the name: rows are not checked
    ("survey_responses_20261H1.csv", r"^\d{4}H[12]$", None),  # digits run on: no period of four digits
])
def test_period_a_file_name_states(file_name, pattern, period):
    from tasks.inbox.validation import file_period

    assert file_period(file_name, pattern) == period


def test_gx_keeps_nothing_of_a_validated_table(monkeypatch):
    """GX caches the data of the last batch it validated: the last file of an intake would stay in memory."""
    import gc
    import weakref

    import tasks.inbox.expectations as expectations

    handed, definition = [], _batch_definition()

    class Handing:
        def get_batch(self, batch_parameters):
            handed.append(weakref.ref(batch_parameters["dataframe"]))
            return definition.get_batch(batch_parameters=batch_parameters)

    monkeypatch.setattr(expectations, "_batch_definition", Handing)
    assert reasons("units", [good("units", level="乡级")]) == {2: "层级“乡级”不在允许值(市级、县级)中"}
    gc.collect()
    assert len(handed) == 1 and handed[0]() is None
