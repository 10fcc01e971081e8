"""What changed between two versions of a cycle's results: per unit and field, the value before and after, and
why — the files that came or went since the version before, and a policy that changed (SPEC §6)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

CHANGE_COLUMNS = ["unit_id", "unit_name", "field", "before", "after", "cause"]
FIELD_LABELS = {
    "rank": "名次", "score": "得分", "final_score": "得分", "designation": "确定结果", "warning": "预警",
    "grade": "等次", "excellent": "先进单位", "measure": "处理措施", "apology": "一把手道歉",
    "activist": "入党积极分子人选", "promotable": "破格录用或提拔人选", "draw": "抽取顺序",
}
MISSING = "—"
_SCORES = ("score", "final_score")


@dataclass(frozen=True)
class Compared:
    """The result file of a version whose `fields` are compared, row by row on `key`.

    `name` labels a row; a file of persons (`person`, keyed by person_id) reports each change under the person's
    unit, the field naming the person."""

    file: str
    fields: tuple[str, ...]
    key: str = "unit_id"
    name: str = "unit_name"
    person: bool = False


def _shown(values: pd.Series, field: str) -> pd.Series:
    """The values as a reader compares them: scores to two decimals, yes/no in words, a missing value as —."""
    if field in _SCORES:
        text = pd.to_numeric(values, errors="coerce").map("{:.2f}".format, na_action="ignore")
    elif values.dtype == bool or set(values.dropna().astype("str").str.lower().unique()) <= {"true", "false"}:
        # Published CSVs write true/false; a frame may hold real booleans.
        text = values.astype("str").str.lower().map({"true": "是", "false": "否"})
    else:
        numbers = pd.to_numeric(values, errors="coerce")
        whole = numbers.notna() & numbers.eq(numbers.round())
        text = values.astype("object").where(~whole, numbers.map("{:.0f}".format, na_action="ignore"))
    return text.astype("object").where(values.notna(), MISSING).astype("str")


def result_changes(before: pd.DataFrame, after: pd.DataFrame, compared: Compared, cause: str) -> pd.DataFrame:
    """One row per key and field whose shown value differs between the two versions' `compared.file`."""
    person = compared.person
    keep = list(dict.fromkeys([compared.key, "unit_id", compared.name, *compared.fields]))
    merged = before.reindex(columns=keep).merge(after.reindex(columns=keep), on=compared.key, how="outer",
                                                suffixes=("_before", "_after"), sort=True)
    pieces = []
    for field in compared.fields:
        was, now = _shown(merged[f"{field}_before"], field), _shown(merged[f"{field}_after"], field)
        changed = (was != now).to_numpy()
        if not changed.any():
            continue
        rows = merged[changed]
        label = FIELD_LABELS.get(field, field)
        pieces.append(pd.DataFrame({
            "unit_id": (rows["unit_id_after"].fillna(rows["unit_id_before"]) if person else rows[compared.key])
            .astype("str"),
            "unit_name": rows[f"{compared.name}_after"].fillna(rows[f"{compared.name}_before"]).astype("str"),
            "field": (label + "(人员 " + rows[compared.key].astype("str") + ")") if person else label,
            "before": was[changed].to_numpy(), "after": now[changed].to_numpy(),
        }))
    if not pieces:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in CHANGE_COLUMNS})
    return pd.concat(pieces, ignore_index=True).assign(cause=cause)[CHANGE_COLUMNS]


def change_causes(previous: dict, inputs: list[dict], policy_sha: str) -> str:
    """Why a version may differ from the one before it, from that version's manifest and this run's inputs."""
    old = {f["sha256"]: f["file_name"] for f in previous.get("inputs", [])}
    new = {f["sha256"]: f["file_name"] for f in inputs}
    causes = []
    if added := [name for sha, name in new.items() if sha not in old]:
        causes.append("新增文件:" + "、".join(added))
    if gone := [name for sha, name in old.items() if sha not in new]:
        causes.append("不再计入的文件:" + "、".join(gone))
    if previous.get("policy_sha256") != policy_sha:
        causes.append("政策变更")
    return ";".join(causes) or "数据与政策均未变化(重新运行)"

