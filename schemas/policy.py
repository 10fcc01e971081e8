"""The assessment policy: every number a city may set, validated on load, with the SPEC defaults."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from schemas.datasets import CATEGORIES, RESPONDENT_GROUPS, VETO_ITEMS


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


class Recipient(_Section):
    """A person who receives dossiers."""

    name: str
    email: str
    role: str = "leader"  # leader | admin
    documents: list[str] = ["summary", "publicity", "units"]
    regions: list[str] | None = None  # a 县(市、区)委书记: only the unit dossiers of these regions; None: all


class Delivery(_Section):
    """Who receives what; SMTP credentials come from the environment, never from this file."""

    recipients: list[Recipient] = []
    sender: str = "assessment@localhost"
    max_mail_mb: float = Field(20, gt=0)  # larger deliveries go in numbered follow-up mails


class Policy(_Section):
    """The whole policy of one city."""

    city: str = "江城市"
    issuer: str = "中共江城市委创先争优活动领导小组办公室"
    timezone: str = "Asia/Shanghai"
    quarterly: Quarterly = Quarterly()
    half_year: HalfYear = HalfYear()
    annual: Annual = Annual()
    delivery: Delivery = Delivery()

    def digest(self) -> str:
        """SHA-256 of the policy's canonical JSON, recorded with every result."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class PolicyError(ValueError):
    """A policy file that cannot be used, with the field at fault named in Chinese."""


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
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyError(f"无法读取政策文件 {path}: {exc}") from exc
    try:
        return Policy.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"字段 {'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise PolicyError(f"政策文件 {path} 有误 — {problems}") from exc
