"""The `assess` command: sample data, intake, templates and every cycle, for operators."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated

import typer

# A local run starts Prefect's temporary API server; on a busy two-core machine it needs more than
# the default 20 s, and nothing of the run is sent anywhere.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

from tasks.errors import AssessError
from flows.cli_common import DbOption, PolicyOption, db_url as _db_url, fail as _fail
from flows.operator_log import OPERATOR_ERRORS
from flows import cli_data

app = typer.Typer(help="窗口单位创先争优评议考核:样例数据、数据入库与更正、填报模板与各评议周期。",
                  no_args_is_help=True, add_completion=False)


@app.command("sample-data")
def sample_data(
    out: Annotated[Path, typer.Option("--out", help="样例收件箱目录")],
    scale: Annotated[str, typer.Option("--scale", help="city(一个市)或 province(一个省)")] = "city",
    seed: Annotated[int, typer.Option("--seed", help="随机种子;同一种子生成相同数据")] = 2026,
    year: Annotated[int, typer.Option("--year", help="样例数据所属年度")] = 2026,
) -> None:
    """生成一个逼真的样例收件箱(含少量故意出错的行,用于演示隔离)。"""
    from tasks.sample.inbox import write_sample_inbox

    if scale not in ("city", "province"):
        _fail(AssessError(f"--scale 只能是 city 或 province,收到“{scale}”"))
    counts = write_sample_inbox(out, scale=scale, seed=seed, year=year)
    for dataset, rows in counts.items():
        typer.echo(f"{dataset:<22}{rows:>12,} 行")
    typer.echo(f"样例数据已写入 {out}")


@app.command()
def ingest(
    inbox: Annotated[Path, typer.Option("--inbox", help="收件箱目录")],
    db: DbOption = None,
    policy: PolicyOption = None,
    by: Annotated[str | None, typer.Option("--by", help="操作人,记入审计日志;默认取操作系统用户名")] = None,
) -> None:
    """读取、校验并入库收件箱中的文件(文件名含“更正”的为更正文件);逐个文件报告接收与拒收行数。"""
    from schemas.policy import load_policy
    from tasks.store.engine import get_engine
    from tasks.settings import get_settings
    from tasks.inbox.ingest import ingest_inbox

    try:
        # The policy's alias tables and time zone decide how cells are read, as in a run.
        rules = load_policy(policy)
        report = ingest_inbox(inbox, get_engine(_db_url(db)), get_settings().archive_dir, policy=rules, who=by)
    except OPERATOR_ERRORS as exc:
        _fail(exc)
    typer.echo(report.as_text())


@app.command()
def revalidate(db: DbOption = None, policy: PolicyOption = None) -> None:
    """重新校验此前仅因引用的单位或对象尚未登记而拒收的行;报告本次通过并入库的行数。"""
    from schemas.datasets import DATASETS
    from schemas.policy import load_policy
    from tasks.store.engine import get_engine
    from tasks.inbox.revalidation import revalidate as revalidate_rows

    try:
        accepted = revalidate_rows(get_engine(_db_url(db)), load_policy(policy))
    except OPERATOR_ERRORS as exc:
        _fail(exc)
    if not accepted:
        typer.echo("重新校验完成:没有新通过的行(等待引用的行仍留在拒收清单中)。")
    for name, rows in accepted.items():
        typer.echo(f"重新校验完成:{DATASETS[name].label}({name})有 {rows:,} 行通过并入库")


@app.command()
def templates(out: Annotated[Path, typer.Option("--out", help="模板输出目录")]) -> None:
    """为每个数据集生成一份 Excel 填报模板(中文表头、下拉选项、填写说明)。"""
    from tasks.inbox.excel_templates import write_templates

    for path in write_templates(out):
        typer.echo(f"已生成 {path}")


@app.command()
def policy(out: Annotated[Path, typer.Option("--out", help="写出的政策文件(.yaml),如 data/policies/2027年度.yaml")]
           ) -> None:
    """写出内置标准政策(每一项附中文说明),作为修改政策的起点;不覆盖已有文件。"""
    from flows.operator_log import os_problem
    from schemas.policy_file import policy_yaml

    try:
        if out.suffix != ".yaml":
            raise AssessError(f"政策文件须以 .yaml 结尾:{out}")
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("x", encoding="utf-8") as handle:  # an administrator's edited policy is never overwritten
            handle.write(policy_yaml())
    except FileExistsError:
        _fail(AssessError(f"文件已存在,未覆盖:{out}"))
    except AssessError as exc:
        _fail(exc)
    except OSError as exc:
        _fail(AssessError(f"无法写出政策文件“{out}”({os_problem(exc)})"))
    typer.echo(f"已写出内置标准政策:{out}\n修改后放入政策目录,在运行表单中按文件名“{out.stem}”选择,或用 --policy {out} 指定。")


FLOWS = {
    "quarterly": "flows.quarterly_review:quarterly_review",
    "half-year": "flows.half_year_comment:half_year_comment",
    "annual": "flows.annual_assessment:annual_assessment",
    "points": "flows.points_system:points_system",
    "on-site": "flows.on_site_review:on_site_review",
}


def _flow(cycle: str):
    from importlib import import_module

    module, name = FLOWS[cycle].split(":")
    return getattr(import_module(module), name)


@app.command()
def run(
    cycle: Annotated[str, typer.Argument(help="周期:quarterly(季度评议)、half-year(半年点评)、annual(年度考核)、points(积分制管理)或 on-site(现场点评)")],
    period: Annotated[str, typer.Option("--period", help="期次:2026Q3、2026H1、2026(年度考核、积分制管理)或点评编号 2026-R13(现场点评)")],
    inbox: Annotated[Path, typer.Option("--inbox", help="收件箱目录")] = Path("data/inbox"),
    out: Annotated[Path, typer.Option("--out", help="结果输出目录")] = Path("data/out"),
    db: DbOption = None,
    policy: Annotated[Path | None, typer.Option("--policy", help="政策文件(.yaml);默认使用内置标准")] = None,
    reason: Annotated[str, typer.Option("--reason", help="运行原因,记入 manifest.json")] = "手动运行",
    all_units: Annotated[bool, typer.Option("--all-units", help="年度考核:为每个单位生成档案")] = False,
    seed: Annotated[int | None, typer.Option("--seed", help="现场点评:抽样随机种子;默认按点评编号确定")] = None,
) -> None:
    """运行一个评议周期:入库 → 校验 → 存储 → 计算 → 认定 → 生成 PDF → 送达。"""
    from flows.operator_log import quiet_tracebacks
    from tasks.periods import check_period

    if cycle not in FLOWS:
        _fail(AssessError(f"未知的周期“{cycle}”,应为 {'、'.join(FLOWS)} 之一"))
    try:
        check_period(cycle, period)
        _check_policy(policy)
        _check_writable(out)
        with quiet_tracebacks():
            folder = _run_cycle(cycle, period, inbox, out, db, policy, reason, all_units, seed)
    except OPERATOR_ERRORS as exc:
        _fail(exc)
    typer.echo(f"已完成:结果在 {folder}")


def _check_policy(policy: Path | None) -> None:
    """Load the policy before the run starts, so that its problem is the one line the operator reads."""
    from schemas.policy import load_policy

    if policy is None:
        return
    load_policy(policy)


def _check_writable(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".assess-write-check-{os.getpid()}"
        probe.touch()
        probe.unlink()
    except OSError as exc:
        from flows.operator_log import os_problem

        raise AssessError(f"结果输出目录“{out}”无法写入({os_problem(exc)}):请检查目录权限或用 --out 指定其他目录") from exc


def _run_cycle(cycle: str, period: str, inbox: Path, out: Path, db: str | None, policy: Path | None,
               reason: str, all_units: bool = False, seed: int | None = None) -> Path:
    params = {"period": period, "inbox": str(inbox), "out": str(out), "reason": reason,
              "policy": _use_settings(db, policy)}
    flow = _flow(cycle)
    # A cycle's own options go only to the flow that takes them (all_units: annual; seed: on-site).
    options = {"all_units": all_units, "seed": "" if seed is None else str(seed)}
    params |= {name: value for name, value in options.items() if name in flow.parameters.properties}
    return flow(**params)


def _use_settings(db: str | None, policy: Path | None) -> str:
    """Make --db and --policy FILE this process's deployment settings; the policy's name for the flow."""
    from schemas.policy import DEFAULT_POLICY
    from tasks.settings import get_settings

    # The flows take the database and the policy folder from the settings, as a deployment does.
    if db:
        os.environ["DATABASE_URL"] = db
    if policy is not None:
        if policy.suffix != ".yaml" or not policy.is_file():
            raise AssessError(f"政策文件须为已存在的 .yaml 文件:{policy}")
        os.environ["ASSESS_POLICY_DIR"] = str(policy.resolve().parent)
    get_settings.cache_clear()
    return policy.stem if policy is not None else DEFAULT_POLICY


@app.command()
def finalise(
    on: Annotated[str, typer.Option("--on", help="核定日期,如 2027-02-01;默认为当天(北京时间)")] = "",
    inbox: Annotated[Path, typer.Option("--inbox", help="收件箱目录")] = Path("data/inbox"),
    out: Annotated[Path, typer.Option("--out", help="结果输出目录")] = Path("data/out"),
    db: DbOption = None,
    policy: Annotated[Path | None, typer.Option("--policy", help="政策文件(.yaml);默认使用内置标准")] = None,
) -> None:
    """公示期满发布正式版:公示期已满且复核申请均已决定的公示稿重新计算后发布为正式版并送达;其余说明暂缓原因。"""
    from flows.finalise import finalise_publications
    from flows.operator_log import quiet_tracebacks

    try:
        _check_policy(policy)
        with quiet_tracebacks():
            folders = finalise_publications(on=on, policy=_use_settings(db, policy), inbox=str(inbox), out=str(out))
    except OPERATOR_ERRORS as exc:
        _fail(exc)
    for folder in folders:
        typer.echo(f"已发布正式版:{folder}")
    if not folders:
        typer.echo("本次没有发布正式版:暂缓的原因见上方日志与管理界面的“暂缓发布正式版”")


DEMO_RUNS = (("half-year", "H1"), ("half-year", "H2"), ("quarterly", "Q4"), ("annual", ""), ("points", ""))
DEMO_REVIEW = "-R13"  # the sample's review of the last region (seed 004's team 13), for the year itself


@app.command()
def demo(
    folder: Annotated[Path, typer.Option("--folder", help="演示目录:收件箱、数据库与结果都放在这里")] = Path("data/demo"),
    year: Annotated[int, typer.Option("--year", help="演示的考核年度(同时生成上一年度数据)")] = 2026,
    seed: Annotated[int, typer.Option("--seed", help="随机种子")] = 2026,
) -> None:
    """用一个市规模的样例数据演示各个周期(上一年度与本年度),并给出 PDF 所在位置。"""
    from tasks.sample.inbox import write_sample_inbox

    started = time.monotonic()
    inbox, out = folder / "inbox", folder / "out"
    db = f"sqlite:///{(folder / 'assess.db').resolve()}"
    typer.echo(f"生成样例数据({year - 1}—{year} 年)到 {inbox} ……")
    write_sample_inbox(inbox, scale="city", seed=seed, year=year, years=2)
    runs = [(cycle, f"{y}{part}") for y in (year - 1, year) for cycle, part in DEMO_RUNS]
    publicity = ("half-year", f"{year}H1")  # published as 公示稿 on the sample's day, then made final
    for cycle, period in [*runs, ("on-site", f"{year}{DEMO_REVIEW}")]:
        if (cycle, period) == publicity:
            draft, final = _demo_publicity(inbox, out, db, period)
            continue
        typer.echo(f"运行 {cycle} {period} ……")
        try:
            _run_cycle(cycle, period, inbox, out, db, None, "演示运行")
        except OPERATOR_ERRORS as exc:
            _fail(exc)
    minutes, seconds = divmod(round(time.monotonic() - started), 60)
    typer.echo(f"\n演示完成,用时 {minutes} 分 {seconds} 秒(自生成样例数据起)。PDF 与 CSV 结果位于:")
    for cycle, period in [*runs[len(DEMO_RUNS):], ("on-site", f"{year}{DEMO_REVIEW}")]:
        typer.echo(f"  {out.resolve() / cycle / period / 'latest'}")
    typer.echo(f"{publicity[1]} 公示稿:{draft.resolve()}\n{publicity[1]} 正式版:{final.resolve()}")


def _demo_publicity(inbox: Path, out: Path, db: str, period: str) -> tuple[Path, Path]:
    """The half-year `period` published as 公示稿 on the day the sample's appeals assume, then made final by the
    finalising flow on the working day after the sample's last decision; the two version folders."""
    from flows.finalise import finalise_publications
    from tasks.periods import pinned_day
    from tasks.rules.working_days import add_working_days
    from tasks.sample.appeals import sample_publication, sample_window

    published, closed = sample_publication(period), add_working_days(sample_window(period)[1], 6)
    typer.echo(f"运行 half-year {period}(公示稿,假定于{published:%Y-%m-%d}发布)……")
    try:
        with pinned_day(published):
            draft = Path(_run_cycle("half-year", period, inbox, out, db, None, "演示运行:公示稿"))
        typer.echo(f"公示期满发布正式版(核定日期 {closed:%Y-%m-%d})……")
        with pinned_day(closed):
            finals = finalise_publications(on=closed.isoformat(), policy=_use_settings(db, None), inbox=str(inbox),
                                           out=str(out))
    except OPERATOR_ERRORS as exc:
        _fail(exc)
    final = next((Path(f) for f in finals if Path(f).parent == draft.parent), None)
    if final is None:
        _fail(AssessError(f"{period} 未能发布正式版:原因见上方日志"))
    return draft, final


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="监听地址;非本机地址须设置 PREFECT_SERVER_API_AUTH_STRING")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="端口")] = 4200,
) -> None:
    """启动本地 Prefect 服务(含管理界面)、创建工作池、注册各周期的部署并启动 worker;Ctrl-C 全部停止。"""
    from flows import serve as service

    try:
        env = service.service_environment(host, port)
    except AssessError as exc:
        _fail(exc)
    server = service.start_server(env, host, port)
    worker = None
    try:
        service.wait_until_healthy(env["PREFECT_API_URL"])
        service.register_deployments(env)
        worker = service.start_worker(env)
        typer.echo(f"管理界面已启动:http://{host}:{port}  (按 Ctrl-C 停止服务)")
        server.wait()
    except KeyboardInterrupt:
        typer.echo("正在停止服务……")
    finally:
        service.stop(*[p for p in (worker, server) if p is not None])


