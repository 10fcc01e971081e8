"""Excel intake against openpyxl on one large sheet."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd

from benchmarks.measure import Target, best_of, profile_to
from schemas.datasets import DATASETS, DIMENSIONS, RESPONDENT_GROUPS, SURVEY_GRADES
from tasks.inbox.reader import read_table
from tasks.sample.files import write_xlsx

DATASET = DATASETS["survey_responses"]


def survey_sheet(root: Path, rows: int) -> Path:
    """A cached survey-answer workbook of `rows` rows under a title row, as providers send it."""
    path = root / f"excel-{rows}.xlsx"
    if not path.exists():
        at = pd.RangeIndex(rows)
        frame = pd.DataFrame({
            "period": "2026H1",
            "respondent_id": "R" + pd.Series(at // 5).astype("str").str.zfill(7),
            "respondent_group": pd.Series(RESPONDENT_GROUPS).take(at // 5 % 4).to_numpy(),
            "unit_id": "U" + pd.Series(at // 40 % 1200 + 1).astype("str").str.zfill(4),
            "dimension": pd.Series(DIMENSIONS).take(at % 5).to_numpy(),
            "grade": pd.Series(SURVEY_GRADES).take(at * 7 // 3 % 4).to_numpy(),
        })
        path.parent.mkdir(parents=True, exist_ok=True)
        write_xlsx(path, frame, DATASET, "群众满意度测评结果")
    return path


def openpyxl_read(path: Path) -> pd.DataFrame:
    """The sheet's cells through openpyxl in read-only mode, as a frame."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return pd.DataFrame(list(book.worksheets[0].iter_rows(values_only=True)))
    finally:
        book.close()


def excel_target(root: Path, rows: int, profile: Path, wanted: float) -> Target:
    """How many times faster intake reads a `rows`-row sheet than openpyxl does (best of three runs each)."""
    path = survey_sheet(root, rows)
    ours = best_of(lambda: read_table(path, DATASET))
    theirs = best_of(lambda: openpyxl_read(path))
    target = Target(f"Excel 读取 vs openpyxl({rows:,} 行)", theirs / ours, wanted, higher_is_better=True)
    if not target.met:
        target.profile = str(profile_to(profile, lambda: read_table(path, DATASET)))
    return target
