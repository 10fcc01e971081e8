"""The run form: every flow parameter with the Chinese title, description and example an administrator reads."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from schemas.policy import DEFAULT_POLICY, policy_names
from tasks.settings import get_settings


def _field(title: str, description: str, example: object = None, **form_rules):
    # Prefect titles every parameter with its Python name; a title and description in the JSON
    # schema's extra keys are what the form shows instead. The form's own checks (pattern, enum,
    # minLength) live only in the schema: a run started otherwise is checked by the flow, in Chinese.
    shown = {"title": title, "description": description, **form_rules}
    return Field(title=title, description=description, examples=None if example is None else [example],
                 json_schema_extra=shown)


def period(example: str, pattern: str) -> type:
    """期次 of one cycle: its form checked by the run form, empty meaning the period that ended last."""
    return Annotated[str, _field("期次", f"如 {example};留空则为最近结束的一期", example, pattern=pattern)]


QuarterPeriod = period("2026Q3", r"^(20\d\dQ[1-4])?$")
HalfYearPeriod = period("2026H1", r"^(20\d\dH[12])?$")
YearPeriod = period("2026", r"^(20\d\d)?$")
ReviewId = Annotated[str, _field("点评编号", "年度-R点评组号,如 2026-R13;现场点评须指明所报告的点评", "2026-R13",
                                 pattern=r"^20\d\d-R\d{1,3}$")]
# A text box, as 期次 is: the form shows an optional integer as an int/None switch no administrator can read.
SampleSeed = Annotated[str, _field(
    "抽样随机种子", "留空则按点评编号确定(每次运行抽到同样的单位);填写非负整数则按此种子重新抽取,种子记入结果清单",
    "20260914", pattern=r"^(\d{1,10})?$")]

Reason = Annotated[str, _field(
    "重跑原因", "手动运行必填,记入结果清单(manifest.json);定期运行由部署的计划自动填写“定期运行”",
    "某区县更正测评数据后重跑", minLength=2)]

# The names are read when the flow is imported, which is when `prefect deploy` writes the form;
# a policy added later appears in the form after the deployments are registered again.
# Any other name is refused in words when the run resolves it (schemas.policy.policy_path).
PolicyName = Annotated[str, _field(
    "政策", f"按名称选择本部署政策目录中的政策文件;“{DEFAULT_POLICY}”为规范默认值",
    enum=policy_names(get_settings().policies))]

Inbox = Annotated[str, _field("收件箱目录", "各单位、各平台报送文件所在目录(服务器上的路径)", "data/inbox")]
Out = Annotated[str, _field("结果目录", "结果版本写入的目录,每次运行新增一个版本", "data/out")]
AllUnits = Annotated[bool, _field(
    "为每个单位生成档案",
    "勾选则为全部单位生成年度考核档案,否则只为有处理措施的单位生成(政策设 annual.apology_dossiers 时另含一把手须道歉的单位)")]
AsOf = Annotated[str, _field(
    "核定日期", "按此日期判断公示期是否届满、整改方案是否逾期,如 2027-02-01;留空则为当天(北京时间)", "2027-02-01",
    pattern=r"^(20\d\d-[01]\d-[0-3]\d)?$")]
