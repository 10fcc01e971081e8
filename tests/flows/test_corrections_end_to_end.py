"""End to end (SPEC §6): a survey answer and a superior score corrected, a file withdrawn and restored, and earlier
versions reproduced from the data as it stood, on the tiny sample."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.helpers import file_hashes, pdf_text, read_csv, sample_workspace

pytestmark = pytest.mark.slow
SURVEY_FIX = "更正_survey_responses_2026H1.csv"
SCORE_FIX = "更正_superior_scores_2026.csv"
COMPLAINTS = "complaints_2026_首问责任投诉.csv"


def _stored(name: str) -> pd.DataFrame:
    from tasks.settings import get_settings
    from tasks.store.datasets import load_dataset
    from tasks.store.engine import get_engine

    return load_dataset(get_engine(get_settings().db_url), name)


def _corrections(inbox: Path, unit: str) -> dict:
    """Correction files lowering `unit`'s first 2026H1 answer to 不满意 and its first 2026 superior score by 30."""
    survey = _stored("survey_responses")
    answer = survey[(survey["unit_id"] == unit) & (survey["period"] == "2026H1") & (survey["grade"] != "不满意")]
    answer = answer.iloc[[0]][["period", "respondent_id", "respondent_group", "unit_id", "dimension", "grade"]]
    answer = answer.astype("str").assign(grade="不满意")
    scores = _stored("superior_scores")
    score = scores[(scores["unit_id"] == unit) & (scores["year"] == 2026)].iloc[[0]][
        ["year", "unit_id", "evaluator", "score"]]
    lowered = score.assign(score=(score["score"] - 30).clip(lower=0))
    answer.to_csv(inbox / SURVEY_FIX, index=False, encoding="utf-8")
    lowered.to_csv(inbox / SCORE_FIX, index=False, encoding="utf-8")
    return {"answer": answer.iloc[0].to_dict(), "score": (float(score["score"].iloc[0]),
                                                           float(lowered["score"].iloc[0]))}


def _tamper_and_reproduce(runner, db: str, out: Path, unit: str):
    """A stored score changed behind the audit log's back, then v2 reproduced: the difference is found."""
    from sqlalchemy import text

    from tasks.store.engine import get_engine

    with get_engine(db).begin() as conn:
        conn.execute(text("UPDATE ds_superior_scores SET score = 0 WHERE unit_id = :unit AND year = 2026 "
                          "AND _superseded_by IS NULL"), {"unit": unit})
    return runner.invoke(app, ["reproduce", "annual", "2026", "v2", "--out", str(out)])


@pytest.fixture(scope="module")
def story(tmp_path_factory, prefect_harness):
    from flows.annual_assessment import annual_assessment
    from flows.half_year_comment import half_year_comment

    root = tmp_path_factory.mktemp("corrections")
    runner = CliRunner()
    with sample_workspace(root) as (inbox, out, db):
        kwargs = {"inbox": str(inbox), "out": str(out)}
        half_v1 = Path(half_year_comment(period="2026H1", reason="定期运行", **kwargs))
        v1 = Path(annual_assessment(period="2026", reason="定期运行", **kwargs))
        first = read_csv(v1 / "assessment.csv")
        scored = first[first["final_score"].notna()].sort_values("rank")
        unit = str(scored.iloc[1]["unit_id"])  # second place: a lower score moves it down
        snapshot = {"half_v1": file_hashes(half_v1), "v1": file_hashes(v1)}
        fixed = _corrections(inbox, unit)
        half_v2 = Path(half_year_comment(period="2026H1", reason="更正后重算", **kwargs))
        v2 = Path(annual_assessment(period="2026", reason="更正后重算", **kwargs))
        withdrawn = runner.invoke(app, ["withdraw", COMPLAINTS, "--reason", "投诉核查结论待复核", "--by", "王芳"])
        v3 = Path(annual_assessment(period="2026", reason="撤回投诉文件后重算", **kwargs))
        restored = runner.invoke(app, ["restore", COMPLAINTS, "--reason", "复核后维持", "--by", "王芳"])
        v4 = Path(annual_assessment(period="2026", reason="恢复投诉文件后重算", **kwargs))
        reproduced = {name: runner.invoke(app, ["reproduce", *args, "--out", str(out)])
                      for name, args in {"half_v1": ["half-year", "2026H1", "v1"], "v1": ["annual", "2026", "v1"],
                                         "v2": ["annual", "2026", "v2"]}.items()}
        tampered = _tamper_and_reproduce(runner, db, out, unit)
        history = runner.invoke(app, ["history", "--unit", unit]).output
        everything = runner.invoke(app, ["history"]).output
    return {"unit": unit, "fixed": fixed, "half_v1": half_v1, "half_v2": half_v2, "v1": v1, "v2": v2, "v3": v3,
            "v4": v4, "snapshot": snapshot, "withdrawn": withdrawn, "restored": restored, "reproduced": reproduced,
            "history": history, "everything": everything, "tampered": tampered}


