"""What every cycle's dossier contexts share: frames turned into the plain rows a template reads."""

from __future__ import annotations

from datetime import date

import pandas as pd

from schemas.policy import Policy
from tasks.periods import issue_date


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain dicts for a template, missing values as None."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def cover(policy: Policy, year: int | str, number: str, title: str, subtitle: str,
          today: date | None = None) -> dict:
    """The cover fields of any dossier: issuer, title, date of issue (the day the version is made, in the city's
    time zone), the document number `江创争办〔2026〕<number>号` and the line under the title."""
    return {
        "issuer": policy.issuer, "title": title, "issued_on": (today or issue_date(policy.timezone)).isoformat(),
        "doc_number": f"{policy.city[:1]}创争办〔{year}〕{number}号", "subtitle": subtitle,
    }
