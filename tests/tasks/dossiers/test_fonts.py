"""The cut faces: what they keep, that they are found and reused, and that the pages drawn with them are the same."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from PIL import Image, ImageChops

from tasks.dossiers import fonts
from tasks.dossiers.render import Keeper, render_html, template_fetcher, write_pdf
from tests.tasks.dossiers.test_render import example_context, pdffonts, pdftotext

CUT = {"Noto-Serif-CJK-SC-Common", "Noto-Serif-CJK-SC-Common-Bold", "Noto-Sans-CJK-SC-Common",
       "Noto-Sans-CJK-SC-Common-Bold"}
FULL = {"Noto-Serif-CJK-SC", "Noto-Serif-CJK-SC-Bold", "Noto-Sans-CJK-SC", "Noto-Sans-CJK-SC-Bold"}


def test_the_cut_keeps_gb2312_and_the_common_symbols():
    points = fonts.common_code_points()
    gb2312 = {p for p in range(0x80, 0x10000) if _in_gb2312(chr(p))}
    assert len(gb2312) == 7445 and len({p for p in gb2312 if 0x4E00 <= p < 0xA000}) == 6763  # 6,763 hanzi
    assert gb2312 <= points
    assert {ord(c) for c in "AZaz09 ·×—…“”、。《》〔〕（）０９％①−≤℃Ⅳ→■"} <= points  # U+2212 is the minus of negative scores
    assert not {ord(c) for c in "堃玥昇喆犇"} & points  # name characters outside GB 2312 are drawn from the full face


def _in_gb2312(char: str) -> bool:
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


@pytest.fixture(scope="module")
def cut_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cut-faces")
    fonts.cut_faces(folder)
    return folder


def test_each_face_is_cut_to_the_characters_it_had_of_the_common_set(cut_folder):
    faces = fonts.cut_faces(cut_folder)
    assert [(f.family, f.weight) for f in faces] == [(family, weight) for family, _, weight, _ in fonts.FACES]
    face = faces[0]
    source = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
    full = set(TTFont(source, fontNumber=2, lazy=True).getBestCmap())
    cut = TTFont(face.path, lazy=True)
    assert set(cut.getBestCmap()) == full & fonts.common_code_points()
    assert cut["maxp"].numGlyphs < 20_000 < TTFont(source, fontNumber=2, lazy=True)["maxp"].numGlyphs


def test_cut_faces_are_reused_and_cut_again_for_another_source(cut_folder, tmp_path):
    before = {p.name: p.stat().st_mtime_ns for p in cut_folder.iterdir()}
    assert len(before) == 4 and not any(name.startswith(".") for name in before)  # no part-written file left
    fonts.cut_faces(cut_folder)
    assert {p.name: p.stat().st_mtime_ns for p in cut_folder.iterdir()} == before
    # a source of the same name with other contents (a font package upgraded) gets a cut of its own
    source = tmp_path / "NotoSerifCJK-Regular.ttc"
    source.write_bytes(Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc").read_bytes())
    assert fonts._cut_path(source, 2, cut_folder).name not in before


def test_a_new_cut_replaces_the_older_cut_of_its_face(tmp_path, monkeypatch):
    fonts.cut_faces(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    monkeypatch.setattr(fonts, "cut_version", lambda: "another-set")
    fonts.cut_faces(tmp_path)
    after = sorted(p.name for p in tmp_path.iterdir())
    assert len(after) == 4 and not set(after) & set(before)


def test_the_fetcher_serves_the_cut_faces_and_nothing_else_of_their_folder(cut_folder):
    face = fonts.cut_faces(cut_folder)[0]
    assert template_fetcher(cut_folder).fetch(face.path.as_uri()).read() == face.path.read_bytes()
    other = cut_folder / "notes.txt"
    other.write_text("secret", encoding="utf-8")
    with pytest.raises(PermissionError):
        template_fetcher(cut_folder).fetch(other.as_uri())
    with pytest.raises(PermissionError):
        template_fetcher().fetch(face.path.as_uri())  # only a keeper's face rules may name the cut faces


def _pages(pdf: Path, folder: Path) -> list[Image.Image]:
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(folder / pdf.stem)], check=True)
    return [Image.open(p).convert("L") for p in sorted(folder.glob(f"{pdf.stem}-*.png"))]


# The stylesheet's families without the cut faces: what every dossier was drawn with before.
FULL_FACES_ONLY = """<style>:root { --font-title: "Noto Serif CJK SC", serif; --font-body: "Noto Serif CJK SC", serif;
  --font-table: "Noto Sans CJK SC", sans-serif; }</style></head>"""


def test_a_dossier_drawn_with_the_cut_faces_looks_the_same_and_is_smaller(cut_folder, tmp_path):
    html = render_html("_example.html", example_context())
    keeper = Keeper(fonts.face_rules(cut_folder))
    try:
        cut_pdf = write_pdf(html, tmp_path / "cut.pdf", keeper)
        full_pdf = write_pdf(html.replace("</head>", FULL_FACES_ONLY), tmp_path / "full.pdf", keeper)
    finally:
        keeper.close()
    assert {name for name, _ in pdffonts(cut_pdf)} == CUT  # the charts' SVG text included
    assert {name for name, _ in pdffonts(full_pdf)} - CUT == FULL  # the charts' text still from the cut face
    cut_pages, full_pages = _pages(cut_pdf, tmp_path), _pages(full_pdf, tmp_path)
    assert len(cut_pages) == len(full_pages) > 3
    assert all(ImageChops.difference(a, b).getbbox() is None for a, b in zip(cut_pages, full_pages))
    assert cut_pdf.stat().st_size < 0.7 * full_pdf.stat().st_size


def test_a_character_outside_the_cut_is_drawn_from_the_full_face(cut_folder, tmp_path):
    keeper = Keeper(fonts.face_rules(cut_folder))
    try:
        pdf = write_pdf(render_html("_example.html", example_context(unit_name="江城市李堃工作室")), tmp_path / "x.pdf",
                        keeper)
    finally:
        keeper.close()
    names = {name for name, _ in pdffonts(pdf)}
    assert CUT <= names and names - CUT and names - CUT <= FULL
    assert "江城市李堃工作室" in "".join(pdftotext(pdf).split())


def test_without_the_subsetting_library_the_renderer_says_what_to_install(monkeypatch, tmp_path):
    def missing():
        raise OSError("cannot load library 'libharfbuzz-subset.so.0'")

    monkeypatch.setattr(fonts, "_libraries", missing)
    with pytest.raises(fonts.FontsUnavailable, match="libharfbuzz-subset0"):
        fonts.face_rules(tmp_path / "elsewhere")


def test_a_cache_that_cannot_be_written_is_replaced_by_a_folder_of_the_process(tmp_path, caplog):
    blocked = tmp_path / "a-file"
    blocked.write_text("", encoding="utf-8")
    rules = fonts.face_rules(blocked / "fonts")
    assert rules.folder != blocked / "fonts" and len(list(rules.folder.glob("*.otf"))) == 4
    assert rules.css.count("@font-face") == 4 and str(rules.folder) in rules.css
    assert "cut for this process only" in caplog.text


def test_the_folder_of_a_process_goes_with_the_process(tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("", encoding="utf-8")
    script = ("import sys; from pathlib import Path; sys.path.insert(0, '.')\n"
              "from tasks.dossiers import fonts\n"
              "rules = fonts.face_rules(Path(sys.argv[1]))\n"
              "print(rules.folder, len(list(rules.folder.glob('*.otf'))))\n")
    done = subprocess.run([sys.executable, "-c", script, str(blocked / "fonts")], capture_output=True, text=True,
                          check=True, cwd=Path(fonts.__file__).resolve().parents[2])
    folder, cut = done.stdout.split()
    assert cut == "4" and Path(folder).name.startswith("assess-fonts-") and not Path(folder).exists()


def test_a_cut_face_removed_while_the_process_runs_is_cut_again(tmp_path, caplog):
    folder = tmp_path / "cache"
    rules = fonts.face_rules(folder)
    assert fonts.face_rules(folder) is rules  # kept by the process
    gone = rules.paths[0]
    gone.unlink()  # a cleaned cache, under a long-lived worker
    again = fonts.face_rules(folder)
    assert gone.is_file() and again.present() and "cutting the faces again" in caplog.text
    keeper = Keeper(again)
    try:
        pdf = write_pdf(render_html("_example.html", example_context()), tmp_path / "x.pdf", keeper)
    finally:
        keeper.close()
    assert {name for name, _ in pdffonts(pdf)} == CUT
