"""Security: names as inert text in PDFs and CSVs, a fenced URL fetcher, safe paths, private respondents, no secrets."""

from __future__ import annotations

import csv
import http.server
import re
import subprocess
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from tasks.errors import AssessError, InvalidPeriod, UnreadableFile, UnsafePath
from tasks.outputs.versions import safe_child, start_version
from tasks.dossiers.render import TEMPLATES, template_fetcher, write_pdf
from tests.helpers import pdf_text
from tests.reliability.helpers import PROJECT, half_year_inbox, write_policy

SCRIPT = "<script>alert(1)</script>"
IMAGE = '<img src="file:///etc/passwd">'
# Roster positions renamed: markup, and text that a spreadsheet would run as a formula.
HOSTILE = {0: SCRIPT, 1: IMAGE, 2: '=HYPERLINK("http://x","y")', 3: "+1市政务服务中心", 4: "-2市公安局",
           5: "@SUM(A1)市医保局"}
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def published(tmp_path_factory, prefect_harness):
    """A half-year published from an inbox whose roster carries hostile names."""
    from flows.half_year_comment import half_year_comment
    from tasks.store.engine import get_engine
    from tasks.settings import get_settings
    from tasks.store.datasets import load_dataset

    root = tmp_path_factory.mktemp("security")
    inbox = half_year_inbox(root / "inbox", names=HOSTILE)
    db = f"sqlite:///{root / 'assess.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ASSESS_DATA_DIR", str(root / "data"))
        patch.setenv("DATABASE_URL", db)
        patch.setenv("ASSESS_POLICY_DIR", str(root))
        get_settings.cache_clear()
        folder = Path(half_year_comment(period="2026H1", reason="测试", inbox=str(inbox), out=str(root / "out"),
                                        policy=write_policy(root).stem))
    get_settings.cache_clear()
    respondents = set(load_dataset(get_engine(db), "survey_responses")["respondent_id"])
    return {"folder": folder, "respondents": respondents}


def _csv_cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


def test_markup_in_names_is_literal_text_in_every_pdf(published):
    texts = {p.name: pdf_text(p) for p in published["folder"].rglob("*.pdf")}
    # The publicity list names every unit; the names come out as typed, tags and all.
    assert SCRIPT in texts["publicity.pdf"]
    assert "".join(IMAGE.split()) in texts["publicity.pdf"]
    assert not any("root:x:0:0" in text for text in texts.values())


def test_formula_cells_are_neutralised_in_every_output_csv(published):
    files = sorted(published["folder"].rglob("*.csv"))
    assert {"ranking.csv", "publicity.csv"} <= {p.name for p in files}
    for path in files:
        risky = [c for c in _csv_cells(path) if c[:1] in ("=", "+", "-", "@")
                 and not re.fullmatch(r"[-+]?\d+(\.\d+)?(e[-+]?\d+)?", c)]
        assert risky == [], path.name
    ranking = _csv_cells(published["folder"] / "ranking.csv")
    assert {"'" + HOSTILE[n] for n in (2, 3, 4, 5)} <= set(ranking)


