"""What a failed run leaves: a failure report artifact naming the failed step, and a notice to the administrators."""

from __future__ import annotations

from prefect import get_run_logger
from prefect.artifacts import create_markdown_artifact

from schemas.policy import load_policy
from tasks.outputs import delivery
from tasks.settings import get_settings
from tasks.settings import policy_file


def report_failure(flow, flow_run, state) -> None:
    """Flow on_failure hook: a failure report artifact, and a notice to the administrators."""
    error = state.result(raise_on_failure=False)
    step = _failed_step(flow_run.id)
    params = flow_run.parameters or {}
    text = (f"{flow.name} 运行失败(运行编号 {flow_run.id})。\n\n失败步骤:{step}\n原因:{error}\n\n"
            f"参数:期次 {params.get('period') or '(默认)'},收件箱 {params.get('inbox')}\n\n"
            "处理办法:按上述原因修正数据文件或设置后,在 Prefect 管理界面对该部署选择“Custom run”重新运行;"
            "本次运行未发布任何结果,先前版本不受影响。")
    create_markdown_artifact(key="failure-report", markdown=f"# 运行失败报告\n\n{text}",
                             description="运行失败报告")
    try:
        policy = load_policy(policy_file(params.get("policy")))
        for message in delivery.failure_message(policy, _cycle_of(flow.name), params.get("period") or "", text):
            delivery.send(message, get_settings())
    except Exception as exc:  # a notice that cannot be sent must not hide the original failure
        get_run_logger().warning("无法通知管理员:%s", exc)


def _failed_step(flow_run_id) -> str:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId, TaskRunFilter, TaskRunFilterState, TaskRunFilterStateType
    from prefect.client.schemas.objects import StateType

    try:
        with get_client(sync_client=True) as client:
            failed = client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])),
                task_run_filter=TaskRunFilter(state=TaskRunFilterState(
                    type=TaskRunFilterStateType(any_=[StateType.FAILED]))))
        return "、".join(sorted({t.name.rsplit("-", 1)[0] for t in failed})) or "流程本身"
    except Exception:
        return "未知"


def _cycle_of(flow_name: str) -> str:
    return {"quarterly-review": "quarterly", "half-year-comment": "half-year",
            "annual-assessment": "annual"}.get(flow_name, "annual")
