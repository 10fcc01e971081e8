"""The dossiers' four faces cut to the characters of official Simplified Chinese text, for fast PDFs.

WeasyPrint embeds a subset of every face a PDF uses, and HarfBuzz's time to subset grows with the face it starts
from: Noto CJK holds 65,535 glyphs for five regions, and its four faces (serif and sans, regular and bold) took
about 115 of the 370 ms of an annual unit dossier. Cut once to GB 2312 (6,763 hanzi), Latin, punctuation, symbols
and full-width forms — about 14,000 glyphs with the alternates the layout features reach — each subset is three
times faster and a dossier's PDF half the size, with the same outlines: the pages are identical pixel for pixel.

The cut faces are declared by `face_rules` as the families "Noto Serif CJK SC Common" and "Noto Sans CJK SC
Common"; the stylesheet and the charts name them first and the system's full faces after them, so a character
outside the cut (a rare hanzi in a name) is still drawn, from the full face. The cut faces are required: a family
the stylesheet names first and that does not exist makes fontconfig prefer its generic fallbacks (DejaVu Sans,
Japanese glyph shapes) to the full face named second, so a renderer without them stops with `FontsUnavailable`.

The cuts are kept in `FONT_CACHE` (a temporary folder of the process when that cannot be written), named by their
source file (path, size, modification time, face index) and the characters kept (`cut_version`), and written
whole or not at all.
Written with HarfBuzz through cffi (WeasyPrint's own libraries; its subsetting without libharfbuzz-subset0 takes
seconds a PDF anyway): fontTools, which WeasyPrint also brings, takes about 45 s for one face against 0.3 s.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from tasks.errors import AssessError

log = logging.getLogger(__name__)

FONT_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "assess" / "fonts"

# (family the stylesheet names, system family, CSS weight, fontconfig weight)
FACES = (
    ("Noto Serif CJK SC Common", "Noto Serif CJK SC", "normal", 80),
    ("Noto Serif CJK SC Common", "Noto Serif CJK SC", "bold", 200),
    ("Noto Sans CJK SC Common", "Noto Sans CJK SC", "normal", 80),
    ("Noto Sans CJK SC Common", "Noto Sans CJK SC", "bold", 200),
)

# Blocks kept whole: Basic Latin and Latin-1, general punctuation to CJK symbols (letterlike forms, number forms,
# arrows, mathematical operators such as U+2212 −, technical, enclosed ①, box drawing, shapes, dingbats), CJK
# radicals, CJK symbols and punctuation, enclosed CJK letters, CJK compatibility, vertical and small forms,
# half- and full-width forms.
BLOCKS = ((0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x27FF), (0x2E80, 0x2FDF), (0x3000, 0x303F), (0x3200, 0x33FF),
          (0xFE10, 0xFE1F), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF))


@lru_cache(maxsize=1)
def common_code_points() -> frozenset[int]:
    """The code points the cut faces keep: `BLOCKS` and every character of GB 2312 (its 6,763 hanzi included)."""
    points = {point for first, last in BLOCKS for point in range(first, last + 1)}
    for high in range(0xA1, 0xF8):  # the 87 rows and 94 cells of the code table, once
        for low in range(0xA1, 0xFF):
            try:
                points.add(ord(bytes((high, low)).decode("gb2312")))
            except UnicodeDecodeError:  # an unassigned cell
                pass
    return frozenset(points)


@lru_cache(maxsize=1)
def cut_version() -> str:
    """A digest of `common_code_points`: the cuts and the PDFs made with them are told apart by it."""
    return hashlib.sha256(",".join(map(str, sorted(common_code_points()))).encode()).hexdigest()[:16]


class FontsUnavailable(AssessError):
    """The dossiers' faces cannot be had: a font or a library of the system is missing."""


@dataclass(frozen=True)
class CutFace:
    family: str
    weight: str
    path: Path


