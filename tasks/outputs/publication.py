"""公示稿 and 正式 (SPEC §7): how a half-year or annual version is published, its publicity window, and what its
summary and publicity list say about it.

A version of a cycle with a window (policy `publicity.cycles_with_window`) is first published as a 公示稿 on the
day it is made, in the city's time zone; its window opens on the first working day after that day
(tasks.rules.appeals.publicity_window: published Wednesday 20 January 2027, five working days run from 21 to 27
January). The daily
finalising flow publishes it as 正式 once the window has closed and every appeal heard has its decision; the
正式 version carries the appeals and how each was decided. A cycle without a window publishes neither.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from schemas.policy import Policy
from tasks.dossiers.common import records
from tasks.dossiers.render import PdfJob
from tasks.rules.appeals import ACCEPTED, CORRECTED, UPHELD, publicity_window
from tasks.rules.working_days import calendar_warnings, chinese_dates

DRAFT, FINAL = "公示稿", "正式"
PUBLISHED_DOSSIERS = ("summary.pdf", "publicity.pdf")  # the documents that state the window and the appeals


@dataclass(frozen=True)
class Publication:
    """How one version is published: 公示稿 with its window, or 正式 with the draft it follows and its appeals."""

    status: str
    published_on: date
    window_start: date
    window_end: date
    draft: int | None = None  # the 公示稿 a 正式 version follows
    appeals: pd.DataFrame = field(default_factory=pd.DataFrame)  # 正式: tasks.rules.appeals.appeal_status rows
    warnings: tuple[str, ...] = ()  # years of the window outside the State Council table

    def columns(self) -> dict:
        """The run's columns in the runs table."""
        return {"publication": self.status, "published_on": self.published_on,
                "window_start": self.window_start, "window_end": self.window_end}

    def manifest(self) -> dict:
        """The manifest's `publication`: status, day published, window, and for 正式 the draft and its appeals."""
        record = {"status": self.status, "published_on": self.published_on.isoformat(),
                  "window": {"start": self.window_start.isoformat(), "end": self.window_end.isoformat()}}
        if self.status == FINAL:
            decided = self.appeals.assign(**{c: self.appeals[c].dt.strftime("%Y-%m-%d").where(
                self.appeals[c].notna(), None) for c in ("filed_at", "decided_at")})
            record |= {"draft": f"v{self.draft}",
                       "appeals": records(decided[["appeal_id", "unit_id", "filed_at", "status", "decision",
                                                   "decided_at", "refusal_reason"]])}
        return record


def draft_publication(cycle: str, published_on: date, policy: Policy) -> Publication | None:
    """The 公示稿 a run of `cycle` publishes on `published_on`; None for a cycle without a window."""
    if cycle not in policy.publicity.cycles_with_window:
        return None
    first, last = publicity_window(published_on, policy.publicity)
    warnings = calendar_warnings(published_on, last, holidays=policy.publicity.extra_holidays)
    return Publication(DRAFT, published_on, first, last, warnings=tuple(warnings))


def final_publication(draft: dict, published_on: date, appeals: pd.DataFrame) -> Publication:
    """The 正式 version following the draft (`draft`: version, window_start, window_end), with its appeals."""
    return Publication(FINAL, published_on, pd.Timestamp(draft["window_start"]).date(),
                       pd.Timestamp(draft["window_end"]).date(), int(draft["version"]), appeals)


def appeal_rows(appeals: pd.DataFrame) -> pd.DataFrame:
    """Each appeal as the 正式 summary lists it: heard or not, and the decision or the reason it was not heard."""
    heard = appeals["status"].eq(ACCEPTED)
    outcome = appeals["decision"].astype("object").where(heard, appeals["status"])
    note = appeals["note"].astype("object").where(heard, appeals["refusal_reason"])
    return pd.DataFrame({
        "appeal_id": appeals["appeal_id"], "unit_id": appeals["unit_id"],
        "unit_name": appeals["unit_name"] if "unit_name" in appeals else appeals["unit_id"],
        "filed_on": chinese_dates(appeals["filed_at"]),
        "reason": appeals["item"].astype("str") + ":" + appeals["reason"].astype("str"),
        "outcome": outcome.fillna("未决定"), "decided_on": chinese_dates(appeals["decided_at"]),
        "note": note.fillna(""),
    })


def _counts(appeals: pd.DataFrame) -> dict:
    heard = appeals["status"].eq(ACCEPTED)
    return {"received": len(appeals), "heard": int(heard.sum()),
            "upheld": int((heard & appeals["decision"].eq(UPHELD)).sum()),
            "corrected": int((heard & appeals["decision"].eq(CORRECTED)).sum()),
            "not_heard": int((~heard).sum())}


def publication_context(publication: Publication, policy: Policy) -> dict:
    """What the summary and the publicity list read as `publication`."""
    window = f"{_cn(publication.window_start)}至{_cn(publication.window_end)}"
    context = {"status": publication.status, "published_on": _cn(publication.published_on), "window": window,
               "contact": policy.publicity.appeal_contact, "working_days": policy.publicity.publicity_working_days,
               "warnings": list(publication.warnings), "draft": None, "appeals": [], "counts": None}
    if publication.status == FINAL:
        context |= {"draft": f"v{publication.draft}", "appeals": records(appeal_rows(publication.appeals)),
                    "counts": _counts(publication.appeals)}
    return context


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def with_publication(jobs: list[PdfJob], publication: Publication | None, policy: Policy) -> list[PdfJob]:
    """The jobs, the summary and the publicity list told how the version is published (window, appeals)."""
    if publication is None:
        return jobs
    shown = publication_context(publication, policy)
    return [PdfJob(j.template, {**j.context, "publication": shown}, j.path) if j.path.name in PUBLISHED_DOSSIERS
            else j for j in jobs]
