"""Sample ballots that game the survey (刷票), for the integrity screening to find: a stuffed batch and a straight-liner."""

from __future__ import annotations

import pandas as pd

from schemas.datasets import DIMENSIONS

BATCH = 12  # identical sheets with consecutive ids: over the policy's 10
STRAIGHT_LINED_UNITS = 12  # units one respondent grades 满意 on every dimension: over the policy's 10


def stuffed_answers(units: pd.Series, stuffed_unit: str, period: str) -> pd.DataFrame:
    """A third batch of answers: twelve consecutive 社会各界 sheets all 满意 for `stuffed_unit` (雷同答卷), and one
    机关 respondent giving 满意 on every dimension of twelve units (一律作答); ids outside the regular pool."""
    batch = pd.DataFrame({"respondent_id": [f"{period}-9{n:05d}" for n in range(1, BATCH + 1)],
                          "respondent_group": "社会各界", "unit_id": stuffed_unit})
    liner = pd.DataFrame({"respondent_id": f"{period}-990000", "respondent_group": "机关",
                          "unit_id": units.head(STRAIGHT_LINED_UNITS).to_numpy()})
    sheets = pd.concat([batch, liner], ignore_index=True)
    answers = sheets.loc[sheets.index.repeat(len(DIMENSIONS))].reset_index(drop=True)
    answers["dimension"] = list(DIMENSIONS) * len(sheets)
    return answers.assign(period=period, grade="满意")[["period", "respondent_id", "respondent_group", "unit_id",
                                                        "dimension", "grade"]]