def test_the_corrected_unit_scores_lower_and_ranks_lower(story):
    unit = story["unit"]
    before = read_csv(story["v1"] / "assessment.csv").set_index("unit_id").loc[unit]
    after = read_csv(story["v2"] / "assessment.csv").set_index("unit_id").loc[unit]
    assert float(after["final_score"]) < float(before["final_score"])
    assert int(after["rank"]) > int(before["rank"])
    # The half-year ranking that the annual score reads was itself recomputed from the corrected answer.
    half_before = read_csv(story["half_v1"] / "ranking.csv").set_index("unit_id").loc[unit]
    half_after = read_csv(story["half_v2"] / "ranking.csv").set_index("unit_id").loc[unit]
    assert float(half_after["score"]) < float(half_before["score"])


def test_changes_list_exactly_the_changed_fields_with_the_correction_files_as_cause(story):
    unit = story["unit"]
    before = read_csv(story["v1"] / "assessment.csv").set_index("unit_id")
    after = read_csv(story["v2"] / "assessment.csv").set_index("unit_id")
    changes = read_csv(story["v2"] / "changes.csv")
    mine = changes[changes["unit_id"] == unit].set_index("field")
    assert mine.loc["得分", "before"] == f"{float(before.loc[unit, 'final_score']):.2f}"
    assert mine.loc["得分", "after"] == f"{float(after.loc[unit, 'final_score']):.2f}"
    assert (mine.loc["名次", "before"], mine.loc["名次", "after"]) == (str(before.loc[unit, "rank"]),
                                                                       str(after.loc[unit, "rank"]))
    # The unit's own rows changed: its cause is the two correction files, in the order they came in.
    assert set(mine["cause"]) == {f"更正文件:{SURVEY_FIX}、{SCORE_FIX}"}
    # Every other unit changed only through it (its rank moved), and says so by the same files.
    others = changes[changes["unit_id"] != unit]
    assert set(others["cause"]) <= {f"更正文件:{SURVEY_FIX}、{SCORE_FIX}"}
    assert not set(others["field"]) & {"得分"}
    moved = {str(u) for u in after.index[(after["rank"] != before.loc[after.index, "rank"])] if u != unit}
    assert moved and moved == set(others.loc[others["field"] == "名次", "unit_id"])


def test_v1_is_untouched_and_reproduced_from_the_data_of_then(story):
    assert file_hashes(story["v1"]) == story["snapshot"]["v1"]
    assert file_hashes(story["half_v1"]) == story["snapshot"]["half_v1"]
    for name in ("half_v1", "v1", "v2"):
        result = story["reproduced"][name]
        assert result.exit_code == 0, result.output
        assert result.output.startswith("一致:"), result.output


def test_data_changed_behind_the_log_is_found_by_reproduction(story):
    result = story["tampered"]
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("不一致:v2 的") and "— assessment.csv" in lines
    assert any(line.strip().startswith("-" + story["unit"]) for line in lines)  # the unit's published row


