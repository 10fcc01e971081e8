"""The pipeline benchmark: every stage of the three cycles against its floor, with targets and profiles.

Run as `python -m benchmarks.bench --scale province` or `assess bench --scale city`.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import sys
from pathlib import Path

import pandas as pd

from benchmarks import dossiers, excel, floors, stages, uncertainty
from benchmarks.measure import Report, StageRow, Target, profile_to
from schemas.datasets import CYCLE_DATASETS, DATASETS
from schemas.outputs import CYCLE_LABELS
from schemas.policy import Policy
from tasks.cycles.registry import SPECS
from tasks.cycles.spec import CycleRun, CycleSpec
from tasks.store.engine import get_engine
from tasks.inbox.reader import read_table
from tasks.inbox.keys import known_key
from tasks.inbox.validation import validate

HERE = Path(__file__).resolve().parent
DATA_ROOT = HERE / "_data"
PROFILES = HERE / "profiles"
YEAR = 2026
STAGES = {"intake": "读取", "validation": "校验", "storage": "入库", "load": "加载", "computation": "计算",
          "rendering": "生成文书"}
GOAL_RATIO, GOAL_PEAK_GB, GOAL_EXCEL, GOAL_POOL, GOAL_DOSSIER = 3.0, 6.0, 4.0, 1.8, 1.15
GOAL_STORAGE, GOAL_INTAKE = 1.3, 2.5  # against an ADBC bulk load, and against a bare pyarrow/calamine read
# The cycles with measured stages: the three that grow with the city. The points systems and an on-site review
# read a few thousand rows and render two documents; they are not measured.
CYCLES = tuple(dossiers.PERIODS)


def sample_inbox(scale: str, seed: int, root: Path = DATA_ROOT) -> Path:
    """The cached sample inbox of `scale` and `seed`, generated on first use."""
    from tasks.sample.inbox import write_sample_inbox

    folder = root / f"{scale}-{seed}"
    if not (folder / "complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        write_sample_inbox(folder / "inbox", scale=scale, seed=seed, year=YEAR)
        (folder / "complete").write_text("ok\n")
    return folder / "inbox"


def _cycle_names(cycle: str) -> list[str]:
    return list(CYCLE_DATASETS[cycle]["required"] + CYCLE_DATASETS[cycle]["optional"])


def _file_rows(report: Report, cycle: str, costs: dict[str, stages.FileStages]) -> None:
    for stage in ("intake", "validation", "storage"):
        parts = [getattr(costs[n], stage) for n in _cycle_names(cycle) if n in costs]
        report.rows.append(StageRow(cycle, stage, sum(p.seconds for p in parts), sum(p.floor for p in parts),
                                    max(p.peak_bytes for p in parts)))


def _cycle_rows(report: Report, spec: CycleSpec, engine, policy: Policy, out: Path):
    """Load and compute one cycle as its flow does; returns what its dossiers are made from."""
    from benchmarks.floors import groupbys
    from benchmarks.measure import measured, timed

    cycle = spec.code
    data, sample, floor = stages.load_cycle(engine, _cycle_names(cycle))
    report.rows.append(StageRow(cycle, "load", sample.seconds, floor, sample.peak_bytes))
    run = dossiers.cycle_run(spec, data, engine.url.render_as_string(hide_password=False), out, policy, YEAR)
    with measured() as sample:
        outcome = stages.compute(spec, run)
    floor = timed(lambda: groupbys(cycle, data))[0]
    report.rows.append(StageRow(cycle, "computation", sample.seconds, floor, sample.peak_bytes))
    return run, outcome


def _render_rows(report: Report, cycle: str, jobs, workers: int, scale: str):
    costs = stages.measure_rendering(jobs, workers)
    report.rows.append(StageRow(cycle, "rendering", costs.pool.seconds, sum(costs.bare) / workers,
                                costs.pool.peak_bytes, note=f"{len(jobs)} 份文书,{workers} 个进程;"
                                                            f"单进程串行 {sum(costs.ours):.1f} 秒"))
    worst, ratio = costs.worst
    ceiling = floors.parallel_ceiling(workers)
    report.targets.append(Target(f"进程池 vs 串行生成 PDF({workers} 核;本机纯计算并行上限 {ceiling:.2f}×)",
                                 sum(costs.ours) / costs.pool.seconds, GOAL_POOL, higher_is_better=True))
    dossier = Target(f"单份文书 vs 裸 WeasyPrint(最差:{costs.jobs[worst].path.name})", ratio, GOAL_DOSSIER)
    if not dossier.met:
        job, keeper = costs.jobs[worst], stages.Keeper()
        try:
            def render():
                return stages.write_pdf(stages.render_html(job.template, job.context), job.path, keeper)

            render()  # fonts and stylesheets loaded first, as in the timed serial pass
            dossier.profile = str(profile_to(PROFILES / f"{scale}-dossier.txt", render))
        finally:
            keeper.close()
    report.targets.append(dossier)


def _annual_target(report: Report, costs: dict[str, stages.FileStages], cycle: CycleRun, scale: str) -> None:
    rows = [r for r in report.rows if r.cycle == "annual" and r.stage in ("intake", "validation", "computation")]
    target = Target("年度考核 读取+校验+计算 vs 下限", sum(r.seconds for r in rows) / sum(r.floor for r in rows),
                    GOAL_RATIO)
    if not target.met:
        name = max(costs, key=lambda n: costs[n].intake.seconds + costs[n].validation.seconds)
        dataset, path = DATASETS[name], costs[name].files[0]
        known = _profile_known()
        profile_to(PROFILES / f"{scale}-annual-intake-validation.txt",
                   lambda: validate(dataset, read_table(path, dataset), known))
        profile_to(PROFILES / f"{scale}-annual-computation.txt", lambda: stages.compute(SPECS["annual"], cycle))
        target.profile = str(PROFILES / f"{scale}-annual-*.txt")
    report.targets.append(target)
    peak = max(r.peak_bytes for r in report.rows if r.cycle == "annual") / 2**30
    report.targets.append(Target("年度考核峰值内存(读取至生成)", peak, GOAL_PEAK_GB, unit=" GB"))


def _file_targets(report: Report, costs: dict[str, stages.FileStages], scale: str, work: Path) -> None:
    """Intake and storage of every inbox file against their floors, with a profile of the biggest file on a MISS."""
    biggest = max(costs, key=lambda n: costs[n].storage.seconds)
    dataset, path = DATASETS[biggest], costs[biggest].files[0]
    for stage, label, goal in (("intake", "全部收件 读取 vs pyarrow/calamine 原始读取", GOAL_INTAKE),
                               ("storage", "全部收件 入库 vs ADBC 批量装载(同结构表)", GOAL_STORAGE)):
        parts = [getattr(c, stage) for c in costs.values()]
        target = Target(label, sum(p.seconds for p in parts) / sum(p.floor for p in parts), goal)
        if not target.met:
            target.profile = str(PROFILES / f"{scale}-{stage}.txt")
            if stage == "intake":
                profile_to(Path(target.profile), lambda: read_table(path, dataset))
            else:
                profile_to(Path(target.profile), lambda: stages.store_again(path, dataset, work))
        report.targets.append(target)


def _profile_known() -> dict[str, pd.Index]:
    # References are left unchecked here: the profile is about reading and rule checking, not lookups.
    return {known_key(d): pd.Index([], dtype="str") for d in DATASETS.values()}


def run_benchmark(scale: str = "city", seed: int = 2026, db_url: str | None = None, root: Path = DATA_ROOT,
                  render_cycle: str = "annual", workers: int | None = None,
                  excel_rows: int = 100_000, render_limit: int | None = None) -> Report:
    """Measure every stage of every cycle at `scale`, with floors, targets and profiles of what misses."""
    inbox = sample_inbox(scale, seed, root)
    work = root / f"{scale}-{seed}" / "run"
    shutil.rmtree(work, ignore_errors=True)
    engine = get_engine(db_url or f"sqlite:///{work / 'bench.db'}")
    policy, workers = Policy(), workers or os.cpu_count() or 1
    report = Report(facts={"scale": scale, "seed": str(seed), "database": engine.dialect.name})
    costs = stages.measure_files(inbox, engine)
    computed = {}
    for cycle in CYCLES:  # the cycles with measured stages
        _file_rows(report, cycle, costs)
        computed[cycle] = _cycle_rows(report, SPECS[cycle], engine, policy, work / "out")
        if cycle not in (render_cycle, "annual"):
            # A flow run holds only its own cycle's data: so does the benchmark, or later peaks would add up.
            del computed[cycle]
            gc.collect()
        print(as_text(report, targets=False), file=sys.stderr, flush=True)  # a long run shows its progress
    if render_limit != 0:
        jobs = dossiers.dossier_jobs(SPECS[render_cycle], *computed[render_cycle])[:render_limit]
        _render_rows(report, render_cycle, jobs, workers, scale)
    _annual_target(report, costs, computed["annual"][0], scale)
    _file_targets(report, costs, scale, work)
    report.targets.append(excel.excel_target(root, excel_rows, PROFILES / f"{scale}-excel.txt", GOAL_EXCEL))
    report.targets += uncertainty.targets(scale)
    engine.dispose()
    return report


def as_text(report: Report, targets: bool = True) -> str:
    """The report as a Chinese table: per cycle and stage the time, floor, ratio and peak memory; then targets."""
    f = report.facts
    lines = [f"规模 {f['scale']}(种子 {f['seed']}),数据库 {f['database']}",
             f"{'周期':<8}{'阶段':<8}{'耗时(秒)':>10}{'下限(秒)':>10}{'倍数':>8}{'峰值内存(MB)':>14}  说明"]
    for r in report.rows:
        lines.append(f"{CYCLE_LABELS[r.cycle]:<8}{STAGES[r.stage]:<8}{r.seconds:>10.2f}{r.floor:>10.2f}"
                     f"{r.ratio:>8.2f}{r.peak_bytes / 2**20:>14,.0f}  {r.note}")
    if not targets:
        return "\n".join(lines)
    lines.append("目标:")
    for t in report.targets:
        verdict = "PASS 达标" if t.met else "MISS 未达标"
        goal = f"≥ {t.wanted:g}" if t.higher_is_better else f"≤ {t.wanted:g}"
        where = f";剖析见 {t.profile}" if t.profile else ""
        lines.append(f"  {verdict}  {t.name}:{t.measured:.2f}{t.unit}(目标 {goal}{t.unit}){where}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Command-line entry: run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description="评议考核流水线性能基准")
    parser.add_argument("--scale", choices=["tiny", "city", "province"], default="city")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--db", default=None, help="空的数据库地址(默认在缓存目录新建 SQLite 文件)")
    parser.add_argument("--render-cycle", choices=list(CYCLES), default="annual")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--render-limit", type=int, default=None, help="只生成前若干份文书(0:不测生成)")
    parser.add_argument("--excel-rows", type=int, default=100_000)
    args = parser.parse_args(argv)
    print(as_text(run_benchmark(args.scale, args.seed, args.db, render_cycle=args.render_cycle,
                                workers=args.workers, excel_rows=args.excel_rows, render_limit=args.render_limit)))


if __name__ == "__main__":
    main()
