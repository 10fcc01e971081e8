"""现场点评问卷: 知晓率, 参与率 and 满意率 by respondent type, with figures from too few respondents withheld."""

from __future__ import annotations

import numpy as np
import pandas as pd

from schemas.datasets import RESPONDENT_TYPES, SITE_QUESTIONS
from schemas.policy import OnSite

TOTAL = "合计"
SUPPRESSED = "—(样本过少)"
# A total beside a withheld cell would give that cell away by subtraction, so it is withheld too.
COMPLEMENT = "—(防止反推,不显示)"
STAT_COLUMNS = ["respondent_type", "measure", "respondents", "answered", "favourable", "rate", "display"]
MEASURES = [q.rate for q in SITE_QUESTIONS]
_PAIRS = {f"{q.name}/{a}": q.rate for q in SITE_QUESTIONS for a in q.answers}
_FAVOURABLE = [f"{q.name}/{a}" for q in SITE_QUESTIONS for a in q.favourable]


def _answers(questionnaires: pd.DataFrame, review_id: str) -> pd.DataFrame:
    rows = questionnaires[questionnaires["review_id"].astype("str") == review_id]
    frame = pd.DataFrame({c: rows[c].astype("str") for c in ("respondent_id", "respondent_type", "question",
                                                              "answer")}).reset_index(drop=True)
    pairs = frame["question"] + "/" + frame["answer"]
    frame["measure"] = pairs.map(_PAIRS)  # an answer that is not an option of its question has no measure
    frame["favourable"] = pairs.isin(_FAVOURABLE)
    return frame


def _counts(answers: pd.DataFrame) -> pd.DataFrame:
    grid = pd.MultiIndex.from_product([[*RESPONDENT_TYPES, TOTAL], MEASURES], names=["respondent_type", "measure"])
    valid = answers.dropna(subset=["measure"])
    by_type = valid.groupby(["respondent_type", "measure"])["favourable"].agg(answered="size", favourable="sum")
    total = valid.groupby("measure")["favourable"].agg(answered="size", favourable="sum")
    total.index = pd.MultiIndex.from_product([[TOTAL], total.index], names=grid.names)
    counts = pd.concat([by_type, total]).reindex(grid, fill_value=0).astype("int64").reset_index()
    people = answers.groupby("respondent_type")["respondent_id"].nunique()
    people[TOTAL] = answers[["respondent_type", "respondent_id"]].drop_duplicates().shape[0]
    counts.insert(2, "respondents", counts["respondent_type"].map(people).fillna(0).astype("int64"))
    return counts


def _withheld(counts: pd.DataFrame, min_cell: int) -> tuple[pd.Series, pd.Series]:
    """Cells from fewer than `min_cell` answers, and totals that would let such a cell be worked out."""
    small = counts["answered"] < min_cell
    revealing = counts["respondent_type"].ne(TOTAL) & small & counts["answered"].gt(0)
    exposed = counts.loc[revealing, "measure"].unique()
    complement = counts["respondent_type"].eq(TOTAL) & counts["measure"].isin(exposed) & ~small
    return small, complement


def survey_statistics(questionnaires: pd.DataFrame, review_id: str, policy: OnSite) -> pd.DataFrame:
    """Per respondent type (党员, 群众, 合计) and rate: respondents, answers to the rate's question, favourable
    answers and the rate, with numerator and rate withheld where fewer than the policy's minimum answered."""
    counts = _counts(_answers(questionnaires, review_id))
    small, complement = _withheld(counts, policy.min_cell_respondents)
    hidden = small | complement
    rate = counts["favourable"] / counts["answered"].where(counts["answered"] > 0)
    counts["favourable"] = counts["favourable"].astype("Int64").mask(hidden)
    counts["rate"] = rate.mask(hidden)
    shown = counts["rate"].map(lambda r: f"{r * 100:.1f}%", na_action="ignore")
    counts["display"] = pd.Series(np.select([small, complement], [SUPPRESSED, COMPLEMENT], default=""),
                                  index=counts.index).where(hidden, shown.fillna("")).astype("str")
    return counts[STAT_COLUMNS]


def questionnaire_notes(questionnaires: pd.DataFrame, review_id: str, policy: OnSite) -> list[str]:
    """What the statistics leave out or fall short of, in words: fewer questionnaires than planned per type, and
    answers that are not an option of their question."""
    answers = _answers(questionnaires, review_id)
    people = answers.groupby("respondent_type")["respondent_id"].nunique()
    notes = [f"{kind}问卷 {int(people.get(kind, 0))} 份,少于计划的 {target} 份"
             for kind, target in policy.questionnaire_targets.items() if people.get(kind, 0) < target]
    stray = answers[answers["measure"].isna()]
    if len(stray):
        first = stray.iloc[0]
        notes.append(f"有 {len(stray)} 个答案不是所属题目的选项(如“{first['question']}”答“{first['answer']}”),"
                     "未计入统计")
    return notes