def test_a_withdrawn_file_stops_counting_and_its_restore_gives_back_v2(story):
    assert story["withdrawn"].exit_code == 0, story["withdrawn"].output
    assert "首问责任投诉" in story["withdrawn"].output and "不再计入" in story["withdrawn"].output
    v2, v3 = read_csv(story["v2"] / "individuals.csv"), read_csv(story["v3"] / "individuals.csv")
    assert v2["valid_complaints"].astype(int).sum() > 0 and v3.empty  # no complaint counts any more
    # Units whose leader apologised for complaints apologise no more; no other result moves.
    apologies = read_csv(story["v2"] / "assessment.csv").dropna(subset=["apology"])
    changes = read_csv(story["v3"] / "changes.csv")
    assert len(changes) and set(changes["unit_id"]) < set(apologies["unit_id"])
    assert set(changes["field"]) == {"一把手道歉"} and set(changes["after"]) == {"—"}
    assert set(changes["cause"]) == {f"撤回文件:{COMPLAINTS}"}
    manifest = json.loads((story["v3"] / "manifest.json").read_text(encoding="utf-8"))
    assert COMPLAINTS not in {f["file_name"] for f in manifest["inputs"]}
    # Restored, the data is v2's again: every result CSV the same.
    results = {p.relative_to(story["v2"]).as_posix() for p in story["v2"].rglob("*.csv")} - {"changes.csv"}
    assert results and all((story["v4"] / name).read_bytes() == (story["v2"] / name).read_bytes()
                           for name in results)
    assert set(read_csv(story["v4"] / "changes.csv")["cause"]) == {f"恢复文件:{COMPLAINTS}"}


def test_the_appendix_lists_what_was_withdrawn_since_the_version_before(story):
    text = "".join(pdf_text(story["v3"] / "summary.pdf").split())
    appendix = text[text.index("数据更正、撤回与恢复"):]
    assert all(piece in appendix for piece in ("撤回", COMPLAINTS, "王芳", "投诉核查结论待复核"))
    v2 = "".join(pdf_text(story["v2"] / "summary.pdf").split())
    appendix = v2[v2.index("数据更正、撤回与恢复"):]
    assert all(piece in appendix for piece in ("更正", SCORE_FIX, SURVEY_FIX)) and COMPLAINTS not in appendix
    assert "数据更正、撤回与恢复" not in "".join(pdf_text(story["v1"] / "summary.pdf").split())


def test_history_of_the_unit_names_the_corrections(story):
    lines = story["history"].splitlines()
    assert any(f"更正 {SCORE_FIX}(上级对口部门评价,1 行(其中单位 {story['unit']} 的 1 行),替换已入库记录 1 行,新增 0 行)"
               in line for line in lines)
    assert any(f"更正 {SURVEY_FIX}(群众满意度测评,1 行(其中单位 {story['unit']} 的 1 行),替换已入库记录 1 行,新增 0 行)"
               in line for line in lines)
    everything = story["everything"].splitlines()
    assert any(f"撤回 {COMPLAINTS}" in line and "操作人:王芳;原因:投诉核查结论待复核" in line for line in everything)
    assert any(f"恢复 {COMPLAINTS}" in line and "操作人:王芳;原因:复核后维持" in line for line in everything)


def test_the_rerun_renders_only_the_dossiers_whose_content_changed(story):
    manifest = json.loads((story["v2"] / "manifest.json").read_text(encoding="utf-8"))
    earlier = json.loads((story["v1"] / "manifest.json").read_text(encoding="utf-8"))["renders"]
    reused = set(manifest["reused"]["files"])
    both = sorted(p for p in set(manifest["renders"]) & set(earlier) if p.startswith("units/"))

    def content(version: Path, name: str) -> str:  # the text, less the document number, which counts versions
        return re.sub(r"〔2026〕年考\d+号", "", pdf_text(version / name))

    differs = {p for p in both if content(story["v1"], p) != content(story["v2"], p)}
    assert {p for p in both if p not in reused} == differs  # rendered again exactly when the content changed
    assert f"units/{story['unit']}.pdf" not in reused and "summary.pdf" not in reused
    assert len(reused) >= len(both) // 2
    assert all(manifest["renders"][p] == earlier[p] for p in reused)
