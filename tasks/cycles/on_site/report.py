"""现场点评 of one review: the sample of 基层单位 to visit, the questionnaire statistics, the team's findings, and
what the report dossier shows in the seed's four parts."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pandas as pd

from schemas.datasets import FINDING_KINDS
from schemas.policy import Policy
from tasks.dossiers.common import records
from tasks.errors import AssessError
from tasks.rules.site_sample import SAMPLE_COLUMNS, STRATA_COLUMNS, Draw, draw_sample
from tasks.rules.site_survey import questionnaire_notes, survey_statistics

CHINESE_PARTS = ("一", "二", "三", "四")


@dataclass
class SiteOutcome:
    """One review: its registration, the drawn sample and the seed it came from, statistics, findings, notes."""

    review: dict  # review_id, team, region, started_on, ended_on
    seed: int
    draw: Draw
    statistics: pd.DataFrame  # site_results.csv
    findings: pd.DataFrame  # kind, title, text, in the order delivered
    questionnaires: dict[str, int]  # respondents per type
    notes: list[str] = field(default_factory=list)


def default_seed(review_id: str) -> int:
    """The seed a review draws with unless one is given: fixed by its id, so a rerun draws the same units."""
    return int.from_bytes(hashlib.sha256(review_id.encode("utf-8")).digest()[:4], "big")


def _review(reviews: pd.DataFrame, review_id: str) -> dict:
    rows = reviews[reviews["review_id"].astype("str") == review_id]
    if rows.empty:
        raise AssessError(f"现场点评登记表中没有点评编号“{review_id}”:请先报送该点评组的现场点评登记(site_reviews)")
    row = rows.iloc[0]
    return {"review_id": review_id, "team": str(row["team"]), "region": str(row["region"]),
            "started_on": pd.Timestamp(row["started_on"]).date(), "ended_on": pd.Timestamp(row["ended_on"]).date()}


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="str") for c in columns})


def site_outcome(data: dict[str, pd.DataFrame], review_id: str, policy: Policy, seed: int | None) -> SiteOutcome:
    """The review's sample drawn from the registry (within its region when the policy says so), its questionnaire
    statistics with small cells withheld, and its findings."""
    review = _review(data["site_reviews"], review_id)
    seed = default_seed(review_id) if seed is None else seed
    rules, notes = policy.on_site, []
    organisations = data.get("organisations", _empty([c for c in SAMPLE_COLUMNS if c != "draw"]))
    region = review["region"] if rules.within_region else None
    draw = draw_sample(organisations, rules.sample_counts, seed, region)
    if draw.sample.empty:
        notes.append(f"基层单位名册中没有{region or '全市'}的单位,未能抽取现场走访样本;请报送基层单位名册后重新运行。")
    else:
        short = draw.strata[draw.strata["drawn"] < draw.strata["quota"]]
        notes += [f"{row.org_type}:{row.note}。" for row in short.itertuples()]
    answers = data.get("site_questionnaires", _empty(["review_id", "respondent_id", "respondent_type", "question",
                                                      "answer"]))
    statistics = survey_statistics(answers, review_id, rules)
    mine = answers[answers["review_id"].astype("str") == review_id]
    people = mine.groupby("respondent_type")["respondent_id"].nunique()
    if mine.empty:
        notes.append("未收到本次点评的问卷,问卷统计从缺。")
    else:
        notes += [f"{note}。" for note in questionnaire_notes(answers, review_id, rules)]
    findings = data.get("site_findings", _empty(["review_id", "kind", "title", "text"]))
    findings = findings[findings["review_id"].astype("str") == review_id]
    if findings.empty:
        notes.append("未收到点评组的点评意见,特色做法、存在问题和工作建议从缺。")
    counts = {kind: int(people.get(kind, 0)) for kind in rules.questionnaire_targets}
    return SiteOutcome(review, seed, draw, statistics, findings[["kind", "title", "text"]].reset_index(drop=True),
                       counts, notes)


def results(outcome: SiteOutcome) -> pd.DataFrame:
    """site_results.csv: the statistics of the review, its id in front."""
    return outcome.statistics.assign(review_id=outcome.review["review_id"])


def sample_list(outcome: SiteOutcome) -> pd.DataFrame:
    """sample.csv: the units to visit in the order drawn, the review and seed in front."""
    return outcome.draw.sample.assign(review_id=outcome.review["review_id"], seed=outcome.seed)


def _findings(outcome: SiteOutcome) -> list[dict]:
    parts = []
    for number, kind in zip(CHINESE_PARTS[1:], FINDING_KINDS):
        rows = outcome.findings[outcome.findings["kind"] == kind]
        parts.append({"anchor": f"part-{number}", "title": f"{number}、{kind}", "kind": kind,
                      "items": records(rows.fillna({"title": ""}))})
    return parts


def summary_context(cover: dict, outcome: SiteOutcome, quality: dict, policy: Policy) -> dict:
    """Everything on_site_summary.html shows: 基本情况, 特色做法, 存在问题, 工作建议, the sample list."""
    drawn, parts = outcome.draw.strata, _findings(outcome)
    toc = [("overview", "一、基本情况"), *((p["anchor"], p["title"]) for p in parts),
           ("sample", "附件 现场走访单位名单"), ("quality", "附录 数据质量")]
    return {
        **cover, "review": outcome.review, "seed": outcome.seed, "notes": outcome.notes,
        "strata": records(drawn[STRATA_COLUMNS]), "sample": records(outcome.draw.sample),
        "visited": int(drawn["drawn"].sum()), "questionnaires": outcome.questionnaires,
        "questionnaire_total": sum(outcome.questionnaires.values()),
        "statistics": records(outcome.statistics), "parts": parts, "toc": toc, "quality": quality,
        "min_cell": policy.on_site.min_cell_respondents,
    }
