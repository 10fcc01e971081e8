"""The smaller sample datasets of a year: superior scores, deductions, vetoes, bonuses, exposures, complaints."""

from __future__ import annotations

import numpy as np
import pandas as pd

from schemas.datasets import DEDUCTION_SOURCES, EXPOSURE_KINDS, VETO_ITEMS
from tasks.sample.names import SERVICES, SUPERIOR_EVALUATORS
from tasks.sample.registry import rng_for

LEADERSHIP_GROUP = "创先争优活动领导小组"
DEDUCTION_REASONS = {
    "电子监察": ("电子监察系统黄牌预警:{s}超时办理", "电子监察系统红牌预警:{s}未按时限办结"),
    "明察暗访": ("明察暗访发现工作人员上班时间玩手机", "明察暗访发现窗口工作人员脱岗", "明察暗访发现{s}窗口推诿扯皮"),
    "行政过错": ("{s}审批中存在行政过错,经核查属实", "违反首问负责制,{s}咨询未予答复"),
}
VETO_REASONS = ("发生较大安全生产责任事故", "发生群体性事件,造成恶劣社会影响", "班子成员严重违纪被立案审查",
                "辖区治安问题突出,被上级挂牌督办")
BONUS_REASONS = ("获评省级文明单位", "创新“{s}”服务模式,经验被省级媒体推广", "窗口获评全国青年文明号",
                 "在全省政务服务评比中获第一名")
EXPOSURE_REASONS = ("{s}窗口群众排长队无人疏导", "工作人员对办事群众态度生硬", "{s}要求群众反复提交材料",
                    "工作时间窗口无人值守")
COMPLAINT_CHANNELS = ("首问责任投诉电话", "网上投诉平台", "来信来访", "12345转办")
COMPLAINT_SUMMARIES = ("办理{s}时被要求提供不必要的证明", "咨询{s}时工作人员推诿", "{s}超过承诺时限未办结",
                       "窗口人员服务态度差")


def _phrases(rng: np.random.Generator, templates: tuple[str, ...], n: int) -> np.ndarray:
    chosen = pd.Series(np.array(templates, dtype=object)[rng.integers(0, len(templates), n)], dtype="str")
    services = pd.Series(np.array(SERVICES, dtype=object)[rng.integers(0, len(SERVICES), n)], dtype="str")
    parts = chosen.str.split("{s}", n=1, expand=True).reindex(columns=[0, 1]).fillna("")
    return np.where(chosen.str.contains("{s}", regex=False), parts[0] + services + parts[1], chosen)


def _dates(rng: np.random.Generator, year: int, n: int) -> np.ndarray:
    return np.datetime64(f"{year}-01-01") + rng.integers(0, 365, n).astype("timedelta64[D]")


def _ids(prefix: str, year: int, n: int) -> list[str]:
    return [f"{prefix}{year}{i:05d}" for i in range(1, n + 1)]


def sample_superior_scores(real: pd.DataFrame, quality: pd.Series, seed: int, year: int) -> pd.DataFrame:
    """上级对口部门评价: two to four evaluators score each unit between 70 and 100."""
    rng = rng_for(seed, "superior_scores", year)
    per_unit = rng.integers(2, 5, len(real))
    unit_at = np.repeat(np.arange(len(real)), per_unit)
    first = np.repeat(rng.integers(0, len(SUPERIOR_EVALUATORS), len(real)), per_unit)
    offset = np.arange(len(unit_at)) - np.repeat(np.cumsum(per_unit) - per_unit, per_unit)
    z = quality.reindex(real["unit_id"]).to_numpy()[unit_at]
    return pd.DataFrame({
        "year": year,
        "unit_id": real["unit_id"].to_numpy()[unit_at],
        "evaluator": np.array(SUPERIOR_EVALUATORS, dtype=object)[(first + offset) % len(SUPERIOR_EVALUATORS)],
        "score": np.clip(np.round(88 + 4 * z + rng.normal(0, 3, len(unit_at)), 1), 70, 100),
    })


