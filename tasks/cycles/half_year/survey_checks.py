"""How sure the half-year's designations are, and whether its ballots were stuffed: screening, intervals, 边界单位."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from schemas.outputs import BOUNDARY_UNIT, KEY_MANAGEMENT, KEY_SUPERVISION
from schemas.policy import HalfYear
from tasks.rules.rank_uncertainty import uncertainty_table
from tasks.rules.survey_integrity import flagged_labels, integrity_flags, integrity_summary


@dataclass
class Screening:
    """The half-year's answers after the integrity screening: those that score, and what was flagged."""

    scored: pd.DataFrame
    summary: dict
    flagged_per_unit: pd.DataFrame  # per unit with flagged answers: `flagged` (how many) and `rules` (which)
    excluded: int = 0


def screen(responses: pd.DataFrame, period: str, policy: HalfYear) -> Screening:
    """The integrity rules run over the half-year's answers; flagged answers leave the scoring only when the
    policy excludes them."""
    rows = responses[responses["period"].astype(str).eq(period)]
    answers = pd.DataFrame({
        "respondent_id": rows["respondent_id"].astype(str), "unit_id": rows["unit_id"].astype(str),
        "dimension": rows["dimension"].astype(str), "grade": rows["grade"].astype(str),
        "file": rows["file_id"] if "file_id" in rows else 0,
    }, index=rows.index)
    flags = integrity_flags(answers, policy.integrity)
    flagged = flags.any(axis=1)
    by_unit = flags[flagged].groupby(answers.loc[flagged, "unit_id"])
    per_unit = pd.DataFrame({"flagged": by_unit.size(), "rules": flagged_labels(by_unit.any())})
    scored = responses.drop(index=rows.index[flagged]) if policy.integrity.exclude_flagged else responses
    excluded = int(flagged.sum()) if policy.integrity.exclude_flagged else 0
    return Screening(scored, integrity_summary(answers, flags), per_unit, excluded)


def screening_notes(screening: Screening) -> list[str]:
    """What the screening found and did, in the words of the designation notes."""
    summary = screening.summary
    if not summary["flagged_answers"]:
        return []
    found = "、".join(f"{r['rule']}{r['answers']}张" for r in summary["rules"] if r["answers"])
    done = (f"按政策规定,这{screening.excluded}张测评票不计分,也不计为有效测评票。" if screening.excluded
            else "这些测评票照常计分,另行列出供核查。")
    return [f"测评完整性筛查标记测评票{summary['flagged_answers']}张({found});{done}"]


def with_intervals(ranking: pd.DataFrame, scored: pd.DataFrame, period: str, policy: HalfYear) -> pd.DataFrame:
    """The ranking with rank_low, rank_high and p_designated, and `boundary` for designated units below 0.5."""
    table = uncertainty_table(scored, ranking, period, policy, policy.bootstrap_seed, policy.bootstrap_replicates)
    result = ranking.merge(table, on="unit_id", how="left")
    designated = result["designation"].isin((KEY_MANAGEMENT, KEY_SUPERVISION))
    result["boundary"] = designated & result["p_designated"].lt(0.5)
    return result


def boundary_sentence(row: dict) -> str:
    """Why a designated unit is a 边界单位, in plain words."""
    return (f"按本期得分确定为{row['designation']};因有效票较少,排名区间为第{row['rank_low']}—{row['rank_high']}名,"
            f"被确定的可能性约为{round(row['p_designated'] * 100)}%,属{BOUNDARY_UNIT}。")


def interval_notes(ranking: pd.DataFrame, policy: HalfYear) -> list[str]:
    """How the intervals were drawn, and how many designated units are 边界单位."""
    boundary = int(ranking["boundary"].sum())
    text = (f"排名区间按各单位测评票分布重抽样{policy.bootstrap_replicates}次(随机种子{policy.bootstrap_seed})计算,"
            "给出95%的排名区间和被确定为重点单位的可能性;")
    text += (f"{boundary}个重点单位被确定的可能性低于50%,列为{BOUNDARY_UNIT},确定结果不变。" if boundary
             else "所有重点单位被确定的可能性均不低于50%。")
    return [text]
