"""Every inbox dataset of the assessment: columns, Chinese labels, types, allowed values, keys, references."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from schemas.outputs import CYCLES

ColumnType = Literal["str", "int", "float", "date", "datetime", "bool"]

CATEGORIES = ("政府涉企涉民部门", "党群部门", "中央省驻单位")
LEVELS = ("市级", "县级")
SUBJECT_TYPES = ("市县书记", "党员领导干部", "基层党组织", "党员")
STATUSES = ("已兑现", "推进中", "已调整", "未兑现")
RESPONDENT_GROUPS = ("机关", "中省直部门", "重点项目单位", "社会各界")
DIMENSIONS = ("精神状态", "工作落实", "工作效率", "服务意识", "机关风纪")
SURVEY_GRADES = ("满意", "基本满意", "不满意", "弃权")
PLATFORMS = ("12345政府服务热线", "民生热线", "信访局", "投诉中心", "行政服务中心", "媒体")
RATINGS = ("满意", "基本满意", "不满意", "未评价")
DEDUCTION_SOURCES = ("电子监察", "明察暗访", "行政过错")
VETO_ITEMS = ("社会治安综合治理", "安全生产", "计划生育", "党风廉政建设")
EXPOSURE_KINDS = ("点名批评", "媒体曝光")
COMMENT_KINDS = ("专题", "会议", "随机", "现场")
HONOURS = ("先进基层党组织", "优秀共产党员", "优秀党务工作者")
HONOUR_LEVELS = ("县级", "市级", "省级以上")
APPEAL_ITEMS = ("排名", "测评", "扣分", "加分", "否决", "其他")
APPEAL_DECISIONS = ("维持", "更正")

QUARTER_PATTERN = r"^\d{4}Q[1-4]$"
HALF_YEAR_PATTERN = r"^\d{4}H[12]$"
YEAR_PATTERN = r"^\d{4}$"
ANY_PERIOD_PATTERN = r"^\d{4}(?:Q[1-4]|H[12])?$"  # a period of any cycle; its cycle column says which form
PERIOD_PATTERNS = (QUARTER_PATTERN, HALF_YEAR_PATTERN, ANY_PERIOD_PATTERN)
REVIEW_PATTERN = r"^\d{4}-R\d{1,3}$"  # 现场点评 id: year and team number, 2026-R13
# The form of a period in each cycle (tasks/periods.py), for rows that name their cycle beside the period.
CYCLE_PERIOD_PATTERNS = {"quarterly": QUARTER_PATTERN, "half-year": HALF_YEAR_PATTERN, "annual": YEAR_PATTERN,
                         "points": YEAR_PATTERN, "on-site": REVIEW_PATTERN}
ORG_TYPES = ("村", "社区", "新社会组织", "非公企业", "事业单位")
POINT_ITEMS = ("志愿服务", "助老济困", "清洁家园", "治安联防", "结对帮扶", "矛盾调解", "政策宣讲", "学习教育",
               "为民办实事")
RESPONDENT_TYPES = ("党员", "群众")
FINDING_KINDS = ("特色做法", "存在问题", "工作建议")

# 长期坚持: a commitment that is never due, stored as the last day a date column holds.
ONGOING = datetime(9999, 12, 31)


@dataclass(frozen=True)
class Column:
    """One column of a dataset, as providers fill it in."""

    name: str
    label: str
    type: ColumnType = "str"
    required: bool = True
    allowed: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    pattern: str | None = None
    max_length: int | None = None
    note: str = ""
    # How a cell written with % reads: "points" on a 0–100 score (95% is 95), "fraction" for a rate (95% is 0.95);
    # None refuses it (deduction points written as a percentage mean nothing).
    percent: Literal["points", "fraction"] | None = None
    deadline: bool = False  # a 完成时限: 2026年6月底 is that month's last day, 长期坚持 is never due (ONGOING)

    @property
    def is_code(self) -> bool:
        """Whether the column holds a code drawn from a short list (stored as a category)."""
        return self.allowed is not None

    @property
    def is_period(self) -> bool:
        """Whether the column holds a period (2026Q1, 2026H1; a column of any cycle's periods also 2026)."""
        return self.pattern in PERIOD_PATTERNS


@dataclass(frozen=True)
class Reference:
    """A foreign key: values of `column` must exist in `dataset`.`target`."""

    column: str
    dataset: str
    target: str


@dataclass(frozen=True)
class Dataset:
    """One kind of file that providers deliver to the inbox."""

    name: str
    label: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    references: tuple[Reference, ...] = ()
    order_checks: tuple[tuple[str, str], ...] = field(default=())  # (earlier, later) column pairs
    note: str = ""

    @property
    def column_names(self) -> list[str]:
        """The English column names in delivery order."""
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        """Columns a file must carry and a row must fill."""
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        """The column called `name`."""
        return next(c for c in self.columns if c.name == name)

    def header_aliases(self) -> dict[str, str]:
        """Both English names and Chinese labels mapped to the English name."""
        aliases = {c.name: c.name for c in self.columns}
        aliases.update({c.label: c.name for c in self.columns})
        return aliases


@dataclass(frozen=True)
class Question:
    """One question of the 现场点评 questionnaire: its 题目 as filled in, its printed text, answers and rate."""

    name: str
    text: str
    answers: tuple[str, ...]
    favourable: tuple[str, ...]  # the answers the rate counts
    rate: str


# The questionnaire of SPEC §9: each answer belongs to one question, and each question gives one rate.
SITE_QUESTIONS = (
    Question("知晓情况", "您是否知道本地正在开展创先争优活动?", ("知道", "不知道"), ("知道",), "知晓率"),
    Question("参与情况", "您是否参加过本地组织的创先争优活动?", ("参加过", "没参加过"), ("参加过",), "参与率"),
    Question("满意程度", "您对本地开展创先争优活动的成效是否满意?", ("满意", "基本满意", "不满意"),
             ("满意", "基本满意"), "满意率"),
)
SITE_ANSWERS_NOTE = ";".join(f"{q.name}:{'/'.join(q.answers)}" for q in SITE_QUESTIONS)


def _unit_ref(column: str = "unit_id") -> Reference:
    return Reference(column, "units", "unit_id")


def _subject_ref() -> Reference:
    return Reference("subject_id", "subjects", "subject_id")


UNIT_ID = Column("unit_id", "单位编码", max_length=32, note="本市窗口单位统一编码,如 U0001")
YEAR = Column("year", "年度", "int", min=2000, max=2100, note="四位年份,如 2026")
DATE = Column("date", "日期", "date", note="格式 2026-03-05、2026/3/5 或 2026年3月5日")
REASON = Column("reason", "事由", required=False, max_length=2000)
PERSON_ID = Column("person_id", "人员编码", max_length=40, note="本人在本市的统一编码,跨年度保持不变")
REVIEW_ID = Column("review_id", "点评编号", pattern=REVIEW_PATTERN, note="年度-R点评组号,如 2026-R13")

DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset(
            "units", "窗口单位名册",
            (
                Column("unit_id", "单位编码", max_length=32, note="本市窗口单位统一编码,全市唯一"),
                Column("unit_name", "单位名称", max_length=100),
                Column("category", "单位类别", allowed=CATEGORIES, note="决定年度考核的计分构成"),
                Column("region", "所属地区", max_length=50, note="县(市、区)名称,市直单位填“市直”"),
                Column("level", "层级", allowed=LEVELS),
                Column("is_window", "是否窗口单位", "bool", note="是/否"),
                Column("leader_name", "主要负责人", required=False, max_length=50),
            ),
            key=("unit_id",),
        ),
        Dataset(
            "subjects", "点评对象名册",
            (
                Column("subject_id", "对象编码", max_length=32),
                Column("subject_type", "对象类型", allowed=SUBJECT_TYPES),
                Column("unit_id", "单位编码", required=False, max_length=32, note="所属窗口单位,可空"),
                Column("name", "名称", max_length=100),
            ),
            key=("subject_id",),
            references=(_unit_ref(),),
        ),
        Dataset(
            "commitments", "公开承诺",
            (
                Column("commitment_id", "承诺编码", max_length=40),
                YEAR,
                UNIT_ID,
                Column("subject_id", "对象编码", required=False, max_length=32, note="作出承诺的党组织或党员"),
                Column("content", "承诺内容", max_length=2000),
                Column("service_standard", "服务标准", max_length=2000, note="“三个明确”之一,必填"),
                Column("measures", "具体措施", max_length=2000, note="“三个明确”之一,必填"),
                Column("deadline", "完成时限", "date", deadline=True,
                       note="“三个明确”之一,必填;可填日期、“2026年6月底”或“长期坚持”"),
            ),
            key=("commitment_id",),
            references=(_unit_ref(), _subject_ref()),
        ),
        Dataset(
            "commitment_status", "承诺兑现情况",
            (
                Column("commitment_id", "承诺编码", max_length=40),
                Column("period", "期次", pattern=QUARTER_PATTERN, note="季度,如 2026Q1"),
                Column("status", "状态", allowed=STATUSES),
                Column("evidence", "佐证", required=False, max_length=2000),
                Column("reviewed_at", "评议日期", "date", required=False),
            ),
            key=("commitment_id", "period"),
            references=(Reference("commitment_id", "commitments", "commitment_id"),),
        ),
        Dataset(
            "survey_responses", "群众满意度测评",
            (
                Column("period", "期次", pattern=HALF_YEAR_PATTERN, note="半年,如 2026H1"),
                Column("respondent_id", "测评人编码", max_length=40, note="仅用于查重,不出现在任何报告中"),
                Column("respondent_group", "测评人类别", allowed=RESPONDENT_GROUPS),
                UNIT_ID,
                Column("dimension", "测评项目", allowed=DIMENSIONS),
                Column("grade", "测评等次", allowed=SURVEY_GRADES),
            ),
            key=("period", "respondent_id", "unit_id", "dimension"),
            references=(_unit_ref(),),
        ),
        Dataset(
            "platform_cases", "六大平台诉求工单",
            (
                Column("case_id", "工单编号", max_length=40),
                Column("platform", "平台", allowed=PLATFORMS),
                UNIT_ID,
                Column("received_at", "受理时间", "datetime"),
                Column("due_at", "办理时限", "datetime", required=False, note="无办理时限的(如媒体工单)留空"),
                Column("closed_at", "办结时间", "datetime", required=False, note="未办结的留空"),
                Column("rating", "评价", allowed=RATINGS, note="服务对象评价,未评价的填“未评价”"),
            ),
            key=("case_id",),
            references=(_unit_ref(),),
            order_checks=(("received_at", "due_at"), ("received_at", "closed_at")),
        ),
        Dataset(
            "superior_scores", "上级对口部门评价",
            (
                YEAR,
                UNIT_ID,
                Column("evaluator", "评议单位", max_length=100),
                Column("score", "分数", "float", min=0, max=100, percent="points", note="0–100 分,95% 按 95 分计"),
            ),
            key=("year", "unit_id", "evaluator"),
            references=(_unit_ref(),),
        ),
        Dataset(
            "deductions", "扣分记录",
            (
                Column("record_id", "记录编号", max_length=40),
                UNIT_ID,
                DATE,
                Column("source", "来源", allowed=DEDUCTION_SOURCES),
                Column("points", "扣分", "float", min=0, max=100),
                REASON,
            ),
            key=("record_id",),
            references=(_unit_ref(),),
        ),
        Dataset(
            "vetoes", "一票否决记录",
            (
                Column("record_id", "记录编号", max_length=40),
                UNIT_ID,
                DATE,
                Column("item", "否决事项", allowed=VETO_ITEMS),
                REASON,
            ),
            key=("record_id",),
            references=(_unit_ref(),),
        ),
        Dataset(
            "bonuses", "加分记录",
            (
                Column("record_id", "记录编号", max_length=40),
                UNIT_ID,
                YEAR,
                Column("points", "加分", "float", min=0, max=100),
                REASON,
                Column("approved_by", "审定单位", required=False, max_length=100, note="经领导小组审定的填审定单位"),
                Column("approved_at", "审定日期", "date", required=False),
            ),
            key=("record_id",),
            references=(_unit_ref(),),
        ),
        Dataset(
            "exposures", "点名批评与媒体曝光",
            (
                Column("record_id", "记录编号", max_length=40),
                UNIT_ID,
                DATE,
                Column("kind", "类型", allowed=EXPOSURE_KINDS),
                REASON,
            ),
            key=("record_id",),
            references=(_unit_ref(),),
        ),
        Dataset(
            "complaints", "首问责任投诉",
            (
                Column("complaint_id", "投诉编号", max_length=40),
                DATE,
                UNIT_ID,
                Column("person_id", "责任人编码", max_length=40),
                Column("valid", "是否有效", "bool", note="经核查属实的填“是”"),
                Column("channel", "渠道", required=False, max_length=50),
                Column("summary", "摘要", required=False, max_length=2000),
            ),
            key=("complaint_id",),
            references=(_unit_ref(),),
        ),
        Dataset(
            "leader_comments", "领导点评记录",
            (
                Column("comment_id", "点评编号", max_length=40),
                DATE,
                Column("commenter_id", "点评人编码", max_length=40),
                Column("subject_id", "对象编码", max_length=32),
                Column("kind", "点评方式", allowed=COMMENT_KINDS),
            ),
            key=("comment_id",),
            references=(_subject_ref(),),
        ),
        Dataset(
            "rectification_plans", "整改方案",
            (
                UNIT_ID,
                Column("period", "期次", pattern=HALF_YEAR_PATTERN, note="整改所针对的半年,如 2026H1"),
                Column("filed_at", "提交日期", "date"),
                Column("summary", "摘要", required=False, max_length=4000),
            ),
            key=("unit_id", "period"),
            references=(_unit_ref(),),
        ),
        Dataset(
            "targets", "创争目标",
            (
                Column("target_id", "目标编号", max_length=40),
                YEAR,
                Column("subject_id", "对象编码", max_length=32),
                Column("honour", "荣誉", allowed=HONOURS),
                Column("level", "级别", allowed=HONOUR_LEVELS),
                Column("achieved", "是否实现", "bool"),
            ),
            key=("target_id",),
            references=(_subject_ref(),),
        ),
        Dataset(
            "appeals", "复核申请",
            (
                Column("appeal_id", "申请编号", max_length=40),
                Column("cycle", "周期", allowed=CYCLES,
                       note="半年点评写实、年度考核或季度评议写实(也可填 half-year、annual、quarterly)"),
                Column("period", "期次", pattern=ANY_PERIOD_PATTERN,
                       note="与周期相符:半年点评写实填 2026H1 或 2026H2,年度考核填 2026,季度评议写实填 2026Q1 至 2026Q4"),
                UNIT_ID,
                Column("filed_at", "提交日期", "date", note="须在公示期内(含首尾两日)"),
                Column("item", "事项", allowed=APPEAL_ITEMS),
                Column("reason", "理由", max_length=2000),
                Column("contact", "联系人", max_length=100, note="姓名及联系电话"),
            ),
            key=("appeal_id",),
            references=(_unit_ref(),),
            note="公示期内对公示结果有异议的,由单位提交复核申请;公示期外提交的不予受理。",
        ),
        Dataset(
            "appeal_decisions", "复核决定",
            (
                Column("appeal_id", "申请编号", max_length=40),
                Column("decided_at", "决定日期", "date"),
                Column("decision", "决定", allowed=APPEAL_DECISIONS,
                       note="“更正”须另以更正文件或撤回文件落实"),
                Column("decided_by", "决定单位", max_length=100),
                Column("note", "说明", required=False, max_length=2000),
            ),
            key=("appeal_id",),
            references=(Reference("appeal_id", "appeals", "appeal_id"),),
        ),
        Dataset(
            "organisations", "基层单位名册",
            (
                Column("org_id", "基层单位编码", max_length=32, note="全市唯一,如 O000001"),
                Column("name", "名称", max_length=100),
                Column("org_type", "组织类型", allowed=ORG_TYPES, note="现场点评按组织类型分层抽样"),
                Column("region", "所属地区", max_length=50, note="县(市、区)名称,与窗口单位名册的写法一致"),
                Column("township", "所属乡镇(街道)", required=False, max_length=50),
            ),
            key=("org_id",),
            note="现场点评的抽样名册:村、社区、新社会组织、非公企业和事业单位,每个单位一行。",
        ),
        Dataset(
            "point_events", "积分记录",
            (
                Column("event_id", "积分编号", max_length=40),
                PERSON_ID,
                UNIT_ID,
                DATE,
                Column("item", "积分项目", allowed=POINT_ITEMS),
                Column("points", "分值", "float", required=False, min=0, max=100,
                       note="本次应得积分;留空按政策中该项目的标准分值计"),
                Column("evidence", "佐证", required=False, max_length=2000),
                Column("approved_by", "审核单位", required=False, max_length=100,
                       note="经党组织审核的填审核单位;未经审核的积分不计入"),
            ),
            key=("event_id",),
            references=(_unit_ref(),),
        ),
        Dataset(
            "scorecards", "千分制考核",
            (
                YEAR,
                PERSON_ID,
                UNIT_ID,
                Column("item", "考核项目", max_length=100),
                Column("max_points", "满分", "float", min=0, max=1000, note="本项满分;各项满分合计应为 1000 分"),
                Column("points", "得分", "float", min=0, max=1000, note="不超过本项满分"),
            ),
            key=("year", "person_id", "item"),
            references=(_unit_ref(),),
        ),
        Dataset(
            "site_reviews", "现场点评",
            (
                REVIEW_ID,
                Column("team", "点评组", max_length=100, note="如 现场点评第十三组"),
                Column("region", "所属地区", max_length=50, note="被点评的县(市、区),与基层单位名册的写法一致"),
                Column("started_on", "开始日期", "date"),
                Column("ended_on", "结束日期", "date"),
            ),
            key=("review_id",),
            order_checks=(("started_on", "ended_on"),),
        ),
        Dataset(
            "site_questionnaires", "现场点评问卷",
            (
                REVIEW_ID,
                Column("respondent_id", "问卷编号", max_length=40, note="仅用于查重,不出现在任何报告中"),
                Column("respondent_type", "答卷人类别", allowed=RESPONDENT_TYPES),
                Column("question", "题目", allowed=tuple(q.name for q in SITE_QUESTIONS),
                       note="；".join(f"{q.name}:{q.text}" for q in SITE_QUESTIONS)),
                Column("answer", "答案", allowed=tuple(a for q in SITE_QUESTIONS for a in q.answers),
                       note=SITE_ANSWERS_NOTE),
            ),
            key=("review_id", "respondent_id", "question"),
            references=(Reference("review_id", "site_reviews", "review_id"),),
            note=f"每份问卷每个题目一行,答案须是该题目的选项({SITE_ANSWERS_NOTE})。",
        ),
        Dataset(
            "site_findings", "现场点评意见",
            (
                REVIEW_ID,
                Column("finding_id", "意见编号", max_length=40, note="如 2026-R13-T1"),
                Column("kind", "类别", allowed=FINDING_KINDS),
                Column("title", "标题", required=False, max_length=200),
                Column("text", "内容", max_length=4000),
            ),
            key=("finding_id",),
            references=(Reference("review_id", "site_reviews", "review_id"),),
        ),
    )
}

