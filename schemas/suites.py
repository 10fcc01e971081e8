"""Great Expectations suites built from the dataset schemas: the row-level rules of every inbox dataset."""

from __future__ import annotations

from datetime import datetime
from functools import cache

import great_expectations as gx
import great_expectations.expectations as gxe

from schemas.datasets import DATASETS, Column, Dataset

EARLIEST = datetime(2000, 1, 1)
LATEST = datetime(2100, 12, 31, 23, 59, 59)


def value_column(column: Column) -> str:
    """The name of the prepared column holding `column` converted to its type (the raw text for str)."""
    return column.name if column.type == "str" else f"{column.name}__value"


def unparsed_column(column: Column) -> str:
    """The name of the prepared column holding the raw text of cells that did not convert."""
    return f"{column.name}__unparsed"


def _rule(rule: str, *columns: str) -> dict:
    return {"rule": rule, "columns": list(columns)}


def _column_expectations(column: Column) -> list[gxe.Expectation]:
    name, value = column.name, value_column(column)
    found: list[gxe.Expectation] = []
    if column.required:
        found.append(gxe.ExpectColumnValuesToNotBeNull(column=name, meta=_rule("required", name)))
    if column.type != "str":
        found.append(gxe.ExpectColumnValuesToBeNull(column=unparsed_column(column), meta=_rule("type", name)))
    if column.allowed is not None:
        found.append(gxe.ExpectColumnValuesToBeInSet(
            column=name, value_set=list(column.allowed), meta=_rule("allowed", name)))
    if column.pattern is not None:
        found.append(gxe.ExpectColumnValuesToMatchRegex(
            column=name, regex=column.pattern, meta=_rule("pattern", name)))
    if column.max_length is not None:
        found.append(gxe.ExpectColumnValueLengthsToBeBetween(
            column=name, max_value=column.max_length, meta=_rule("length", name)))
    if column.min is not None or column.max is not None:
        found.append(gxe.ExpectColumnValuesToBeBetween(
            column=value, min_value=column.min, max_value=column.max, meta=_rule("range", name)))
    if column.type in ("date", "datetime"):
        found.append(gxe.ExpectColumnValuesToBeBetween(
            column=value, min_value=EARLIEST, max_value=LATEST, meta=_rule("date_range", name)))
    return found


def _key_expectation(dataset: Dataset) -> gxe.Expectation:
    columns = [value_column(dataset.column(k)) for k in dataset.key]
    meta = _rule("unique", *dataset.key)
    if len(columns) == 1:
        return gxe.ExpectColumnValuesToBeUnique(column=columns[0], meta=meta)
    return gxe.ExpectCompoundColumnsToBeUnique(column_list=columns, meta=meta)


def _order_expectation(dataset: Dataset, earlier: str, later: str) -> gxe.Expectation:
    return gxe.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A=value_column(dataset.column(later)), column_B=value_column(dataset.column(earlier)),
        or_equal=True, ignore_row_if="either_value_is_missing", meta=_rule("order", earlier, later),
    )


def build_suite(dataset: Dataset) -> gx.ExpectationSuite:
    """The suite of `dataset`: required, type, allowed-value, pattern, length, range, key and order rules."""
    expectations = [e for column in dataset.columns for e in _column_expectations(column)]
    expectations.append(_key_expectation(dataset))
    expectations += [_order_expectation(dataset, earlier, later) for earlier, later in dataset.order_checks]
    # Built detached from any context, so that building needs no project and stores nothing.
    return gx.ExpectationSuite(name=f"{dataset.name}_rows", expectations=expectations)


@cache
def suite_for(name: str) -> gx.ExpectationSuite:
    """The suite of the dataset called `name`, built once per process."""
    return build_suite(DATASETS[name])
