"""The assessment policy: every number a city may set, validated on load, with the SPEC defaults."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
import unicodedata
from datetime import date
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from schemas.datasets import (
    CATEGORIES, DATASETS, ORG_TYPES, POINT_ITEMS, RESPONDENT_GROUPS, RESPONDENT_TYPES, VETO_ITEMS,
)
from schemas.outputs import CYCLE_LABELS, CYCLES
from tasks.errors import AssessError
from tasks.rules import tolerance
from tasks.rules.working_days import covered_years

# Keys a mapping may hold: any other key is refused by its type, a missing one by `_all_named`.
Grade = Literal["满意", "基本满意", "不满意"]
Group = Literal[RESPONDENT_GROUPS]
Category = Literal[CATEGORIES]
Component = Literal["platform", "superior", "service_object"]
Cycle = Literal[CYCLES]
Points = Annotated[float, Field(ge=0, le=100)]
Weight = Annotated[float, Field(ge=0, le=1)]
Count = Annotated[int, Field(ge=0, le=100_000)]
Name = Annotated[str, Field(min_length=1)]
PointItem = Literal[POINT_ITEMS]
OrgType = Literal[ORG_TYPES]
RespondentType = Literal[RESPONDENT_TYPES]
CadreGrade = Literal["优秀", "称职", "基本称职"]


def _all_named(mapping: Mapping[str, object], names: Iterable[str]) -> None:
    """Refuse a mapping that leaves out any of `names`, naming the missing keys."""
    missing = [name for name in names if name not in mapping]
    if missing:
        raise ValueError(f"缺少键 {'、'.join(missing)}")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Quarterly(_Section):
    """季度评议写实 thresholds."""

    fulfilment_warning_below: float = Field(0.80, ge=0, le=1)
    satisfaction_warning_below: float = Field(0.85, ge=0, le=1)


class Integrity(_Section):
    """测评完整性筛查 thresholds (SPEC §8): flagged answers are kept and counted; `exclude_flagged` leaves them unscored."""

    max_units_per_respondent: int = Field(60, ge=1, le=100_000)  # 超量测评: more units than this
    straight_line_min_units: int = Field(10, ge=2, le=100_000)  # 一律作答: one grade on every dimension of this many
    identical_batch_min: int = Field(10, ge=2, le=100_000)  # 雷同答卷: this many identical, consecutive respondents
    exclude_flagged: bool = False


class HalfYear(_Section):
    """半年点评写实 scoring and designation settings."""

    grade_points: dict[Grade, Points] = {"满意": 100, "基本满意": 60, "不满意": 0}
    # Weights, when given, name all four groups; a group of weight 0 is heard but its answers do not count.
    group_weights: dict[Group, Annotated[float, Field(ge=0, le=1000)]] | None = None
    min_valid_responses: int = Field(30, ge=1, le=100_000)
    rank_within_category: bool = False
    key_management_count: Count = 10
    key_supervision_count: Count = 5
    # Rank intervals and p_designated (SPEC §8): replicates of the parametric bootstrap, and its seed.
    bootstrap_replicates: int = Field(2000, ge=100, le=100_000)
    bootstrap_seed: int = Field(20_260_101, ge=0, le=2**63 - 1)
    # The summary lists this many units at the head and at the tail of each ranking (and every designated unit);
    # the full ranking is in ranking.csv and ranking.xlsx.
    summary_rows: int = Field(20, ge=5, le=100_000)
    small_cell_min: int = Field(5, ge=1, le=1000)  # a breakdown of fewer respondents shows —(样本过少)
    integrity: Integrity = Integrity()

    @model_validator(mode="before")
    @classmethod
    def _rectification_days_retired(cls, data: object) -> object:
        # A city that set calendar days must learn that its number no longer counts, not find it silently ignored.
        if isinstance(data, dict) and "rectification_days" in data:
            raise ValueError("rectification_days 已停用:整改方案报送时限改按工作日、自正式版发布之日起计算,"
                             "请删除此项,改设 publicity.rectification_working_days(默认 15 个工作日)")
        return data

    @field_validator("grade_points")
    @classmethod
    def _grades_known(cls, points: dict[str, float]) -> dict[str, float]:
        _all_named(points, ("满意", "基本满意", "不满意"))
        return points

    @field_validator("group_weights")
    @classmethod
    def _groups_known(cls, weights: dict[str, float] | None) -> dict[str, float] | None:
        if weights is not None:
            _all_named(weights, RESPONDENT_GROUPS)
            if sum(weights.values()) <= 0:
                raise ValueError("各类测评人的权重合计须大于 0")
        return weights


class Annual(_Section):
    """年度考核 composite, deduction, grade and elimination settings."""

    category_weights: dict[Category, dict[Component, Weight]] = {
        "政府涉企涉民部门": {"platform": 0.8, "superior": 0.1, "service_object": 0.1},
        "党群部门": {"service_object": 0.8, "superior": 0.2},
        "中央省驻单位": {"service_object": 0.8, "superior": 0.2},
    }
    # 未评价 has no points: a case without a rating never scores (SPEC §2.3).
    rating_points: dict[Grade, Points] = {"满意": 100, "基本满意": 60, "不满意": 0}
    deduction_cap: float = Field(10, ge=0, le=100)
    bonus_cap: float = Field(3, ge=0, le=100)
    bonus_approvers: list[Name] = Field(["创先争优活动领导小组", "作风建设领导小组"], min_length=1)
    veto_items: list[str] = list(VETO_ITEMS)
    grade_satisfied: float = Field(90, ge=0, le=100)
    grade_basically_satisfied: float = Field(75, ge=0, le=100)
    excellence_quota: float = Field(0.20, ge=0, le=1)
    rank_within_category: bool = True
    bottom_count: Count = 3
    escalation_growth: float = Field(0.05, ge=0, le=1)
    # The summary lists this many units at the head and at the tail of each category (and every unit with a
    # measure or a veto); the full ranking is in assessment.csv and assessment.xlsx.
    summary_rows: int = Field(20, ge=5, le=100_000)
    # A dossier goes to every unit with a measure (SPEC §2); with this set, also to every unit whose leader
    # apologises. The summary lists the apologies and their grounds either way.
    apology_dossiers: bool = False
    dismissal_two_year_complaints: int = Field(5, ge=1, le=100)

    @field_validator("category_weights")
    @classmethod
    def _weights_valid(cls, weights: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        _all_named(weights, CATEGORIES)
        for category, parts in weights.items():
            total = sum(parts.values())
            if not tolerance.equal(total, 1.0):
                raise ValueError(f"{category} 的各项权重合计须为 1(现为 {total:g})")
        return weights

    @field_validator("rating_points")
    @classmethod
    def _ratings_known(cls, points: dict[str, float]) -> dict[str, float]:
        _all_named(points, ("满意", "基本满意", "不满意"))
        return points

    @field_validator("veto_items")
    @classmethod
    def _veto_items_known(cls, items: list[str]) -> list[str]:
        unknown = set(items) - set(VETO_ITEMS)
        if unknown:
            raise ValueError(f"未知的否决事项: {'、'.join(sorted(unknown))}")
        return items

    @model_validator(mode="after")
    def _grades_ordered(self) -> Annual:
        if self.grade_basically_satisfied > self.grade_satisfied:
            raise ValueError("“基本满意”分数线不能高于“满意”分数线")
        return self


class Publicity(_Section):
    """公示与复核 (SPEC §7): publicity windows, where to appeal, and the rectification clock, all in working days."""

    publicity_working_days: int = Field(5, ge=1, le=30)
    appeal_contact: Name = "创先争优活动领导小组办公室(联系方式见公示通知)"
    rectification_working_days: int = Field(15, ge=1, le=120)
    cycles_with_window: list[Cycle] = ["half-year", "annual"]
    # Holidays of the years the State Council table of chinese-calendar does not cover yet; weekends are implied.
    extra_holidays: list[date] = Field([], max_length=400)

    @field_validator("cycles_with_window")
    @classmethod
    def _cycles_once(cls, cycles: list[str]) -> list[str]:
        twice = sorted({c for c in cycles if cycles.count(c) > 1})
        if twice:
            raise ValueError(f"重复的周期: {'、'.join(twice)}")
        return cycles

    @field_validator("extra_holidays")
    @classmethod
    def _holidays_of_uncovered_years(cls, days: list[date]) -> list[date]:
        years = covered_years()
        known = sorted({f"{d:%Y-%m-%d}" for d in days if d.year in years})
        if known:
            raise ValueError(f"{'、'.join(known)} 所在年份已按国务院节假日安排({years[0]}–{years[-1]} 年)计算,"
                             "extra_holidays 只列未收录年份的节假日,请删除")
        return sorted(set(days))
class ItemRule(_Section):
    """One 积分项目: the standard points of one event, and the most one person earns from it in a year."""

    points: float = Field(ge=0, le=100)
    year_cap: float | None = Field(None, ge=0, le=10_000)  # None: no cap


class VolunteerTier(_Section):
    """A volunteer reward (志愿服务递进式奖励), earned from `min_points` volunteer points in a year."""

    min_points: float = Field(gt=0, le=10_000)
    name: Name


def _rule(points: float, year_cap: float | None) -> ItemRule:
    return ItemRule(points=points, year_cap=year_cap)


class PointSystem(_Section):
    """积分制管理 and 千分制 settings: item points and caps, the 入党积极分子 line, rewards, cadre grades."""

    items: dict[PointItem, ItemRule] = {
        "志愿服务": _rule(2, 40), "助老济困": _rule(2, 20), "清洁家园": _rule(1, 10), "治安联防": _rule(2, 20),
        "结对帮扶": _rule(3, 30), "矛盾调解": _rule(3, 30), "政策宣讲": _rule(2, 20), "学习教育": _rule(1, 12),
        "为民办实事": _rule(5, None),
    }
    require_approval: bool = True  # an event without 审核单位 earns nothing
    activist_threshold: float = Field(30, ge=0, le=10_000)
    # Whether the 入党积极分子 line applies to the running total of all stored years or to the year alone.
    activist_basis: Literal["total", "year"] = "total"
    volunteer_items: list[PointItem] = ["志愿服务", "助老济困", "清洁家园", "治安联防"]
    volunteer_tiers: list[VolunteerTier] = [
        VolunteerTier(min_points=20, name="赠阅报纸"), VolunteerTier(min_points=40, name="免费健康体检"),
        VolunteerTier(min_points=60, name="优秀志愿者表彰"),
    ]
    scorecard_grades: dict[CadreGrade, Annotated[float, Field(ge=0, le=1000)]] = {
        "优秀": 900, "称职": 750, "基本称职": 600}
    streak_years: int = Field(3, ge=1, le=30)  # consecutive 优秀 years that open 破格录用/提拔

    @field_validator("items")
    @classmethod
    def _items_named(cls, items: dict[str, ItemRule]) -> dict[str, ItemRule]:
        _all_named(items, POINT_ITEMS)
        return items

    @field_validator("volunteer_tiers")
    @classmethod
    def _tiers_ascending(cls, tiers: list[VolunteerTier]) -> list[VolunteerTier]:
        for number, (lower, upper) in enumerate(zip(tiers, tiers[1:]), start=2):
            if not tolerance.above(upper.min_points, lower.min_points):
                raise ValueError(f"奖励档次须按积分从低到高排列:第 {number} 档“{upper.name}”{upper.min_points:g} 分"
                                 f"不高于第 {number - 1} 档“{lower.name}”{lower.min_points:g} 分")
        names = [t.name for t in tiers]
        if len(set(names)) < len(names):
            raise ValueError("奖励档次的名称不能重复")
        return tiers

    @field_validator("scorecard_grades")
    @classmethod
    def _grades_ordered(cls, lines: dict[str, float]) -> dict[str, float]:
        order = ("优秀", "称职", "基本称职")
        _all_named(lines, order)
        for higher, lower in zip(order, order[1:]):
            if lines[lower] > lines[higher]:
                raise ValueError(f"“{lower}”分数线({lines[lower]:g})不能高于“{higher}”分数线({lines[higher]:g})")
        return lines


class OnSite(_Section):
    """现场点评 settings: the sample per organisation type (seed 004: 8/1/3/6/2), questionnaires, small cells."""

    sample_counts: dict[OrgType, Count] = {"村": 8, "社区": 1, "新社会组织": 3, "非公企业": 6, "事业单位": 2}
    within_region: bool = True  # draw only from the reviewed region's registry
    questionnaire_targets: dict[RespondentType, Count] = {"党员": 100, "群众": 100}
    min_cell_respondents: int = Field(5, ge=1, le=1000)  # fewer answers: the figure is not shown

    @field_validator("sample_counts")
    @classmethod
    def _counts_named(cls, counts: dict[str, int]) -> dict[str, int]:
        _all_named(counts, ORG_TYPES)
        if sum(counts.values()) <= 0:
            raise ValueError("各类基层单位的抽样数合计须大于 0")
        return counts

    @field_validator("questionnaire_targets")
    @classmethod
    def _targets_named(cls, targets: dict[str, int]) -> dict[str, int]:
        _all_named(targets, RESPONDENT_TYPES)
        return targets


# Each alias table and the column whose values it maps: (dataset, column).
ALIAS_COLUMNS = {
    "platform": ("platform_cases", "platform"),
    "rating": ("platform_cases", "rating"),
    "status": ("commitment_status", "status"),
    "cycle": ("appeals", "cycle"),
}
# The Chinese names of the cycles are always understood, whatever a city's own cycle table says.
_CYCLE_NAMES = {label: cycle for cycle, label in CYCLE_LABELS.items()}


class Aliases(_Section):
    """Variants providers write for a coded value, each mapped to the allowed value it stands for (SPEC §3)."""

    platform: dict[str, str] = {
        "12345热线": "12345政府服务热线", "12345": "12345政府服务热线", "“12345”政府服务热线": "12345政府服务热线",
        "12345政务服务便民热线": "12345政府服务热线", "市民热线": "12345政府服务热线",
        "政务服务中心": "行政服务中心", "信访": "信访局", "新闻媒体": "媒体", "媒体问政": "媒体",
    }
    # The national 好差评 scale has five levels; its two outer ones fold into the three the rules score.
    rating: dict[str, str] = {"非常满意": "满意", "非常不满意": "不满意"}
    status: dict[str, str] = {"已完成": "已兑现", "完成": "已兑现", "正在推进": "推进中", "进行中": "推进中",
                              "经批准调整": "已调整"}
    cycle: dict[str, str] = {**_CYCLE_NAMES, "季度评议": "quarterly", "季度": "quarterly", "半年点评": "half-year",
                             "半年": "half-year", "年度": "annual", "年度考评": "annual"}

    @field_validator("*", mode="before")
    @classmethod
    def _variants_as_cells(cls, table: object) -> object:
        # Cells are compared after NFKC and trimming, so variants are too; YAML reads a bare 12345 as a number.
        if not isinstance(table, dict):
            return table
        return {unicodedata.normalize("NFKC", str(k)).strip(): v for k, v in table.items()}

    @field_validator("cycle")
    @classmethod
    def _cycle_names_kept(cls, table: dict[str, str]) -> dict[str, str]:
        return {**table, **_CYCLE_NAMES}

    @model_validator(mode="after")
    def _targets_allowed(self) -> Aliases:
        for name, (dataset, column) in ALIAS_COLUMNS.items():
            allowed = DATASETS[dataset].column(column).allowed
            table = getattr(self, name)
            wrong = sorted(v for v in set(table.values()) if v not in allowed)
            if wrong:
                raise ValueError(f"{name} 的别名只能映射到允许值({'、'.join(allowed)}),不能映射到 {'、'.join(wrong)}")
            shadowed = sorted(k for k in table if k in allowed)
            if shadowed:
                raise ValueError(f"{name} 的别名不能是允许值本身: {'、'.join(shadowed)}")
        return self


class Recipient(_Section):
    """A person who receives dossiers."""

    name: Name
    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+$")]
    role: Literal["leader", "admin"] = "leader"  # admin: receives failure notices, never dossiers
    documents: list[Literal["summary", "publicity", "units"]] = ["summary", "publicity", "units"]
    regions: list[Name] | None = None  # a 县(市、区)委书记: only the unit dossiers of these regions; None: all


class Delivery(_Section):
    """Who receives what; SMTP credentials come from the environment, never from this file."""

    recipients: list[Recipient] = []
    sender: str = "assessment@localhost"
    max_mail_mb: float = Field(20, gt=0)  # larger deliveries go in numbered follow-up mails


class Policy(_Section):
    """The whole policy of one city."""

    city: Name = "江城市"
    issuer: Name = "中共江城市委创先争优活动领导小组办公室"
    timezone: str = "Asia/Shanghai"
    quarterly: Quarterly = Quarterly()
    half_year: HalfYear = HalfYear()
    annual: Annual = Annual()
    publicity: Publicity = Publicity()
    points: PointSystem = PointSystem()
    on_site: OnSite = OnSite()
    delivery: Delivery = Delivery()
    aliases: Aliases = Aliases()

    @field_validator("timezone")
    @classmethod
    def _timezone_known(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"未知的时区 {name}") from exc
        return name

    def digest(self) -> str:
        """SHA-256 of the policy's canonical JSON, recorded with every result."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class PolicyError(AssessError, ValueError):
    """A policy file that cannot be used, with the field at fault named in Chinese."""


