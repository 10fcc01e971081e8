"""半年点评写实 results: the half-year's outcome computed from the stored data, and the tables its dossiers show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from schemas.datasets import DIMENSIONS, RESPONDENT_GROUPS
from schemas.outputs import INSUFFICIENT_SAMPLE, KEY_MANAGEMENT, KEY_SUPERVISION, RANKING_COLUMNS
from schemas.policy import Policy
from tasks.periods import period_bounds, shift_period
from tasks.cycles.half_year.survey_checks import Screening, interval_notes, screen, screening_notes, with_intervals
from tasks.rules.comments import comment_coverage
from tasks.rules.disclosure import respondents, withhold
from tasks.rules.rectification import rectification_follow_up
from tasks.rules.rectification_clock import NOT_STARTED, follow_up_clock
from tasks.rules.survey import city_medians, designation_notes, dimension_scores, group_scores, half_year_ranking
from tasks.dossiers.common import records  # noqa: F401 — the cycle's dossiers read it here

DESIGNATED = (KEY_MANAGEMENT, KEY_SUPERVISION)
HISTORY_DEPTH = 5
PUBLICITY_COLUMNS = {"unit_id": "单位编码", "unit_name": "单位名称", "category": "单位类别", "rank": "名次",
                     "score": "得分", "satisfaction_rate": "满意率", "designation": "确定结果"}


@dataclass
class HalfYearOutcome:
    """Everything the half-year computes for one period: ranking, profiles, coverage, follow-up and history."""

    period: str
    ranking: pd.DataFrame
    notes: list[str]
    dimensions: pd.DataFrame
    groups: pd.DataFrame
    dimension_medians: pd.Series
    group_medians: pd.Series
    coverage: pd.DataFrame
    follow_up: pd.DataFrame
    history: pd.DataFrame
    screening: Screening | None = None
    group_respondents: pd.DataFrame | None = None  # distinct respondents per unit (rows) and group (columns)
    small_cell_min: int = 5
    bootstrap: dict | None = None  # seed and replicates of the rank intervals
    within_category: bool = False

    @property
    def designated(self) -> pd.DataFrame:
        """The 重点管理单位 then the 重点督查单位, lowest first."""
        rows = self.ranking[self.ranking["designation"].isin(DESIGNATED)]
        return rows.assign(_m=rows["designation"].ne(KEY_MANAGEMENT)).sort_values(
            ["_m", "rank", "unit_id"], ascending=[True, False, True]).drop(columns="_m").reset_index(drop=True)

    def results(self) -> pd.DataFrame:
        """ranking.csv: exactly the published ranking columns."""
        return self.ranking[list(RANKING_COLUMNS)]

    def manifest(self) -> dict:
        """What the manifest records beside the files: the notes, the bootstrap's seed and the screening's counts."""
        summary = self.screening.summary if self.screening else {}
        return {"notes": self.notes, "bootstrap": self.bootstrap,
                "integrity": {"rules": summary.get("rules", []), "flagged_answers": summary.get("flagged_answers", 0),
                              "excluded": self.screening.excluded if self.screening else 0}}


def earlier_periods(period: str, depth: int = HISTORY_DEPTH) -> list[str]:
    """The `depth` half-years before `period`, oldest first."""
    return [shift_period("half-year", period, -steps) for steps in range(depth, 0, -1)]


def stack_history(stored: dict[str, pd.DataFrame | None]) -> pd.DataFrame:
    """Stored rankings of earlier half-years as one frame with a `period` column (empty when none exist)."""
    frames = [frame.assign(period=period) for period, frame in stored.items() if frame is not None]
    columns = ["period", *RANKING_COLUMNS]
    # Rankings published before a column existed (rank intervals) have it empty.
    return pd.concat(frames, ignore_index=True).reindex(columns=columns) if frames else pd.DataFrame(columns=columns)


def half_year_outcome(data: dict[str, pd.DataFrame], period: str, policy: Policy, history: pd.DataFrame,
                      clock_start: date | None = None, as_of: date | None = None) -> HalfYearOutcome:
    """The half-year's ranking and designations, dimension and group profiles, comment coverage and follow-up; the
    previous half-year's plans read on day `as_of` against their deadline, counted from `clock_start` (the day
    its final version was published; None while it has none)."""
    rules = policy.half_year
    units = data["units"]
    screening = screen(data["survey_responses"], period, rules)
    responses = screening.scored
    ranking = with_intervals(half_year_ranking(responses, units, period, rules), responses, period, rules)
    ranking = ranking.merge(units[["unit_id", "leader_name"]].astype({"unit_id": "str"}), on="unit_id", how="left")
    ranked = ranking.loc[ranking["rank"].notna(), "unit_id"]
    dims = dimension_scores(responses, period, rules.grade_points)
    groups = group_scores(responses, period, rules.grade_points)
    previous_period = shift_period("half-year", period, -1)
    previous = history[history["period"].eq(previous_period)]
    notes = designation_notes(ranking, rules) + screening_notes(screening) + interval_notes(ranking, rules)
    return HalfYearOutcome(
        period=period, ranking=ranking, notes=notes, screening=screening,
        group_respondents=group_respondents(responses, period), small_cell_min=rules.small_cell_min,
        bootstrap={"seed": rules.bootstrap_seed, "replicates": rules.bootstrap_replicates},
        dimensions=dims, groups=groups,
        dimension_medians=city_medians(dims, ranked), group_medians=city_medians(groups, ranked),
        coverage=comment_coverage(data["leader_comments"], data["subjects"], *period_bounds("half-year", period)),
        follow_up=follow_up_clock(
            rectification_follow_up(previous, ranking, data["rectification_plans"], previous_period),
            data["rectification_plans"], previous_period, clock_start, as_of or date.today(), policy.publicity),
        history=history, within_category=rules.rank_within_category,
    )


def period_label(period: str) -> str:
    """A half-year as documents write it, such as "2026年上半年"."""
    return f"{period[:4]}年{'上' if period.endswith('1') else '下'}半年"


def key_figures(outcome: HalfYearOutcome) -> dict:
    """The half-year's headline numbers across the city."""
    table = outcome.ranking
    ranked = table[table["rank"].notna()]
    answers, valid = int(table["answers"].sum()), int(table["valid_responses"].sum())
    agreeing = int((table["satisfied"] + table["basically_satisfied"]).sum())
    return {
        "units": len(table), "ranked": len(ranked),
        "insufficient": int(table["designation"].eq(INSUFFICIENT_SAMPLE).sum()),
        "answers": answers, "valid": valid, "abstentions": int(table["abstentions"].sum()),
        "abstention_rate": (answers - valid) / answers if answers else None,
        "satisfaction_rate": agreeing / valid if valid else None,
        "mean_score": float(ranked["score"].mean()) if len(ranked) else None,
        "median_score": float(ranked["score"].median()) if len(ranked) else None,
        "key_management": int(table["designation"].eq(KEY_MANAGEMENT).sum()),
        "key_supervision": int(table["designation"].eq(KEY_SUPERVISION).sum()),
    }


