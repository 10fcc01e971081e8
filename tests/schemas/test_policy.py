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
    assert policy.annual.veto_items == ["社会治安综合治理", "安全生产", "计划生育", "党风廉政建设"]


def test_yaml_overrides_only_what_it_names(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text("half_year:\n  key_management_count: 8\n  group_weights: {机关: 2, 社会各界: 1}\n", encoding="utf-8")
    policy = load_policy(path)
    assert policy.half_year.key_management_count == 8
    assert policy.half_year.group_weights == {"机关": 2, "社会各界": 1}
    assert policy.half_year.key_supervision_count == 5


def test_digest_changes_with_any_number(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text("annual:\n  deduction_cap: 8\n", encoding="utf-8")
    assert load_policy(path).digest() != Policy().digest()
    assert Policy().digest() == Policy().digest()


@pytest.mark.parametrize(
    ("yaml_text", "named"),
    [
        ("half_year:\n  min_valid_responses: 0\n", "half_year.min_valid_responses"),  # must be ≥ 1
        ("annual:\n  bonus_cap: -1\n", "annual.bonus_cap"),  # caps are not negative
        ("annual:\n  veto_items: [交通违章]\n", "annual.veto_items"),  # only known veto items
        ("half_year:\n  group_weights: {游客: 1}\n", "half_year.group_weights"),  # only the four groups
        ("quarterly:\n  fulfilment_warning_below: 80\n", "quarterly.fulfilment_warning_below"),  # rates are fractions
        ("annual:\n  grade_satisfied: 70\n", "annual"),  # 满意 line below 基本满意 line
        ("half_year:\n  key_managment_count: 10\n", "half_year.key_managment_count"),  # typo is refused
        ("annual:\n  category_weights: {党群部门: {service_object: 1}}\n", "annual.category_weights"),  # all three categories
    ],
)
def test_bad_policy_names_the_field(tmp_path, yaml_text, named):
    path = tmp_path / "policy.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(PolicyError) as error:
        load_policy(path)
    assert named in str(error.value)
    assert str(path) in str(error.value)


def test_unreadable_policy_file_is_named(tmp_path):
    path = tmp_path / "missing.yaml"
    with pytest.raises(PolicyError, match="无法读取政策文件"):
        load_policy(path)
