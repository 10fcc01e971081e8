"""Contract tests that keep the parts honest: flows deployed, datasets complete, commands documented."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
import yaml

from flows.cli import FLOWS, app
from schemas.datasets import CYCLE_DATASETS, DATASETS

ROOT = Path(__file__).resolve().parent.parent


def _deployments() -> list[dict]:
    return yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))["deployments"]


# Flows that run no cycle of their own: the daily finalising flow reruns the cycles' drafts as 正式.
SERVICE_FLOWS = {"flows/finalise.py:finalise_publications"}


def test_every_flow_is_deployed_once_with_schedule_and_concurrency_limit():
    entrypoints = {d["entrypoint"]: d for d in _deployments()}
    expected = {f"{path.replace('.', '/').split(':')[0]}.py:{path.split(':')[1]}" for path in FLOWS.values()}
    expected |= SERVICE_FLOWS
    assert set(entrypoints) == expected
    for deployment in entrypoints.values():
        assert deployment["concurrency_limit"] == 1
        # One schedule in the city's time zone; an on-site review runs on demand, for the review it names.
        expected = [] if deployment["name"] == "on-site-review" else ["Asia/Shanghai"]
        assert [s["timezone"] for s in deployment["schedules"]] == expected


@pytest.mark.parametrize("cycle", sorted(FLOWS))
def test_every_deployment_entrypoint_imports_a_flow(cycle):
    module, name = FLOWS[cycle].split(":")
    flow = getattr(importlib.import_module(module), name)
    assert flow.name == next(d["name"] for d in _deployments() if d["entrypoint"].endswith(f":{name}"))
    params = flow.parameters.properties
    assert {"period", "inbox", "out", "policy", "reason"} <= set(params) and "db" not in params
    deployment = next(d for d in _deployments() if d["entrypoint"].endswith(f":{name}"))
    for schedule in deployment["schedules"]:
        # A scheduled run has no one to fill in the form: the deployment and its schedule give every required value.
        assert set(flow.parameters.required) <= set(deployment["parameters"]) | set(schedule["parameters"])


def test_every_dataset_has_a_suite_a_template_and_sample_rows(tmp_path):
    from schemas.suites import build_suite
    from tasks.inbox.excel_templates import write_templates
    from tasks.sample.inbox import write_sample_inbox

    templates = {p.name for p in write_templates(tmp_path / "templates")}
    written = write_sample_inbox(tmp_path / "inbox", scale="tiny", seed=1, year=2026)
    from schemas.datasets import dataset_for_file

    sampled = {dataset_for_file(name).name for name in written}
    for name, dataset in DATASETS.items():
        assert build_suite(dataset).expectations, name
        assert f"{name}_模板.xlsx" in templates
        assert name in sampled


def test_cycle_datasets_name_known_datasets():
    for needs in CYCLE_DATASETS.values():
        assert set(needs["required"]) | set(needs["optional"]) <= set(DATASETS)


def test_every_template_is_used_by_code():
    code = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tasks").rglob("*.py"))
    for template in (ROOT / "templates").glob("*.html"):
        if template.name.startswith("_"):
            continue
        assert template.name in code, f"{template.name} is not rendered by any task"


def test_every_cli_command_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in app.registered_commands:
        name = command.name or command.callback.__name__.replace("_", "-")
        assert re.search(rf"assess {re.escape(name)}\b", readme), f"`assess {name}` is not in the README"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash scripts/quickstart.sh test" in readme and "bash scripts/quickstart.sh test" in ci


def _cycle_specs() -> dict[str, object]:
    """Every CycleSpec defined in the cycles' step modules, by cycle code."""
    import pkgutil

    import tasks.cycles
    from tasks.cycles.spec import CycleSpec

    specs = {}
    for package in pkgutil.iter_modules(tasks.cycles.__path__):
        if package.ispkg:
            steps = importlib.import_module(f"tasks.cycles.{package.name}.steps")
            specs.update({v.code: v for v in vars(steps).values() if isinstance(v, CycleSpec)})
    return specs


def test_every_cycle_spec_is_deployed_by_a_flow_that_runs_it():
    # A new cycle is a spec, its rules, templates and tests: it is not done until a deployment runs it.
    deployed = {}
    for deployment in _deployments():
        if deployment["entrypoint"] in SERVICE_FLOWS:
            continue
        path, name = deployment["entrypoint"].split(":")
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        deployed[module.SPEC.code] = getattr(module, name)
    assert deployed.keys() == _cycle_specs().keys()
    assert {code: f"{flow.fn.__module__}:{flow.fn.__name__}" for code, flow in deployed.items()} == FLOWS


def test_the_registry_holds_every_cycle_spec():
    # The benchmarks run every cycle through its spec: none may be missing from the registry.
    from tasks.cycles.registry import SPECS

    assert SPECS == _cycle_specs()


def test_every_template_is_packaged_and_compiles():
    # An installed `assess` renders from the packaged templates: every file must be in the package data.
    import fnmatch
    import tomllib

    from tasks.dossiers.render import environment

    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert "templates" in setuptools["packages"]["find"]["include"]
    patterns = setuptools["package-data"]["templates"]
    for path in (ROOT / "templates").iterdir():
        assert any(fnmatch.fnmatch(path.name, pattern) for pattern in patterns), path.name
        if path.suffix == ".html":
            environment().get_template(path.name)  # a syntax error fails here, naming the template


def test_no_template_numbers_its_own_tables_or_figures():
    # 表N, 附表N and 图N come from CSS counters (base.css): a number written in a caption would skip or repeat.
    for path in (ROOT / "templates").glob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r'caption="(附)?表\d|caption="表" ~|m\.chart\([^,]+, "图\d', text), path.name


def test_every_deployment_has_a_chinese_label_for_the_schedule_listing():
    from flows.serve import DEPLOYMENT_LABELS

    assert set(DEPLOYMENT_LABELS) == {d["name"] for d in _deployments()}