_CDEF = """
typedef struct _FcConfig FcConfig; typedef struct _FcPattern FcPattern; typedef unsigned char FcChar8;
typedef enum { FcResultMatch, FcResultNoMatch, FcResultTypeMismatch, FcResultNoId, FcResultOutOfMemory } FcResult;
typedef enum { FcMatchPattern, FcMatchFont, FcMatchScan } FcMatchKind;
FcConfig *FcInitLoadConfigAndFonts(void);
void FcConfigDestroy(FcConfig *config);
FcPattern *FcPatternCreate(void);
void FcPatternDestroy(FcPattern *p);
int FcPatternAddString(FcPattern *p, const char *object, const FcChar8 *s);
int FcPatternAddInteger(FcPattern *p, const char *object, int i);
int FcConfigSubstitute(FcConfig *config, FcPattern *p, FcMatchKind kind);
void FcDefaultSubstitute(FcPattern *pattern);
FcPattern *FcFontMatch(FcConfig *config, FcPattern *p, FcResult *result);
FcResult FcPatternGetString(const FcPattern *p, const char *object, int n, FcChar8 **s);
FcResult FcPatternGetInteger(const FcPattern *p, const char *object, int n, int *i);

typedef struct hb_blob_t hb_blob_t; typedef struct hb_face_t hb_face_t; typedef struct hb_set_t hb_set_t;
typedef struct hb_subset_input_t hb_subset_input_t; typedef uint32_t hb_codepoint_t;
hb_blob_t *hb_blob_create_from_file_or_fail(const char *file_name);
void hb_blob_destroy(hb_blob_t *blob);
const char *hb_blob_get_data(hb_blob_t *blob, unsigned int *length);
hb_face_t *hb_face_create(hb_blob_t *blob, unsigned int index);
void hb_face_destroy(hb_face_t *face);
hb_blob_t *hb_face_reference_blob(hb_face_t *face);
void hb_set_add_sorted_array(hb_set_t *set, const hb_codepoint_t *sorted_codepoints, unsigned int num_codepoints);
hb_subset_input_t *hb_subset_input_create_or_fail(void);
void hb_subset_input_destroy(hb_subset_input_t *input);
hb_set_t *hb_subset_input_unicode_set(hb_subset_input_t *input);
hb_face_t *hb_subset_or_fail(hb_face_t *source, const hb_subset_input_t *input);
"""


@lru_cache(maxsize=1)
def _libraries():
    from cffi import FFI

    ffi = FFI()
    ffi.cdef(_CDEF)
    return (ffi, ffi.dlopen("libfontconfig.so.1"), ffi.dlopen("libharfbuzz.so.0"),
            ffi.dlopen("libharfbuzz-subset.so.0"))


def _located(config, family: str, weight: int) -> tuple[Path, int] | None:
    """The file and face index fontconfig gives for `family` at `weight`, or None when it offers another family."""
    ffi, fc, _, _ = _libraries()
    pattern = fc.FcPatternCreate()
    try:
        fc.FcPatternAddString(pattern, b"family", family.encode())
        fc.FcPatternAddInteger(pattern, b"weight", weight)
        fc.FcConfigSubstitute(config, pattern, fc.FcMatchPattern)
        fc.FcDefaultSubstitute(pattern)
        result = ffi.new("FcResult *")
        match = fc.FcFontMatch(config, pattern, result)
    finally:
        fc.FcPatternDestroy(pattern)
    if match == ffi.NULL:
        return None
    try:
        text, index = ffi.new("FcChar8 **"), ffi.new("int *")
        if fc.FcPatternGetString(match, b"family", 0, text) != fc.FcResultMatch:
            return None
        families = {ffi.string(text[0]).decode()}
        n = 1
        while fc.FcPatternGetString(match, b"family", n, text) == fc.FcResultMatch:
            families.add(ffi.string(text[0]).decode())
            n += 1
        if family not in families:
            return None
        if fc.FcPatternGetString(match, b"file", 0, text) != fc.FcResultMatch:
            return None
        path = Path(ffi.string(text[0]).decode())
        return path, index[0] if fc.FcPatternGetInteger(match, b"index", 0, index) == fc.FcResultMatch else 0
    finally:
        fc.FcPatternDestroy(match)


