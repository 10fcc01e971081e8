"""The Great Expectations suites built from the dataset schemas."""

from __future__ import annotations

from datetime import datetime

import pytest

from schemas.datasets import DATASETS
from schemas.suites import build_suite, suite_for


def _described(suite) -> list[tuple]:
    return [(e.expectation_type, e.meta["rule"], tuple(e.meta["columns"]),
             {k: v for k, v in e.configuration.kwargs.items() if k not in ("batch_id", "result_format")})
            for e in suite.expectations]


def test_superior_scores_suite_is_built_from_its_schema():
    # Every rule of the schema appears once, in column order, then the compound key.
    assert _described(build_suite(DATASETS["superior_scores"])) == [
        ("expect_column_values_to_not_be_null", "required", ("year",), {"column": "year"}),
        ("expect_column_values_to_be_null", "type", ("year",), {"column": "year__unparsed"}),
        ("expect_column_values_to_be_between", "range", ("year",),
         {"column": "year__value", "min_value": 2000, "max_value": 2100}),
        ("expect_column_values_to_not_be_null", "required", ("unit_id",), {"column": "unit_id"}),
        ("expect_column_value_lengths_to_be_between", "length", ("unit_id",), {"column": "unit_id", "max_value": 32}),
        ("expect_column_values_to_not_be_null", "required", ("evaluator",), {"column": "evaluator"}),
        ("expect_column_value_lengths_to_be_between", "length", ("evaluator",),
         {"column": "evaluator", "max_value": 100}),
        ("expect_column_values_to_not_be_null", "required", ("score",), {"column": "score"}),
        ("expect_column_values_to_be_null", "type", ("score",), {"column": "score__unparsed"}),
        ("expect_column_values_to_be_between", "range", ("score",),
         {"column": "score__value", "min_value": 0, "max_value": 100}),
        ("expect_compound_columns_to_be_unique", "unique", ("year", "unit_id", "evaluator"),
         {"column_list": ["year__value", "unit_id", "evaluator"]}),
    ]


def test_platform_cases_suite_has_date_ranges_and_order_checks():
    described = _described(build_suite(DATASETS["platform_cases"]))
    # Dates must fall between 2000 and 2100; closing and deadline come after receipt.
    assert ("expect_column_values_to_be_between", "date_range", ("closed_at",),
            {"column": "closed_at__value", "min_value": datetime(2000, 1, 1),
             "max_value": datetime(2100, 12, 31, 23, 59, 59)}) in described
    assert described[-2:] == [
        ("expect_column_pair_values_a_to_be_greater_than_b", "order", ("received_at", "due_at"),
         {"column_A": "due_at__value", "column_B": "received_at__value", "or_equal": True,
          "ignore_row_if": "either_value_is_missing"}),
        ("expect_column_pair_values_a_to_be_greater_than_b", "order", ("received_at", "closed_at"),
         {"column_A": "closed_at__value", "column_B": "received_at__value", "or_equal": True,
          "ignore_row_if": "either_value_is_missing"}),
    ]
    # An optional column is not required to be filled.
    assert not any(rule == "required" and cols == ("closed_at",) for _, rule, cols, _ in described)


@pytest.mark.parametrize("name", list(DATASETS))
def test_every_dataset_suite_covers_its_schema(name):
    dataset = DATASETS[name]
    rules = {(rule, cols) for _, rule, cols, _ in _described(suite_for(name))}
    # Required columns are not-null, code columns in-set, and the key (single or compound) unique.
    assert {c for (rule, (c,)) in ((r, k) for r, k in rules if r == "required")} == set(dataset.required_columns)
    assert {k[0] for r, k in rules if r == "allowed"} == {c.name for c in dataset.columns if c.is_code}
    assert {k[0] for r, k in rules if r == "type"} == {c.name for c in dataset.columns if c.type != "str"}
    assert ("unique", tuple(dataset.key)) in rules
    assert suite_for(name) is suite_for(name)  # built once per process