def sample_deductions(real: pd.DataFrame, quality: pd.Series, seed: int, year: int) -> pd.DataFrame:
    """扣分记录: a few per worse unit, 0.5–5 points each; a handful of units collect more than the cap."""
    rng = rng_for(seed, "deductions", year)
    z = quality.reindex(real["unit_id"]).to_numpy()
    counts = rng.poisson(np.minimum(3.0, 0.08 * np.exp(-0.9 * z)))
    heavy = rng.choice(len(real), max(2, len(real) // 250), replace=False)
    counts[heavy] += 4
    unit_at = np.repeat(np.arange(len(real)), counts)
    source = np.array(DEDUCTION_SOURCES, dtype=object)[rng.choice(3, len(unit_at), p=[0.5, 0.3, 0.2])]
    reasons = np.empty(len(unit_at), dtype=object)
    for name, templates in DEDUCTION_REASONS.items():
        mask = source == name
        reasons[mask] = _phrases(rng, templates, int(mask.sum()))
    return pd.DataFrame({
        "record_id": _ids("KF", year, len(unit_at)),
        "unit_id": real["unit_id"].to_numpy()[unit_at],
        "date": _dates(rng, year, len(unit_at)),
        "source": source,
        "points": rng.integers(1, 11, len(unit_at)) / 2,
        "reason": reasons,
    })


def sample_vetoes(real: pd.DataFrame, seed: int, year: int) -> pd.DataFrame:
    """一票否决记录: a handful of units a year."""
    rng = rng_for(seed, "vetoes", year)
    at = rng.choice(len(real), max(4, len(real) // 200), replace=False)
    return pd.DataFrame({
        "record_id": _ids("FJ", year, len(at)),
        "unit_id": real["unit_id"].to_numpy()[at],
        "date": _dates(rng, year, len(at)),
        "item": np.array(VETO_ITEMS, dtype=object)[rng.integers(0, len(VETO_ITEMS), len(at))],
        "reason": _phrases(rng, VETO_REASONS, len(at)),
    })


def sample_bonuses(real: pd.DataFrame, quality: pd.Series, seed: int, year: int) -> pd.DataFrame:
    """加分记录: mostly approved by the leadership group; some unapproved, some beyond the cap."""
    rng = rng_for(seed, "bonuses", year)
    z = quality.reindex(real["unit_id"]).to_numpy()
    counts = (rng.random(len(real)) < 0.04 * np.exp(0.5 * z)).astype(int)
    generous = np.zeros(len(real), dtype=bool)
    generous[rng.choice(len(real), max(2, len(real) // 400), replace=False)] = True
    counts += 2 * generous
    unit_at = np.repeat(np.arange(len(real)), counts)
    n = len(unit_at)
    # Units with two large approved bonuses exceed the cap, which the annual rule must enforce.
    approved = generous[unit_at] | (rng.random(n) < 0.75)
    return pd.DataFrame({
        "record_id": _ids("JF", year, n),
        "unit_id": real["unit_id"].to_numpy()[unit_at],
        "year": year,
        "points": np.where(generous[unit_at], rng.integers(4, 7, n), rng.integers(1, 7, n)) / 2,
        "reason": _phrases(rng, BONUS_REASONS, n),
        "approved_by": np.where(approved, LEADERSHIP_GROUP, None),
        "approved_at": np.where(approved, _dates(rng, year, n), np.datetime64("NaT")),
    })


def sample_exposures(real: pd.DataFrame, quality: pd.Series, seed: int, year: int) -> pd.DataFrame:
    """点名批评与媒体曝光: a few dozen a year, mostly of worse units."""
    rng = rng_for(seed, "exposures", year)
    weight = np.exp(-1.2 * quality.reindex(real["unit_id"]).to_numpy())
    at = rng.choice(len(real), max(4, len(real) // 40), replace=True, p=weight / weight.sum())
    return pd.DataFrame({
        "record_id": _ids("BG", year, len(at)),
        "unit_id": real["unit_id"].to_numpy()[at],
        "date": _dates(rng, year, len(at)),
        "kind": np.array(EXPOSURE_KINDS, dtype=object)[rng.integers(0, 2, len(at))],
        "reason": _phrases(rng, EXPOSURE_REASONS, len(at)),
    })


def sample_complaints(real: pd.DataFrame, seed: int, year: int) -> pd.DataFrame:
    """首问责任投诉: staff with one to five or more valid complaints a year, repeat offenders every year."""
    staff = rng_for(seed, "complaint-staff")
    pool = max(20, len(real) // 5)
    person_unit = staff.integers(0, len(real), pool)
    person_id = np.array([f"{u}-{k:03d}" for u, k in zip(real["unit_id"].to_numpy()[person_unit],
                                                          staff.integers(1, 200, pool))], dtype=object)
    habitual = staff.random(pool) < 0.03
    rng = rng_for(seed, "complaints", year)
    valid = np.where(rng.random(pool) < 0.5, rng.choice([1, 1, 1, 1, 2, 2, 3, 4, 5, 6], pool), 0)
    valid = np.where(habitual, np.maximum(valid, 3), valid)
    invalid = rng.poisson(0.3, pool)
    person_at = np.r_[np.repeat(np.arange(pool), valid), np.repeat(np.arange(pool), invalid)]
    n = len(person_at)
    complaints = pd.DataFrame({
        "date": _dates(rng, year, n),
        "unit_id": real["unit_id"].to_numpy()[person_unit[person_at]],
        "person_id": person_id[person_at],
        "valid": np.arange(n) < valid.sum(),
        "channel": np.array(COMPLAINT_CHANNELS, dtype=object)[rng.integers(0, 4, n)],
        "summary": _phrases(rng, COMPLAINT_SUMMARIES, n),
    }).sort_values("date", kind="stable", ignore_index=True)
    complaints.insert(0, "complaint_id", _ids("TS", year, n))
    return complaints
