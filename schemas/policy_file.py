"""A policy written out as the YAML file an administrator edits: every setting with its value and a Chinese note.

`assess policy --out data/policies/2027年度.yaml` writes the built-in defaults this way, as the file to start from;
`load_policy` reads it back to the same policy.
"""

from __future__ import annotations

import re

import yaml
from pydantic import BaseModel

from schemas.policy import Policy

HEADER = """\
# 评议考核政策文件(UTF-8 编码)。
# 修改数值后放入政策目录(默认 data/policies/),在管理界面的运行表单中按文件名选择,
# 或在命令行用 --policy 本文件.yaml 指定。未写出的项按内置标准;写错的项运行前即提示,并指明是哪一项。
# 比例写作 0 到 1 之间的小数(0.8 即 80%);true 为是,false 为否,null 为不设。
"""

# Every setting of `Policy`, by its dotted path, with what it means to the office (a test checks none is missing).
NOTES = {
    "city": "城市名称,用于文书标题和正文",
    "issuer": "发文机关,印在文书版头和落款",
    "timezone": "时区,决定“今天”、最近结束的期次和各种日期的计算",
    "quarterly": "季度评议写实",
    "quarterly.fulfilment_warning_below": "承诺兑现率低于此值的单位列入预警",
    "quarterly.satisfaction_warning_below": "平台满意率低于此值的单位列入预警",
    "half_year": "半年点评写实",
    "half_year.grade_points": "各测评等次的分值",
    "half_year.group_weights": "四类测评人各自的权重(须列全四类,可为 0);null 为所有有效票等权",
    "half_year.min_valid_responses": "有效票少于此数的单位为“样本不足”,不参与排名",
    "half_year.rank_within_category": "true 为半年点评按单位类别分别排名,false 为全部单位统一排名",
    "half_year.key_management_count": "排名最后的这么多个单位确定为重点管理单位",
    "half_year.key_supervision_count": "紧挨在重点管理单位之上的这么多个单位确定为重点督查单位(默认倒数第 11 至 15 名)",
    "half_year.bootstrap_replicates": "计算排名区间和被确定可能性时的重抽样次数",
    "half_year.bootstrap_seed": "重抽样的随机种子(同一种子结果可重现)",
    "half_year.summary_rows": "汇总报告中每个排名表列出前、后各这么多名(另列全部重点单位),完整排名见 ranking.xlsx",
    "half_year.small_cell_min": "分组人数少于此数时不显示该组得分",
    "half_year.integrity": "测评完整性筛查",
    "half_year.integrity.max_units_per_respondent": "一名测评人测评的单位多于此数时标记为“超量测评”",
    "half_year.integrity.straight_line_min_units": "对至少这么多个单位的所有项目都给同一等次时标记为“一律作答”",
    "half_year.integrity.identical_batch_min": "同一文件中连续这么多份答卷完全相同时标记为“雷同答卷”",
    "half_year.integrity.exclude_flagged": "true 为被标记的测评票不计分(报告写明数量),false 为照常计分",
    "annual": "年度考核",
    "annual.category_weights": "各类单位综合得分的权重(platform 平台评价、superior 上级评价、service_object 服务对象评价),每类合计须为 1",
    "annual.rating_points": "平台评价各等次的分值",
    "annual.deduction_cap": "扣分上限",
    "annual.bonus_cap": "加分上限",
    "annual.bonus_approvers": "加分须经这些单位审定才计入",
    "annual.veto_items": "实行一票否决的事项",
    "annual.grade_satisfied": "最终得分不低于此分为“满意”",
    "annual.grade_basically_satisfied": "最终得分不低于此分为“基本满意”,否则为“不满意”",
    "annual.excellence_quota": "评优评先比例:类别内排名在此比例以内且等次为满意的单位为先进单位",
    "annual.rank_within_category": "true 为年度考核按单位类别分别排名和末位淘汰,false 为全部单位统一排名(评优比例始终按类别计算)",
    "annual.bottom_count": "末位淘汰:等次为基本满意及以下且排名最后这么多名的单位,主要负责人诫勉谈话",
    "annual.escalation_growth": "连续两年末位且最终得分增幅低于此比例的,调整主要领导",
    "annual.summary_rows": "汇总报告中每个类别列出前、后各这么多名(另列受到处理的单位),完整排名见 assessment.xlsx",
    "annual.apology_dossiers": "true 为一把手须道歉的单位也生成单位档案;false 为只为受到处理的单位生成",
    "annual.dismissal_two_year_complaints": "本年和上年有效投诉合计达到此数的责任人予以辞退",
    "publicity": "公示与复核",
    "publicity.publicity_working_days": "公示期的工作日数,自发布次日起算",
    "publicity.appeal_contact": "受理复核申请的单位及联系方式,印在公示名单上",
    "publicity.rectification_working_days": "重点管理单位自正式版发布之日起报送整改方案的工作日时限",
    "publicity.cycles_with_window": "先发布公示稿、公示期满再发布正式版的周期",
    "publicity.extra_holidays": "国务院节假日安排尚未收录年份的节假日(如 2030-01-01),周末无须列出",
    "points": "积分制管理与千分制考核",
    "points.items": "各积分项目每次的标准分值(points)和每人每年的上限(year_cap,null 为不设上限)",
    "points.require_approval": "true 为积分记录须填写审核单位才计分",
    "points.activist_threshold": "积分达到此数可列为入党积极分子人选",
    "points.activist_basis": "total 为按历年累计积分,year 为按本年度积分",
    "points.volunteer_items": "计入志愿服务奖励的积分项目",
    "points.volunteer_tiers": "志愿服务奖励档次:本年度志愿积分达到 min_points 获得 name,按分数从低到高排列",
    "points.scorecard_grades": "千分制考核各等次的分数线,低于“基本称职”为不称职",
    "points.streak_years": "连续这么多年优秀的列为破格录用或提拔人选",
    "on_site": "现场点评",
    "on_site.sample_counts": "各类基层单位的抽样数",
    "on_site.within_region": "true 为只从被点评地区的名册中抽样",
    "on_site.questionnaire_targets": "党员、群众问卷的目标份数,不足时报告中注明",
    "on_site.min_cell_respondents": "回答人数少于此数时不显示该比例",
    "delivery": "文书送达(邮件服务器的账号和密码只从环境变量读取,不写在本文件中)",
    "delivery.recipients": ("收件人:name 姓名,email 邮箱,role 为 leader(领导,接收文书)或 admin(管理员,只接收失败通知),"
                            "documents 接收的文书(summary 汇总报告、publicity 公示名单、units 单位档案),"
                            "regions 只接收这些地区的单位档案(null 为全部)"),
    "delivery.sender": "发件人邮箱",
    "delivery.max_mail_mb": "每封邮件的大小上限(MB),超出部分分封续发",
    "aliases": "别名表:报送数据中的写法 → 标准写法",
    "aliases.platform": "平台名称的别名",
    "aliases.rating": "平台评价等次的别名",
    "aliases.status": "承诺兑现状态的别名",
    "aliases.cycle": "复核申请中周期名称的别名",
}


def setting_paths(model: type[BaseModel] = Policy, prefix: str = "") -> list[str]:
    """The dotted path of every setting of `model` and of the sections inside it, in the order declared."""
    paths = []
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        paths.append(path)
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            paths += setting_paths(field.annotation, f"{path}.")
    return paths


_KEY = re.compile(r"^(?P<indent> *)(?P<key>[A-Za-z_]\w*):(?: |$)")


def policy_yaml(policy: Policy | None = None) -> str:
    """`policy` (the built-in defaults when None) as the YAML file an administrator edits: a Chinese header, then
    every setting with its note as a comment on the line before it."""
    values = (policy or Policy()).model_dump(mode="json")
    text = yaml.safe_dump(values, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000)
    lines, path = [HEADER.rstrip("\n")], []
    for line in text.splitlines():
        match = _KEY.match(line)
        if match:
            depth = len(match["indent"]) // 2
            path = path[:depth] + [match["key"]]
            note = NOTES.get(".".join(path)) if len(path) == depth + 1 else None
            if note:
                if depth == 0:
                    lines.append("")
                lines.append(f"{match['indent']}# {note}")
        lines.append(line)
    return "\n".join(lines) + "\n"
