"""What every cycle's dossier contexts share: frames turned into the plain rows a template reads."""

from __future__ import annotations

import pandas as pd


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain dicts for a template, missing values as None."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")
