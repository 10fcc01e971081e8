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


EVENT_CAUSES = {"ingest": "新增文件", "correction": "更正文件", "withdraw": "撤回文件", "restore": "恢复文件"}
UNCHANGED = "数据与政策均未变化(重新运行)"
POLICY_CHANGED = "政策变更"


def _event_text(events: pd.DataFrame) -> pd.Series:
    """Per group of `events` (kind, file_name, `group`), their causes: 更正文件:a、b;撤回文件:c."""
    ordered = events.assign(order=events["kind"].map(list(EVENT_CAUSES).index)).sort_values(["order", "event_id"])
    named = ordered.drop_duplicates(["group", "kind", "file_name"])
    by_kind = named.groupby(["group", "order", "kind"], sort=True)["file_name"].agg("、".join).reset_index()
    by_kind["text"] = by_kind["kind"].map(EVENT_CAUSES) + ":" + by_kind["file_name"]
    return by_kind.groupby("group", sort=False)["text"].agg(";".join)


def event_causes(events: pd.DataFrame, units: pd.DataFrame, policy_changed: bool) -> tuple[str, pd.Series]:
    """Why a version may differ from the one before it, from the file events between them (event_id, kind,
    file_id, file_name) and the units each file's rows concern (file_id, unit_id): the version's cause, and per
    unit whose own rows a file changed, that unit's."""
    policy = [POLICY_CHANGED] if policy_changed else []
    if events.empty:
        return ";".join(policy) or UNCHANGED, pd.Series(dtype="str")
    whole = _event_text(events.assign(group=0)).iloc[0]
    per_unit = _event_text(events.merge(units, on="file_id").rename(columns={"unit_id": "group"}))
    return ";".join([whole, *policy]), (per_unit + "".join(";" + p for p in policy)).astype("str")


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
        causes.append(POLICY_CHANGED)
    return ";".join(causes) or UNCHANGED