def profile_table(outcome: HalfYearOutcome, unit_id: str, by: str) -> pd.DataFrame:
    """One unit's score per dimension (or respondent group) beside the city median and the difference."""
    profile, medians, labels = ((outcome.dimensions, outcome.dimension_medians, DIMENSIONS) if by == "dimension"
                                else (outcome.groups, outcome.group_medians, RESPONDENT_GROUPS))
    own = profile.reindex(index=[unit_id], columns=list(labels)).iloc[0]
    table = pd.DataFrame({"label": list(labels), "score": own.to_numpy(),
                          "median": medians.reindex(list(labels)).to_numpy()})
    table["difference"] = table["score"] - table["median"]
    if by == "group" and outcome.group_respondents is not None:
        counts = outcome.group_respondents.reindex(index=[unit_id], columns=list(labels)).iloc[0]
        shown = withhold(table[["score", "difference"]], counts.set_axis(table.index), outcome.small_cell_min)
        table = table.astype({"score": object, "difference": object})
        table[["score", "difference"]] = shown
    return table


def group_respondents(responses: pd.DataFrame, period: str) -> pd.DataFrame:
    """Distinct respondents per unit and respondent group of the half-year, for withholding small cells."""
    rows = responses[responses["period"].astype(str).eq(period)]
    answers = pd.DataFrame({"unit_id": rows["unit_id"].astype(str), "group": rows["respondent_group"].astype(str),
                            "respondent_id": rows["respondent_id"].astype(str)})
    return respondents(answers, ["unit_id", "group"]).unstack(fill_value=0)


def dimension_comparison(outcome: HalfYearOutcome) -> pd.DataFrame:
    """Per dimension: the city median and the mean score of each designation list."""
    median, managed, supervised = _profile_series(outcome).values()
    return pd.DataFrame({"label": list(DIMENSIONS), "median": median, "key_management": managed,
                         "key_supervision": supervised})


