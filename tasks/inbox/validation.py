"""Row-level validation of one delivered table: the dataset's Great Expectations suite, references and stored keys."""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import great_expectations as gx
import great_expectations.expectations as gxe
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from great_expectations.data_context.types.base import ProgressBarsConfig

from schemas.datasets import DATASETS, ONGOING, Dataset
from schemas.policy import Policy
from schemas.suites import EARLIEST, LATEST, suite_for, unparsed_column, value_column
from tasks.inbox.canonical import canonical_cells
from tasks.inbox.excel_cells import EXCEL_ERRORS
from tasks.inbox.reader import UNRECOGNISED
from tasks.inbox.normalise import BOOL_HINT, number_problems, parse_values

REASON_SEPARATOR = ";"
WINDOW_UNITS = "units.unit_id:is_window"
_KEY_SEPARATOR = "\x1f"
_BOOKKEEPING = ("_row_number", "reason", "file_name", "row_number")
_TYPE_PROBLEMS = {"int": "不是整数", "float": "不是数字", "date": "不是有效日期", "datetime": "不是有效的日期时间",
                  "bool": f"不是有效的是/否值({BOOL_HINT})"}
_DEFAULT_POLICY = Policy()
_EXCEL_ERROR = "__excel_error"
_ONGOING = "__ongoing"


@dataclass
class Validated:
    """The typed rows that passed every rule, and the rows that did not with their reasons in Chinese."""

    accepted: pd.DataFrame
    rejected: pd.DataFrame
    awaiting: np.ndarray | None = None  # per rejected row: failed only on a reference not yet delivered


def known_key(dataset: Dataset) -> str:
    """The `known` entry that holds the stored keys of `dataset`, e.g. "units.unit_id"."""
    return f"{dataset.name}.{'+'.join(dataset.key)}"


def key_text(dataset: Dataset, typed: pd.DataFrame) -> pd.Series:
    """Each row's key as one text value (parts joined), comparable between a batch and stored rows."""
    parts = pd.DataFrame({
        name: typed[name].dt.strftime("%Y-%m-%d %H:%M:%S")
        if dataset.column(name).type in ("date", "datetime") else typed[name].astype("str")
        for name in dataset.key
    })
    return _joined(parts, _KEY_SEPARATOR)


def _set_aside_excel_errors(dataset: Dataset, prepared: pd.DataFrame) -> None:
    """Cells holding an Excel error value (#N/A, #DIV/0!) become empty, their text kept for the reason."""
    for name in dataset.column_names:
        text = prepared[name]
        # Error values all start with "#"; the exact lookup runs only on a column that has such a cell.
        if not text.str.startswith("#").fillna(False).any():
            continue
        errors = text.isin(EXCEL_ERRORS)
        if errors.any():
            prepared[name + _EXCEL_ERROR] = text.where(errors)
            prepared[name] = text.mask(errors)


def prepare(dataset: Dataset, raw: pd.DataFrame, policy: Policy | None = None) -> pd.DataFrame:
    """The frame the suite runs on: canonical text, plus converted values and unconverted text of typed columns."""
    policy = policy or _DEFAULT_POLICY
    prepared = canonical_cells(dataset, raw.reset_index(drop=True), policy.aliases)
    _set_aside_excel_errors(dataset, prepared)
    for column in dataset.columns:
        if column.type == "str":
            continue
        text = prepared[column.name]
        value = parse_values(column, text, policy.timezone)
        prepared[unparsed_column(column)] = text.where(value.isna())
        if column.deadline:
            # 长期坚持 is a valid deadline that is never due; the date-range rule checks only real dates.
            ongoing = value.eq(ONGOING)
            if ongoing.any():
                prepared[column.name + _ONGOING] = ongoing
                value = value.mask(ongoing)
        prepared[value_column(column)] = value
    return prepared


@cache
def _batch_definition():
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    return context.data_sources.add_pandas("inbox").add_dataframe_asset("table") \
        .add_batch_definition_whole_dataframe("whole table")


