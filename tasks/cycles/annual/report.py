"""年度考核 dossiers: the year's results turned into plain contexts for the summary and publicity templates."""

from __future__ import annotations


import pandas as pd

from schemas.datasets import CATEGORIES
from schemas.policy import Policy
from tasks.cycles.annual.waterfall import growth_figure
from tasks.dossiers.render import pct
from tasks.rules.annual_grading import BASICALLY_SATISFIED, MEASURES, SATISFIED, UNSATISFIED
from tasks.dossiers.common import records  # noqa: F401 — the cycle's dossiers read it here

GRADES = (SATISFIED, BASICALLY_SATISFIED, UNSATISFIED)
UNGRADED = "未评定"
PUBLICITY_COLUMNS = {
    "category": "单位类别", "rank": "排名", "unit_name": "单位名称", "final_score": "考核得分",
    "grade": "考核等次", "honour": "评优", "measure": "处理措施",
}


def in_rank_order(assessment: pd.DataFrame) -> pd.DataFrame:
    """The assessment by category (in policy order), rank, then unit id; unranked units last in each category."""
    order = {c: i for i, c in enumerate(CATEGORIES)}
    keyed = assessment.assign(_category=assessment["category"].map(order), _unranked=assessment["rank"].isna())
    return keyed.sort_values(["_category", "_unranked", "rank", "unit_id"], kind="stable",
                             ignore_index=True).drop(columns=["_category", "_unranked"])


def key_figures(assessment: pd.DataFrame, individuals: pd.DataFrame) -> dict:
    """The year's headline numbers across the city."""
    grade = assessment["grade"].astype("str")
    return {
        "units": len(assessment),
        **{g: int(grade.eq(g).sum()) for g in GRADES},
        UNGRADED: int(grade.isna().sum()),
        "excellent": int(assessment["excellent"].sum()),
        "vetoed": int(assessment["veto"].sum()),
        **{m: int(assessment["measure"].eq(m).sum()) for m in MEASURES},
        "apologies": int(assessment["apology"].notna().sum()),
        "individuals": len(individuals),
        "missing": int(assessment["missing_components"].notna().sum()),
        "mean_score": float(assessment["final_score"].mean()) if assessment["final_score"].notna().any() else None,
    }


def grade_table(assessment: pd.DataFrame) -> pd.DataFrame:
    """Per category (and 合计): units, units of each grade, ungraded units, excellent and vetoed units."""
    grade = assessment["grade"].astype("str").fillna(UNGRADED)
    counts = pd.crosstab(assessment["category"].astype(str), grade).reindex(
        index=list(CATEGORIES), columns=[*GRADES, UNGRADED], fill_value=0)
    counts.insert(0, "units", counts.sum(axis=1))
    extra = assessment.groupby(assessment["category"].astype(str))[["excellent", "veto"]].sum()
    counts[["excellent", "veto"]] = extra.reindex(counts.index, fill_value=0)
    counts.loc["合计"] = counts.sum()
    return counts.astype("int64").rename_axis("category").reset_index()


