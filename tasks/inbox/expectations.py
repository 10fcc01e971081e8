"""The dataset's Great Expectations suite run over a prepared table, and each failure put in words."""

from __future__ import annotations

import logging
from functools import cache

import great_expectations as gx
import great_expectations.expectations as gxe
import numpy as np
import pandas as pd
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.execution_engine import pandas_execution_engine

from schemas.datasets import Dataset
from schemas.suites import EARLIEST, LATEST, suite_for, unparsed_column, value_column
from tasks.inbox.keys import KEY_SEPARATOR, joined, key_values, quoted
from tasks.inbox.normalise import BOOL_HINT, number_problems

EXCEL_ERROR = "__excel_error"  # beside a column: the Excel error value its cell held, the cell itself emptied
_TYPE_PROBLEMS = {"int": "不是整数", "float": "不是数字", "date": "不是有效日期", "datetime": "不是有效的日期时间",
                  "bool": f"不是有效的是/否值({BOOL_HINT})"}


# GX fingerprints every table under 1 GB it is handed (an MD5 over pandas' hash of every row) for the markers of its
# batch, which nothing here reads: a fifth of the validation of a platform file (0.61 against 0.78 s for 274,786
# rows of the city's 12345 file). With a threshold of 0 no table is fingerprinted.
pandas_execution_engine.HASH_THRESHOLD = 0


@cache
def _batch_definition():
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    return context.data_sources.add_pandas("inbox").add_dataframe_asset("table") \
        .add_batch_definition_whole_dataframe("whole table")


def _can_fail(expectation: gxe.Expectation, frame: pd.DataFrame) -> bool:
    """Whether `expectation` could find any unexpected row in `frame` (a cheap, exact pre-check)."""
    kind = type(expectation)
    if kind is gxe.ExpectCompoundColumnsToBeUnique:
        return bool(frame.duplicated(expectation.column_list).any())
    if kind is gxe.ExpectColumnPairValuesAToBeGreaterThanB:
        return bool((frame[expectation.column_A] < frame[expectation.column_B]).any())
    values = frame[expectation.column]
    if kind is gxe.ExpectColumnValuesToNotBeNull:
        return bool(values.isna().any())
    if kind is gxe.ExpectColumnValuesToBeNull:
        return bool(values.notna().any())
    if kind is gxe.ExpectColumnValuesToBeUnique:
        return bool(values.duplicated().any())
    present = values.dropna()
    if kind is gxe.ExpectColumnValuesToBeInSet:
        return bool((~present.isin(expectation.value_set)).any())
    if kind is gxe.ExpectColumnValuesToMatchRegex:
        return bool((~present.str.contains(expectation.regex)).any())
    if kind is gxe.ExpectColumnValueLengthsToBeBetween:
        return bool((present.str.len() > expectation.max_value).any())
    if kind is gxe.ExpectColumnValuesToBeBetween:
        low, high = expectation.min_value, expectation.max_value
        return bool((low is not None and (present < low).any()) or (high is not None and (present > high).any()))
    return True


def _columns_read(expectations: list[gxe.Expectation]) -> list[str]:
    columns: dict[str, None] = {}
    for e in expectations:
        names = getattr(e, "column_list", None) or [getattr(e, n) for n in ("column", "column_A", "column_B")
                                                     if getattr(e, n, None) is not None]
        columns.update(dict.fromkeys(names))
    return list(columns)


def run_suite(dataset: Dataset, prepared: pd.DataFrame) -> list[tuple[dict, np.ndarray]]:
    """The (rule, failing row positions) of every expectation of the suite that fails on `prepared`."""
    # Expectations that cannot fail are left out: GX then only pays for the rules that find something.
    candidates = [e for e in suite_for(dataset.name).expectations if _can_fail(e, prepared)]
    if not candidates:
        return []
    # GX hashes every column it is handed, so it gets only the columns its expectations read.
    batch = _batch_definition().get_batch(batch_parameters={"dataframe": prepared[_columns_read(candidates)]})
    suite = gx.ExpectationSuite(name=f"{dataset.name}_failing", expectations=candidates)
    try:
        outcome = batch.validate(suite, result_format={"result_format": "COMPLETE"})
    finally:
        _forget(batch)
    failures = []
    for result in outcome.results:
        if result.exception_info.get("raised_exception"):
            raise RuntimeError(f"{result.expectation_config.type}: {result.exception_info['exception_message']}")
        if not result.success:
            rows = np.asarray(result.result["unexpected_index_list"], dtype="int64")
            failures.append((result.expectation_config.meta, rows))
    return failures


def _forget(batch) -> None:
    """GX keeps the data of the last batch it validated until another replaces it: the columns of the last file
    of an intake would stay in memory for the rest of the run (a province file's: hundreds of megabytes)."""
    manager = batch.data.execution_engine.batch_manager
    manager.batch_data_cache.clear()
    manager.reset_batch_cache()


def _number(value: float | None) -> str:
    return f"{value:g}"


def rule_reasons(dataset: Dataset, meta: dict, rows: np.ndarray, frame: pd.DataFrame) -> pd.Series:
    """The Chinese reason for each failing row of one rule."""
    at = frame.iloc[rows]
    columns = [dataset.column(n) for n in meta["columns"]]
    column = columns[0]
    text = at[column.name] if column.name in at else None
    rule = meta["rule"]
    if rule == "required":
        if column.name + EXCEL_ERROR in at:  # an error value is reported as such, not as an empty cell
            at = at[at[column.name + EXCEL_ERROR].isna()]
        return pd.Series(f"{column.label}不能为空", index=at.index, dtype="str")
    if rule == "type":
        unparsed = at[unparsed_column(column)]
        problems = number_problems(unparsed, column) if column.type in ("int", "float") else _TYPE_PROBLEMS[column.type]
        return quoted(column.label, unparsed) + problems
    if rule == "allowed":
        return quoted(column.label, text) + f"不在允许值({'、'.join(column.allowed)})中"
    if rule == "pattern":
        hint = f"({column.note})" if column.note else ""
        return quoted(column.label, text) + "格式不正确" + hint
    if rule == "length":
        return column.label + "长度 " + text.str.len().astype("str") + f" 超过 {column.max_length} 个字"
    if rule == "range":
        return column.label + " " + text + f" 超出 {_number(column.min)}–{_number(column.max)}"
    if rule == "date_range":
        return quoted(column.label, text) + f"不在 {EARLIEST:%Y-%m-%d} 至 {LATEST:%Y-%m-%d} 之间"
    if rule == "unique":
        return _duplicate_reasons(dataset, at)
    if rule == "order":
        earlier, later = columns
        return quoted(later.label, at[later.name]) + "早于" + quoted(earlier.label, at[earlier.name])
    raise ValueError(f"unknown rule {rule!r}")


def _duplicate_reasons(dataset: Dataset, at: pd.DataFrame) -> pd.Series:
    labels, values = key_values(dataset, at)
    typed = joined(at[[value_column(dataset.column(n)) for n in dataset.key]], KEY_SEPARATOR)
    counts = typed.map(typed.value_counts()).astype("str")
    return labels + "“" + values + "”在本批数据中重复出现 " + counts + " 次"
