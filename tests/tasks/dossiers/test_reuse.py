"""The render cache is exact: an unchanged dossier is linked from the earlier version, anything changed is rendered."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tasks.dossiers import reuse
from tasks.dossiers.dispatch import render_version
from tasks.dossiers.render import TEMPLATES, PdfJob
from tests.tasks.dossiers.test_render import example_context, pdftotext


def _jobs(root: Path, names: dict[str, str]) -> list[PdfJob]:
    return [PdfJob("_example.html", example_context(unit_name=name, rows=3), root / f"units/{unit}.pdf")
            for unit, name in names.items()]


def _publish(root: Path, jobs: list[PdfJob], earlier: Path | None) -> reuse.Reuse:
    """Render a version into `root` as a cycle does, and write the manifest part the next version reads."""
    done = render_version(jobs, root, earlier)
    (root / "manifest.json").write_text(json.dumps(done.manifest(), ensure_ascii=False), encoding="utf-8")
    return done


@pytest.fixture
def first(tmp_path):
    root = tmp_path / "v1"
    done = _publish(root, _jobs(root, {"U1": "第一窗口单位", "U2": "第二窗口单位"}), None)
    assert done.reused == [] and set(done.keys) == {"units/U1.pdf", "units/U2.pdf"}
    return root


def test_unchanged_dossiers_are_linked_and_changed_ones_rendered(first, tmp_path, monkeypatch):
    rendered = []
    real = reuse.take_unchanged

    def counted(jobs, root, earlier):
        left, done = real(jobs, root, earlier)
        rendered.extend(j.path.name for j in left)
        return left, done

    monkeypatch.setattr("tasks.dossiers.dispatch.take_unchanged", counted)
    root = tmp_path / "v2"
    done = _publish(root, _jobs(root, {"U1": "第一窗口单位", "U2": "第二窗口单位(更名)"}), first)
    assert rendered == ["U2.pdf"]
    assert done.manifest()["reused"] == {"from": "v1", "files": ["units/U1.pdf"]}
    assert (root / "units/U1.pdf").stat().st_ino == (first / "units/U1.pdf").stat().st_ino  # a hard link
    assert "第二窗口单位(更名)" in pdftotext(root / "units/U2.pdf")
    assert done.keys["units/U1.pdf"] == json.loads((first / "manifest.json").read_text())["renders"]["units/U1.pdf"]


def test_a_changed_template_renders_everything_again(first, tmp_path, monkeypatch):
    copy = tmp_path / "templates"
    shutil.copytree(TEMPLATES, copy)
    (copy / "base.css").write_text((copy / "base.css").read_text(encoding="utf-8") + "\n/* 字号调整 */\n",
                                   encoding="utf-8")
    monkeypatch.setattr(reuse, "TEMPLATES", copy)
    root = tmp_path / "v2"
    done = _publish(root, _jobs(root, {"U1": "第一窗口单位", "U2": "第二窗口单位"}), first)
    assert done.reused == []


def test_another_cut_of_the_faces_renders_everything_again(first, tmp_path, monkeypatch):
    monkeypatch.setattr(reuse, "cut_version", lambda: "a-wider-cut")
    root = tmp_path / "v2"
    done = _publish(root, _jobs(root, {"U1": "第一窗口单位", "U2": "第二窗口单位"}), first)
    assert done.reused == []


def test_a_removed_earlier_pdf_is_rendered_again(first, tmp_path):
    (first / "units/U2.pdf").unlink()
    root = tmp_path / "v2"
    done = _publish(root, _jobs(root, {"U1": "第一窗口单位", "U2": "第二窗口单位"}), first)
    assert done.reused == ["units/U1.pdf"]
    assert "第二窗口单位" in pdftotext(root / "units/U2.pdf")


def test_keys_do_not_depend_on_the_order_of_a_set_or_of_dict_keys(tmp_path):
    one = PdfJob("_example.html", {"a": 1, "tags": {"乙", "甲", "丙"}}, tmp_path / "x.pdf")
    other = PdfJob("_example.html", {"tags": {"丙", "甲", "乙"}, "a": 1}, tmp_path / "x.pdf")
    changed = PdfJob("_example.html", {"a": 2, "tags": {"乙", "甲", "丙"}}, tmp_path / "x.pdf")
    assert reuse.render_key(one) == reuse.render_key(other) != reuse.render_key(changed)


def _noted(root: Path, name: str, cause: str, replaces: str) -> list[PdfJob]:
    note = {"replaces": replaces, "cause": cause, "count": 0, "units": 0, "rows": [], "more": 0,
            "unchanged": cause == "数据与政策均未变化(重新运行)"}
    return [PdfJob("_example.html", {**example_context(unit_name=name, rows=3), "version_changes": note},
                   root / "summary.pdf")]


def test_a_version_that_changes_nothing_keeps_the_earlier_document_and_its_note(tmp_path):
    first = tmp_path / "v2"
    _publish(first, _noted(first, "第一窗口单位", "政策变更", "v1"), None)
    same = tmp_path / "v3"
    done = _publish(same, _noted(same, "第一窗口单位", "数据与政策均未变化(重新运行)", "v2"), first)
    assert done.reused == ["summary.pdf"] and (same / "summary.pdf").stat().st_ino == (first / "summary.pdf").stat().st_ino
    assert "变更原因:政策变更" in "".join(pdftotext(same / "summary.pdf").split())
    # Its keys are the document's own, so the next rerun that changes nothing finds it again.
    assert done.keys == json.loads((first / "manifest.json").read_text())["renders"]
    # A note naming a change, or other content under a “nothing changed” note, is rendered.
    for folder, name, cause in (("v3b", "第一窗口单位", "更正文件:x.csv"),
                                ("v3c", "第一窗口单位(更名)", "数据与政策均未变化(重新运行)")):
        done = _publish(tmp_path / folder, _noted(tmp_path / folder, name, cause, "v2"), first)
        assert done.reused == [] and cause.split(":")[0] in "".join(pdftotext(tmp_path / folder / "summary.pdf").split())
