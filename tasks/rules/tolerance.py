"""SPEC §2.2's tolerance: numbers closer than 5 × 10⁻¹⁰ are equal, and a number that close to a threshold is on it.

Every rule that decides by comparing numbers (ranking ties, grade and warning thresholds, the growth rule,
the excellence quota) compares through this module, so float noise such as 0.04999999999999993 for a growth
of exactly 5 % never decides a leader's fate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

TOLERANCE = 5e-10


def _floats(values) -> pd.Series | np.ndarray:
    if isinstance(values, pd.Series):
        return pd.to_numeric(values, errors="coerce").astype("float64")
    return np.asarray(values, dtype="float64")


def below(values, threshold) -> pd.Series | np.ndarray:
    """Whether each value is below `threshold` by at least the tolerance (a missing value is not below)."""
    return (threshold - _floats(values)) >= TOLERANCE


def at_least(values, threshold) -> pd.Series | np.ndarray:
    """Whether each value reaches `threshold` within the tolerance (a missing value does not)."""
    return (_floats(values) - threshold) > -TOLERANCE


def above(values, threshold) -> pd.Series | np.ndarray:
    """Whether each value exceeds `threshold` by at least the tolerance (a missing value does not)."""
    return (_floats(values) - threshold) >= TOLERANCE


def equal(left, right) -> pd.Series | np.ndarray:
    """Whether two values differ by less than the tolerance (missing values are never equal)."""
    return np.abs(_floats(left) - _floats(right)) < TOLERANCE


def floor(values) -> pd.Series | np.ndarray:
    """⌊value⌋, where a value within the tolerance below an integer counts as that integer (0.29 × 100 → 29)."""
    return np.floor(_floats(values) + TOLERANCE)


def tie_starts(ordered: np.ndarray) -> np.ndarray:
    """For values sorted ascending, whether each opens a new tie group: it exceeds the one before by the tolerance.

    Groups are chains (single linkage): a value ties with its neighbour, so a run of values each within the
    tolerance of the next is one group even if its ends are further apart. The grouping is therefore the same
    whichever direction the values are sorted in, and such runs cannot arise from real scores, which differ by
    at least 1 / answers when they differ at all.
    """
    values = np.asarray(ordered, dtype="float64")
    starts = np.ones(len(values), dtype=bool)
    starts[1:] = np.diff(values) >= TOLERANCE
    return starts
