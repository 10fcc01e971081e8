"""Period variants and the policy's alias tables, put in canonical form before validation."""

from __future__ import annotations

import pandas as pd
import pytest

from schemas.datasets import DATASETS
from schemas.policy import Aliases
from tasks.inbox.canonical import apply_aliases, canonical_cells, canonical_periods


@pytest.mark.parametrize(("text", "expected"), [
    ("2026H1", "2026H1"),          # canonical already
    ("2026h1", "2026H1"),          # lower case
    ("2026-H2", "2026H2"),         # a dash
    ("2026 h2", "2026H2"),         # a space
    ("2026年上半年", "2026H1"),      # Chinese half-years
    ("2026年下半年", "2026H2"),
    ("2026上半年度", "2026H1"),
    ("2026Q3", "2026Q3"),
    ("2026-Q3", "2026Q3"),         # quarters with a dash or lower case
    ("2026q3", "2026Q3"),
    ("2026年第三季度", "2026Q3"),    # Chinese quarters, with or without 第, in numerals or digits
    ("2026年三季度", "2026Q3"),
    ("2026年第1季度", "2026Q1"),
    ("2026年第五季度", "2026年第五季度"),  # no such quarter: left for the pattern rule to report
    ("上半年", "上半年"),            # no year: left as it is
])
def test_canonical_periods(text, expected):
    assert canonical_periods(pd.Series([text, None], dtype="str")).tolist()[0] == expected


def test_canonical_periods_keeps_empty_cells_empty():
    assert canonical_periods(pd.Series([None, "2026h1"], dtype="str")).isna().tolist() == [True, False]


def test_apply_aliases_maps_only_the_variants():
    text = pd.Series(["12345热线", "媒体", None, "114热线"], dtype="str")
    mapped = apply_aliases(text, Aliases().platform)
    pd.testing.assert_series_equal(mapped, pd.Series(["12345政府服务热线", "媒体", None, "114热线"], dtype="str"))


def test_canonical_cells_applies_each_table_to_its_own_column():
    # A rating table does not touch a platform, nor a status table another dataset's column.
    raw = pd.DataFrame({"case_id": ["G1"], "platform": ["信访"], "unit_id": ["U1"], "received_at": ["2026-03-05"],
                        "due_at": ["2026-03-09"], "closed_at": [None], "rating": ["非常满意"]}, dtype="str")
    aliases = Aliases(platform={"信访": "信访局"}, rating={"非常满意": "满意"}, status={"信访": "已兑现"})
    cells = canonical_cells(DATASETS["platform_cases"], raw, aliases)
    assert cells[["platform", "rating"]].iloc[0].tolist() == ["信访局", "满意"]
    assert raw["platform"].tolist() == ["信访"]  # the delivered frame is left as delivered
