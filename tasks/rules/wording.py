"""Numbers and reasons in words, built column-wise for the rules that explain their results in Chinese."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def number(values: pd.Series) -> pd.Series:
    """Each value as a reader writes it (40 for 40.0, 2.5 for 2.5); empty where the value is."""
    # Point values repeat a lot, so each distinct value is formatted once.
    codes, uniques = pd.factorize(values)
    text = np.array([f"{v:g}" for v in uniques] + [None], dtype=object)
    return pd.Series(text[codes], index=values.index, dtype="str")


def _arrow_text(values: pd.Series) -> pa.Array:
    array = pa.array(pd.array(values.to_numpy(dtype=object), dtype="str"))
    return (array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array).cast(pa.large_string())


def joined(parts: dict[str, pd.Series], index: pd.Index, separator: str) -> pd.Series:
    """The non-empty parts of each row joined in the order given; empty text for a row that has none."""
    # Rows are joined by position, so any index (a MultiIndex, repeated labels) keeps its rows apart.
    columns = [_arrow_text(pd.Series(part, index=index)) for part in parts.values()]
    present = np.zeros(len(index), dtype=bool)
    for column in columns:
        present |= column.is_valid().to_numpy(zero_copy_only=False)
    # Only rows with a part are joined: pyarrow 26 drops a row whose parts are all missing from the result.
    text = pc.binary_join_element_wise(*[c.filter(present) for c in columns],
                                       pa.scalar(separator, pa.large_string()), null_handling="skip")
    out = np.full(len(index), "", dtype=object)
    out[present] = text.to_numpy(zero_copy_only=False)
    return pd.Series(out, index=index, dtype="str")