def _can_fail(expectation: gxe.Expectation, frame: pd.DataFrame) -> bool:
    """Whether `expectation` could find any unexpected row in `frame` (a cheap, exact pre-check)."""
    kind = type(expectation)
    if kind is gxe.ExpectCompoundColumnsToBeUnique:
        return bool(frame.duplicated(expectation.column_list).any())
    if kind is gxe.ExpectColumnPairValuesAToBeGreaterThanB:
        return bool((frame[expectation.column_A] < frame[expectation.column_B]).any())
    values = frame[expectation.column]
    if kind is gxe.ExpectColumnValuesToNotBeNull:
        return bool(values.isna().any())
    if kind is gxe.ExpectColumnValuesToBeNull:
        return bool(values.notna().any())
    if kind is gxe.ExpectColumnValuesToBeUnique:
        return bool(values.duplicated().any())
    present = values.dropna()
    if kind is gxe.ExpectColumnValuesToBeInSet:
        return bool((~present.isin(expectation.value_set)).any())
    if kind is gxe.ExpectColumnValuesToMatchRegex:
        return bool((~present.str.contains(expectation.regex)).any())
    if kind is gxe.ExpectColumnValueLengthsToBeBetween:
        return bool((present.str.len() > expectation.max_value).any())
    if kind is gxe.ExpectColumnValuesToBeBetween:
        low, high = expectation.min_value, expectation.max_value
        return bool((low is not None and (present < low).any()) or (high is not None and (present > high).any()))
    return True


def _columns_read(expectations: list[gxe.Expectation]) -> list[str]:
    columns: dict[str, None] = {}
    for e in expectations:
        names = getattr(e, "column_list", None) or [getattr(e, n) for n in ("column", "column_A", "column_B")
                                                     if getattr(e, n, None) is not None]
        columns.update(dict.fromkeys(names))
    return list(columns)


def run_suite(dataset: Dataset, prepared: pd.DataFrame) -> list[tuple[dict, np.ndarray]]:
    """The (rule, failing row positions) of every expectation of the suite that fails on `prepared`."""
    # Expectations that cannot fail are left out: GX then only pays for the rules that find something.
    candidates = [e for e in suite_for(dataset.name).expectations if _can_fail(e, prepared)]
    if not candidates:
        return []
    # GX hashes every column it is handed, so it gets only the columns its expectations read.
    batch = _batch_definition().get_batch(batch_parameters={"dataframe": prepared[_columns_read(candidates)]})
    suite = gx.ExpectationSuite(name=f"{dataset.name}_failing", expectations=candidates)
    outcome = batch.validate(suite, result_format={"result_format": "COMPLETE"})
    failures = []
    for result in outcome.results:
        if result.exception_info.get("raised_exception"):
            raise RuntimeError(f"{result.expectation_config.type}: {result.exception_info['exception_message']}")
        if not result.success:
            rows = np.asarray(result.result["unexpected_index_list"], dtype="int64")
            failures.append((result.expectation_config.meta, rows))
    return failures


def _quoted(label: str, text: pd.Series) -> pd.Series:
    return label + "“" + text.fillna("") + "”"


def _number(value: float | None) -> str:
    return f"{value:g}"


def _rule_reasons(dataset: Dataset, meta: dict, rows: np.ndarray, frame: pd.DataFrame) -> pd.Series:
    """The Chinese reason for each failing row of one rule."""
    at = frame.iloc[rows]
    columns = [dataset.column(n) for n in meta["columns"]]
    column = columns[0]
    text = at[column.name] if column.name in at else None
    rule = meta["rule"]
    if rule == "required":
        if column.name + _EXCEL_ERROR in at:  # an error value is reported as such, not as an empty cell
            at = at[at[column.name + _EXCEL_ERROR].isna()]
        return pd.Series(f"{column.label}不能为空", index=at.index, dtype="str")
    if rule == "type":
        unparsed = at[unparsed_column(column)]
        problems = number_problems(unparsed, column) if column.type in ("int", "float") else _TYPE_PROBLEMS[column.type]
        return _quoted(column.label, unparsed) + problems
    if rule == "allowed":
        return _quoted(column.label, text) + f"不在允许值({'、'.join(column.allowed)})中"
    if rule == "pattern":
        hint = f"({column.note})" if column.note else ""
        return _quoted(column.label, text) + "格式不正确" + hint
    if rule == "length":
        return column.label + "长度 " + text.str.len().astype("str") + f" 超过 {column.max_length} 个字"
    if rule == "range":
        return column.label + " " + text + f" 超出 {_number(column.min)}–{_number(column.max)}"
    if rule == "date_range":
        return _quoted(column.label, text) + f"不在 {EARLIEST:%Y-%m-%d} 至 {LATEST:%Y-%m-%d} 之间"
    if rule == "unique":
        return _duplicate_reasons(dataset, at)
    if rule == "order":
        earlier, later = columns
        return _quoted(later.label, at[later.name]) + "早于" + _quoted(earlier.label, at[earlier.name])
    raise ValueError(f"unknown rule {rule!r}")


