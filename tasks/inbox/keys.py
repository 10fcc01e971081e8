"""Keys and references of delivered rows: rows that refer to what is not registered, keys already stored.

`known` maps `dataset.column` (e.g. "units.unit_id") to the keys stored so far, and WINDOW_UNITS to the units
registered as window units. Lookups hash whole columns in Arrow: a batch of millions of rows is one call.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from schemas.datasets import DATASETS, Dataset
from schemas.suites import value_column

WINDOW_UNITS = "units.unit_id:is_window"
KEY_SEPARATOR = "\x1f"


def quoted(label: str, text: pd.Series) -> pd.Series:
    """Each value quoted after its column's label: 单位编码“U9”."""
    return label + "“" + text.fillna("") + "”"


def known_key(dataset: Dataset) -> str:
    """The `known` entry that holds the stored keys of `dataset`, e.g. "units.unit_id"."""
    return f"{dataset.name}.{'+'.join(dataset.key)}"


def key_text(dataset: Dataset, typed: pd.DataFrame) -> pd.Series:
    """Each row's key as one text value (parts joined), comparable between a batch and stored rows."""
    parts = pd.DataFrame({
        name: typed[name].dt.strftime("%Y-%m-%d %H:%M:%S")
        if dataset.column(name).type in ("date", "datetime") else typed[name].astype("str")
        for name in dataset.key
    })
    return joined(parts, KEY_SEPARATOR)


def joined(frame: pd.DataFrame, separator: str) -> pd.Series:
    parts = [frame[c].astype("str").fillna("") for c in frame.columns]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + separator + part
    return joined


def key_values(dataset: Dataset, at: pd.DataFrame) -> tuple[str, pd.Series]:
    labels = "、".join(dataset.column(n).label for n in dataset.key)
    return labels, joined(at[list(dataset.key)], "、")


def is_in(values: pd.Series, known: pd.Index | set | tuple) -> np.ndarray:
    """Whether each of `values` is one of `known`; a missing value is not."""
    # pandas' str isin walks the value set in Python; Arrow hashes it in C, which matters with millions of keys.
    value_set = pd.array(known if isinstance(known, pd.Index) else list(known), dtype="str")
    found = pc.is_in(arrow_text(values), value_set=arrow_text(value_set))
    return found.fill_null(False).to_numpy(zero_copy_only=False)


def arrow_text(values) -> pa.Array:
    array = pa.array(pd.array(values, dtype="str"))
    array = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
    return array.cast(pa.large_string())


def reference_reasons(dataset: Dataset, frame: pd.DataFrame, known: dict) -> list[pd.Series]:
    reasons = []
    for ref in dataset.references:
        values = frame[ref.column]
        missing = values.notna() & ~is_in(values, known.get(f"{ref.dataset}.{ref.target}", ()))
        if missing.any():
            label = dataset.column(ref.column).label
            reasons.append(quoted(label, values[missing]) + f"不在{DATASETS[ref.dataset].label}中")
    return reasons


# Key columns that name a period: a dataset whose key leads with one has its stored keys read a period at a time.
PERIOD_COLUMNS = ("period", "year")


def lookup_column(dataset: Dataset) -> str:
    """The key column a search for stored keys narrows by: the first text one that names more than a period."""
    text = [k for k in dataset.key if dataset.column(k).type == "str"]
    return next((k for k in text if k not in PERIOD_COLUMNS), text[0])