def _n(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


_MESSAGES = {
    "extra_forbidden": lambda e: "政策中没有这一项(请检查拼写)",
    "missing": lambda e: "缺少这一项",
    "greater_than_equal": lambda e: f"须不小于 {_n(e['ctx']['ge'])}(现为 {e['input']})",
    "less_than_equal": lambda e: f"须不大于 {_n(e['ctx']['le'])}(现为 {e['input']})",
    "greater_than": lambda e: f"须大于 {_n(e['ctx']['gt'])}(现为 {e['input']})",
    "less_than": lambda e: f"须小于 {_n(e['ctx']['lt'])}(现为 {e['input']})",
    "too_short": lambda e: f"至少须有 {e['ctx']['min_length']} 项",
    "string_too_short": lambda e: "不能为空",
    "int_parsing": lambda e: f"须为整数(现为 {e['input']})",
    "int_from_float": lambda e: f"须为整数(现为 {e['input']})",
    "int_type": lambda e: f"须为整数(现为 {e['input']})",
    "float_parsing": lambda e: f"须为数值(现为 {e['input']})",
    "float_type": lambda e: f"须为数值(现为 {e['input']})",
    "bool_parsing": lambda e: f"须为 true 或 false(现为 {e['input']})",
    "bool_type": lambda e: f"须为 true 或 false(现为 {e['input']})",
    "string_type": lambda e: f"须为文字(现为 {e['input']})",
    "dict_type": lambda e: "须为“键: 值”形式的一组设置",
    "model_type": lambda e: "须为“键: 值”形式的一组设置",
    "list_type": lambda e: "须为列表",
    **dict.fromkeys(("date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact", "date_type"),
                    lambda e: f"须为日期,如 2027-01-01(现为 {e['input']})"),
    "literal_error": lambda e: f"不允许的值 {e['input']},可选 {e['ctx']['expected']}",
    "value_error": lambda e: str(e["ctx"]["error"]),
}


def policy_problems(error: ValidationError) -> list[str]:
    """One Chinese line per problem of a policy, each naming the field, e.g. “政策文件字段 annual.bonus_cap:须不小于 0”."""
    lines = []
    for problem in error.errors():
        loc = [str(part) for part in problem["loc"]]
        if loc and loc[-1] == "[key]":
            # A mapping key refused by its type: the field is the mapping, the problem is the key.
            field, message = ".".join(loc[:-2]), f"不允许的键 {loc[-2]}"
        else:
            explain = _MESSAGES.get(problem["type"], lambda e: e["msg"])
            field, message = ".".join(loc), explain(problem)
        lines.append(f"政策文件字段 {field}:{message}" if field else f"政策文件:{message}")
    return lines


DEFAULT_POLICY = "内置标准"  # the policy name meaning the SPEC's defaults, no file


def policy_names(folder: Path) -> list[str]:
    """The policies a deployment offers: the built-in defaults, then every YAML file of its policy folder by name."""
    files = sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []
    return [DEFAULT_POLICY, *[name for name in files if name != DEFAULT_POLICY]]


def policy_path(name: str | None, folder: Path) -> Path | None:
    """The file of the policy called `name` inside `folder` (None for the defaults); a name leading out is refused."""
    if not name or name == DEFAULT_POLICY:
        return None
    root = folder.resolve()
    path = (root / f"{name}.yaml").resolve()
    if path.parent != root or Path(name).name != name:
        raise PolicyError(f"政策名称“{name}”无效:只能选择政策目录 {root} 中的政策文件名称(不含路径)")
    if not path.is_file():
        raise PolicyError(f"政策目录 {root} 中没有名为“{name}”的政策;可选:{'、'.join(policy_names(root))}")
    return path


def load_policy(path: str | Path | None = None) -> Policy:
    """The policy in `path`, or the defaults when no path is given."""
    if path is None:
        return Policy()
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except UnicodeDecodeError as exc:
        # Chinese Windows editors save in GBK unless told otherwise.
        raise PolicyError(f"政策文件“{path}”不是 UTF-8 编码(第 {exc.start + 1} 个字节无法解码):"
                          "请在编辑器中另存为 UTF-8 后重试") from exc
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyError(f"无法读取政策文件 {path}: {exc}") from exc
    try:
        return Policy.model_validate(raw)
    except ValidationError as exc:
        # One line, as the operator reads it: each problem names its field.
        problems = [problem.removeprefix("政策文件") for problem in policy_problems(exc)]
        raise PolicyError(f"政策文件 {path} 有误 — " + ";".join(problems)) from exc