def _joined(frame: pd.DataFrame, separator: str) -> pd.Series:
    parts = [frame[c].astype("str").fillna("") for c in frame.columns]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + separator + part
    return joined


def _key_values(dataset: Dataset, at: pd.DataFrame) -> tuple[str, pd.Series]:
    labels = "、".join(dataset.column(n).label for n in dataset.key)
    return labels, _joined(at[list(dataset.key)], "、")


def _duplicate_reasons(dataset: Dataset, at: pd.DataFrame) -> pd.Series:
    labels, values = _key_values(dataset, at)
    typed = _joined(at[[value_column(dataset.column(n)) for n in dataset.key]], _KEY_SEPARATOR)
    counts = typed.map(typed.value_counts()).astype("str")
    return labels + "“" + values + "”在本批数据中重复出现 " + counts + " 次"


def _is_in(values: pd.Series, known: pd.Index | set | tuple) -> np.ndarray:
    """Whether each of `values` is one of `known`; a missing value is not."""
    # pandas' str isin walks the value set in Python; Arrow hashes it in C, which matters with millions of keys.
    value_set = pd.array(known if isinstance(known, pd.Index) else list(known), dtype="str")
    found = pc.is_in(_arrow_text(values), value_set=_arrow_text(value_set))
    return found.fill_null(False).to_numpy(zero_copy_only=False)


def _arrow_text(values) -> pa.Array:
    array = pa.array(pd.array(values, dtype="str"))
    array = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
    return array.cast(pa.large_string())


def _reference_reasons(dataset: Dataset, frame: pd.DataFrame, known: dict) -> list[pd.Series]:
    reasons = []
    for ref in dataset.references:
        values = frame[ref.column]
        missing = values.notna() & ~_is_in(values, known.get(f"{ref.dataset}.{ref.target}", ()))
        if missing.any():
            label = dataset.column(ref.column).label
            reasons.append(_quoted(label, values[missing]) + f"不在{DATASETS[ref.dataset].label}中")
    return reasons


def _stored_reasons(dataset: Dataset, frame: pd.DataFrame, known: dict) -> list[pd.Series]:
    stored = known.get(known_key(dataset))
    if stored is None or len(stored) == 0:
        return []
    typed = pd.DataFrame({n: frame[value_column(dataset.column(n))] for n in dataset.key})
    clash = typed.notna().all(axis=1) & _is_in(key_text(dataset, typed), stored)
    if not clash.any():
        return []
    labels, values = _key_values(dataset, frame[clash])
    return [labels + "“" + values + "”已入库,不能重复提交"]


def delivered_names(dataset: Dataset) -> dict[str, str]:
    """Column names of rejected rows: a dataset column clashing with the bookkeeping columns gets "_field"."""
    return {c: f"{c}_field" if c in _BOOKKEEPING else c for c in dataset.column_names}


