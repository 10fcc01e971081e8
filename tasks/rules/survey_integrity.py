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
    return pd.DataFrame({OVERQUOTA: _overquota(answers, policy.max_units_per_respondent),
                         STRAIGHT_LINE: _straight_lined(answers, policy.straight_line_min_units),
                         IDENTICAL_BATCH: _identical_batch(answers, policy.identical_batch_min)},
                        index=answers.index)


def _overquota(answers: pd.DataFrame, most: int) -> pd.Series:
    """The answers of respondents who graded more than `most` units."""
    units = answers.groupby("respondent_id", observed=True)["unit_id"].transform("nunique")
    return units > most


def _sheets(answers: pd.DataFrame) -> pd.DataFrame:
    """Per respondent and unit: how many of the five dimensions were answered, and the answers as one pattern."""
    wide = answers.pivot_table(index=["respondent_id", "unit_id"], columns="dimension", values="grade",
                               aggfunc="first", observed=True)
    wide = wide.reindex(columns=list(DIMENSIONS))
    return pd.DataFrame({"answered": wide.notna().sum(axis=1),
                         "distinct": wide.nunique(axis=1),
                         "first": wide.bfill(axis=1).iloc[:, 0],
                         "pattern": wide.astype("str").fillna("").agg("|".join, axis=1)})


def _straight_lined(answers: pd.DataFrame, least_units: int) -> pd.Series:
    """The answers on units a respondent graded one and the same grade on every dimension, when ≥ `least_units` such."""
    sheets = _sheets(answers)
    uniform = sheets[(sheets["answered"] == len(DIMENSIONS)) & (sheets["distinct"] == 1)].reset_index()
    per_grade = uniform.groupby(["respondent_id", "first"], observed=True)["unit_id"].transform("size")
    flagged = uniform.loc[per_grade >= least_units, ["respondent_id", "unit_id"]].assign(_flag=True)
    keys = answers[["respondent_id", "unit_id"]].astype("str")
    return keys.merge(flagged.astype({"respondent_id": "str", "unit_id": "str"}), how="left",
                      on=["respondent_id", "unit_id"])["_flag"].fillna(False).astype(bool).set_axis(answers.index)


def _identical_batch(answers: pd.DataFrame, least: int) -> pd.Series:
    """The answers of ≥ `least` respondents of one unit and file with identical five answers and consecutive ids.

    Consecutive means the same id stem and numeric tails one apart (R000123, R000124 …); ids without a numeric
    tail are never consecutive.
    """
    files = answers.groupby(["respondent_id", "unit_id"], observed=True)["file"].first()
    sheets = _sheets(answers).join(files).reset_index()
    sheets = sheets[sheets["answered"] == len(DIMENSIONS)]
    tails = sheets["respondent_id"].astype("str").str.extract(_TAIL)
    sheets = sheets.assign(stem=tails["stem"], number=pd.to_numeric(tails["number"])).dropna(subset=["number"])
    keys = ["file", "unit_id", "pattern", "stem"]
    sheets = sheets.sort_values([*keys, "number"])
    same = (sheets[keys].astype("str") == sheets[keys].astype("str").shift()).all(axis=1)
    run_starts = ~(same & sheets["number"].diff().eq(1))
    run = run_starts.cumsum()
    flagged = sheets.loc[run.map(run.value_counts()) >= least, ["respondent_id", "unit_id"]].assign(_flag=True)
    keys_of = answers[["respondent_id", "unit_id"]].astype("str")
    return keys_of.merge(flagged.astype({"respondent_id": "str", "unit_id": "str"}), how="left",
                         on=["respondent_id", "unit_id"])["_flag"].fillna(False).astype(bool).set_axis(answers.index)


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