def _profile_series(outcome: HalfYearOutcome) -> dict[str, list[float | None]]:
    """The city median per dimension, then the mean of each designation list (None when it is empty)."""
    series = {"全市中位数": _values(outcome.dimension_medians)}
    for designation in DESIGNATED:
        ids = outcome.ranking.loc[outcome.ranking["designation"].eq(designation), "unit_id"]
        series[f"{designation}(平均)"] = _values(outcome.dimensions.reindex(ids).mean())
    return series


def designated_profile(outcome: HalfYearOutcome) -> dict[str, list[float | None]]:
    """Mean dimension scores of each non-empty designation list beside the city median, for the profile chart."""
    return {name: values for name, values in _profile_series(outcome).items() if any(v is not None for v in values)}


def _values(series: pd.Series) -> list[float | None]:
    return [None if pd.isna(v) else float(v) for v in series.reindex(list(DIMENSIONS))]


def all_rankings(outcome: HalfYearOutcome) -> pd.DataFrame:
    """The stored rankings of earlier half-years and this one's, with each unit's ranking-pool size."""
    now = outcome.ranking.assign(period=outcome.period)[["period", *RANKING_COLUMNS]]
    both = pd.concat([outcome.history, now], ignore_index=True) if len(outcome.history) else now
    both["rank"] = pd.to_numeric(both["rank"]).astype("Int64")
    ranked = both[both["rank"].notna()]
    keys = [ranked["period"], ranked["category"]] if outcome.within_category else [ranked["period"]]
    return both.assign(ranked_units=ranked.groupby(keys)["unit_id"].transform("size"))


def city_trend(outcome: HalfYearOutcome) -> pd.DataFrame:
    """Per half-year with results (earlier ones and this one): ranked units, mean score, mean of the designated."""
    both = all_rankings(outcome)
    both = both[both["rank"].notna()].assign(
        designated_score=lambda f: f["score"].where(f["designation"].isin(DESIGNATED)))
    trend = both.groupby("period", sort=True).agg(
        ranked=("unit_id", "size"), mean_score=("score", "mean"), designated_mean=("designated_score", "mean"))
    return trend.reset_index()


def unit_history(outcome: HalfYearOutcome, unit_id: str) -> pd.DataFrame:
    """One unit's score, rank and designation in every half-year with results, this one last."""
    both = all_rankings(outcome)
    rows = both[both["unit_id"].eq(unit_id)].sort_values("period")
    rows = rows.assign(label=rows["period"].map(period_label))
    return rows[["period", "label", "score", "satisfaction_rate", "rank", "ranked_units", "designation"]]


def neighbours(outcome: HalfYearOutcome, unit_id: str, reach: int = 3) -> pd.DataFrame:
    """The units ranked within `reach` ranks of the unit in its ranking pool, the unit itself flagged."""
    table = outcome.ranking
    row = table[table["unit_id"].eq(unit_id)].iloc[0]
    pool = table["category"].eq(row["category"]) if outcome.within_category else True
    near = table[pool & table["rank"].between(row["rank"] - reach, row["rank"] + reach)]
    return near.assign(flagged=near["unit_id"].eq(unit_id))


def follow_up_table(outcome: HalfYearOutcome) -> pd.DataFrame:
    """The rectification follow-up with the plan shown as 已报送 / 未报送, and a 重点管理单位's as the clock reads it
    once the previous half-year's final version is out (按时提交, 逾期提交(2个工作日), 逾期未提交, 未到期)."""
    table = outcome.follow_up
    filed = table["plan_filed"].map({True: "已报送", False: "未报送"})
    late = "(" + table["plan_late"].astype("Int64").astype("str") + "个工作日)"
    status = table["plan_status"] + late.where(table["plan_late"].fillna(0).gt(0), "")
    # Without a final version the clock has not started: the plan reads as filed or not.
    return table.assign(plan_filed=status.where(~table["plan_status"].isin(["", NOT_STARTED]), filed))


def publicity(outcome: HalfYearOutcome) -> pd.DataFrame:
    """半年点评结果公示: every unit's rank, score, 满意率 and designation, with Chinese headers."""
    frame = outcome.ranking.assign(score=outcome.ranking["score"].round(2),
                                   satisfaction_rate=outcome.ranking["satisfaction_rate"].round(4))
    return frame[list(PUBLICITY_COLUMNS)].rename(columns=PUBLICITY_COLUMNS)
