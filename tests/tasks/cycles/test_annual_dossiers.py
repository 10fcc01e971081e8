"""年度考核 unit dossiers: what a unit reads about its own result, rendered and read back as text."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from schemas.datasets import CYCLE_DATASETS, DATASETS
from schemas.policy import Policy
from tasks.cycles.annual import dossiers as annual_dossiers
from tasks.dossiers.render import render_html
from tasks.rules.annual import assessment

POLICY = Policy()


def _frames(**given: pd.DataFrame) -> dict[str, pd.DataFrame]:
    names = CYCLE_DATASETS["annual"]["required"] + CYCLE_DATASETS["annual"]["optional"]
    return {n: given.get(n, pd.DataFrame(columns=DATASETS[n].column_names)) for n in names}


def _text(html: str) -> str:
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", " ", html))


UNITS = pd.DataFrame({"unit_id": ["U1", "U2"], "unit_name": ["市政务服务中心", "市公积金中心"], "category": ["党群部门"] * 2,
                      "region": ["市直"] * 2, "level": ["市级"] * 2, "is_window": [True] * 2, "leader_name": ["张三"] * 2})
BONUSES = pd.DataFrame({
    "record_id": ["B1", "B2", "B3", "B4", "B5"], "unit_id": ["U1"] * 4 + ["U2"], "year": 2026,
    "points": [2.5, 1.5, 2.0, 1.0, 1.0], "reason": ["省级文明窗口", "市级表彰", "媒体表扬", "群众来信", "市级表彰"],
    "approved_by": ["创先争优活动领导小组", "作风建设领导小组", "市交通局", None, "作风建设领导小组"],
    "approved_at": [pd.Timestamp("2026-03-01"), pd.Timestamp("2026-06-01"), pd.Timestamp("2026-06-01"), pd.NaT,
                    pd.Timestamp("2026-06-01")],
})
HALF_YEARS = pd.DataFrame({"unit_id": pd.Series(dtype="str"), "period": pd.Series(dtype="str"),
                           "score": pd.Series(dtype="float64"), "insufficient": pd.Series(dtype="bool")})


def _assessed() -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    superior = pd.DataFrame({"year": [2026, 2026], "unit_id": ["U1", "U2"], "evaluator": ["甲", "甲"],
                             "score": [80.0, 85.0]})
    data = _frames(units=UNITS, bonuses=BONUSES, superior_scores=superior)
    return assessment(data, HALF_YEARS, None, 2026, POLICY.annual), data


def test_unit_dossier_shows_every_bonus_that_does_not_count_and_why():
    result, data = _assessed()
    half_years = HALF_YEARS
    assert result.loc[0, ["bonus_raw", "bonus"]].tolist() == [4.0, 3.0]  # 2.5 + 1.5 approved, capped at 3
    base = annual_dossiers.cover(POLICY, 2026, 1, "年度考核")
    jobs = annual_dossiers.unit_jobs(base, result, data, half_years, None, 2026, POLICY, lambda p: Path(p),
                                     all_units=True)
    assert [job.path.name for job in jobs] == ["U1.pdf", "U2.pdf"]
    text = _text(render_html(jobs[0].template, jobs[0].context))
    # Each record in its own line with what counted; the one over the cap says how much was cut.
    assert "加分:省级文明窗口经创先争优活动领导小组审定(2026年3月1日)+2.50" in text
    assert "加分:市级表彰经作风建设领导小组审定(2026年6月1日);超过加分上限3分,核减1分+0.50" in text
    assert ("加分:媒体表扬审定单位“市交通局”不是规定的审定单位(创先争优活动领导小组、作风建设领导小组),"
            "不计入不计") in text
    assert "加分:群众来信未注明审定单位,未经审定,不计入不计" in text
    assert "加分合计经审定的加分2项,合计4.00分,超过上限3.00分,核减1.00分+3.00" in text


def test_the_cover_says_why_the_unit_is_singled_out():
    # A unit gets a dossier for a measure or for its leader's apology; the cover names both (the apology was left out).
    result, data = _assessed()
    result.loc[0, "apology"] = "公开道歉"
    base = annual_dossiers.cover(POLICY, 2026, 1, "年度考核")
    jobs = annual_dossiers.unit_jobs(base, result, data, HALF_YEARS, None, 2026, POLICY, lambda p: Path(p),
                                     all_units=False)
    assert result["measure"].tolist() == ["诫勉谈话"] * 2  # two units, both within the bottom three
    assert [job.context["cover_facts"][3:] for job in jobs] == [[("处理措施", "诫勉谈话"), ("一把手道歉", "公开道歉")],
                                                                [("处理措施", "诫勉谈话"), ("一把手道歉", "无")]]
    assert "处理措施诫勉谈话一把手道歉公开道歉" in _text(render_html(jobs[0].template, jobs[0].context))


def test_a_unit_whose_leader_apologises_gets_a_dossier_only_when_the_policy_asks():
    # SPEC §2: one dossier per unit with a measure; the apologies are in the summary, their dossiers on request.
    result, data = _assessed()
    result.loc[1, ["measure", "apology"]] = [None, "当面道歉"]
    base = annual_dossiers.cover(POLICY, 2026, 1, "年度考核")

    def dossiers_of(policy: Policy) -> list[str]:
        jobs = annual_dossiers.unit_jobs(base, result, data, HALF_YEARS, None, 2026, policy, lambda p: Path(p),
                                         all_units=False)
        return [job.context["unit"]["unit_id"] for job in jobs]

    assert dossiers_of(POLICY) == ["U1"]
    assert dossiers_of(Policy.model_validate({"annual": {"apology_dossiers": True}})) == ["U1", "U2"]


def test_summary_lists_every_bonus_that_does_not_count():
    from schemas.outputs import INDIVIDUAL_COLUMNS
    from tasks.rules.accountability import target_attainment

    result, data = _assessed()
    individuals = pd.DataFrame({c: pd.Series(dtype="str") for c in INDIVIDUAL_COLUMNS})
    quality = {"files": [], "reasons": [], "totals": {"rows_read": 0, "rows_accepted": 0, "rows_rejected": 0}}
    context = annual_dossiers.summary_context(annual_dossiers.cover(POLICY, 2026, 1, "年度考核"), result, individuals,
                                              target_attainment(data["targets"], 2026), None, quality, 2026, POLICY,
                                              data["units"])
    text = _text(render_html("annual_summary.html", context))
    appendix = text[text.index("未计入或核减的加分单位名称"):]  # 附表3: numbered by base.css, not in the HTML
    # U2's one bonus counted whole: it is not listed. U1's three exceptions are, each with its reason.
    assert appendix.startswith("未计入或核减的加分单位名称单位类别加分记录及未计入原因市政务服务中心党群部门"
                               "市级表彰(1.5分):超过加分上限3分,核减1分；"
                               "媒体表扬(2分):审定单位“市交通局”不是规定的审定单位(创先争优活动领导小组、作风建设领导小组),不计入；"
                               "群众来信(1分):未注明审定单位,未经审定,不计入")
    assert "市公积金中心" not in appendix


def test_summary_counts_by_region():
    from schemas.outputs import INDIVIDUAL_COLUMNS
    from tasks.cycles.annual.report import region_table

    result, data = _assessed()
    table = region_table(result, data["units"]).set_index("region")
    regions = data["units"].set_index("unit_id")["region"]
    for region, rows in result.groupby(result["unit_id"].map(regions)):
        assert table.loc[region, "units"] == len(rows)
        assert table.loc[region, "mean_score"] == rows["final_score"].mean()
        assert table.loc[region, "measured"] == rows["measure"].notna().sum()
    assert table.loc["合计", "units"] == len(result)


def test_summary_prints_each_grade_on_one_line_beside_long_names(tmp_path):
    import subprocess

    from schemas.outputs import INDIVIDUAL_COLUMNS
    from tasks.dossiers.render import write_pdf
    from tasks.rules.accountability import target_attainment

    # Names of 23 characters push the automatic layout of the results table to squeeze its short columns: 不满意 was
    # printed as 不满 / 意, and in the list of measures 政府涉企涉民部门 as 政府涉企涉民部 / 门.
    names = [f"中国人民财产保险股份有限公司江城市第{i}支公司" for i in range(6)]
    units = pd.DataFrame({"unit_id": [f"U{i}" for i in range(6)], "unit_name": names, "category": ["政府涉企涉民部门"] * 6,
                          "region": ["市直"] * 6, "level": ["市级"] * 6, "is_window": [True] * 6,
                          "leader_name": ["张三"] * 6})
    superior = pd.DataFrame({"year": 2026, "unit_id": units["unit_id"], "evaluator": "甲",
                             "score": [60.0, 62.0, 64.0, 66.0, 68.0, 70.0]})
    data = _frames(units=units, superior_scores=superior)
    result = assessment(data, HALF_YEARS, None, 2026, POLICY.annual)
    assert set(result["grade"]) == {"不满意"}
    individuals = pd.DataFrame({c: pd.Series(dtype="str") for c in INDIVIDUAL_COLUMNS})
    quality = {"files": [], "reasons": [], "totals": {"rows_read": 0, "rows_accepted": 0, "rows_rejected": 0}}
    context = annual_dossiers.summary_context(annual_dossiers.cover(POLICY, 2026, 1, "年度考核"), result, individuals,
                                              target_attainment(data["targets"], 2026), None, quality, 2026, POLICY,
                                              data["units"])
    pdf = write_pdf(render_html("annual_summary.html", context), tmp_path / "summary.pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    start = text.index("二、考核结果", text.index("三、等次分布"))  # the chapter, after its line in the contents
    results = text[start:text.index("三、等次分布", start)]
    assert results.split().count("不满意") == 6 and "不满\n" not in results
    measures = text[text.index("末位淘汰处理名单"):text.index("一把手道歉名单")]
    assert result["measure"].notna().sum() == 3
    assert measures.split().count("政府涉企涉民部门") == 3 and measures.split().count("不满意") == 3
