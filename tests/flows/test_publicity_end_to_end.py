"""End to end (SPEC §7): the tiny sample's 2026H1 published as 公示稿 on 14 July 2026, appeals delivered in and
after its window, and the daily finalising flow read on three days: before the window closes (nothing published),
with one appeal undecided (nothing published), and once every appeal heard is decided (正式 published)."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pytest

from tests.helpers import pdf_text, read_csv, sample_workspace

pytestmark = pytest.mark.slow
PERIOD = "2026H1"
POLICY = "half_year:\n  key_management_count: 3\n  key_supervision_count: 2\n"
# Published Tuesday 14 July 2026; the window runs Wednesday 15 to Tuesday 21 July.
PUBLISHED, WINDOW = "2026-07-14", ("2026-07-15", "2026-07-21")
APPEAL_COLUMNS = ["appeal_id", "cycle", "period", "unit_id", "filed_at", "item", "reason", "contact"]
SURVEY_FIX = "更正_survey_responses_2026H1_复核.csv"


class _Lines(logging.Handler):
    """The messages of the flow and task runs, as the log shows them."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def _pin(patch: pytest.MonkeyPatch, day: str) -> None:
    """Make `day`, 10:00 in Beijing, the moment versions are published."""
    from tasks import periods

    instant = datetime.fromisoformat(f"{day}T02:00:00").replace(tzinfo=timezone.utc)
    patch.setattr(periods, "clock", lambda: instant)


def _deliver(inbox: Path, name: str, rows: list[tuple], columns: list[str]) -> None:
    pd.DataFrame(rows, columns=columns).to_csv(inbox / name, index=False, encoding="utf-8")


def _decision(appeal: str, day: str, decision: str, note: str) -> tuple:
    return appeal, day, decision, "市创先争优活动领导小组办公室", note


DECISION_COLUMNS = ["appeal_id", "decided_at", "decision", "decided_by", "note"]


def _artifact(key: str) -> str | None:
    """The markdown of the newest artifact under `key`."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
                                      sort=ArtifactSort.CREATED_DESC, limit=1)
    return found[0].data if found else None


def _answer_lowered(unit: str) -> pd.DataFrame:
    """A correction of `unit`'s first 2026H1 answer that was not 不满意: it becomes 不满意 (the 更正 decision)."""
    from tasks.settings import get_settings
    from tasks.store.datasets import load_dataset
    from tasks.store.engine import get_engine

    survey = load_dataset(get_engine(get_settings().db_url), "survey_responses")
    answer = survey[survey["unit_id"].eq(unit) & survey["period"].eq(PERIOD) & survey["grade"].ne("不满意")]
    columns = ["period", "respondent_id", "respondent_group", "unit_id", "dimension", "grade"]
    return answer.iloc[[0]][columns].astype("str").assign(grade="不满意")


