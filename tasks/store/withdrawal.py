"""Withdrawing an ingested file and restoring it (SPEC §6): its rows stop or start counting, nothing is deleted."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, or_, select, update

from schemas.datasets import DATASETS
from tasks.errors import AssessError
from tasks.store import audit
from tasks.store.state import mark_superseded
from tasks.store.tables import ingested_files

_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class FileChange:
    """What a withdrawal or restore did: the file, its dataset, its rows, and the rows of other files whose
    counting changed with it (a withdrawn correction lets the rows it replaced count again)."""

    file_name: str
    sha256: str
    dataset: str
    rows: int
    recounted: int
    event_id: int

    def text(self, verb: str) -> str:
        label = DATASETS[self.dataset].label
        others = f";另有 {self.recounted} 行其他文件的记录因此{'恢复' if verb == '撤回' else '不再'}计入" \
            if self.recounted else ""
        counting = "不再计入" if verb == "撤回" else "重新计入"
        return (f"已{verb}文件“{self.file_name}”({label},SHA-256 {self.sha256[:12]}…):{self.rows} 行{counting}"
                f"{others}。审计日志编号 #{self.event_id}。")


def find_file(conn: Connection, ref: str) -> dict:
    """The ingested file `ref` names: its SHA-256 (whole), its name as delivered, or its name without folders."""
    ref = ref.strip()
    f = ingested_files.c
    if _SHA256.fullmatch(ref.lower()):
        condition = f.sha256 == ref.lower()
    else:
        condition = or_(f.file_name == ref, f.file_name.like(f"%/{ref}"))
    rows = conn.execute(select(f.file_id, f.file_name, f.sha256, f.dataset, f.rows_accepted, f.withdrawn)
                        .where(condition).order_by(f.file_id)).mappings().all()
    if not rows:
        raise AssessError(f"库中没有名为或 SHA-256 为“{ref}”的已入库文件;可用 assess history 查看已入库的文件")
    if len(rows) > 1:
        listed = "、".join(f"{r['file_name']}(SHA-256 {r['sha256']})" for r in rows)
        raise AssessError(f"有 {len(rows)} 个已入库文件名为“{ref}”:{listed};请改用 SHA-256 指明其中一个")
    return dict(rows[0])


def _change(engine: Engine, ref: str, reason: str, by: str | None, withdraw: bool) -> FileChange:
    if not reason or not reason.strip():
        raise AssessError(f"{'撤回' if withdraw else '恢复'}文件须用 --reason 写明原因")
    with audit.writing(engine) as conn:
        found = find_file(conn, ref)
        if bool(found["withdrawn"]) == withdraw:
            state = "已撤回,无需再次撤回" if withdraw else "未被撤回,无需恢复"
            raise AssessError(f"文件“{found['file_name']}”{state}")
        now = datetime.now()
        conn.execute(update(ingested_files).where(ingested_files.c.file_id == found["file_id"])
                     .values(withdrawn=withdraw))
        changed = mark_superseded(conn, found["dataset"], [found["file_id"]], now)
        recounted = int((changed["_file_id"] != found["file_id"]).sum())
        event = audit.record(conn, "withdraw" if withdraw else "restore", audit.actor(by), file_id=found["file_id"],
                             dataset=found["dataset"], rows=int(found["rows_accepted"]), reason=reason.strip(),
                             detail={"recounted": recounted}, at=now)
    return FileChange(found["file_name"], found["sha256"], found["dataset"], int(found["rows_accepted"]), recounted,
                      event)


def withdraw(engine: Engine, ref: str, reason: str, by: str | None = None) -> FileChange:
    """Withdraw the file `ref` names, in one transaction: its rows stop counting; the audit log says who and why."""
    return _change(engine, ref, reason, by, withdraw=True)


def restore(engine: Engine, ref: str, reason: str, by: str | None = None) -> FileChange:
    """Undo a withdrawal, in one transaction: the file's rows count again, unless a later file replaced them."""
    return _change(engine, ref, reason, by, withdraw=False)
