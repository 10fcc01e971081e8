"""The rectification plan's deadline as a half-year unit dossier states it, and when the clock starts (SPEC §7)."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
from sqlalchemy import insert

from schemas.outputs import KEY_MANAGEMENT, KEY_SUPERVISION
from schemas.policy import Policy
from tasks.cycles.half_year.dossiers import next_steps, plan_deadline
from tasks.outputs.publication import DRAFT, FINAL, Publication
from tasks.store.runs import final_published_on, final_versions
from tasks.store.tables import runs

MONDAY = date(2026, 11, 2)  # no holiday in the three weeks after it


def _publication(status: str, on: date) -> Publication:
    return Publication(status, on, date(2026, 10, 20), date(2026, 10, 26))


def test_a_draft_states_the_rule_and_no_date():
    assert plan_deadline(MONDAY, _publication(DRAFT, MONDAY), Policy()) == "自本期点评结果正式发布之日起15个工作日内"


def test_the_final_version_dates_the_fifteenth_working_day_after_its_publication():
    # Published Monday 2 November: 3–6, 9–13 and 16–20 November are 14 working days; the 15th is the 23rd.
    assert plan_deadline(date(2026, 12, 1), _publication(FINAL, MONDAY), Policy()) == (
        "于2026年11月23日前(正式版发布之日起15个工作日内)")


def test_without_a_publicity_window_the_clock_runs_from_the_day_issued():
    policy = Policy.model_validate({"publicity": {"rectification_working_days": 5}})
    assert plan_deadline(MONDAY, None, policy) == "于2026年11月9日前(报告印发之日起5个工作日内)"


def test_a_holiday_the_policy_lists_is_not_counted():
    # 2027 is outside the State Council table: the policy lists its holidays, here Wednesday and Thursday.
    policy = Policy.model_validate({"publicity": {"rectification_working_days": 5,
                                                  "extra_holidays": ["2027-11-03", "2027-11-04"]}})
    assert plan_deadline(date(2027, 11, 1), None, policy) == "于2027年11月10日前(报告印发之日起5个工作日内)"


def test_only_a_key_management_unit_is_given_a_deadline():
    managed = next_steps({"designation": KEY_MANAGEMENT, "leader_name": "张三"}, MONDAY,
                         _publication(FINAL, MONDAY), Policy())
    assert managed[1] == ("针对测评反映的问题制定整改方案,于2026年11月23日前(正式版发布之日起15个工作日内)"
                          "报送市创先争优活动领导小组办公室。")
    supervised = next_steps({"designation": KEY_SUPERVISION}, MONDAY, _publication(FINAL, MONDAY), Policy())
    assert not any("日前" in step or "工作日" in step for step in supervised)


def _run(engine, run_id: str, period: str, publication: str | None, published: date | None, status="complete"):
    with engine.begin() as conn:
        conn.execute(insert(runs).values(
            run_id=run_id, cycle="half-year", period=period, version=1, status=status, policy_hash="0" * 64,
            started_at=datetime(2026, 1, 1), finished_at=datetime(2026, 12, 1), publication=publication,
            published_on=published))


def test_the_clock_starts_at_the_first_final_version_or_a_windowless_one(engine):
    _run(engine, "a", "2026H1", "公示稿", date(2026, 7, 14))
    assert final_published_on(engine, "half-year", "2026H1") is None  # a draft starts nothing
    _run(engine, "b", "2026H1", "正式", date(2026, 7, 28))
    _run(engine, "c", "2025H2", None, date(2026, 1, 20))  # published when the half-year had no window
    _run(engine, "d", "2025H1", None, date(2025, 7, 20), status="failed")
    assert final_published_on(engine, "half-year", "2026H1") == date(2026, 7, 28)
    assert final_published_on(engine, "half-year", "2025H2") == date(2026, 1, 20)
    assert final_published_on(engine, "half-year", "2025H1") is None
    assert final_versions(engine, "half-year").to_dict("list") == {
        "period": ["2025H2", "2026H1"], "published_on": [pd.Timestamp("2026-01-20"), pd.Timestamp("2026-07-28")]}
