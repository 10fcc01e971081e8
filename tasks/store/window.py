"""The period window of a cycle (SPEC §6): which stored rows of each dataset belong to a period, and which files
delivered them, so that `rejected/` and the data-quality appendix speak of this period's files only."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, Engine, and_, select, union
from sqlalchemy.sql.elements import ColumnElement

from schemas.datasets import CYCLE_DATASETS
from tasks.store.audit import file_datasets
from tasks.store.engine import connected
from tasks.store.state import DataState, counting
from tasks.store.tables import dataset_tables, ingested_files
from tasks.periods import period_bounds, shift_period, year_of


def _between(column, start, end) -> ColumnElement:
    return and_(column >= start, column < end)


def _days(cycle: str, period: str) -> tuple[date, date]:
    start, end = period_bounds(cycle, period)
    return start.date(), end.date()


def window_conditions(cycle: str, period: str) -> dict[str, ColumnElement | None]:
    """Per dataset the cycle reads, the condition its rows of the period meet; None for a registry (every row)."""
    needs = CYCLE_DATASETS[cycle]
    t = {name: dataset_tables[name].c for name in needs["required"] + needs["optional"]}
    if cycle == "on-site":  # a review reads its own rows, and the whole registry to draw its sample from
        return {"organisations": None, **{name: t[name].review_id == period
                                          for name in ("site_reviews", "site_questionnaires", "site_findings")}}
    year = year_of(period)
    start, end = period_bounds(cycle, period)
    first, after = _days(cycle, period)
    if cycle == "quarterly":
        return {"units": None, "commitments": t["commitments"].year == year,
                "commitment_status": and_(t["commitment_status"].period >= f"{year}Q1",
                                          t["commitment_status"].period <= period),
                "platform_cases": _between(t["platform_cases"].received_at, start, end)}
    if cycle == "half-year":
        return {"units": None, "subjects": None,
                "survey_responses": t["survey_responses"].period == period,
                "leader_comments": _between(t["leader_comments"].date, first, after),
                # A plan answers the designations of the half-year before.
                "rectification_plans": t["rectification_plans"].period.in_([shift_period(cycle, period, -1), period])}
    if cycle == "points":
        # The running total and the 优秀 streak read every stored year up to the period's.
        return {"units": None, "point_events": t["point_events"].date < after,
                "scorecards": t["scorecards"].year <= year}
    halves = [f"{year}H1", f"{year}H2"]
    conditions: dict[str, ColumnElement | None] = {"units": None, "subjects": None}
    for name, columns in t.items():
        if name in conditions:
            continue
        if "year" in columns:
            conditions[name] = columns.year == year
        elif name in ("survey_responses", "rectification_plans"):
            conditions[name] = columns.period.in_(halves)
        elif name == "commitment_status":
            conditions[name] = and_(columns.period >= f"{year}Q1", columns.period <= f"{year}Q4")  # by index
        elif name == "platform_cases":
            conditions[name] = _between(columns.received_at, start, end)
        elif name == "complaints":  # the two-year dismissal rule reads last year's complaints too
            conditions[name] = _between(columns.date, date(year - 1, 1, 1), after)
        else:
            conditions[name] = _between(columns.date, first, after)
    return conditions


def window_files(source: Engine | Connection, cycle: str, period: str, state: DataState | None = None,
                 among: list[int] | None = None) -> list[int]:
    """Ids of the stored files that delivered rows of the period that count (now, or in the data state `state`),
    plus wholly rejected files of the cycle's datasets (no accepted row places them in a period, and hiding them
    would lose their rejections); a withdrawn file is not among them. With `among`, only those of these files: the
    tables of their datasets alone are read.

    Each table's rows of the period are read for their files: at province scale seconds a table. A run learns its
    window once, from the rows it loads (`cycle_data`), and asks here only of the state before it."""
    with connected(source) as conn:
        conditions = window_conditions(cycle, period)
        if among is not None:
            theirs = set(file_datasets(conn, among))
            conditions = {name: condition for name, condition in conditions.items() if name in theirs}
        queries = []
        for name, condition in conditions.items():
            table = dataset_tables[name]
            query = select(table.c._file_id).distinct().where(counting(table, state))
            if among is not None:
                query = query.where(table.c._file_id.in_(among))
            queries.append(query if condition is None else query.where(condition))
        queries.append(_wholly_rejected(cycle, state, among))
        return sorted(conn.execute(union(*queries)).scalars())


def wholly_rejected_files(source: Engine | Connection, cycle: str, state: DataState | None = None) -> list[int]:
    """Ids of the files of the cycle's datasets that count (now, or in `state`) and had no row accepted."""
    with connected(source) as conn:
        return sorted(conn.execute(_wholly_rejected(cycle, state)).scalars())


def _wholly_rejected(cycle: str, state: DataState | None, among: list[int] | None = None):
    f = ingested_files.c
    needs = CYCLE_DATASETS[cycle]
    rejected = select(f.file_id).where(f.dataset.in_(list(needs["required"] + needs["optional"])),
                                       f.rows_accepted == 0)
    if among is not None:
        rejected = rejected.where(f.file_id.in_(among))
    if state is not None and state.as_of:
        return rejected.where(f.file_id.in_(list(state.active_files)))
    return rejected.where(f.withdrawn.is_(False))
