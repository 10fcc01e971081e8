"""The sample inbox: deterministic, complete, readable, realistic in volume and shape, with bad rows in every file."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from schemas.datasets import DATASETS, Dataset, dataset_for_file
from tasks.sample.inbox import write_sample_inbox
from tasks.sample.files import _damage, as_delivered, bad_row_count


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("tiny")
    return out, write_sample_inbox(out, scale="tiny", seed=7, year=2026, years=2)


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("city")
    return out, write_sample_inbox(out, scale="city")


def read_delivery(path: Path) -> pd.DataFrame:
    """A delivered file as text with English column names, whatever its format, encoding and header language."""
    dataset = dataset_for_file(path.name)
    if path.suffix == ".xlsx":
        frame = pd.read_excel(path, header=1, dtype=str)
    else:
        raw = path.read_bytes()
        encoding = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") or _is_utf8(raw) else "gb18030"
        frame = pd.read_csv(path, dtype=str, encoding=encoding, keep_default_na=False, na_values=[""])
    return frame.rename(columns=dataset.header_aliases())


def _is_utf8(raw: bytes) -> bool:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(raw[:200_000], final=False)
    except UnicodeDecodeError:
        return False
    return True


def faulty_rows(frame: pd.DataFrame, dataset: Dataset, known: dict[str, set[str]]) -> pd.Series:
    """Rows that break a rule of the schema: a missing, disallowed, malformed or out-of-range value, a key or reference."""
    bad = frame.duplicated(list(dataset.key), keep=False)
    for column in dataset.columns:
        values = frame[column.name].str.strip()
        present = values.notna() & (values != "")
        if column.required:
            bad |= ~present
        if column.allowed:
            bad |= present & ~values.isin(column.allowed)
        if column.type == "bool":
            bad |= present & ~values.isin(["是", "否"])
        if column.type in ("date", "datetime"):
            parsed = pd.to_datetime(values.str.replace(r"[年月]", "-", regex=True).str.replace("日", "")
                                    .str.replace("/", "-"), errors="coerce", format="mixed")
            bad |= present & parsed.isna()
        if column.max is not None:
            numbers = pd.to_numeric(values, errors="coerce")
            bad |= present & ~numbers.between(column.min, column.max)
        if column.pattern:
            bad |= present & ~values.str.match(column.pattern).fillna(False).astype(bool)
    for reference in dataset.references:
        if reference.dataset in known:
            given = frame[reference.column].notna()  # an optional reference is checked when given
            bad |= given & ~frame[reference.column].isin(known[reference.dataset])
    return bad


def _known_codes(folder: Path) -> dict[str, set[str]]:
    units = read_delivery(folder / "units_名册.xlsx")
    subjects = read_delivery(folder / "subjects_点评对象名册.csv")
    commitments = pd.concat([read_delivery(p) for p in folder.glob("commitments_*.csv")])
    reviews = pd.concat([read_delivery(p) for p in folder.glob("site_reviews_*.xlsx")])
    unit_ids = set(units.loc[~faulty_rows(units, DATASETS["units"], {}), "unit_id"])
    # Subjects name their unit (SPEC §3): a subject is known when its own unit is.
    return {"commitments": set(commitments["commitment_id"]), "units": unit_ids,
            "site_reviews": set(reviews.loc[~faulty_rows(reviews, DATASETS["site_reviews"], {}), "review_id"]),
            "subjects": set(subjects.loc[~faulty_rows(subjects, DATASETS["subjects"], {"units": unit_ids}),
                                         "subject_id"])}


def test_same_seed_gives_the_same_bytes(tiny, tmp_path):
    out, counts = tiny
    again = write_sample_inbox(tmp_path, scale="tiny", seed=7, year=2026, years=2)
    assert again == counts
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(counts)
    assert all((tmp_path / name).read_bytes() == (out / name).read_bytes() for name in counts)


def test_registries_do_not_depend_on_the_year_but_on_the_seed(tiny, tmp_path):
    out, _ = tiny
    write_sample_inbox(tmp_path / "earlier", scale="tiny", seed=7, year=2031)
    write_sample_inbox(tmp_path / "other", scale="tiny", seed=8, year=2026)
    for name in ("units_名册.xlsx", "subjects_点评对象名册.csv"):
        assert (tmp_path / "earlier" / name).read_bytes() == (out / name).read_bytes()
        assert (tmp_path / "other" / name).read_bytes() != (out / name).read_bytes()


def test_every_dataset_is_written_and_every_file_names_its_dataset(tiny):
    out, counts = tiny
    datasets = {dataset_for_file(name).name for name in counts}
    assert datasets == set(DATASETS)
    for name in counts:
        # units and subjects are registries; every other file names its year or period first.
        assert re.match(rf"^{dataset_for_file(name).name}_(名册|点评对象名册|2025|2026)", name), name
    assert {n for n in counts if n.startswith("survey_responses_2026H1")} == {
        "survey_responses_2026H1_第一批.csv", "survey_responses_2026H1_第二批.csv",
        "survey_responses_2026H1_第三批.csv"}  # the third: a stuffed batch and a straight-liner


def test_every_file_reads_back_with_the_rows_reported_and_carries_bad_rows(tiny):
    out, counts = tiny
    known = _known_codes(out)
    for name, rows in counts.items():
        dataset = dataset_for_file(name)
        frame = read_delivery(out / name)
        assert list(frame.columns) == dataset.column_names, name
        assert len(frame) == rows, name
        faults = int(faulty_rows(frame, dataset, known).sum())
        # At least two faults, and not many more than the 0.1 % planted (a duplicate shows twice).
        assert 2 <= faults <= 2 * bad_row_count(rows) + 2, (name, faults)


@pytest.mark.parametrize("dataset, low, high", [
    ("units", 1_150, 1_260),               # about 1,200 window units
    ("subjects", 5_000, 6_500),            # about 5,700 assessed subjects
    ("commitments", 50_000, 60_000),       # about 55,000 commitments a year
    ("survey_responses", 200_000, 260_000),  # 100,000–130,000 answers per half-year
    ("platform_cases", 480_000, 520_000),  # about 500,000 cases a year
    ("vetoes", 3, 10),                     # a handful of vetoes
    ("exposures", 20, 50),                 # a few dozen exposures
])
def test_city_volumes_are_those_of_the_seeds(city, dataset, low, high):
    _, counts = city
    total = sum(rows for name, rows in counts.items() if dataset_for_file(name).name == dataset)
    assert low <= total <= high


def _survey(folder: Path, period: str) -> pd.DataFrame:
    return pd.concat([read_delivery(p) for p in sorted(folder.glob(f"survey_responses_{period}_*.csv"))])


def _valid_answers(survey: pd.DataFrame) -> pd.Series:
    return survey[survey["grade"].isin(["满意", "基本满意", "不满意"])].groupby("unit_id").size()


def test_tiny_scale_ranks_most_units_and_leaves_a_few_without_enough_answers(tiny):
    out, _ = tiny
    valid = _valid_answers(_survey(out, "2026H1")).reindex(sorted(_known_codes(out)["units"]), fill_value=0)
    assert (valid >= 30).sum() >= 50
    assert (valid < 30).sum() == 2


def test_city_survey_has_abstentions_thin_units_and_a_clearly_worse_bottom(city):
    out, _ = city
    survey = _survey(out, "2026H1")
    abstention = (survey["grade"] == "弃权").mean()
    assert 0.02 <= abstention <= 0.04
    valid = _valid_answers(survey).reindex(sorted(_known_codes(out)["units"]), fill_value=0)
    assert (valid < 30).sum() == 5
    points = survey["grade"].map({"满意": 100, "基本满意": 60, "不满意": 0}).groupby(survey["unit_id"]).mean()
    ranked = points[valid.reindex(points.index).fillna(0) >= 30].sort_values()
    assert ranked.iloc[:15].max() < ranked.median() - 10
    assert set(survey["respondent_group"].dropna()) >= {"机关", "中省直部门", "重点项目单位", "社会各界"}


def test_city_platform_cases_are_mostly_on_time_and_a_fifth_unrated(city):
    out, _ = city
    cases = read_delivery(out / "platform_cases_2026_12345热线.csv")
    received = pd.to_datetime(cases["received_at"], errors="coerce")
    due = pd.to_datetime(cases["due_at"], errors="coerce")
    closed = pd.to_datetime(cases["closed_at"], errors="coerce")
    assert 0.17 <= (cases["rating"] == "未评价").mean() <= 0.30
    assert 0.80 <= (closed <= due).mean() <= 0.95
    assert 0.005 <= closed.isna().mean() <= 0.06
    assert (received.dt.dayofweek < 5).mean() >= 0.85
    working_days = np.busday_count(received.dropna().values.astype("datetime64[D]"),
                                   due[received.notna()].values.astype("datetime64[D]"))
    assert set(np.unique(working_days)) <= set(range(3, 16))


def test_city_leader_comment_coverage_is_near_the_seeds(city):
    out, _ = city
    subjects = read_delivery(out / "subjects_点评对象名册.csv")
    comments = read_delivery(out / "leader_comments_2026H1_领导点评.csv")
    commented = subjects["subject_id"].isin(comments["subject_id"])
    coverage = commented.groupby(subjects["subject_type"]).mean()
    expected = {"市县书记": 1.0, "党员领导干部": 0.968, "基层党组织": 0.905, "党员": 0.812}
    for kind, rate in expected.items():
        assert coverage[kind] == pytest.approx(rate, abs=0.01), kind


def test_city_annual_records_hit_every_rule(city):
    out, _ = city
    complaints = read_delivery(out / "complaints_2026_首问责任投诉.csv")
    per_person = complaints[complaints["valid"] == "是"].groupby("person_id").size()
    assert {1, 2, 3, 4} <= set(per_person) and per_person.max() >= 5   # every rung of the ladder
    assert (complaints["valid"] == "否").sum() >= 10                    # some complaints were not upheld
    deductions = read_delivery(out / "deductions_2026_扣分记录.csv")
    points = pd.to_numeric(deductions["points"], errors="coerce")
    assert (points.groupby(deductions["unit_id"]).sum() > 10).sum() >= 2  # some units beyond the cap
    bonuses = read_delivery(out / "bonuses_2026_加分记录.xlsx")
    assert bonuses["approved_by"].isna().sum() >= 3                     # some bonuses never approved
    approved = bonuses[bonuses["approved_by"] == "创先争优活动领导小组"]
    assert (pd.to_numeric(approved["points"]).groupby(approved["unit_id"]).sum() > 3).any()
    targets = read_delivery(out / "targets_2026_创争目标.xlsx")
    assert 0.55 <= (targets["achieved"] == "是").mean() <= 0.72


def test_rectification_plans_come_from_the_worst_units_of_the_half_year(city):
    out, _ = city
    survey = _survey(out, "2026H1")
    valid = _valid_answers(survey)
    points = survey["grade"].map({"满意": 100, "基本满意": 60, "不满意": 0}).groupby(survey["unit_id"]).mean()
    worst = set(points[valid.reindex(points.index).fillna(0) >= 30].nsmallest(12).index)
    plans = read_delivery(out / "rectification_plans_2026H1_整改方案.xlsx")
    filed = set(plans["unit_id"]) & _known_codes(out)["units"]
    assert len(filed) >= 6 and filed <= worst


@pytest.mark.parametrize("rows, expected", [
    (0, 2),        # an empty delivery still gets the minimum of two
    (1_999, 2),    # below 2,500 rows the minimum holds
    (10_000, 10),  # 0.1 % of a large file
])
def test_bad_row_count(rows, expected):
    assert bad_row_count(rows) == expected


VETO = DATASETS["vetoes"]


@pytest.mark.parametrize("kind, row", [
    ("missing", ["FJ1", None, "2026-03-05", "安全生产", "事故"]),      # first required non-key column blanked
    ("unknown_ref", ["FJ1", "U999999", "2026-03-05", "安全生产", "事故"]),  # longer than any roster code
    ("not_allowed", ["FJ1", "U0001", "2026-03-05", "环境保护", "事故"]),  # a veto item outside the list
    ("bad_date", ["FJ1", "U0001", "2026-02-30", "安全生产", "事故"]),     # an impossible calendar date
])
def test_damage_spoils_one_cell_per_kind(kind, row):
    frame = pd.DataFrame([["FJ1", "U0001", pd.Timestamp("2026-03-05"), "安全生产", "事故"]], columns=VETO.column_names)
    _damage(frame, 0, kind, VETO, 2026, np.random.default_rng(0))
    assert as_delivered(frame, VETO).iloc[0].tolist() == row


@pytest.mark.parametrize("style, text", [
    ("iso", "2026-03-05"),         # ISO dates, as systems export them
    ("slash", "2026/3/5"),         # the office clerk's Excel habit
    ("chinese", "2026年3月5日"),     # as typed in a Chinese document
])
def test_as_delivered_writes_dates_in_the_office_style_and_booleans_as_yes_no(style, text):
    complaints = DATASETS["complaints"]
    frame = pd.DataFrame({"complaint_id": ["TS1", "TS2"], "date": [pd.Timestamp("2026-03-05"), "2026-02-30"],
                          "unit_id": ["U0001", "U0002"], "person_id": ["P1", "P2"], "valid": [True, False],
                          "channel": ["来信来访", None], "summary": ["推诿", None]})
    assert as_delivered(frame, complaints, style).fillna("").values.tolist() == [
        ["TS1", text, "U0001", "P1", "是", "来信来访", "推诿"],
        ["TS2", "2026-02-30", "U0002", "P2", "否", "", ""],
    ]


def test_the_sample_survey_holds_a_stuffed_batch_and_a_straight_liner(tmp_path):
    # The integrity screening must have something real to find in the sample (SPEC §8).
    from schemas.policy import Integrity
    from tasks.rules.survey_integrity import IDENTICAL_BATCH, STRAIGHT_LINE, integrity_flags, integrity_summary

    write_sample_inbox(tmp_path, scale="city", seed=2026, year=2026)
    answers = pd.concat([pd.read_csv(path, dtype=str).assign(file=path.name)
                         for path in sorted(tmp_path.glob("survey_responses_2026H1_*.csv"))], ignore_index=True)
    answers = answers[answers["period"].eq("2026H1")]
    summary = integrity_summary(answers, integrity_flags(answers, Integrity()))
    found = {rule["rule"]: rule["respondents"] for rule in summary["rules"]}
    assert found[IDENTICAL_BATCH] >= 12 and found[STRAIGHT_LINE] >= 1
