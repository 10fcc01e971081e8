"""The policy model: SPEC defaults, overrides from YAML, and clear errors naming the field."""

from __future__ import annotations

import pytest

from schemas.policy import Policy, PolicyError, load_policy


def test_defaults_are_the_spec_numbers():
    policy = load_policy(None)
    assert (policy.quarterly.fulfilment_warning_below, policy.quarterly.satisfaction_warning_below) == (0.80, 0.85)
    assert policy.half_year.grade_points == {"满意": 100, "基本满意": 60, "不满意": 0}
    assert (policy.half_year.min_valid_responses, policy.half_year.key_management_count,
            policy.half_year.key_supervision_count) == (30, 10, 5)
    assert policy.annual.category_weights["政府涉企涉民部门"] == {"platform": 0.8, "superior": 0.1, "service_object": 0.1}
    assert policy.annual.category_weights["党群部门"] == {"service_object": 0.8, "superior": 0.2}
    assert (policy.annual.deduction_cap, policy.annual.bonus_cap, policy.annual.bottom_count) == (10, 3, 3)
    assert (policy.annual.grade_satisfied, policy.annual.grade_basically_satisfied) == (90, 75)
    assert policy.annual.excellence_quota == 0.20
    assert policy.annual.bonus_approvers == ["创先争优活动领导小组", "作风建设领导小组"]
    assert (policy.annual.rating_points, policy.annual.escalation_growth) == ({"满意": 100, "基本满意": 60, "不满意": 0}, 0.05)
    assert policy.annual.veto_items == ["社会治安综合治理", "安全生产", "计划生育", "党风廉政建设"]
    integrity = policy.half_year.integrity
    assert (integrity.max_units_per_respondent, integrity.straight_line_min_units, integrity.identical_batch_min,
            integrity.exclude_flagged) == (60, 10, 10, False)
    assert (policy.half_year.bootstrap_replicates, policy.half_year.small_cell_min) == (2000, 5)