@pytest.fixture(scope="module")
def story(tmp_path_factory, prefect_harness):
    from flows.finalise import finalise_publications
    from flows.half_year_comment import half_year_comment

    root = tmp_path_factory.mktemp("publicity")
    (root / "policy.yaml").write_text(POLICY, encoding="utf-8")
    log = _Lines()
    logging.getLogger("prefect").addHandler(log)
    try:
        with sample_workspace(root) as (inbox, out, _db), pytest.MonkeyPatch.context() as patch:
            for sample in [*inbox.glob("appeals_*"), *inbox.glob("appeal_decisions_*")]:
                sample.unlink()  # the story delivers its own appeals, day by day
            kwargs = {"inbox": str(inbox), "out": str(out), "policy": "policy"}
            _pin(patch, PUBLISHED)
            draft = Path(half_year_comment(period=PERIOD, reason="定期运行", **kwargs))
            ranked = read_csv(draft / "ranking.csv").dropna(subset=["rank"]).sort_values("rank")
            upheld, corrected, late = (str(ranked.iloc[i]["unit_id"]) for i in (-1, 0, 1))
            appeal = ("half-year", PERIOD)
            _deliver(inbox, "appeals_2026H1_第一批.csv", [
                ("FH1", *appeal, upheld, "2026-07-16", "排名", "对确定为重点管理单位有异议", "办公室 李华")],
                APPEAL_COLUMNS)
            _pin(patch, "2026-07-20")
            open_window = finalise_publications(on="2026-07-20", **kwargs)
            artifacts = {"open": _artifact("publicity-held")}
            _deliver(inbox, "appeals_2026H1_第二批.csv", [
                ("FH2", *appeal, corrected, "2026-07-21", "测评", "部分答卷所评实为原址其他单位", "办公室 周敏"),
                ("FH3", *appeal, late, "2026-07-22", "排名", "对名次有异议", "办公室 陈刚")], APPEAL_COLUMNS)
            _deliver(inbox, "appeal_decisions_2026H1_第一批.csv",
                     [_decision("FH1", "2026-07-23", "维持", "经复核,排名计算无误,维持原结果")], DECISION_COLUMNS)
            _pin(patch, "2026-07-24")
            undecided = finalise_publications(on="2026-07-24", **kwargs)
            artifacts["undecided"] = _artifact("publicity-held")
            _deliver(inbox, "appeal_decisions_2026H1_第二批.csv",
                     [_decision("FH2", "2026-07-27", "更正", "经复核,一份答卷评价有误,已报送更正文件后重新计算")],
                     DECISION_COLUMNS)
            fixed = _answer_lowered(corrected)
            fixed.to_csv(inbox / SURVEY_FIX, index=False, encoding="utf-8")
            _pin(patch, "2026-07-28")
            published = finalise_publications(on="2026-07-28", **kwargs)
            again = finalise_publications(on="2026-07-29", **kwargs)
    finally:
        logging.getLogger("prefect").removeHandler(log)
    return {"out": out, "draft": draft, "open": open_window, "undecided": undecided, "published": published,
            "again": again, "artifacts": artifacts, "log": log.lines,
            "units": {"upheld": upheld, "corrected": corrected, "late": late}}


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def _runs(story) -> list[tuple]:
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///{story['out'].parent / 'assess.db'}")
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT version, status, publication, published_on, window_start, window_end "
                                    "FROM runs WHERE cycle = 'half-year' ORDER BY version")).all()
    engine.dispose()
    return [tuple(str(v) for v in row) for row in rows]


def test_the_draft_states_its_window_and_where_to_appeal(story):
    draft = story["draft"]
    assert draft.name == "v1"
    assert _manifest(draft)["publication"] == {
        "status": "公示稿", "published_on": PUBLISHED, "window": {"start": WINDOW[0], "end": WINDOW[1]}}
    publicity, summary = pdf_text(draft / "publicity.pdf"), pdf_text(draft / "summary.pdf")
    assert "公示期:2026年7月15日至2026年7月21日(共5个工作日)" in publicity
    assert "请于公示期内以书面形式向创先争优活动领导小组办公室(联系方式见公示通知)提出复核申请" in publicity
    assert "本版为公示稿,于2026年7月14日发布。公示期:2026年7月15日至2026年7月21日" in summary


def test_before_the_window_closes_nothing_is_published_and_the_flow_says_why(story):
    assert story["open"] == []
    assert "公示期至2026年7月21日尚未届满;尚有1件复核申请未作决定" in story["artifacts"]["open"]
    assert any("半年点评写实 2026H1 v1:暂缓发布正式版,公示期至2026年7月21日尚未届满" in line for line in story["log"])


def test_an_undecided_appeal_holds_the_final_back_and_is_listed_for_the_administrator(story):
    assert story["undecided"] == []
    held = story["artifacts"]["undecided"]
    assert "- 半年点评写实 2026H1 v1(公示期2026年7月15日至2026年7月21日):尚有1件复核申请未作决定" in held
    listed = [line for line in held.splitlines() if line.startswith("| FH")]
    assert len(listed) == 1 and listed[0].startswith("| FH2 | 半年点评写实 | 2026H1 |")
    assert "| 2026年7月21日 | 测评 | 办公室 周敏 |" in listed[0]  # the late appeal FH3 holds nothing back
    assert any("暂缓发布正式版,尚有1件复核申请未作决定" in line for line in story["log"])


