"""测评完整性筛查: the ways a satisfaction survey is gamed (刷票), flagged answer by answer, never removed silently.

超量测评 — one respondent grading more units than the policy allows; 一律作答 — one respondent giving one and the
same grade on every dimension of many units; 雷同答卷 — many respondents of one unit in one delivered file with
the same five answers and consecutive respondent ids (a batch filled in by one hand). Respondent ids are used
here only: every output shows counts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from schemas.datasets import DIMENSIONS
from schemas.policy import Integrity

OVERQUOTA, STRAIGHT_LINE, IDENTICAL_BATCH = "超量测评", "一律作答", "雷同答卷"
RULES = (OVERQUOTA, STRAIGHT_LINE, IDENTICAL_BATCH)
_TAIL = r"^(?P<stem>.*?)(?P<number>\d+)$"


def integrity_flags(answers: pd.DataFrame, policy: Integrity) -> pd.DataFrame:
    """One boolean column per rule for every answer (`answers`: respondent_id, unit_id, dimension, grade, file)."""
    sheet, sheets = _sheets(answers)
    straight = _straight_lined(sheets, policy.straight_line_min_units)
    batch = _identical_batch(sheets, policy.identical_batch_min)
    return pd.DataFrame({OVERQUOTA: _overquota(answers, policy.max_units_per_respondent),
                         STRAIGHT_LINE: straight[sheet], IDENTICAL_BATCH: batch[sheet]}, index=answers.index)


def _overquota(answers: pd.DataFrame, most: int) -> pd.Series:
    """The answers of respondents who graded more than `most` units."""
    units = answers.groupby("respondent_id", observed=True)["unit_id"].transform("nunique")
    return (units > most).to_numpy()


def _sheets(answers: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """Each answer's sheet (one respondent on one unit), and per sheet: respondent, unit, file, how many of the five
    dimensions were answered, how many distinct grades, the first grade and the five answers as one pattern code."""
    sheet, keys = pd.factorize(pd.MultiIndex.from_arrays([answers["respondent_id"].astype(str),
                                                          answers["unit_id"].astype(str)]))
    dimension = pd.Categorical(answers["dimension"].astype(str), categories=list(DIMENSIONS)).codes
    grade, grades = pd.factorize(answers["grade"].astype(str))
    wide = np.full((len(keys), len(DIMENSIONS)), -1, dtype="int64")
    known = dimension >= 0
    # Reversed, so that the first answer of a sheet to a dimension is the one kept.
    wide[sheet[known][::-1], dimension[known][::-1]] = grade[known][::-1]
    answered = (wide >= 0).sum(axis=1)
    distinct = sum((wide == code).any(axis=1) for code in range(len(grades))) if len(grades) else answered * 0
    first = wide[np.arange(len(keys)), np.argmax(wide >= 0, axis=1)] if len(keys) else np.array([], dtype="int64")
    pattern = ((wide + 1) * (len(grades) + 1) ** np.arange(len(DIMENSIONS))).sum(axis=1)
    files = pd.Series(answers["file"].to_numpy()).groupby(sheet).first().to_numpy() if len(keys) else []
    return sheet, pd.DataFrame({"respondent_id": keys.get_level_values(0), "unit_id": keys.get_level_values(1),
                                "file": files, "answered": answered, "distinct": distinct, "first": first,
                                "pattern": pattern})


def _straight_lined(sheets: pd.DataFrame, least_units: int) -> np.ndarray:
    """Per sheet: one and the same grade on every dimension, by a respondent who did so on ≥ `least_units` units."""
    uniform = (sheets["answered"] == len(DIMENSIONS)) & (sheets["distinct"] == 1)
    per_grade = sheets[uniform].groupby(["respondent_id", "first"])["unit_id"].transform("size")
    flagged = np.zeros(len(sheets), dtype=bool)
    flagged[per_grade.index[per_grade >= least_units]] = True
    return flagged


def _identical_batch(sheets: pd.DataFrame, least: int) -> np.ndarray:
    """Per sheet: one of ≥ `least` sheets of one unit and file with identical five answers and consecutive ids.

    Consecutive means the same id stem and numeric tails one apart (R000123, R000124 …); ids without a numeric
    tail are never consecutive.
    """
    complete = sheets[sheets["answered"] == len(DIMENSIONS)]
    tails = complete["respondent_id"].str.extract(_TAIL)
    complete = complete.assign(stem=tails["stem"], number=pd.to_numeric(tails["number"])).dropna(subset=["number"])
    keys = ["file", "unit_id", "pattern", "stem"]
    ordered = complete.sort_values([*keys, "number"])
    same = (ordered[keys] == ordered[keys].shift()).all(axis=1)
    run = (~(same & ordered["number"].diff().eq(1))).cumsum()
    flagged = np.zeros(len(sheets), dtype=bool)
    flagged[run.index[run.map(run.value_counts()) >= least]] = True
    return flagged


def flagged_labels(flags: pd.DataFrame) -> pd.Series:
    """Per row, the names of the rules it fell under joined by '、' (empty when none)."""
    joined = pd.Series("", index=flags.index, dtype="str")
    for rule in RULES:  # three rules, not rows
        named = pd.Series(np.where(flags[rule].to_numpy(dtype=bool), rule, ""), index=flags.index, dtype="str")
        joined = joined + "、" + named
    return joined.str.replace(r"、{2,}", "、", regex=True).str.strip("、")


def integrity_summary(answers: pd.DataFrame, flags: pd.DataFrame, most_affected: int = 10) -> dict:
    """Counts per rule (answers and respondents), and the units with the most flagged answers, for the appendix."""
    any_flag = flags.any(axis=1)
    rules = [{"rule": rule, "answers": int(flags[rule].sum()),
              "respondents": int(answers.loc[flags[rule], "respondent_id"].nunique())} for rule in RULES]
    per_unit = (answers.loc[any_flag].groupby("unit_id", observed=True).size().rename("flagged")
                .to_frame().join(answers.groupby("unit_id", observed=True).size().rename("answers")))
    per_unit["share"] = per_unit["flagged"] / per_unit["answers"]
    units = per_unit.sort_values(["flagged", "share"], ascending=False).head(most_affected).reset_index()
    return {"rules": rules, "flagged_answers": int(any_flag.sum()), "answers": len(answers),
            "units": units.astype({"unit_id": "str"}).to_dict("records")}
