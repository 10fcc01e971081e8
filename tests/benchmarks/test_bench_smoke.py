"""The benchmark runs end to end on the tiny sample and reports every stage beside its floor."""

from __future__ import annotations

import math

import pytest

from benchmarks.bench import CYCLES, STAGES, as_text, run_benchmark


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    root = tmp_path_factory.mktemp("bench")
    return run_benchmark("tiny", seed=7, root=root, excel_rows=2_000, render_limit=3, workers=2)


def test_every_cycle_has_every_stage_with_a_floor_and_a_ratio(report):
    # Each cycle reports intake, validation, storage, load and computation; rendering is measured for one cycle.
    expected = {(c, s) for c in CYCLES for s in STAGES if s != "rendering"} | {("annual", "rendering")}
    assert {(r.cycle, r.stage) for r in report.rows} == expected
    for row in report.rows:
        assert row.seconds > 0 and row.floor > 0, row
        assert math.isclose(row.ratio, row.seconds / row.floor), row
        assert row.peak_bytes > 0, row


def test_every_target_is_reported(report):
    # The goals of the briefs are each measured, whatever their verdict on this machine.
    names = [t.name.split("(")[0].split(":")[0] for t in report.targets]
    assert names == ["进程池 vs 串行生成 PDF", "单份文书 vs 裸 WeasyPrint", "年度考核 读取+校验+计算 vs 下限",
                     "年度考核峰值内存", "全部收件 读取 vs pyarrow/calamine 原始读取", "全部收件 入库 vs ADBC 批量装载",
                     "Excel 读取 vs openpyxl", "排名区间", "排名区间额外内存"]
    # The bootstrap of the tiny sample's 60 units takes well under its two seconds.
    assert report.targets[7].met and report.targets[8].measured < 0.1
    assert all(t.measured > 0 for t in report.targets)


def test_the_table_names_every_stage_and_a_verdict_per_target(report):
    text = as_text(report)
    for label in STAGES.values():
        assert label in text
    assert text.count("PASS") + text.count("MISS") == len(report.targets)


def test_a_render_limit_of_zero_skips_rendering(tmp_path):
    # A province run measures the data stages only: its full summary alone would take hours to lay out.
    report = run_benchmark("tiny", seed=7, root=tmp_path, excel_rows=500, render_limit=0, workers=1)
    assert "rendering" not in {r.stage for r in report.rows}
    assert [t.name.split("(")[0].split(":")[0] for t in report.targets] == [
        "年度考核 读取+校验+计算 vs 下限", "年度考核峰值内存", "全部收件 读取 vs pyarrow/calamine 原始读取",
        "全部收件 入库 vs ADBC 批量装载", "Excel 读取 vs openpyxl", "排名区间", "排名区间额外内存"]


def test_the_window_measurement_runs_both_stores_and_leaves_no_version(tmp_path):
    from benchmarks import window

    one, five = window.measure(tmp_path, "tiny", seed=7, repeats=1)
    assert one > 0 and five > 0
    # Five years were stored in one database, one year in the other; every timed version was abandoned.
    from sqlalchemy import func, select

    from tasks.store.engine import get_engine
    from tasks.store.tables import dataset_tables

    def years(folder: str) -> int:
        engine = get_engine(f"sqlite:///{tmp_path / folder / 'bench.db'}")
        with engine.connect() as conn:
            return conn.execute(select(func.count(func.distinct(dataset_tables["superior_scores"].c.year)))).scalar()

    assert (years("window-tiny-7-1y"), years("window-tiny-7-5y")) == (1, 5)
    assert not any((tmp_path / "window-out").rglob("*.csv"))


def test_the_end_to_end_measurement_runs_the_cycle_twice_and_the_rerun_renders_nothing(tmp_path):
    from benchmarks import end_to_end
    from benchmarks.bench import YEAR, sample_inbox

    inbox = sample_inbox("tiny", 7, tmp_path)
    first, again = end_to_end.measure(inbox, tmp_path / "e2e", None, YEAR)
    assert first.pdfs == first.rendered > 2 and first.sample.peak_bytes > 0
    assert (again.pdfs, again.rendered) == (first.pdfs, 0)
    assert again.sample.seconds < first.sample.seconds
    assert any(inbox.iterdir())  # the cached inbox is left as it was; the run took a copy
    names = [t.name.split("(")[0] for t in end_to_end.targets(first, again, "tiny")]
    assert names == ["年度考核端到端", "年度考核端到端峰值内存", "数据未变重新运行 vs 首次运行", "数据未变重新运行生成的 PDF 份数"]