def test_respondent_ids_appear_only_in_rejected_rows(published):
    folder, ids = published["folder"], published["respondents"]
    assert len(ids) > 10
    pattern = re.compile("|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True)))
    texts = {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8-sig")
             for p in folder.rglob("*") if p.suffix in (".csv", ".json") and p.parent.name != "rejected"}
    texts |= {p.relative_to(folder).as_posix(): pdf_text(p) for p in folder.rglob("*.pdf")}
    assert {name for name, text in texts.items() if pattern.search(text)} == set()
    # The quarantined survey rows do keep them, so a provider can find and fix the row.
    assert pattern.search((folder / "rejected" / "survey_responses.csv").read_text(encoding="utf-8-sig"))


def test_respondent_ids_are_in_no_prefect_artifact(published):
    from prefect.client.orchestration import get_client

    pattern = re.compile("|".join(re.escape(i) for i in published["respondents"]))
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts()
    assert artifacts
    assert [a.key for a in artifacts if pattern.search(str(a.data)) or pattern.search(str(a.description))] == []


class _Counting(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 (the handler's protocol name)
        self.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args):
        pass


def test_url_fetcher_reaches_nothing_outside_the_templates(tmp_path):
    server = http.server.HTTPServer(("127.0.0.1", 0), _Counting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    html = (f'<html><head></head><body><p>正文</p>'
            f'<img src="file:///etc/passwd"><img src="{url}/y.png"><img src="../../../etc/hostname"></body></html>')
    pdf = write_pdf(html, tmp_path / "x.pdf")
    # A stylesheet link other than the templates' own form stops the rendering before anything is fetched.
    with pytest.raises(ValueError, match="样式表须写作"):
        write_pdf(html.replace("<head>", f'<head><link rel="stylesheet" href="{url}/x.css">'), tmp_path / "y.pdf")
    server.shutdown()
    assert _Counting.hits == []
    assert "正文" in pdf_text(pdf) and not (tmp_path / "y.pdf").exists()
    fetcher = template_fetcher()
    for refused in ("file:///etc/passwd", f"{url}/x.css", f"{TEMPLATES.as_uri()}/../pyproject.toml"):
        with pytest.raises(PermissionError):
            fetcher.fetch(refused)
    stylesheet = next(TEMPLATES.glob("*.css"))
    assert fetcher.fetch(stylesheet.as_uri()) is not None


@pytest.mark.parametrize("period", ["../../x", "2026H1/../../x", "/etc", "2026H1\\..\\x"])
def test_period_may_not_escape_the_output_folder(tmp_path, period):
    result = CliRunner().invoke(app, ["run", "half-year", "--period", period, "--inbox", str(tmp_path),
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert f"期次“{period}”格式不正确,应为" in result.output
    with pytest.raises(InvalidPeriod):
        start_version(tmp_path / "out", "half-year", period)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("part", ["../x", "a/../../x", "/etc/passwd", "C:\\x"])
def test_paths_inside_a_version_may_not_leave_it(tmp_path, part):
    with pytest.raises(UnsafePath):
        safe_child(tmp_path, part)


def test_inbox_symlink_to_outside_is_refused_and_odd_names_stay_in_the_archive(tmp_path, engine):
    from tasks.inbox.ingest import ingest_inbox

    outside, inbox = tmp_path / "outside", tmp_path / "inbox"
    outside.mkdir()
    inbox.mkdir()
    (outside / "units.csv").write_text("unit_id,unit_name,category,region,level,is_window\n", encoding="utf-8")
    (inbox / "units_link.csv").symlink_to(outside / "units.csv")
    with pytest.raises(UnreadableFile) as caught:
        ingest_inbox(inbox, engine, tmp_path / "archive")
    assert (caught.value.file_name, caught.value.problem) == \
        ("units_link.csv", "是指向收件箱以外的链接,出于安全考虑不予读取")
    (inbox / "units_link.csv").unlink()
    odd = inbox / "units_..\\..\\x.csv"
    odd.write_text("unit_id,unit_name,category,region,level,is_window\nU1,a,党群部门,市直,市级,是\n", encoding="utf-8")
    report = ingest_inbox(inbox, engine, tmp_path / "archive")
    assert [(f.file_name, f.rows_accepted) for f in report.files] == [(odd.name, 1)]
    archived = [p for p in (tmp_path / "archive").rglob("*") if p.is_file()]
    assert [p.name for p in archived] == [odd.name]
    assert archived[0].resolve().is_relative_to((tmp_path / "archive").resolve())


def test_server_beyond_localhost_needs_the_auth_string(monkeypatch):
    from flows.serve import service_environment
    from tests.helpers import free_port

    port = free_port()
    monkeypatch.delenv("PREFECT_SERVER_API_AUTH_STRING", raising=False)
    monkeypatch.delenv("PREFECT_API_AUTH_STRING", raising=False)
    assert service_environment("127.0.0.1", port)["PREFECT_API_URL"] == f"http://127.0.0.1:{port}/api"
    with pytest.raises(AssessError, match="PREFECT_SERVER_API_AUTH_STRING"):
        service_environment("0.0.0.0", port)
    monkeypatch.setenv("PREFECT_SERVER_API_AUTH_STRING", "admin:s3cret-test")
    env = service_environment("0.0.0.0", port)
    assert (env["PREFECT_API_URL"], env["PREFECT_API_AUTH_STRING"]) == (f"http://127.0.0.1:{port}/api",
                                                                        "admin:s3cret-test")


def test_serve_refuses_a_port_another_server_listens_on():
    # Otherwise the health check finds the other server and reports this one as started.
    import socket

    from flows.serve import service_environment

    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        with pytest.raises(AssessError, match=f"端口 {other.getsockname()[1]} 已被占用"):
            service_environment("127.0.0.1", other.getsockname()[1])


_SECRET = re.compile(r"""(?i)(password|passwd|pwd|secret|token|api_key|auth_string)\w*["']?\s*[:=]\s*["'][^"'\s]{4,}["']"""
                     r"""|://[^/\s:@"']+:[^/\s@"']{3,}@""")


def test_no_secret_is_committed():
    tracked = subprocess.run(["git", "ls-files"], cwd=PROJECT, check=True, capture_output=True, text=True).stdout
    found = []
    for name in tracked.splitlines():
        path = PROJECT / name
        if path.suffix in (".py", ".yaml", ".yml", ".toml", ".md", ".cfg", ".ini", ".env", ".json", ".txt", "") \
                and path.is_file() and path.stat().st_size < 1_000_000:
            text = path.read_text(encoding="utf-8", errors="ignore")
            found += [f"{name}: {m.group(0)}" for m in _SECRET.finditer(text)]
    # This test's own sample auth string is the one allowed hit.
    assert [f for f in found if "s3cret-test" not in f] == []
