"""The assessment policy: every number a city may set, validated on load, with the SPEC defaults."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from schemas.datasets import CATEGORIES, DATASETS, RESPONDENT_GROUPS, VETO_ITEMS


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Quarterly(_Section):
    """季度评议写实 thresholds."""

    fulfilment_warning_below: float = Field(0.80, ge=0, le=1)
    satisfaction_warning_below: float = Field(0.85, ge=0, le=1)


class HalfYear(_Section):
    """半年点评写实 scoring and designation settings."""

    grade_points: dict[str, float] = {"满意": 100, "基本满意": 60, "不满意": 0}
    group_weights: dict[str, float] | None = None
    min_valid_responses: int = Field(30, ge=1)
    rank_within_category: bool = False
    key_management_count: int = Field(10, ge=0)
    key_supervision_count: int = Field(5, ge=0)
    rectification_days: int = Field(30, ge=1)

    @field_validator("grade_points")
    @classmethod
    def _grades_known(cls, points: dict[str, float]) -> dict[str, float]:
        if set(points) != {"满意", "基本满意", "不满意"}:
            raise ValueError("必须且只能为 满意、基本满意、不满意 三个等次赋分")
        return points

    @field_validator("group_weights")
    @classmethod
    def _groups_known(cls, weights: dict[str, float] | None) -> dict[str, float] | None:
        if weights is not None:
            unknown = set(weights) - set(RESPONDENT_GROUPS)
            if unknown:
                raise ValueError(f"未知的测评人类别: {'、'.join(sorted(unknown))}")
            if any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
                raise ValueError("权重不能为负,且合计须大于 0")
        return weights


class Annual(_Section):
    """年度考核 composite, deduction, grade and elimination settings."""

    category_weights: dict[str, dict[str, float]] = {
        "政府涉企涉民部门": {"platform": 0.8, "superior": 0.1, "service_object": 0.1},
        "党群部门": {"service_object": 0.8, "superior": 0.2},
        "中央省驻单位": {"service_object": 0.8, "superior": 0.2},
    }
    rating_points: dict[str, float] = {"满意": 100, "基本满意": 60, "不满意": 0}
    deduction_cap: float = Field(10, ge=0)
    bonus_cap: float = Field(3, ge=0)
    bonus_approver: str = "创先争优活动领导小组"
    veto_items: list[str] = list(VETO_ITEMS)
    grade_satisfied: float = Field(90, ge=0, le=100)
    grade_basically_satisfied: float = Field(75, ge=0, le=100)
    excellence_quota: float = Field(0.20, ge=0, le=1)
    rank_within_category: bool = True
    bottom_count: int = Field(3, ge=0)
    escalation_growth: float = 0.05
    dismissal_two_year_complaints: int = Field(5, ge=1)

    @field_validator("category_weights")
    @classmethod
    def _weights_valid(cls, weights: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        if set(weights) != set(CATEGORIES):
            raise ValueError(f"须为三类单位分别给出权重: {'、'.join(CATEGORIES)}")
        for category, parts in weights.items():
            unknown = set(parts) - {"platform", "superior", "service_object"}
            if unknown:
                raise ValueError(f"{category} 含未知的计分项: {'、'.join(sorted(unknown))}")
            if any(w < 0 for w in parts.values()) or sum(parts.values()) <= 0:
                raise ValueError(f"{category} 的权重不能为负,且合计须大于 0")
        return weights

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


# Each alias table and the column whose values it maps: (dataset, column).
ALIAS_COLUMNS = {
    "platform": ("platform_cases", "platform"),
    "rating": ("platform_cases", "rating"),
    "status": ("commitment_status", "status"),
}


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

    @field_validator("*", mode="before")
    @classmethod
    def _variants_as_cells(cls, table: object) -> object:
        # Cells are compared after NFKC and trimming, so variants are too; YAML reads a bare 12345 as a number.
        if not isinstance(table, dict):
            return table
        return {unicodedata.normalize("NFKC", str(k)).strip(): v for k, v in table.items()}

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

    name: str
    email: str
    role: str = "leader"  # leader | admin
    documents: list[str] = ["summary", "publicity", "units"]


class Delivery(_Section):
    """Who receives what; SMTP credentials come from the environment, never from this file."""

    recipients: list[Recipient] = []
    sender: str = "assessment@localhost"


class Policy(_Section):
    """The whole policy of one city."""

    city: str = "江城市"
    issuer: str = "中共江城市委创先争优活动领导小组办公室"
    timezone: str = "Asia/Shanghai"
    quarterly: Quarterly = Quarterly()
    half_year: HalfYear = HalfYear()
    annual: Annual = Annual()
    delivery: Delivery = Delivery()
    aliases: Aliases = Aliases()

    def digest(self) -> str:
        """SHA-256 of the policy's canonical JSON, recorded with every result."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class PolicyError(ValueError):
    """A policy file that cannot be used, with the field at fault named in Chinese."""


def load_policy(path: str | Path | None = None) -> Policy:
    """The policy in `path`, or the defaults when no path is given."""
    if path is None:
        return Policy()
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyError(f"无法读取政策文件 {path}: {exc}") from exc
    try:
        return Policy.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"字段 {'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise PolicyError(f"政策文件 {path} 有误 — {problems}") from exc
