"""What every cycle's dossier contexts share: frames turned into the plain rows a template reads."""

from __future__ import annotations

from datetime import date

import pandas as pd

from schemas.policy import Policy
from tasks.periods import issue_date


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain dicts for a template, missing values as None."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def head_and_tail(frame: pd.DataFrame, rows: int, keep: pd.Series, workbook: str) -> pd.DataFrame:
    """`frame` (in rank order) as a summary lists it at any scale: the first and last `rows` rows and every row
    `keep` marks, each run of rows left out replaced by one line saying how many and where the full list is (its text
    in the column `gap`, empty in the rows shown; the template's table prints it across the row)."""
    position = pd.Series(range(len(frame)), index=frame.index)
    shown = (position < rows) | (position >= len(frame) - rows) | keep.reindex(frame.index, fill_value=False)
    if shown.all():
        return frame.assign(gap="")
    run = (shown != shown.shift()).cumsum()  # consecutive rows shown, or left out, share a number
    left_out = frame[~shown].groupby(run[~shown], sort=False)
    ranks = pd.to_numeric(frame["rank"], errors="coerce").map("{:.0f}".format, na_action="ignore").fillna("—")
    gaps = pd.DataFrame({"first": ranks[~shown].groupby(run[~shown]).first(),
                         "last": ranks[~shown].groupby(run[~shown]).last(),
                         "count": left_out.size(), "at": position[~shown].groupby(run[~shown]).first()})
    text = ("……第" + gaps["first"] + "至" + gaps["last"] + "名共" + gaps["count"].map("{:,}".format)
            + f"个单位从略,完整排名见 {workbook}")
    lines = pd.DataFrame({c: "" for c in frame.columns}, index=gaps.index).assign(gap=text)
    stitched = pd.concat([frame[shown].assign(gap="", _at=position[shown]), lines.assign(_at=gaps["at"])])
    return stitched.sort_values("_at", kind="stable").drop(columns="_at").reset_index(drop=True)


def cover(policy: Policy, year: int | str, number: str, title: str, subtitle: str,
          today: date | None = None) -> dict:
    """The cover fields of any dossier: issuer, title, date of issue (the day the version is made, in the city's
    time zone), the document number `江创争办〔2026〕<number>号` and the line under the title."""
    return {
        "issuer": policy.issuer, "title": title, "issued_on": (today or issue_date(policy.timezone)).isoformat(),
        "doc_number": f"{policy.city[:1]}创争办〔{year}〕{number}号", "subtitle": subtitle,
    }
