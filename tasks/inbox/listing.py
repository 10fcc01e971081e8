"""The inbox listing: which delivered files (in any subfolder) are read now, and why others wait or are passed by."""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass
from pathlib import Path

from schemas.datasets import DATASETS, INGEST_ORDER, Dataset, dataset_for_file, is_correction, near_miss
from tasks.errors import AssessError, UnreadableFile
from tasks.inbox.reader import HEADER_SEARCH_ROWS, UTF16_BOMS

# Files that office software and file browsers leave on a share; none of them is a delivery.
SYSTEM_FILES = {"thumbs.db": "Windows 缩略图缓存", "desktop.ini": "Windows 文件夹设置", ".ds_store": "macOS 文件夹设置"}
_TAIL_BYTES = 1 << 16


@dataclass(frozen=True)
class InboxFile:
    """A delivered file to read now: where it is, its name relative to the inbox, its dataset."""

    path: Path
    name: str
    dataset: Dataset

    @property
    def correction(self) -> bool:
        """A correction (更正) file: its rows replace the stored rows with their keys (SPEC §6)."""
        return is_correction(self.path.name)


@dataclass(frozen=True)
class PassedFile:
    """A file not read in this pass, and why: ignored (no delivery), waiting (next run) or unmatched (no dataset)."""

    name: str
    status: str
    note: str


@dataclass
class Listing:
    """The inbox as one pass sees it."""

    files: list[InboxFile]
    passed: list[PassedFile]


def list_inbox(inbox: Path, settle_seconds: float = 0, now: float | None = None) -> Listing:
    """Every file under `inbox`, read in ingest order, or passed by with the reason an administrator reads."""
    inbox = Path(inbox)
    if not inbox.is_dir():
        raise AssessError(f"收件箱目录“{inbox}”不存在")
    now = time.time() if now is None else now
    files, passed = [], []
    for path in sorted(p for p in inbox.rglob("*") if p.is_file() or p.is_symlink()):
        name = path.relative_to(inbox).as_posix()
        # A link could make the archive and the database take in any file the service can read.
        if not path.resolve().is_relative_to(inbox.resolve()):
            raise UnreadableFile(name, "是指向收件箱以外的链接,出于安全考虑不予读取")
        reason = _passed_by(path, name, settle_seconds, now)
        if reason is not None:
            passed.append(reason)
            continue
        dataset = dataset_for_file(path.name)
        if dataset is None:
            passed.append(PassedFile(name, "unmatched", _unmatched_note(path.name)))
        else:
            files.append(InboxFile(path, name, dataset))
    files.sort(key=lambda f: (INGEST_ORDER.index(f.dataset.name), f.name))
    return Listing(files, passed)


def _passed_by(path: Path, name: str, settle_seconds: float, now: float) -> PassedFile | None:
    lowered = path.name.lower()
    if path.name.startswith("~$"):
        return PassedFile(name, "ignored", "Excel 打开文件时生成的临时锁定文件(~$ 开头),不是数据文件,已忽略")
    if lowered in SYSTEM_FILES:
        return PassedFile(name, "ignored", f"{SYSTEM_FILES[lowered]}文件,不是数据文件,已忽略")
    if any(part.startswith(".") for part in Path(name).parts):
        return PassedFile(name, "ignored", "隐藏文件(以“.”开头),不是数据文件,已忽略")
    try:
        stat = path.stat()
    except OSError:
        # A link whose target is gone (or a file removed while listing) must not stop the other files.
        return PassedFile(name, "ignored", "文件无法访问(可能是失效的快捷链接或已被移走),已跳过")
    if stat.st_size == 0:
        return PassedFile(name, "waiting", "文件为空(0 字节),可能仍在复制中:本次未入库,留待下次运行")
    if now - stat.st_mtime < settle_seconds:
        return PassedFile(name, "waiting", f"文件在最近 {settle_seconds:g} 秒内仍有改动,可能仍在写入:本次未入库,留待下次运行")
    if path.suffix.lower() == ".csv" and _cut_off(path):
        return PassedFile(name, "waiting", "最后一行的字段少于表头且文件没有以换行结束,文件可能尚未复制完整:"
                                           "本次未入库,留待下次运行;如文件确已完整,请补全最后一行后重新提交")
    return None


def _cut_off(path: Path) -> bool:
    """Whether a CSV ends mid-row: no final line break, and its last line has fewer fields than the header.

    Commas, quotes and line breaks never occur inside a multi-byte UTF-8 or GB18030 character, so the fields
    are counted on the bytes read as Latin-1, whatever the file's encoding (UTF-16 excepted, decoded whole).
    """
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(_TAIL_BYTES)
        handle.seek(max(0, size - _TAIL_BYTES))
        tail = handle.read()
    if head.startswith(UTF16_BOMS):
        text = path.read_bytes().decode("utf-16", errors="replace")
        head_text, tail_text = text[:_TAIL_BYTES], text[-_TAIL_BYTES:]
    else:
        head_text, tail_text = head.decode("latin-1"), tail.decode("latin-1")
    if tail_text.endswith(("\n", "\r")):
        return False
    header = max((len(row) for row in csv.reader(head_text.splitlines()[:HEADER_SEARCH_ROWS]) if row), default=0)
    last = tail_text.replace("\r\n", "\n").replace("\r", "\n").rsplit("\n", 1)[-1]
    fields = next(csv.reader([last]), [])
    return 0 < len(fields) < header


def _unmatched_note(file_name: str) -> str:
    guess = near_miss(file_name)
    hint = f";是否应以“{guess}”({DATASETS[guess].label})开头?" if guess else ""
    return ("文件名不以任何数据集名称或中文名称开头,无法确定所属数据集,文件留在收件箱中未入库" + hint
            + f"。可用的开头:{'、'.join(DATASETS)}")