class KeysByPeriod:
    """The stored keys of a dataset whose key leads with its period (survey answers, superior scores, scorecards),
    read a period at a time as the files checked name them, by `load` (the values of the period column to read
    keys of, None for every key → their keys as text, `key_text`), and kept by period: a file's key check reads and
    hashes the keys of its own periods, not those of the years stored (nor of the other periods an intake reads,
    when the rows waiting for a reference are checked file by file). Keys the files before it brought (`append`)
    count as stored."""

    # A file naming more periods than this (a wrong column read as the period) has every stored key read at once.
    LOOKUP_LIMIT = 1_000
    # A batch of at most this many rows (rows waiting for a reference, a small file) reads, of a period not read yet,
    # only the keys it could meet: those holding the values of its lookup column (answer sheet, unit, person).
    NARROW_ROWS = 5_000

    def __init__(self, dataset: Dataset, load) -> None:
        """`load(periods, within)`: the keys stored for `periods` (None: every key), of the rows holding in each
        column of `within` one of its values, when given, as text."""
        self.dataset, self._load = dataset, load
        self.lookup = lookup_column(dataset)
        self._read: set[str] = set()  # the periods read whole, as their key text
        self._looked_up: set[tuple[str, str]] = set()  # (period, lookup value) read for a few rows
        self._all = False
        self._by_period: dict[str, pd.Index] = {}

    def covering(self, typed: pd.DataFrame) -> pd.Index:
        """The keys stored for the periods of the rows `typed` (their key columns, typed) — read now where not read
        yet — and those appended. Only periods a stored row could hold are looked for: a year out of its range or a
        malformed period is refused by the file's rules and is no value to query by (an integer column refuses a
        year of ten digits)."""
        column = self.dataset.column(self.dataset.key[0])
        periods = typed[column.name].dropna()
        if column.pattern is not None:
            periods = periods[periods.astype("str").str.fullmatch(column.pattern)]
        if column.min is not None and column.max is not None:
            periods = periods[periods.between(column.min, column.max)]
        named = {str(period): period for period in periods.unique().tolist()}
        wanted = [] if self._all else [period for text, period in named.items() if text not in self._read]
        if len(wanted) > self.LOOKUP_LIMIT:
            self.append(self._load(None))
            self._all = True
        elif wanted and len(typed) <= self.NARROW_ROWS:
            # Pairs not looked up before, read together (keys that may be read again whole later on: a key held twice
            # is still one key).
            rows = typed.loc[typed[column.name].isin(wanted), [column.name, self.lookup]].dropna()
            pairs = set(zip(rows[column.name].astype("str"), rows[self.lookup].astype("str"))) - self._looked_up
            if pairs:
                periods_of = {text: named[text] for text, _ in pairs}
                self.append(self._load(sorted(periods_of.values()), {self.lookup: sorted({v for _, v in pairs})}))
                self._looked_up |= {(text, value) for text in periods_of for _, value in pairs}
        elif wanted:
            self.append(self._load(sorted(wanted)))
            self._read.update(str(period) for period in wanted)
        held = [self._by_period[text] for text in named if text in self._by_period]
        return held[0].append(held[1:]) if held else pd.Index([], dtype="str")

    def append(self, keys: pd.Index) -> KeysByPeriod:
        if len(keys):
            keys = pd.Series(keys, dtype="str")
            for text, group in keys.groupby(keys.str.split(KEY_SEPARATOR, n=1).str[0], sort=False):
                kept = self._by_period.get(text)
                self._by_period[text] = pd.Index(group) if kept is None else kept.append(pd.Index(group))
        return self


def stored_reasons(dataset: Dataset, frame: pd.DataFrame, known: dict) -> list[pd.Series]:
    stored = known.get(known_key(dataset))
    if stored is None:
        return []
    typed = pd.DataFrame({n: frame[value_column(dataset.column(n))] for n in dataset.key})
    if isinstance(stored, KeysByPeriod):
        stored = stored.covering(typed)
    if len(stored) == 0:
        return []
    clash = typed.notna().all(axis=1) & is_in(key_text(dataset, typed), stored)
    if not clash.any():
        return []
    labels, values = key_values(dataset, frame[clash])
    return [labels + "“" + values + "”已入库,不能重复提交,如需修改已入库的数据,请报送文件名中含有更正二字的更正文件"]


def window_reasons(dataset: Dataset, frame: pd.DataFrame, known: dict) -> list[pd.Series]:
    if dataset.name != "survey_responses" or WINDOW_UNITS not in known:
        return []
    values = frame["unit_id"]
    registered = is_in(values, known.get("units.unit_id", ()))
    outside = registered & ~is_in(values, known[WINDOW_UNITS])
    if not outside.any():
        return []
    return [quoted("单位编码", values[outside]) + "在窗口单位名册中登记为非窗口单位(是否窗口单位=否),其测评答卷不计入测评"]