def as_schema_types(dataset: Dataset, frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with every dataset column in its analysis dtype: code columns category, text str, dates datetime64."""
    typed = {}
    for column in dataset.columns:
        values = frame[column.name]
        if column.is_code:
            typed[column.name] = values.astype(pd.CategoricalDtype(list(column.allowed)))
        elif column.type == "str":
            typed[column.name] = values.astype("str")
        elif column.type in ("date", "datetime"):
            stamps = pd.to_datetime(values).astype("datetime64[us]")
            typed[column.name] = stamps.dt.normalize() if column.type == "date" else stamps
        elif column.type == "bool":
            typed[column.name] = values.astype("bool" if values.notna().all() else "boolean")
        else:
            typed[column.name] = values.astype("Int64" if column.type == "int" else "float64")
    return pd.DataFrame(typed, index=frame.index)


def _excel_error_reasons(dataset: Dataset, prepared: pd.DataFrame) -> list[pd.Series]:
    reasons = []
    for column in dataset.columns:
        if column.name + _EXCEL_ERROR in prepared:
            errors = prepared[column.name + _EXCEL_ERROR].dropna()
            reasons.append(column.label + "单元格为 Excel 错误值 " + errors)
    return reasons


def _rejection_reasons(dataset: Dataset, prepared: pd.DataFrame, known: dict,
                       file_name: str | None = None) -> tuple[pd.Series, pd.Index]:
    """Each failing row's reasons, and the rows that fail only on a reference nobody has delivered yet."""
    rules = _excel_error_reasons(dataset, prepared)
    rules += [_rule_reasons(dataset, meta, rows, prepared) for meta, rows in run_suite(dataset, prepared)]
    rules += _period_reasons(dataset, prepared, file_name) + _window_reasons(dataset, prepared, known)
    references = _reference_reasons(dataset, prepared, known)
    stored = _stored_reasons(dataset, prepared, known)
    blank = _unrecognised_only(dataset, prepared)
    if len(blank):
        # Such a line fails every required column too; the one reason says what is really wrong with it.
        rules, references, stored = ([p[~p.index.isin(blank.index)] for p in group] + extra
                                     for group, extra in ((rules, [blank]), (references, []), (stored, [])))
    awaiting = _index_of(references).difference(_index_of(rules + stored))
    return _join_reasons(rules + references + stored), awaiting


def _index_of(pieces: list[pd.Series]) -> pd.Index:
    rows = pd.Index([], dtype="int64")
    for piece in pieces:
        rows = rows.union(piece.index)
    return rows


def file_period(file_name: str | None, pattern: str) -> str | None:
    """The period a file name states (`survey_responses_2026H1_…` → 2026H1), when it is of the column's form."""
    match = _FILE_PERIOD.search(unicodedata.normalize("NFKC", file_name or ""))
    if match is None:
        return None
    period = f"{match[1]}{match[2].upper()}{match[3]}"
    return period if re.fullmatch(pattern, period) else None


_FILE_PERIOD = re.compile(r"(?<![0-9A-Za-z])(\d{4})[-_]?([HQhq])([1-4])(?![0-9])")


def _period_reasons(dataset: Dataset, frame: pd.DataFrame, file_name: str | None) -> list[pd.Series]:
    if "period" not in dataset.column_names:
        return []
    column = dataset.column("period")
    stated = file_period(file_name, column.pattern)
    if stated is None:
        return []
    values = frame["period"]
    # A period of the wrong form already has its own reason; only well-formed other periods are misfiled.
    differs = values.notna() & values.str.fullmatch(column.pattern).fillna(False) & values.ne(stated)
    if not differs.any():
        return []
    return [_quoted(column.label, values[differs]) + f"与文件名中的期次“{stated}”不一致,请按期次分别提交文件"]


def _window_reasons(dataset: Dataset, frame: pd.DataFrame, known: dict) -> list[pd.Series]:
    if dataset.name != "survey_responses" or WINDOW_UNITS not in known:
        return []
    values = frame["unit_id"]
    registered = _is_in(values, known.get("units.unit_id", ()))
    outside = registered & ~_is_in(values, known[WINDOW_UNITS])
    if not outside.any():
        return []
    return [_quoted("单位编码", values[outside]) + "在窗口单位名册中登记为非窗口单位(是否窗口单位=否),其测评答卷不计入测评"]


def _unrecognised_only(dataset: Dataset, frame: pd.DataFrame) -> pd.Series:
    if UNRECOGNISED not in frame:
        return pd.Series(dtype="str")
    other = frame[UNRECOGNISED]
    lines = other[other.notna() & frame[dataset.column_names].isna().all(axis=1)]
    return "本行数据集各列均为空,只在未识别的列中有内容(" + lines + "):请把内容填入正确的列后重新提交"


def _join_reasons(pieces: list[pd.Series]) -> pd.Series:
    """One text per failing row: its reasons in rule order, joined column-wise by Arrow (no Python call per row)."""
    if not pieces:
        return pd.Series(dtype="str")
    rows = pd.Index([], dtype="int64")
    for piece in pieces:
        rows = rows.union(piece.index)
    columns = []
    for piece in pieces:
        if not piece.index.is_unique:  # one rule, several reasons for a row: joined first, in order
            piece = piece.groupby(level=0, sort=False).agg(REASON_SEPARATOR.join)
        columns.append(_arrow_text(piece.astype("str").reindex(rows)))
    separator = pa.scalar(REASON_SEPARATOR, type=pa.large_string())
    joined = pc.binary_join_element_wise(*columns, separator, null_handling="skip")
    return pd.Series(pd.array(joined, dtype="str"), index=rows)


def _typed_values(dataset: Dataset, prepared: pd.DataFrame) -> pd.DataFrame:
    """The accepted rows' converted values under the schema's names, 长期坚持 deadlines put back."""
    values = prepared.rename(columns={value_column(c): c.name for c in dataset.columns if c.type != "str"},
                             errors="ignore")
    values = values.loc[:, ~values.columns.duplicated(keep="last")]
    for column in dataset.columns:
        if column.name + _ONGOING in values:
            values[column.name] = values[column.name].mask(values[column.name + _ONGOING].fillna(False), ONGOING)
    return values


def validate(dataset: Dataset, raw: pd.DataFrame, known: dict[str, pd.Index | set],
             policy: Policy | None = None, file_name: str | None = None) -> Validated:
    """Split `raw` (text from `read_table`) into typed accepted rows and rejected rows with Chinese reasons.

    `known` holds the keys rows may refer to (and WINDOW_UNITS, the units registered as window units);
    `policy` gives the alias tables and the time zone (the defaults when None); `file_name` states the
    period its rows must be of. `awaiting` marks the rejected rows that failed only on a reference not yet
    known, so that a later delivery may let them in.
    """
    prepared = prepare(dataset, raw, policy)
    reasons, awaiting = _rejection_reasons(dataset, prepared, known, file_name)
    bad = prepared.index.isin(reasons.index)
    values = _typed_values(dataset, prepared.loc[~bad])
    accepted = as_schema_types(dataset, values).assign(_row_number=values["_row_number"]).reset_index(drop=True)
    rejected = prepared.loc[bad, ["_row_number"]].assign(reason=reasons)
    waits = rejected.index.isin(awaiting)
    # Rejected rows keep the cells as delivered, before periods and aliases were put in canonical form.
    delivered = raw.reset_index(drop=True).loc[bad, dataset.column_names].rename(columns=delivered_names(dataset))
    rejected = rejected.join(delivered).reset_index(drop=True)
    return Validated(accepted=accepted, rejected=rejected, awaiting=waits)


_GENERALISE = (
    (r"“[^”]*”", ""),
    (r"在本批数据中重复出现 \d+ 次", "在本批数据中重复出现"),
    (r"长度 \d+ 超过", "超过"),
    (r"^(\S+) \S+ 超出", r"\1超出"),
    (r"小数请写作 \S+", "小数请写作小数点形式"),
    (r"Excel 错误值 \S+", "Excel 错误值"),
)


def reason_kinds(reasons: pd.Series) -> pd.Series:
    """Each single reason of `reasons` (joined with ";") with the row's own values taken out, one per line."""
    kinds = reasons.astype("str").str.split(REASON_SEPARATOR).explode()
    for pattern, replacement in _GENERALISE:
        kinds = kinds.str.replace(pattern, replacement, regex=True)
    return kinds
