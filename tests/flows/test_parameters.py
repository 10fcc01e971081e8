"""The run form Prefect builds from each flow's parameters: Chinese titles, examples, checks, no database."""

from __future__ import annotations

import re

import pytest
from prefect.utilities.callables import parameter_schema

from flows.annual_assessment import annual_assessment
from flows.half_year_comment import half_year_comment
from flows.quarterly_review import quarterly_review
from schemas.policy import DEFAULT_POLICY

FLOWS = {"quarterly": quarterly_review, "half-year": half_year_comment, "annual": annual_assessment}
TITLES = {"period": "期次", "reason": "重跑原因", "policy": "政策", "inbox": "收件箱目录", "out": "结果目录"}


@pytest.mark.parametrize("cycle", list(FLOWS))
def test_every_parameter_has_a_chinese_title_and_description(cycle):
    schema = parameter_schema(FLOWS[cycle]).model_dump()
    titles = dict(TITLES, **({"all_units": "为每个单位生成档案"} if cycle == "annual" else {}))
    assert {name: p["title"] for name, p in schema["properties"].items()} == titles  # and no `db`
    for prop in schema["properties"].values():
        assert re.search(r"[\u4e00-\u9fff]", prop["description"]), prop  # one line, in Chinese
        assert "\n" not in prop["description"]
    assert schema["required"] == ["reason"]  # a manual run says why; a scheduled one gets 定期运行
    assert schema["properties"]["reason"]["minLength"] == 2
    assert schema["properties"]["policy"]["enum"][0] == DEFAULT_POLICY
    assert schema["properties"]["policy"]["default"] == DEFAULT_POLICY


@pytest.mark.parametrize("cycle, example, good, bad", [
    # The form's pattern takes the cycle's own period form, or nothing (the period that ended last).
    ("quarterly", "2026Q3", ["", "2026Q1", "2026Q4"], ["2026Q5", "2026H1", "2026", " 2026Q1", "26Q1"]),
    ("half-year", "2026H1", ["", "2026H1", "2026H2"], ["2026H3", "2026Q1", "2026", "2026h1"]),
    ("annual", "2026", ["", "2026", "2099"], ["2026H1", "26", "1999", "2026年"]),
])
def test_the_period_pattern_refuses_a_period_typed_wrong(cycle, example, good, bad):
    period = parameter_schema(FLOWS[cycle]).model_dump()["properties"]["period"]
    assert period["examples"] == [example]
    assert period["description"] == f"如 {example};留空则为最近结束的一期"
    assert [p for p in good if re.fullmatch(period["pattern"], p)] == good
    assert [p for p in bad if re.fullmatch(period["pattern"], p)] == []


def test_the_finalising_form_asks_only_for_the_day_read():
    from flows.finalise import finalise_publications

    schema = parameter_schema(finalise_publications).model_dump()
    assert {name: p["title"] for name, p in schema["properties"].items()} == {
        "on": "核定日期", "policy": "政策", "inbox": "收件箱目录", "out": "结果目录"}
    assert schema.get("required", []) == []  # a scheduled run reads today
    on = schema["properties"]["on"]
    assert on["description"] == "按此日期判断公示期是否届满、整改方案是否逾期,如 2027-02-01;留空则为当天(北京时间)"
    good, bad = ["", "2027-02-01", "2026-12-31"], ["2027-2-1", "20270201", "2027年2月1日", " 2027-02-01"]
    assert [d for d in good if re.fullmatch(on["pattern"], d)] == good
    assert [d for d in bad if re.fullmatch(on["pattern"], d)] == []
