"""The score waterfall of one unit's 年度考核: every step from the components to the measure, in words and numbers."""

from __future__ import annotations

import pandas as pd

from schemas.policy import Annual
from tasks.dossiers.render import cn_date, num, pct
from tasks.rules import tolerance
from tasks.rules.annual import COMPONENTS

SOURCES = {
    "platform": lambda r: f"年内六大平台受理工单{r['platform_cases']}件,其中服务对象已评价{r['platform_rated_cases']}件,"
                          "按满意100分、基本满意60分、不满意0分取平均",
    "superior": lambda r: f"上级对口部门年度评价{r['superior_evaluations']}份,取平均",
    "service_object": lambda r: f"计入的半年群众满意度测评{r['service_object_periods']}次,上下半年等权取平均",
}


def _missing(value) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


def component_steps(row: dict, half_years: list[dict], policy: Annual) -> list[dict]:
    """One step per component the unit's category weighs: score, effective weight and where it came from."""
    nominal = policy.category_weights[row["category"]]
    steps = []
    for key, label in COMPONENTS.items():
        if not nominal.get(key):
            continue
        score, weight = row[f"{key}_score"], row[f"weight_{key}"]
        how = SOURCES[key](row)
        if key == "service_object":
            how += ":" + ";".join(_half_year_text(h) for h in half_years) if half_years else ""
        if _missing(score):
            steps.append({"what": f"{label}(规定权重{pct(nominal[key], 0)})",
                          "how": how + "。本项无数据,不计入,其权重按比例分配给其余各项", "value": "无数据"})
        else:
            steps.append({"what": f"{label}(规定权重{pct(nominal[key], 0)},折算后{pct(weight)})",
                          "how": how, "value": f"{num(score)} 分"})
    return steps


def _half_year_text(half_year: dict) -> str:
    period = f"{half_year['period'][:4]}年{'上' if half_year['period'].endswith('H1') else '下'}半年"
    if half_year["insufficient"]:
        return f"{period}样本不足,不计入"
    return f"{period}{num(half_year['score'])}分"


def composite_step(row: dict) -> dict:
    """The weighted sum that makes the composite, written out term by term."""
    terms = [f"{pct(row[f'weight_{k}'])} × {num(row[f'{k}_score'])}" for k in COMPONENTS
             if not _missing(row[f"weight_{k}"]) and row[f"weight_{k}"] > 0]
    how = " + ".join(terms) if terms else "没有任何一项有数据,无法计算综合得分"
    if row["missing_components"]:
        how += f"(缺少{row['missing_components']},其余权重按比例折算)"
    return {"what": "综合得分", "how": how, "value": f"{num(row['composite'])} 分"}


def _signed(points: float) -> str:
    """Points with their sign (−6.00, +1.00); none at all as 0.00, not as a signed zero."""
    if points == 0:
        return num(0)
    return f"{'+' if points > 0 else '−'}{num(abs(points))}"


def deduction_steps(row: dict, deductions: list[dict], policy: Annual) -> list[dict]:
    """One step per deduction record of the year, then the capped total."""
    steps = [{"what": f"扣分:{d['source']}({cn_date(d['date'])})", "how": d.get("reason") or "",
              "value": _signed(-d["points"])} for d in deductions]
    capped = row["deductions_raw"] > row["deductions"]
    how = (f"扣分记录{row['deduction_records']}条,合计{num(row['deductions_raw'])}分"
           + (f",超过上限{num(policy.deduction_cap)}分,按上限扣减" if capped else f",上限{num(policy.deduction_cap)}分"))
    return steps + [{"what": "扣分合计", "how": how, "value": _signed(-row["deductions"])}]


def bonus_steps(row: dict, bonuses: list[dict], policy: Annual) -> list[dict]:
    """One step per bonus record of the year (with why it counts less or not at all), then the capped total."""
    steps = []
    for b in bonuses:
        approval = f"经{b['approved_by']}审定({cn_date(b['approved_at'])})" if b["approved"] else ""
        how = ";".join(part for part in (approval, b["note"]) if part)
        counted = b["counted_points"] > 0
        steps.append({"what": f"加分:{b.get('reason') or b['record_id']}", "how": how,
                      "value": _signed(b["counted_points"]) if counted else "不计"})
    capped = row["bonus_raw"] > row["bonus"]
    how = (f"经审定的加分{row['bonus_records']}项,合计{num(row['bonus_raw'])}分"
           + (f",超过上限{num(policy.bonus_cap)}分,核减{num(row['bonus_raw'] - row['bonus'])}分"
              if capped else f",上限{num(policy.bonus_cap)}分"))
    return steps + [{"what": "加分合计", "how": how, "value": _signed(row["bonus"])}]


