"""How sample frames become delivered files: deliberate bad rows, date styles, Excel with a title row, CSV."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from schemas.datasets import Dataset

BAD_SHARE = 0.001
# Values a careless clerk types that the schema does not allow.
NOT_ALLOWED = {"grade": "很满意", "rating": "非常满意", "status": "已完成", "level": "乡级", "category": "事业单位",
               "platform": "微信公众号", "source": "群众举报", "item": "环境保护", "kind": "其他"}
FIXED_CREATED = datetime(2026, 1, 1)


def bad_row_count(rows: int) -> int:
    """How many deliberately bad rows a file of `rows` good rows carries: about 0.1 %, at least two."""
    return max(2, round(rows * BAD_SHARE))


def _bad_kinds(dataset: Dataset) -> list[str]:
    kinds = ["missing", "duplicate"]
    kinds += ["unknown_ref"] if dataset.references else []
    kinds += ["not_allowed"] if any(c.allowed for c in dataset.columns) else []
    kinds += ["bad_date"] if any(c.type in ("date", "datetime") for c in dataset.columns) else []
    kinds += ["out_of_range"] if any(c.max is not None and c.name != "year" for c in dataset.columns) else []
    kinds += ["bad_pattern"] if any(c.pattern for c in dataset.columns) else []
    kinds += ["bad_bool"] if any(c.type == "bool" for c in dataset.columns) else []
    return kinds


def _as_text(series: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(series):
        return pd.Series(pa.array(series).cast(pa.string()), index=series.index, dtype=object)
    return series.astype(object)


def _damage(frame: pd.DataFrame, row: int, kind: str, dataset: Dataset, year: int,
            rng: np.random.Generator) -> None:
    def put(column: str, value: object) -> None:
        if frame[column].dtype != object:
            frame[column] = _as_text(frame[column])
        frame.iat[row, frame.columns.get_loc(column)] = value

    keys = set(dataset.key)
    if kind == "missing":
        put(next(c.name for c in dataset.columns if c.required and c.name not in keys), None)
    elif kind == "unknown_ref":
        column = dataset.references[0].column
        value = str(frame[column].iat[row])
        put(column, value[0] + "9" * (len(value) + 1))
    elif kind == "not_allowed":
        column = next(c.name for c in dataset.columns if c.allowed)
        put(column, NOT_ALLOWED.get(column, "其他"))
    elif kind == "bad_date":
        column = next(c for c in dataset.columns if c.type in ("date", "datetime"))
        put(column.name, f"{year}-02-30" + (" 10:00:00" if column.type == "datetime" else ""))
    elif kind == "out_of_range":
        column = next(c.name for c in dataset.columns if c.max is not None and c.name != "year")
        put(column, -2.0 if column == "points" else 120.0)
    elif kind == "bad_pattern":
        column = next(c.name for c in dataset.columns if c.pattern)
        put(column, f"{year}Q5" if "Q" in str(frame[column].iat[row]) else f"{year}H3")
    elif kind == "bad_bool":
        put(next(c.name for c in dataset.columns if c.type == "bool"), "待定")


def spoil(frame: pd.DataFrame, dataset: Dataset, rng: np.random.Generator, year: int,
          spare: np.ndarray | None = None) -> pd.DataFrame:
    """The frame with a few bad rows, one kind of fault each; registries spoil only their `spare` rows."""
    frame = frame.reset_index(drop=True)
    if frame.empty:
        return frame
    kinds = _bad_kinds(dataset)
    rows = (np.flatnonzero(spare) if spare is not None
            else np.sort(rng.choice(len(frame), min(len(frame), bad_row_count(len(frame))), replace=False)))
    start = int(rng.integers(0, len(kinds)))
    copies = []
    for i, row in enumerate(rows):
        kind = kinds[(start + i) % len(kinds)]
        if kind != "duplicate":
            _damage(frame, int(row), kind, dataset, year, rng)
        elif spare is not None:
            # A fresh code entered twice: the partner is another spare row, so no real record is disturbed.
            partner = rows[(i + 1) % len(rows)]
            for key in dataset.key:
                frame.iat[int(row), frame.columns.get_loc(key)] = frame[key].iat[partner]
        else:
            copies.append(int(row))
    if copies:
        frame = pd.concat([frame, frame.iloc[copies]]).sort_index(kind="stable").reset_index(drop=True)
    return frame


def _date_text(series: pd.Series, style: str, with_time: bool) -> pd.Series:
    stamps = series if pd.api.types.is_datetime64_any_dtype(series) else pd.to_datetime(
        series, errors="coerce", format="mixed")
    text = pd.Series(pc.strftime(pa.array(stamps), format="%Y-%m-%d %H:%M:%S" if with_time else "%Y-%m-%d"),
                     index=series.index, dtype=object)
    if style != "iso" and not with_time:
        y, m, d = (stamps.dt.year.astype("Int64").astype(str), stamps.dt.month.astype("Int64").astype(str),
                   stamps.dt.day.astype("Int64").astype(str))
        text = (y + "/" + m + "/" + d) if style == "slash" else (y + "年" + m + "月" + d + "日")
        text = text.astype(object).where(stamps.notna(), None)
    # A cell typed as text (such as an impossible date) is delivered as typed.
    return text.where(stamps.notna() | series.isna(), series)


def as_delivered(frame: pd.DataFrame, dataset: Dataset, date_style: str = "iso") -> pd.DataFrame:
    """The frame as a clerk's file shows it: dates in the office's style, booleans as 是/否."""
    out = frame[dataset.column_names].copy()
    for column in dataset.columns:
        values = out[column.name]
        if column.type in ("date", "datetime"):
            out[column.name] = _date_text(values, date_style, column.type == "datetime")
        elif column.type == "bool":
            text = values.astype(str)
            out[column.name] = values.where(~text.isin(["True", "False"]), text.map({"True": "是", "False": "否"}))
    return out


def write_csv(path: Path, frame: pd.DataFrame, dataset: Dataset, encoding: str, chinese: bool,
              date_style: str = "iso") -> int:
    """Write a CSV delivery with English or Chinese headers; the number of rows written."""
    out = as_delivered(frame, dataset, date_style)
    if chinese:
        out = out.rename(columns={c.name: c.label for c in dataset.columns})
    out.to_csv(path, index=False, encoding=encoding, lineterminator="\r\n" if chinese else "\n")
    return len(out)


def write_xlsx(path: Path, frame: pd.DataFrame, dataset: Dataset, title: str) -> int:
    """Write an Excel delivery: a merged title row above the Chinese header; the number of rows written."""
    out = as_delivered(frame, dataset)
    out = out.rename(columns={c.name: c.label for c in dataset.columns})
    with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
        writer.book.set_properties({"created": FIXED_CREATED, "author": "创先争优活动领导小组办公室"})
        out.to_excel(writer, sheet_name="Sheet1", startrow=1, index=False)
        sheet = writer.sheets["Sheet1"]
        title_format = writer.book.add_format({"bold": True, "font_size": 14, "align": "center"})
        sheet.merge_range(0, 0, 0, len(out.columns) - 1, title, title_format)
        sheet.set_column(0, len(out.columns) - 1, 18)
    return len(out)


class CsvStream:
    """A large UTF-8 CSV with English headers, written chunk by chunk."""

    def __init__(self, path: Path, dataset: Dataset) -> None:
        self.path, self.dataset, self.rows = path, dataset, 0
        self._file = open(path, "wb")
        self._file.write((",".join(dataset.column_names) + "\n").encode())

    def write(self, frame: pd.DataFrame) -> None:
        """Append one chunk."""
        columns = {}
        for name in self.dataset.column_names:
            values = frame[name]
            columns[name] = pa.array(values.astype(str).where(values.notna(), None) if values.dtype == object
                                     else values)
        pacsv.write_csv(pa.table(columns), self._file, pacsv.WriteOptions(include_header=False,
                                                                         quoting_style="needed"))
        self.rows += len(frame)

    def close(self) -> int:
        """Finish the file; the number of rows written."""
        self._file.close()
        return self.rows
