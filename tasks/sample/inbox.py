"""A realistic sample inbox of the city (or province): every dataset, as providers deliver it, with a few bad rows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from schemas.datasets import DATASETS, PLATFORMS
from tasks.sample import campaign
from tasks.sample import records
from tasks.sample.activity import sample_commitment_status, sample_commitments
from tasks.sample.appeals import write_appeals
from tasks.sample.stuffing import STRAIGHT_LINED_UNITS, stuffed_answers
from tasks.sample.files import CsvStream, bad_row_count, spoil, write_csv, write_xlsx
from tasks.sample.names import HOME_CITY
from tasks.sample.points import write_points_and_on_site
from tasks.sample.registry import SCALES, Scale, rng_for, sample_subjects, sample_units, unit_quality
from tasks.sample.streams import PLATFORM_FILE_LABELS, case_chunks, survey_chunks

SURVEY_POINTS = {"满意": 100.0, "基本满意": 60.0, "不满意": 0.0}
WORST_UNITS = 10
MIN_VALID = 30


def write_sample_inbox(out: Path, scale: str = "city", seed: int = 2026, year: int = 2026,
                       years: int = 1) -> dict[str, int]:
    """Write the inbox of `years` years ending in `year`; rows written per file name."""
    config = SCALES[scale]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    spare = max(4, bad_row_count(config.cities * config.units_per_city))
    units = sample_units(config, seed, spare)
    subjects = sample_subjects(units, seed, spare)
    counts = _write_registries(out, units, subjects, seed, config)
    for each in range(year - years + 1, year + 1):
        counts |= _write_year(out, units, subjects, config, seed, each)
    return counts | write_points_and_on_site(out, units, config, seed, year, years)


def _write_registries(out: Path, units: pd.DataFrame, subjects: pd.DataFrame, seed: int,
                      config: Scale) -> dict[str, int]:
    area = HOME_CITY if config.cities == 1 else "全省"
    # Registries do not depend on the year, so a redelivered roster repeats byte for byte.
    roster = spoil(units, DATASETS["units"], rng_for(seed, "spoil", "units"), 2026, units["spare"].to_numpy())
    people = spoil(subjects, DATASETS["subjects"], rng_for(seed, "spoil", "subjects"), 2026,
                   subjects["spare"].to_numpy())
    return {
        "units_名册.xlsx": write_xlsx(out / "units_名册.xlsx", roster, DATASETS["units"], f"{area}窗口单位名册"),
        "subjects_点评对象名册.csv": write_csv(out / "subjects_点评对象名册.csv", people, DATASETS["subjects"],
                                          "gb18030", chinese=True),
    }


def _spoiled(frame: pd.DataFrame, name: str, seed: int, year: int, *stream: object) -> pd.DataFrame:
    return spoil(frame, DATASETS[name], rng_for(seed, "spoil", name, year, *stream), year)


def _write_year(out: Path, units: pd.DataFrame, subjects: pd.DataFrame, config: Scale, seed: int,
                year: int) -> dict[str, int]:
    quality = unit_quality(units, seed, year)
    real = units[~units["spare"]]
    commitments = sample_commitments(units, subjects, config, seed, year)
    status = sample_commitment_status(commitments, quality, seed, year)
    counts = {f"commitments_{year}_公开承诺.csv": write_csv(
        out / f"commitments_{year}_公开承诺.csv", _spoiled(commitments, "commitments", seed, year),
        DATASETS["commitments"], "utf-8-sig", chinese=True, date_style="slash")}
    for quarter, part in status.groupby("period", sort=True):
        name = f"commitment_status_{quarter}_季度评议.csv"
        counts[name] = write_csv(out / name, _spoiled(part, "commitment_status", seed, year, quarter),
                                 DATASETS["commitment_status"], "gb18030", chinese=True, date_style="chinese")
    for half in (1, 2):
        counts |= _write_half_year(out, units, subjects, quality, config, seed, f"{year}H{half}")
    counts |= _write_cases(out, units, quality, config, seed, year)
    small = {
        "superior_scores": (records.sample_superior_scores(real, quality, seed, year), f"{year}年度上级对口部门评价得分汇总表"),
        "vetoes": (records.sample_vetoes(real, seed, year), f"{year}年度一票否决事项登记表"),
        "bonuses": (records.sample_bonuses(real, quality, seed, year), f"{year}年度加分事项申报审定表"),
        "targets": (campaign.sample_targets(subjects, seed, year), f"{year}年度创先争优创争目标备案表"),
    }
    for name, (frame, title) in small.items():
        file_name = f"{name}_{year}_{DATASETS[name].label}.xlsx"
        counts[file_name] = write_xlsx(out / file_name, _spoiled(frame, name, seed, year), DATASETS[name], title)
    plain = {
        "deductions": (records.sample_deductions(real, quality, seed, year), "slash"),
        "exposures": (records.sample_exposures(real, quality, seed, year), "chinese"),
        "complaints": (records.sample_complaints(real, seed, year), "iso"),
    }
    for name, (frame, style) in plain.items():
        file_name = f"{name}_{year}_{DATASETS[name].label}.csv"
        counts[file_name] = write_csv(out / file_name, _spoiled(frame, name, seed, year), DATASETS[name],
                                      "gb18030", chinese=True, date_style=style)
    return counts


def _write_half_year(out: Path, units: pd.DataFrame, subjects: pd.DataFrame, quality: pd.Series,
                     config: Scale, seed: int, period: str) -> dict[str, int]:
    year = int(period[:4])
    chunks = -(-int((~units["spare"]).sum()) // config.chunk_units)
    streams = {batch: CsvStream(out / f"survey_responses_{period}_{batch}.csv", DATASETS["survey_responses"])
               for batch in ("第一批", "第二批")[: min(2, chunks)]}
    tallies = []
    for number, chunk in enumerate(survey_chunks(units, quality, config, seed, period)):
        tallies.append(_survey_tally(chunk))
        batch = "第一批" if number < max(1, chunks // 2) else "第二批"
        streams[batch].write(_spoiled(chunk, "survey_responses", seed, year, period, number))
    counts = {stream.path.name: stream.close() for stream in streams.values()}
    tally = pd.concat(tallies)
    worst = _worst_units(tally)
    if len(worst) and len(tally) > STRAIGHT_LINED_UNITS:
        stuffed = stuffed_answers(pd.Series(tally.index.astype(str)), worst.iloc[0], period)
        third = f"survey_responses_{period}_第三批.csv"
        stuffed = _spoiled(stuffed, "survey_responses", seed, year, period, "第三批")
        counts[third] = write_csv(out / third, stuffed, DATASETS["survey_responses"], "utf-8-sig", chinese=False)
    plans = campaign.sample_rectification_plans(worst, seed, period)
    comments = campaign.sample_leader_comments(subjects, seed, period)
    plans_name = f"rectification_plans_{period}_整改方案.xlsx"
    counts[plans_name] = write_xlsx(out / plans_name, _spoiled(plans, "rectification_plans", seed, year, period),
                                    DATASETS["rectification_plans"], f"{period[:4]}年{'上' if period[-1] == '1' else '下'}半年重点管理单位整改方案汇总表")
    comments_name = f"leader_comments_{period}_领导点评.csv"
    counts[comments_name] = write_csv(out / comments_name, _spoiled(comments, "leader_comments", seed, year, period),
                                      DATASETS["leader_comments"], "utf-8-sig", chinese=True)
    return counts | write_appeals(out, worst, seed, period)


def _survey_tally(chunk: pd.DataFrame) -> pd.DataFrame:
    points = chunk["grade"].astype(str).map(SURVEY_POINTS)
    return points.groupby(chunk["unit_id"]).agg(["sum", "count"])


def _worst_units(tally: pd.DataFrame) -> pd.Series:
    """The units at the bottom of the half-year's survey, which must answer with a rectification plan."""
    ranked = tally[tally["count"] >= MIN_VALID]
    mean = (ranked["sum"] / ranked["count"]).sort_values(kind="stable")
    return pd.Series(mean.index[:WORST_UNITS])


def _write_cases(out: Path, units: pd.DataFrame, quality: pd.Series, config: Scale, seed: int,
                 year: int) -> dict[str, int]:
    streams = [CsvStream(out / f"platform_cases_{year}_{label}.csv", DATASETS["platform_cases"])
               for label in PLATFORM_FILE_LABELS]
    for number, chunk in enumerate(case_chunks(units, quality, config, seed, year)):
        codes = chunk["platform"].cat.codes.to_numpy()
        for index, stream in enumerate(streams):
            part = chunk[codes == index]
            stream.write(_spoiled(part, "platform_cases", seed, year, number, PLATFORMS[index]))
    return {stream.path.name: stream.close() for stream in streams}