def cut(source: Path, index: int, target: Path, points: frozenset[int]) -> None:
    """Face `index` of font file `source` cut to the characters `points` (with their layout alternates), written
    whole to `target`."""
    ffi, _, hb, subset = _libraries()
    blob = hb.hb_blob_create_from_file_or_fail(str(source).encode())
    if blob == ffi.NULL:
        raise OSError(f"无法读取字体文件:{source}")
    face = hb.hb_face_create(blob, index)
    wanted = subset.hb_subset_input_create_or_fail()
    try:
        ordered = sorted(points)
        hb.hb_set_add_sorted_array(subset.hb_subset_input_unicode_set(wanted),
                                   ffi.new("hb_codepoint_t[]", ordered), len(ordered))
        result = subset.hb_subset_or_fail(face, wanted)
        if result == ffi.NULL:
            raise OSError(f"无法裁切字体:{source}(第 {index} 个字形集)")
        data = hb.hb_face_reference_blob(result)
        length = ffi.new("unsigned int *")
        content = ffi.buffer(hb.hb_blob_get_data(data, length), length[0])[:]
        hb.hb_blob_destroy(data)
        hb.hb_face_destroy(result)
    finally:
        subset.hb_subset_input_destroy(wanted)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, prefix=".cut-", delete=False) as part:
        part.write(content)
    os.chmod(part.name, 0o644)  # a cache another account of the machine may read, as the system's own fonts
    os.replace(part.name, target)


def _cut_path(source: Path, index: int, folder: Path) -> Path:
    stat = source.stat()
    key = hashlib.sha256(f"{source}|{stat.st_size}|{stat.st_mtime_ns}|{index}|{cut_version()}".encode()).hexdigest()
    return folder / f"{source.stem}-{index}-{key[:16]}.otf"


def cut_faces(folder: Path = FONT_CACHE) -> list[CutFace]:
    """The four faces of `FACES` cut to `common_code_points`, cut now where `folder` does not hold them yet."""
    _, fc, _, _ = _libraries()
    config = fc.FcInitLoadConfigAndFonts()
    try:
        faces = []
        for family, system_family, weight, fc_weight in FACES:
            located = _located(config, system_family, fc_weight)
            if located is None:
                raise LookupError(f"系统未安装字体:{system_family}")
            target = _cut_path(*located, folder)
            if not target.is_file():
                cut(*located, target, common_code_points())
                for older in set(folder.glob(f"{located[0].stem}-{located[1]}-*.otf")) - {target}:
                    older.unlink(missing_ok=True)  # of a font since upgraded, or of another set of characters
            faces.append(CutFace(family, weight, target))
        return faces
    finally:
        fc.FcConfigDestroy(config)


@dataclass(frozen=True)
class FaceRules:
    """The @font-face rules that declare the cut faces, the folder that holds them (the one folder besides the
    templates that a renderer may read from) and the cut files themselves."""

    css: str
    folder: Path
    paths: tuple[Path, ...] = ()

    def present(self) -> bool:
        """Whether every cut file the rules name is still there."""
        return all(path.is_file() for path in self.paths)


def face_rules(folder: Path = FONT_CACHE) -> FaceRules:
    """The rules of the cut faces of `folder`, cut first where needed (in a temporary folder when `folder` cannot be
    written). A process keeps the rules it made, until a cut file they name is gone (a cleaned cache): then the
    faces are cut again, rather than let WeasyPrint skip a face it cannot load and fontconfig draw with another."""
    rules = _kept_face_rules(folder)
    if not rules.present():
        log.warning("a cut face of %s is gone: cutting the faces again", rules.folder)
        _kept_face_rules.cache_clear()
        rules = _kept_face_rules(folder)
    return rules


@lru_cache(maxsize=4)
def _kept_face_rules(folder: Path) -> FaceRules:
    try:
        _libraries()
    except (OSError, AttributeError) as exc:  # AttributeError: a library without a function named
        raise FontsUnavailable(f"缺少字体库,无法准备文书字体(请安装 fontconfig 与 libharfbuzz-subset0):{exc}") from exc
    try:
        faces = cut_faces(folder)
    except LookupError as exc:
        raise FontsUnavailable(f"{exc}(请安装 fonts-noto-cjk)") from exc
    except OSError as exc:
        log.warning("the cut faces cannot be kept in %s (%s): cut for this process only", folder, exc)
        folder = Path(tempfile.mkdtemp(prefix="assess-fonts-"))
        atexit.register(shutil.rmtree, folder, True)  # the process's own cut (17 MB) goes with the process
        faces = cut_faces(folder)
    return FaceRules("\n".join(f'@font-face {{ font-family: "{face.family}"; font-weight: {face.weight}; '
                               f'src: url("{face.path.as_uri()}"); }}' for face in faces), folder,
                     tuple(face.path for face in faces))