def test_once_every_appeal_heard_is_decided_the_final_is_published(story):
    folder = story["out"] / "half-year" / PERIOD
    assert story["published"] == [folder / "v2"] and story["again"] == []  # published once, not again the next day
    assert (folder / "latest").resolve().name == "v2"
    assert _runs(story) == [
        ("1", "complete", "公示稿", PUBLISHED, *WINDOW),
        ("2", "complete", "正式", "2026-07-28", *WINDOW),
    ]
    manifest = _manifest(folder / "v2")
    assert manifest["reason"] == "公示期满,复核申请均已决定,发布正式版" and manifest["replaces"] == "v1"
    units = story["units"]
    assert {k: v for k, v in manifest["publication"].items() if k != "appeals"} == {
        "status": "正式", "published_on": "2026-07-28", "window": {"start": WINDOW[0], "end": WINDOW[1]},
        "draft": "v1"}
    assert manifest["publication"]["appeals"] == [
        {"appeal_id": "FH1", "unit_id": units["upheld"], "filed_at": "2026-07-16", "status": "受理",
         "decision": "维持", "decided_at": "2026-07-23", "refusal_reason": ""},
        {"appeal_id": "FH2", "unit_id": units["corrected"], "filed_at": "2026-07-21", "status": "受理",
         "decision": "更正", "decided_at": "2026-07-27", "refusal_reason": ""},
        {"appeal_id": "FH3", "unit_id": units["late"], "filed_at": "2026-07-22", "status": "逾期不予受理",
         "decision": None, "decided_at": None,
         "refusal_reason": "提交日期2026年7月22日不在公示期(2026年7月15日至2026年7月21日)内"},
    ]


def test_the_final_summary_names_each_appeal_and_its_decision(story):
    final = story["out"] / "half-year" / PERIOD / "v2"
    summary = pdf_text(final / "summary.pdf")
    assert "本版为正式版,于2026年7月28日发布,替代v1公示稿。公示期:2026年7月15日至2026年7月21日。" in summary
    assert "公示期内共收到复核申请3件,受理2件(维持1件、更正1件),不予受理1件。" in summary
    assert "FH1" in summary and "经复核,排名计算无误,维持原结果" in summary
    assert "FH2" in summary and "经复核,一份答卷评价有误,已报送更正文件后重新计算" in summary
    assert "逾期不予受理" in summary and "提交日期2026年7月22日不在公示期(2026年7月15日至2026年7月21日)内" in summary
    publicity = pdf_text(final / "publicity.pdf")
    assert ("本结果已于2026年7月15日至2026年7月21日公示(v1公示稿),公示期内共收到复核申请3件,受理2件(维持1件、"
            "更正1件),不予受理1件,均已作出复核决定,现正式公布。") in publicity


def test_a_key_management_units_plan_deadline_runs_from_the_final_version(story):
    unit = story["units"]["upheld"]  # ranked last: a 重点管理单位
    draft = pdf_text(story["draft"] / "units" / f"{unit}.pdf")
    final = pdf_text(story["out"] / "half-year" / PERIOD / "v2" / "units" / f"{unit}.pdf")
    assert "制定整改方案,自本期点评结果正式发布之日起15个工作日内报送" in draft and "2026年8月" not in draft
    # Published Tuesday 28 July: the fifteenth working day after it is Tuesday 18 August.
    assert "制定整改方案,于2026年8月18日前(正式版发布之日起15个工作日内)报送" in final


def test_the_final_changes_show_the_corrected_unit(story):
    # The 更正 decision is carried out by a correction file (SPEC §6): changes.csv against the draft names the unit.
    final = story["out"] / "half-year" / PERIOD / "v2"
    changes = read_csv(final / "changes.csv")
    corrected = changes[changes["unit_id"].eq(story["units"]["corrected"])]
    assert "得分" in set(corrected["field"])
    assert set(corrected["cause"]) == {f"更正文件:{SURVEY_FIX}"}
    assert set(changes["unit_id"]) - {story["units"]["corrected"]} <= set(
        read_csv(final / "ranking.csv")["unit_id"])  # others only move in rank around it