def growth_figure(growth: float, threshold: float) -> str:
    """The growth as a percentage with as many decimals as it takes to fall on the side of the threshold the rule
    decided (4.96 % is not printed as 5.0 % beside a leader's replacement); "—" when there is none."""
    if _missing(growth):
        return pct(growth)
    under = bool(tolerance.below(growth, threshold))
    digits = next((d for d in range(1, 7) if bool(tolerance.below(round(growth * 100, d) / 100, threshold)) == under),
                  6)
    return pct(growth, digits)


def growth_text(growth: float, threshold: float) -> str:
    """“较上年增长X%,未低于5%” (or 下降, 低于), the figure printed on the side of the threshold the rule decided."""
    under = bool(tolerance.below(growth, threshold))
    verdict = f"低于{pct(threshold, 0)}" if under else f"未低于{pct(threshold, 0)}"
    return f"较上年{'增长' if growth >= 0 else '下降'}{growth_figure(abs(growth), threshold).lstrip('-')},{verdict}"


def verdict_steps(row: dict, category_units: int, policy: Annual) -> list[dict]:
    """Final score, veto, grade, rank, excellence, measure and apology, each with the rule applied."""
    places = int(tolerance.floor(policy.excellence_quota * category_units))
    scope = f"{row['category']}{category_units}个单位中" if policy.rank_within_category else "全市参评单位中"
    growth = "无上年度得分" if _missing(row["growth"]) else growth_text(row["growth"], policy.escalation_growth)
    return [
        {"what": "最终得分", "how": f"综合得分 {num(row['composite'])} − 扣分 {num(row['deductions'])} + 加分 "
                                  f"{num(row['bonus'])},限定在0至100分之间", "value": f"{num(row['final_score'])} 分"},
        {"what": "一票否决", "how": f"否决事项:{row['veto_items']}" if row["veto"] else "年内无一票否决事项",
         "value": "否决" if row["veto"] else "无"},
        {"what": "考核等次", "how": f"满意 ≥ {num(policy.grade_satisfied, 0)}分,基本满意 ≥ "
                                  f"{num(policy.grade_basically_satisfied, 0)}分,其余为不满意;被一票否决的定为不满意",
         "value": row["grade"] or "未评定"},
        {"what": "排名", "how": f"在{scope}按最终得分从高到低排名,被否决单位排在未被否决单位之后",
         "value": "未排名" if _missing(row["rank"]) else f"第{row['rank']}名"},
        {"what": "评优评先", "how": f"{row['category']}先进单位名额为 {pct(policy.excellence_quota, 0)} × "
                                  f"{category_units} 向下取整,即{places}个,须为满意且未被否决",
         "value": "先进单位" if row["excellent"] else "否"},
        {"what": "末位淘汰", "how": f"等次为基本满意及以下且处于倒数{policy.bottom_count}名的,主要负责人及班子诫勉谈话;"
                                  f"连续两年如此且得分增幅低于{pct(policy.escalation_growth, 0)}的,调整主要领导。"
                                  f"上年度{'已' if row['last_met'] else '未'}被列入;{growth}",
         "value": row["measure"] or "无"},
        {"what": "一把手道歉", "how": row.get("apology_grounds") or "年内无有效投诉、电子监察或明察暗访扣分、点名批评或媒体曝光",
         "value": row["apology"] or "无"},
    ]


def waterfall(row: dict, half_years: list[dict], deductions: list[dict], bonuses: list[dict],
              category_units: int, policy: Annual) -> list[dict]:
    """Every step of the unit's result, in the order the rules apply them."""
    return [*component_steps(row, half_years, policy), composite_step(row),
            *deduction_steps(row, deductions, policy), *bonus_steps(row, bonuses, policy),
            *verdict_steps(row, category_units, policy)]


COMPARISON = [
    ("platform_score", "平台评价", "num"), ("superior_score", "上级评价", "num"),
    ("service_object_score", "服务对象评价", "num"), ("composite", "综合得分", "num"),
    ("deductions", "扣分", "num"), ("bonus", "加分", "num"), ("final_score", "最终得分", "num"),
    ("rank", "排名", None), ("grade", "考核等次", None), ("measure", "处理措施", None),
]


def comparison(row: dict, last: dict | None) -> list[dict]:
    """This year's figures beside last year's, item by item."""
    def show(value, fmt):
        return "—" if _missing(value) else num(value) if fmt == "num" else str(value)
    return [{"item": label, "last": show((last or {}).get(key), fmt), "this": show(row.get(key), fmt)}
            for key, label, fmt in COMPARISON]
