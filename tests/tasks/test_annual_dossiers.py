"""年度考核 unit dossiers: what a unit reads about its own result, rendered and read back as text."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from schemas.datasets import CYCLE_DATASETS, DATASETS
from schemas.policy import Policy
from tasks import annual_dossiers
from tasks.render import render_html
from tasks.rules.annual import assessment

POLICY = Policy()


def _frames(**given: pd.DataFrame) -> dict[str, pd.DataFrame]:
    names = CYCLE_DATASETS["annual"]["required"] + CYCLE_DATASETS["annual"]["optional"]
    return {n: given.get(n, pd.DataFrame(columns=DATASETS[n].column_names)) for n in names}


def _text(html: str) -> str:
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", " ", html))


def test_unit_dossier_shows_every_bonus_that_does_not_count_and_why():
    units = pd.DataFrame({"unit_id": ["U1"], "unit_name": ["市政务服务中心"], "category": ["党群部门"],
                          "region": ["市直"], "level": ["市级"], "is_window": [True], "leader_name": ["张三"]})
    bonuses = pd.DataFrame({
        "record_id": ["B1", "B2", "B3", "B4"], "unit_id": "U1", "year": 2026,
        "points": [2.5, 1.5, 2.0, 1.0], "reason": ["省级文明窗口", "市级表彰", "媒体表扬", "群众来信"],
        "approved_by": ["创先争优活动领导小组", "作风建设领导小组", "市交通局", None],
        "approved_at": [pd.Timestamp("2026-03-01"), pd.Timestamp("2026-06-01"), pd.Timestamp("2026-06-01"), pd.NaT],
    })
    superior = pd.DataFrame({"year": [2026], "unit_id": ["U1"], "evaluator": ["甲"], "score": [80.0]})
    data = _frames(units=units, bonuses=bonuses, superior_scores=superior)
    half_years = pd.DataFrame({"unit_id": pd.Series(dtype="str"), "period": pd.Series(dtype="str"),
                               "score": pd.Series(dtype="float64"), "insufficient": pd.Series(dtype="bool")})
    result = assessment(data, half_years, None, 2026, POLICY.annual)
    assert result.loc[0, ["bonus_raw", "bonus"]].tolist() == [4.0, 3.0]  # 2.5 + 1.5 approved, capped at 3
    base = annual_dossiers.cover(POLICY, 2026, 1, "年度考核")
    jobs = annual_dossiers.unit_jobs(base, result, data, half_years, None, 2026, POLICY, lambda p: Path(p),
                                     all_units=True)
    text = _text(render_html(jobs[0].template, jobs[0].context))
    # Each record in its own line with what counted; the one over the cap says how much was cut.
    assert "加分:省级文明窗口经创先争优活动领导小组审定(2026年3月1日)+2.50" in text
    assert "加分:市级表彰经作风建设领导小组审定(2026年6月1日);超过加分上限3分,核减1分+0.50" in text
    assert ("加分:媒体表扬审定单位“市交通局”不是规定的审定单位(创先争优活动领导小组、作风建设领导小组),"
            "不计入不计") in text
    assert "加分:群众来信未注明审定单位,未经审定,不计入不计" in text
    assert "加分合计经审定的加分2项,合计4.00分,超过上限3.00分,核减1.00分+3.00" in text
