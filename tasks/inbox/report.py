"""The ingest report: what became of each inbox file, as a Chinese table for the terminal and an HTML page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from rich.cells import cell_len

from schemas.datasets import DATASETS
from tasks.dossiers.render import render_html


@dataclass
class FileReport:
    """What became of one inbox file: its counts and its most common rejection reasons."""

    file_name: str  # relative to the inbox: 第二批/survey_responses_2026H1.csv
    dataset: str  # empty when the name matches no dataset
    sha256: str
    status: str  # ingested | skipped | ignored | waiting (for the next run) | unmatched
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class IngestReport:
    """The outcome of one pass over the inbox, file by file."""

    files: list[FileReport] = field(default_factory=list)
    created_at: datetime = field(default_factory=datetime.now)
    revalidated: dict[str, int] = field(default_factory=dict)  # dataset → earlier rejected rows now accepted

    def totals(self) -> dict[str, int]:
        """Files ingested and skipped, and rows read, accepted and rejected over all files."""
        return {
            "files_ingested": sum(f.status == "ingested" for f in self.files),
            "files_skipped": sum(f.status == "skipped" for f in self.files),
            "files_passed": sum(f.status in ("ignored", "waiting", "unmatched") for f in self.files),
            "rows_revalidated": sum(self.revalidated.values()),
            **{k: sum(getattr(f, k) for f in self.files) for k in ("rows_read", "rows_accepted", "rows_rejected")},
        }

    def as_text(self) -> str:
        """A Chinese table of the files for the command line, with each file's most common reasons."""
        if not self.files and not self.revalidated:
            return "收件箱中没有待入库的文件。"
        widths = (max((cell_len(f.file_name) for f in self.files), default=4) + 2, 20, 10, 10, 10)
        lines = [_row(("文件", "数据集", "读取", "接收", "拒收"), widths) + "  状态"]
        for f in self.files:
            counts = (f"{f.rows_read:,}", f"{f.rows_accepted:,}", f"{f.rows_rejected:,}")
            label = DATASETS[f.dataset].label if f.dataset else "—"
            lines.append(_row((f.file_name, label, *counts), widths) + f"  {STATUS_LABELS[f.status]}")
            lines += [f"    说明:{note}" for note in f.notes]
            lines += [f"    拒收原因:{reason}({count:,} 行)" for reason, count in list(f.reasons.items())[:3]]
        lines += [f"重新校验:此前因引用的单位或对象尚未登记而拒收的{DATASETS[name].label}数据,本次有 {n:,} 行通过并入库"
                  for name, n in self.revalidated.items()]
        t = self.totals()
        lines.append(f"合计:入库 {t['files_ingested']} 个文件,跳过 {t['files_skipped']} 个,未读取 {t['files_passed']} 个;"
                     f"读取 {t['rows_read']:,} 行,接收 {t['rows_accepted']:,} 行,拒收 {t['rows_rejected']:,} 行")
        return "\n".join(lines)


STATUS_LABELS = {"ingested": "已入库", "skipped": "已跳过(此前已入库)", "ignored": "已忽略",
                 "waiting": "留待下次运行", "unmatched": "未入库(无法确定数据集)"}


def _row(cells: tuple[str, ...], widths: tuple[int, ...]) -> str:
    """Cells padded to terminal columns (a Chinese character takes two): text left, counts right."""
    text, counts = cells[:2], cells[2:]
    return ("".join(c + " " * (w - cell_len(c)) for c, w in zip(text, widths))
            + "".join(" " * (w - cell_len(c)) + c for c, w in zip(counts, widths[2:])))


def write_validation_report(report: IngestReport, path: Path) -> Path:
    """A self-contained Chinese HTML page with each file's counts and failures per rule; its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html("ingest_report.html", dict(
        created=report.created_at.strftime("%Y-%m-%d %H:%M:%S"), totals=report.totals(), files=report.files,
        labels={name: d.label for name, d in DATASETS.items()}, statuses=STATUS_LABELS, revalidated=report.revalidated,
    )), encoding="utf-8")
    return path