# Registries first: later datasets are checked against the units, subjects, reviews and appeals they name.
INGEST_ORDER: tuple[str, ...] = tuple(DATASETS)
# The datasets of the points and on-site cycles (SPEC §9), which the annual assessment does not read.
POINTS_AND_ON_SITE = ("organisations", "point_events", "scorecards", "site_reviews", "site_questionnaires",
                      "site_findings")

# 公示与复核 (SPEC §7): read by the publicity and final-version steps of the half-year and annual cycles. They
# join a cycle's reading list together with their period-window condition (cycle and period), which they lack.
PUBLICITY_DATASETS = ("appeals", "appeal_decisions")

CYCLE_DATASETS: dict[str, dict[str, tuple[str, ...]]] = {
    "quarterly": {
        "required": ("units", "commitments", "commitment_status"),
        "optional": ("platform_cases",),
    },
    "half-year": {
        "required": ("units", "survey_responses"),
        "optional": ("subjects", "leader_comments", "rectification_plans"),
    },
    "annual": {
        "required": ("units",),
        "optional": tuple(n for n in DATASETS
                          if n != "units" and n not in PUBLICITY_DATASETS and n not in POINTS_AND_ON_SITE),
    },
    # A city may keep 积分制 without 千分制; without point events there is nothing to score.
    "points": {
        "required": ("units", "point_events"),
        "optional": ("scorecards",),
    },
    # Without a registry the flow draws no sample; without answers or findings the report says so.
    "on-site": {
        "required": ("site_reviews",),
        "optional": ("organisations", "site_questionnaires", "site_findings"),
    },
}