def region_table(assessment: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Per region of the units (and 合计): units assessed, their mean final score, units of each grade, excellent
    units, units with a measure and vetoed units."""
    region = assessment["unit_id"].map(units.drop_duplicates("unit_id").set_index("unit_id")["region"])
    frame = assessment.assign(region=region.astype("str").fillna("未登记地区"),
                              grade=assessment["grade"].astype("str").fillna(UNGRADED),
                              measured=assessment["measure"].notna())
    counts = pd.crosstab(frame["region"], frame["grade"]).reindex(columns=[*GRADES, UNGRADED], fill_value=0)
    sums = frame.groupby("region")[["excellent", "measured", "veto"]].sum()
    table = pd.concat([frame.groupby("region").size().rename("units"), counts, sums], axis=1).astype("int64")
    table.loc["合计"] = table.sum()
    means = frame.groupby("region")["final_score"].mean()
    table["mean_score"] = means.reindex(table.index)
    table.loc["合计", "mean_score"] = frame["final_score"].mean()
    return table.rename_axis("region").reset_index()


def excellent_units(assessment: pd.DataFrame) -> pd.DataFrame:
    """先进单位 of the year, by category and rank."""
    return in_rank_order(assessment[assessment["excellent"].astype(bool)])


def measure_units(assessment: pd.DataFrame, growth_threshold: float) -> pd.DataFrame:
    """Units with a bottom-elimination measure, by category and rank, with the growth printed as the rule read it."""
    frame = in_rank_order(assessment[assessment["measure"].notna()])
    return frame.assign(growth_shown=frame["growth"].map(lambda g: growth_figure(g, growth_threshold)).astype("str"))


def apology_units(assessment: pd.DataFrame) -> pd.DataFrame:
    """Units whose principal leader apologises, with the grounds in words, public apologies first."""
    frame = assessment[assessment["apology"].notna()].copy()
    frame["grounds"] = apology_grounds_text(frame)
    return frame.sort_values(["apology", "category", "unit_id"], ascending=[False, True, True], ignore_index=True)


def apology_grounds_text(frame: pd.DataFrame) -> pd.Series:
    """The grounds of each unit's apology in words, such as "有效投诉2件;媒体曝光等1次"."""
    parts = pd.DataFrame({
        "complaints": "有效投诉" + frame["apology_complaints"].astype(str) + "件",
        "deductions": "电子监察、明察暗访扣分" + frame["apology_deductions"].astype(str) + "次",
        "exposures": "点名批评、媒体曝光" + frame["apology_exposures"].astype(str) + "次",
    }, index=frame.index)
    present = frame[["apology_complaints", "apology_deductions", "apology_exposures"]].gt(0).to_numpy()
    return parts.where(present).apply(lambda row: ";".join(row.dropna()), axis=1).astype("str")


def individuals_table(individuals: pd.DataFrame, assessment: pd.DataFrame) -> pd.DataFrame:
    """Sanctioned persons by identifier (never by name), with their unit's name."""
    names = assessment[["unit_id", "unit_name"]]
    return individuals.merge(names, on="unit_id", how="left")


def targets_table(attainment: pd.DataFrame) -> pd.DataFrame:
    """Target attainment by level with a 合计 row."""
    total = pd.DataFrame({"level": ["合计"], "declared": [attainment["declared"].sum()],
                          "achieved": [attainment["achieved"].sum()]})
    table = pd.concat([attainment[["level", "declared", "achieved"]], total], ignore_index=True)
    table["rate"] = table["achieved"] / table["declared"].where(table["declared"] > 0)
    return table


def trend_table(assessment: pd.DataFrame) -> pd.DataFrame:
    """Per category (and 合计): units with a score both years, mean final score last year and this year."""
    both = assessment[assessment["final_score"].notna() & assessment["last_final_score"].notna()]
    per = both.groupby(both["category"].astype(str))[["last_final_score", "final_score"]].agg(["size", "mean"])
    table = pd.DataFrame({
        "category": list(CATEGORIES) + ["合计"],
        "units": [*per[("final_score", "size")].reindex(list(CATEGORIES), fill_value=0), len(both)],
        "last": [*per[("last_final_score", "mean")].reindex(list(CATEGORIES)), both["last_final_score"].mean()],
        "this": [*per[("final_score", "mean")].reindex(list(CATEGORIES)), both["final_score"].mean()],
    })
    table["change"] = table["this"] - table["last"]
    return table


def publicity(assessment: pd.DataFrame) -> pd.DataFrame:
    """年度考核结果公示: every unit's score, rank, grade, honour and measure, with Chinese headers."""
    frame = in_rank_order(assessment)
    frame["honour"] = frame["excellent"].map({True: "先进单位", False: None})
    frame["final_score"] = frame["final_score"].round(2)
    return frame[list(PUBLICITY_COLUMNS)].rename(columns=PUBLICITY_COLUMNS)



def grouped_records(frame: pd.DataFrame, units: pd.Series) -> dict[str, list[dict]]:
    """The rows of `frame` as plain dicts, per unit id, for the units asked for."""
    keyed = frame.assign(unit_id=frame["unit_id"].astype(str))
    keyed = keyed[keyed["unit_id"].isin(set(units.astype(str)))]
    return {unit: records(rows) for unit, rows in keyed.groupby("unit_id", sort=False)}


def next_steps(row: dict, policy: Policy) -> list[str]:
    """What the unit must do next, one sentence per finding."""
    steps = []
    if row["measure"] == MEASURES[1]:
        steps.append("连续两年处于末位且得分增幅未达要求,按规定调整主要领导,由组织部门按干部管理权限办理。")
    elif row["measure"] == MEASURES[0]:
        annual = policy.annual
        steps.append(f"主要负责人及领导班子接受市委领导诫勉谈话。下一年度考核仍为基本满意及以下、处于倒数{annual.bottom_count}名"
                     f"且得分增幅低于{pct(annual.escalation_growth, 0)}的,调整主要领导。")
    if row["veto"]:
        steps.append(f"对{row['veto_items']}方面的问题深刻剖析,限期整改到位,整改情况书面报告市委。")
    if row["apology"]:
        steps.append(f"主要负责人按规定{row['apology']}"
                     + (",通过报纸、电视向社会公开致歉。" if row["apology"] == "公开道歉" else ",当面向投诉人致歉。"))
    if row["missing_components"]:
        steps.append(f"本年度缺少{row['missing_components']}数据,请相关数据报送单位核实补报。")
    if row["excellent"]:
        steps.append("被评为年度先进单位,予以通报表扬,继续发挥示范带动作用。")
    if not steps:
        steps.append("巩固年度考核成果,对照服务标准查找不足,持续提升群众满意度。")
    return steps
