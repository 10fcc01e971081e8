"""Sample 复核申请 and 复核决定 of a half-year: two appeals heard within the publicity window, one filed too late.

The sample cannot know when a run publishes its 公示稿, so it assumes the day: the tenth working day after the
half-year ends (`sample_publication`: 14 July 2026 for 2026H1), with the default window of five working days
from the working day after it (`sample_window`: 15 to 21 July 2026). An end-to-end run that publishes its draft on that day
finds the first appeal inside the window, the second on its last day and the third on the first working day
after it; the first is decided 维持, the second 更正, the late one not at all. The appeals come from the
half-year's worst units; the last rows of each file are spoiled like every sample delivery, and those appeals
are filed late, so none of them can hold the final version back (`assess demo` publishes one).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from schemas.datasets import DATASETS
from schemas.policy import Publicity
from tasks.periods import period_end_date
from tasks.rules.appeals import publicity_window
from tasks.rules.working_days import add_working_days, window_end
from tasks.sample.files import spoil, write_csv, write_xlsx
from tasks.sample.registry import rng_for

PUBLISHED_AFTER_END = 10  # working days between the end of a half-year and its 公示稿
DECIDED_BY = "市创先争优活动领导小组办公室"
# (filed on the k-th working day of the window, or k working days after its last day; item, reason, contact)
APPEALS = (
    (("window", 2), "排名", "对本单位测评排名有异议:部分测评人并非本单位服务对象", "单位办公室 李华"),
    (("after", 0), "测评", "测评期间本单位窗口已整体搬迁,部分答卷所评实为原址其他单位", "单位办公室 周敏"),
    (("after", 1), "排名", "对确定为重点管理单位有异议", "单位办公室 陈刚"),
    # The rows spoiled at the end of the file are late too: a spoiled row still stored never holds a final back.
    (("after", 2), "其他", "申请复核本单位测评答卷数量", "单位办公室 赵丽"),
    (("after", 2), "测评", "对测评项目“工作效率”得分有异议", "单位办公室 孙伟"),
    (("after", 3), "排名", "对本单位测评名次有异议", "单位办公室 吴静"),
    (("after", 3), "扣分", "对明察暗访扣分有异议", "单位办公室 郑凯"),
)
# (appeal, working days after the window's last day, decision, note)
DECISIONS = (
    (0, 3, "维持", "经复核,测评人均为本单位服务对象,排名计算无误,维持原结果"),
    (1, 4, "更正", "经复核,部分答卷所评单位有误,由测评组报送更正文件后重新计算"),
    (3, 4, "维持", "经复核,答卷数量无误"),
    (4, 4, "维持", "经复核,得分计算无误"),
    (5, 5, "维持", "经复核,名次计算无误"),
    (6, 5, "维持", "经复核,扣分有据"),
)
# Rows spoiled at the end of each file: at least two faults whatever kinds they draw, even when one damages the
# key of the row another copied as a duplicate.
SPARE = 4


def sample_publication(period: str) -> date:
    """The day the sample assumes a half-year's 公示稿 is published: the tenth working day after the period."""
    return add_working_days(period_end_date("half-year", period), PUBLISHED_AFTER_END)


def sample_window(period: str, policy: Publicity = Publicity()) -> tuple[date, date]:
    """The first and last day of the publicity window the sample's appeal dates are placed in."""
    return publicity_window(sample_publication(period), policy)


def _filed_on(anchor: str, k: int, window: tuple[date, date]) -> pd.Timestamp:
    first, last = window
    if anchor == "window":
        return pd.Timestamp(window_end(first, k))
    return pd.Timestamp(add_working_days(last, k) if k else last)


def sample_appeals(worst: pd.Series, period: str) -> pd.DataFrame:
    """复核申请 of a half-year from its worst units."""
    window = sample_window(period)
    return pd.DataFrame({
        "appeal_id": [f"FH{period}{i:03d}" for i in range(1, len(APPEALS) + 1)],
        "cycle": "half-year",
        "period": period,
        "unit_id": worst.to_numpy()[np.arange(len(APPEALS)) % len(worst)],
        "filed_at": [_filed_on(*filed, window) for filed, *_ in APPEALS],
        "item": [a[1] for a in APPEALS],
        "reason": [a[2] for a in APPEALS],
        "contact": [a[3] for a in APPEALS],
    })


def sample_appeal_decisions(appeals: pd.DataFrame, period: str) -> pd.DataFrame:
    """复核决定 made some working days after the window closed."""
    _, last = sample_window(period)
    return pd.DataFrame({
        "appeal_id": appeals["appeal_id"].to_numpy()[[d[0] for d in DECISIONS]],
        "decided_at": [pd.Timestamp(add_working_days(last, d[1])) for d in DECISIONS],
        "decision": [d[2] for d in DECISIONS],
        "decided_by": DECIDED_BY,
        "note": [d[3] for d in DECISIONS],
    })


def _spoiled(frame: pd.DataFrame, name: str, seed: int, period: str) -> pd.DataFrame:
    spare = np.arange(len(frame)) >= len(frame) - SPARE
    return spoil(frame, DATASETS[name], rng_for(seed, "spoil", name, period), int(period[:4]), spare)


def write_appeals(out: Path, worst: pd.Series, seed: int, period: str) -> dict[str, int]:
    """Write a half-year's appeals (CSV) and decisions (Excel); rows written per file name."""
    appeals = sample_appeals(worst, period)
    decisions = sample_appeal_decisions(appeals, period)
    half = "上" if period.endswith("1") else "下"
    appeals_name, decisions_name = f"appeals_{period}_复核申请.csv", f"appeal_decisions_{period}_复核决定.xlsx"
    return {
        appeals_name: write_csv(out / appeals_name, _spoiled(appeals, "appeals", seed, period), DATASETS["appeals"],
                                "gb18030", chinese=True, date_style="chinese"),
        decisions_name: write_xlsx(out / decisions_name, _spoiled(decisions, "appeal_decisions", seed, period),
                                   DATASETS["appeal_decisions"], f"{period[:4]}年{half}半年复核决定汇总表"),
    }