def is_correction(file_name: str) -> bool:
    """Whether a delivered file is a correction (更正) file: its name contains 更正 (SPEC §6)."""
    return CORRECTION_MARK in unicodedata.normalize("NFKC", file_name)


CORRECTION_MARK = "更正"
_CORRECTION_PREFIX = re.compile(rf"^{CORRECTION_MARK}[\s_\-.()（）]*")


def dataset_for_file(file_name: str) -> Dataset | None:
    """The dataset a delivered file belongs to: the longest dataset name or Chinese label its name starts with
    (after a leading 更正, which marks a correction file: `更正_测评答卷_2026H1.xlsx`).

    None when the name starts with none, or when a longer dataset name is a near miss of the name's first words
    (`commitments_status…` is meant as commitment_status, not commitments): a guess would misfile the rows.
    """
    stem = _CORRECTION_PREFIX.sub("", unicodedata.normalize("NFKC", file_name).strip().lower())
    by_label = [d for d in DATASETS.values() if stem.startswith(d.label)]
    if by_label:
        return max(by_label, key=lambda d: len(d.label))
    matches = [d for n, d in DATASETS.items() if stem.startswith(n)]
    best = max(matches, key=lambda d: len(d.name)) if matches else None
    miss = _near_miss(stem)
    if miss is not None and (best is None or len(miss) > len(best.name)):
        return None
    return best


def near_miss(file_name: str) -> str | None:
    """The dataset name a file name that matches none was most likely meant to start with."""
    return _near_miss(unicodedata.normalize("NFKC", file_name).strip().lower())


def _near_miss(stem: str) -> str | None:
    words = re.split(r"[_\-\s.]+", stem)
    found = None
    for n in range(1, min(len(words), 3) + 1):
        leading = "_".join(words[:n])
        close = difflib.get_close_matches(leading, DATASETS, n=1, cutoff=0.85)
        if close and close[0] != leading and (found is None or len(close[0]) > len(found)):
            found = close[0]
    return found