@app.command()
def schedule(
    api: Annotated[str | None, typer.Option("--api", help="Prefect API 地址;默认取 PREFECT_API_URL 或 http://127.0.0.1:4200/api")] = None,
) -> None:
    """列出各周期即将自动运行的时间(北京时间)、期次与原因。"""
    import httpx

    from flows import serve as service

    url = api or os.environ.get("PREFECT_API_URL") or "http://127.0.0.1:4200/api"
    try:
        typer.echo(service.schedule_text(service.upcoming_runs(url)))
    except httpx.HTTPError as exc:
        _fail(AssessError(f"无法连接 Prefect 服务 {url}:{exc};请先运行 assess serve"))


@app.command()
def bench(
    scale: Annotated[str, typer.Option("--scale", help="tiny、city(一个市)或 province(一个省)")] = "city",
    seed: Annotated[int, typer.Option("--seed", help="样例数据的随机种子")] = 2026,
    db: Annotated[str | None, typer.Option("--db", help="空的数据库地址;默认新建 SQLite 文件")] = None,
    render_limit: Annotated[int | None, typer.Option("--render-limit", help="只生成前若干份文书(默认全部单位;0:不测生成)")] = None,
    window: Annotated[bool, typer.Option("--window", help="只测期次窗口:库存5年与1年时年度考核运行耗时之比")] = False,
    end_to_end: Annotated[bool, typer.Option("--end-to-end", help="只测端到端:全新收件箱的年度考核运行一次,数据未变再运行一次")] = False,
) -> None:
    """性能基准:逐周期逐阶段的耗时与峰值内存,与各阶段的最低开销对比,并判定目标是否达成。"""
    from benchmarks.bench import DATA_ROOT, as_text, run_benchmark

    if scale not in ("tiny", "city", "province"):
        _fail(AssessError(f"--scale 只能是 tiny、city 或 province,收到“{scale}”"))
    if window:
        from benchmarks.window import targets

        for target in targets(DATA_ROOT, scale, seed):
            verdict = "达成" if target.met else "未达成"
            typer.echo(f"{target.name}:{target.measured:.2f}{target.unit}(目标 ≤ {target.wanted}{target.unit}),{verdict}")
        return
    if end_to_end:
        from benchmarks import end_to_end as e2e
        from benchmarks.bench import YEAR, sample_inbox

        folder = DATA_ROOT / f"{scale}-{seed}" / "end-to-end"
        first, again = e2e.measure(sample_inbox(scale, seed), folder, db, YEAR)
        for target in e2e.targets(first, again, scale):
            verdict = "PASS 达标" if target.met else "MISS 未达标"
            typer.echo(f"{verdict}  {target.name}:{target.measured:.2f}{target.unit}(目标 ≤ {target.wanted:g}{target.unit})")
        typer.echo(f"运行日志:{folder}")
        return
    typer.echo(as_text(run_benchmark(scale, seed, db, render_limit=render_limit)))


for _name in ("withdraw", "restore", "history", "reproduce"):
    app.command(_name)(getattr(cli_data, _name))


if __name__ == "__main__":
    app()
