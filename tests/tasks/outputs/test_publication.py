"""公示稿 and 正式: the window a draft states, what the manifest and runs table record, what the dossiers read."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from schemas.policy import Policy
from tasks.dossiers.render import PdfJob
from tasks.outputs.publication import (
    DRAFT, FINAL, draft_publication, final_publication, publication_context, with_publication,
)

D = date.fromisoformat


@pytest.mark.parametrize(("published", "first", "last"), [
    # The example of the issue: published Wednesday 20 January 2027, five working days from Thursday 21st.
    ("2027-01-20", "2027-01-21", "2027-01-27"),
    # Published the Thursday before the Mid-Autumn break and National Day 2026: 25–27 September and 1–7 October
    # are off, Saturday 10 October is worked (调休); 28, 29, 30 September and 8, 9 October make five days.
    ("2026-09-24", "2026-09-28", "2026-10-09"),
    ("2026-09-28", "2026-09-29", "2026-10-10"),  # runs over the holiday and ends on the make-up Saturday
    ("2026-09-29", "2026-09-30", "2026-10-12"),
    ("2026-09-30", "2026-10-08", "2026-10-13"),  # published on the eve of the holiday: opens after it
    ("2026-10-03", "2026-10-08", "2026-10-13"),  # published by a schedule during the holiday
    ("2026-10-09", "2026-10-10", "2026-10-15"),  # the make-up Saturday opens the window
    # Published on a Saturday that is no make-up day: the window opens on Monday.
    ("2026-12-05", "2026-12-07", "2026-12-11"),
])
def test_the_window_opens_on_the_working_day_after_publication(published, first, last):
    draft = draft_publication("half-year", D(published), Policy())
    assert (draft.status, draft.published_on, draft.window_start, draft.window_end) == (
        DRAFT, D(published), D(first), D(last))
    # 2027 is outside the State Council table this calendar holds: Monday to Friday, with a warning.
    assert draft.warnings == (() if published < "2027" else (
        "2027年法定节假日安排未收录,按周一至周五并扣除政策所列节假日计算(政策未列出该年节假日)",))


def test_the_policy_sets_the_length_and_the_cycles_with_a_window():
    policy = Policy.model_validate({"publicity": {"publicity_working_days": 7, "cycles_with_window": ["quarterly"]}})
    assert draft_publication("half-year", D("2027-01-20"), policy) is None
    quarterly = draft_publication("quarterly", D("2027-01-20"), policy)
    assert (quarterly.window_start, quarterly.window_end) == (D("2027-01-21"), D("2027-01-29"))
    assert draft_publication("quarterly", D("2027-01-20"), Policy()) is None  # no window by default


def test_a_year_outside_the_state_council_table_warns():
    draft = draft_publication("annual", D("2031-01-20"), Policy())
    assert draft.warnings == ("2031年法定节假日安排未收录,按周一至周五并扣除政策所列节假日计算(政策未列出该年节假日)",)


def _appeals() -> pd.DataFrame:
    return pd.DataFrame({
        "appeal_id": ["A1", "A2", "A3"], "unit_id": ["U1", "U2", "U3"], "unit_name": ["一局", "二局", "三局"],
        "filed_at": pd.to_datetime(["2027-01-22", "2027-01-27", "2027-01-28"]),
        "item": ["排名", "测评", "排名"], "reason": ["有异议", "答卷有误", "有异议"],
        "status": ["受理", "受理", "逾期不予受理"],
        "refusal_reason": ["", "", "提交日期2027年1月28日不在公示期(2027年1月21日至2027年1月27日)内"],
        "decision": ["维持", "更正", None], "decided_at": pd.to_datetime(["2027-02-01", "2027-02-02", None]),
        "note": ["排名无误", "重新计算", None],
    })


def test_a_final_version_records_its_draft_and_every_appeal():
    draft = {"version": 1, "window_start": pd.Timestamp("2027-01-21"), "window_end": pd.Timestamp("2027-01-27")}
    final = final_publication(draft, D("2027-02-03"), _appeals())
    assert final.columns() == {"publication": FINAL, "published_on": D("2027-02-03"),
                               "window_start": D("2027-01-21"), "window_end": D("2027-01-27")}
    manifest = final.manifest()
    assert {k: v for k, v in manifest.items() if k != "appeals"} == {
        "status": "正式", "published_on": "2027-02-03", "window": {"start": "2027-01-21", "end": "2027-01-27"},
        "draft": "v1"}
    assert [(a["appeal_id"], a["status"], a["decision"], a["decided_at"]) for a in manifest["appeals"]] == [
        ("A1", "受理", "维持", "2027-02-01"), ("A2", "受理", "更正", "2027-02-02"), ("A3", "逾期不予受理", None, None)]
    context = publication_context(final, Policy())
    assert context["counts"] == {"received": 3, "heard": 2, "upheld": 1, "corrected": 1, "not_heard": 1}
    assert [(r["unit_name"], r["filed_on"], r["reason"], r["outcome"], r["decided_on"], r["note"])
            for r in context["appeals"]] == [
        ("一局", "2027年1月22日", "排名:有异议", "维持", "2027年2月1日", "排名无误"),
        ("二局", "2027年1月27日", "测评:答卷有误", "更正", "2027年2月2日", "重新计算"),
        ("三局", "2027年1月28日", "排名:有异议", "逾期不予受理", "",
         "提交日期2027年1月28日不在公示期(2027年1月21日至2027年1月27日)内"),
    ]


def test_a_draft_tells_the_summary_and_the_publicity_list_its_window_and_where_to_appeal():
    jobs = [PdfJob("t.html", {"title": "x"}, Path(name)) for name in ("summary.pdf", "publicity.pdf", "units/U1.pdf")]
    shown = with_publication(jobs, draft_publication("half-year", D("2027-01-20"), Policy()), Policy())
    assert [("publication" in job.context) for job in shown] == [True, True, False]
    context = shown[0].context["publication"]
    assert (context["status"], context["window"], context["contact"]) == (
        "公示稿", "2027年1月21日至2027年1月27日", "创先争优活动领导小组办公室(联系方式见公示通知)")
    assert with_publication(jobs, None, Policy()) == jobs
