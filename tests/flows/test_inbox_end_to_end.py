"""From a fresh sample inbox, with an Excel owner file and a batch in a subfolder, `assess run half-year` completes."""

from __future__ import annotations

import json

from tests.flows.test_cli_errors import _assess


def test_sample_inbox_with_owner_file_and_subfolder_batch_runs_end_to_end(tmp_path):
    inbox = tmp_path / "inbox"
    assert _assess(tmp_path, "sample-data", "--out", str(inbox)).returncode == 0
    (inbox / "第二批").mkdir()
    (inbox / "survey_responses_2026H1_第二批.csv").rename(inbox / "第二批" / "survey_responses_2026H1_第二批.csv")
    # Excel writes this beside a workbook someone has open on the share; it used to stop the whole intake.
    (inbox / "~$units_名册.xlsx").write_bytes(b"\x0bzhangsan" + b" " * 153)
    result = _assess(tmp_path, "run", "half-year", "--period", "2026H1", "--inbox", str(inbox),
                     "--out", str(tmp_path / "out"), "--db", f"sqlite:///{tmp_path / 'assess.db'}")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "已完成:结果在 " in result.stdout
    # The ingest report page lists the owner file as ignored, with the note saying what it is.
    (page,) = (tmp_path / "data" / "reports").glob("ingest-*.html")
    html = page.read_text(encoding="utf-8")
    assert "<tr><td>~$units_名册.xlsx</td><td>—</td>" in html and "<td>已忽略</td>" in html
    assert "说明:Excel 打开文件时生成的临时锁定文件(~$ 开头),不是数据文件,已忽略" in html
    manifest = json.loads((tmp_path / "out" / "half-year" / "2026H1" / "latest" / "manifest.json").read_text())
    names = [f["file_name"] for f in manifest["inputs"]]
    # The subfolder's batch is read, stored and named by its path in the inbox.
    assert "第二批/survey_responses_2026H1_第二批.csv" in names and "~$units_名册.xlsx" not in names
    batch = next(f for f in manifest["inputs"] if f["file_name"].startswith("第二批/"))
    assert batch["rows_read"] == batch["rows_accepted"] + batch["rows_rejected"] and batch["rows_accepted"] > 0
    assert (inbox / "~$units_名册.xlsx").exists()