def test_yaml_overrides_only_what_it_names(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text("half_year:\n  key_management_count: 8\n"
                    "  group_weights: {机关: 2, 中省直部门: 0, 重点项目单位: 0, 社会各界: 1}\n", encoding="utf-8")
    policy = load_policy(path)
    assert policy.half_year.key_management_count == 8
    assert policy.half_year.group_weights == {"机关": 2, "中省直部门": 0, "重点项目单位": 0, "社会各界": 1}
    assert policy.half_year.key_supervision_count == 5


def test_digest_changes_with_any_number(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text("annual:\n  deduction_cap: 8\n", encoding="utf-8")
    assert load_policy(path).digest() != Policy().digest()
    assert Policy().digest() == Policy().digest()


@pytest.mark.parametrize(
    ("yaml_text", "problems"),
    [
        # 未评价 has no points (it would score unrated cases), and no other key is allowed either.
        ("annual:\n  rating_points: {满意: 100, 基本满意: 60, 不满意: 0, 未评价: 50}\n",
         ["政策文件字段 annual.rating_points:不允许的键 未评价"]),
        ("annual:\n  rating_points: {满意: 100, 一般: 60, 不满意: 0}\n",
         ["政策文件字段 annual.rating_points:不允许的键 一般"]),
        # Every grade needs its points, or its cases would silently drop out of the score.
        ("annual:\n  rating_points: {满意: 100, 基本满意: 60}\n", ["政策文件字段 annual.rating_points:缺少键 不满意"]),
        ("half_year:\n  grade_points: {满意: 100, 基本满意: 60, 不满意: 0, 弃权: 0}\n",
         ["政策文件字段 half_year.grade_points:不允许的键 弃权"]),
        ("half_year:\n  grade_points: {满意: 120, 基本满意: 60, 不满意: 0}\n",
         ["政策文件字段 half_year.grade_points.满意:须不大于 100(现为 120)"]),
        # A negative growth threshold would never replace anyone.
        ("annual:\n  escalation_growth: -3\n", ["政策文件字段 annual.escalation_growth:须不小于 0(现为 -3)"]),
        ("half_year:\n  min_valid_responses: 0\n", ["政策文件字段 half_year.min_valid_responses:须不小于 1(现为 0)"]),
        ("annual:\n  bonus_cap: -1\n", ["政策文件字段 annual.bonus_cap:须不小于 0(现为 -1)"]),
        ("annual:\n  deduction_cap: 150\n", ["政策文件字段 annual.deduction_cap:须不大于 100(现为 150)"]),
        ("quarterly:\n  fulfilment_warning_below: 80\n",  # rates are fractions
         ["政策文件字段 quarterly.fulfilment_warning_below:须不大于 1(现为 80)"]),
        ("annual:\n  bottom_count: 三\n", ["政策文件字段 annual.bottom_count:须为整数(现为 三)"]),
        ("annual:\n  veto_items: [交通违章]\n", ["政策文件字段 annual.veto_items:未知的否决事项: 交通违章"]),
        ("annual:\n  bonus_approvers: []\n", ["政策文件字段 annual.bonus_approvers:至少须有 1 项"]),
        # Group weights name all four groups, and only those (SPEC §2.2).
        ("half_year:\n  group_weights: {机关: 2, 社会各界: 1}\n",
         ["政策文件字段 half_year.group_weights:缺少键 中省直部门、重点项目单位"]),
        ("half_year:\n  group_weights: {机关: 1, 中省直部门: 1, 重点项目单位: 1, 社会各界: 1, 游客: 1}\n",
         ["政策文件字段 half_year.group_weights:不允许的键 游客"]),
        ("half_year:\n  group_weights: {机关: 1, 中省直部门: -1, 重点项目单位: 1, 社会各界: 1}\n",
         ["政策文件字段 half_year.group_weights.中省直部门:须不小于 0(现为 -1)"]),
        ("half_year:\n  group_weights: {机关: 0, 中省直部门: 0, 重点项目单位: 0, 社会各界: 0}\n",
         ["政策文件字段 half_year.group_weights:各类测评人的权重合计须大于 0"]),
        # The bootstrap needs enough replicates for a 95 % interval; screening thresholds are counts.
        ("half_year:\n  bootstrap_replicates: 10\n",
         ["政策文件字段 half_year.bootstrap_replicates:须不小于 100(现为 10)"]),
        ("half_year:\n  integrity: {max_units_per_respondent: 0}\n",
         ["政策文件字段 half_year.integrity.max_units_per_respondent:须不小于 1(现为 0)"]),
        ("half_year:\n  integrity: {exclude: true}\n",
         ["政策文件字段 half_year.integrity.exclude:政策中没有这一项(请检查拼写)"]),
        ("annual:\n  grade_satisfied: 70\n", ["政策文件字段 annual:“基本满意”分数线不能高于“满意”分数线"]),
        # Unknown keys are refused wherever they are, typos included.
        ("half_year:\n  key_managment_count: 10\n", ["政策文件字段 half_year.key_managment_count:政策中没有这一项(请检查拼写)"]),
        ("annual:\n  bonus_approver: 作风建设领导小组\n", ["政策文件字段 annual.bonus_approver:政策中没有这一项(请检查拼写)"]),
        ("annuals:\n  bottom_count: 3\n", ["政策文件字段 annuals:政策中没有这一项(请检查拼写)"]),
        ("annual:\n  category_weights: {党群部门: {service_object: 0.8, superior: 0.2}}\n",
         ["政策文件字段 annual.category_weights:缺少键 政府涉企涉民部门、中央省驻单位"]),
        ("annual:\n  category_weights: {政府涉企涉民部门: {platform: 0.8, superior: 0.1, service_object: 0.1},"
         " 党群部门: {service_object: 0.8, superior: 0.1}, 中央省驻单位: {service_object: 0.8, superior: 0.2}}\n",
         ["政策文件字段 annual.category_weights:党群部门 的各项权重合计须为 1(现为 0.9)"]),
        ("annual:\n  category_weights: {党群部门: {service: 1}}\n",
         ["政策文件字段 annual.category_weights.党群部门:不允许的键 service"]),
        ("timezone: Asia/Beijing\n", ["政策文件字段 timezone:未知的时区 Asia/Beijing"]),
        ("- 1\n", ["政策文件:须为“键: 值”形式的一组设置"]),
        # Several problems: each named, on the one line the operator reads.
        ("annual:\n  bonus_cap: -1\n  escalation_growth: -3\n",
         ["政策文件字段 annual.bonus_cap:须不小于 0(现为 -1)",
          "政策文件字段 annual.escalation_growth:须不小于 0(现为 -3)"]),
    ],
)
def test_bad_policy_names_the_field(tmp_path, yaml_text, problems):
    path = tmp_path / "policy.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(PolicyError) as error:
        load_policy(path)
    assert str(error.value) == f"政策文件 {path} 有误 — " + ";".join(p.removeprefix("政策文件") for p in problems)


def test_unreadable_policy_file_is_named(tmp_path):
    path = tmp_path / "missing.yaml"
    with pytest.raises(PolicyError, match="无法读取政策文件"):
        load_policy(path)


def test_a_policy_saved_in_gbk_is_refused_in_one_chinese_line(tmp_path):
    # Deployed runs load the policy too: the encoding problem is told there as on the command line.
    path = tmp_path / "policy.yaml"
    path.write_bytes("timezone: Asia/Shanghai\n# 城市政策\n".encode("gbk"))
    with pytest.raises(PolicyError) as error:
        load_policy(path)
    assert str(error.value) == f"政策文件“{path}”不是 UTF-8 编码(第 27 个字节无法解码):请在编辑器中另存为 UTF-8 后重试"
