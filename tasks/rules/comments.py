"""领导点评: coverage of the subject registry by leader comments in a half-year."""

from __future__ import annotations

import pandas as pd

from schemas.datasets import SUBJECT_TYPES

COVERAGE_COLUMNS = ["subject_type", "subjects", "commented", "coverage_rate"]


def comment_coverage(comments: pd.DataFrame, subjects: pd.DataFrame,
                     start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Per subject kind: subjects in the registry, distinct ones commented in [start, end), and the coverage rate."""
    dated = pd.to_datetime(comments["date"])
    commented_ids = set(comments.loc[(dated >= start) & (dated < end), "subject_id"].astype(str))
    registry = pd.DataFrame({
        "subject_type": subjects["subject_type"].astype(str).to_numpy(),
        "commented": subjects["subject_id"].astype(str).isin(commented_ids).to_numpy(),
    })
    counts = registry.groupby("subject_type", sort=False)["commented"].agg(subjects="size", commented="sum")
    counts = counts.reindex(list(SUBJECT_TYPES), fill_value=0).astype("int64")
    # A kind without registered subjects has no rate, not a rate of 0.
    counts["coverage_rate"] = counts["commented"] / counts["subjects"].where(counts["subjects"] > 0)
    return counts.rename_axis("subject_type").reset_index()[COVERAGE_COLUMNS]
