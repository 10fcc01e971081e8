"""The points and on-site sections of the policy: seed defaults, overrides, and errors naming the field."""

from __future__ import annotations

import pytest

from schemas.datasets import POINT_ITEMS
from schemas.policy import PolicyError, load_policy

ALL_ITEMS_BUT_ONE = "{" + ", ".join(f"{item}: {{points: 1}}" for item in POINT_ITEMS[:-1]) + "}"


def test_defaults_are_the_seed_numbers():
    policy = load_policy(None)
    points, on_site = policy.points, policy.on_site
    # Seed 003: 30 points make an 入党积极分子; 千分制 grades; three 优秀 years open 破格录用/提拔.
    assert (points.activist_threshold, points.activist_basis, points.streak_years) == (30, "total", 3)
    assert points.scorecard_grades == {"优秀": 900, "称职": 750, "基本称职": 600}
    assert {item: (rule.points, rule.year_cap) for item, rule in points.items.items()} == {
        "志愿服务": (2, 40), "助老济困": (2, 20), "清洁家园": (1, 10), "治安联防": (2, 20), "结对帮扶": (3, 30),
        "矛盾调解": (3, 30), "政策宣讲": (2, 20), "学习教育": (1, 12), "为民办实事": (5, None)}
    assert [(t.min_points, t.name) for t in points.volunteer_tiers] == [
        (20, "赠阅报纸"), (40, "免费健康体检"), (60, "优秀志愿者表彰")]
    assert points.volunteer_items == ["志愿服务", "助老济困", "清洁家园", "治安联防"]
    assert points.require_approval is True
    # Seed 004: 8 villages, 1 community, 3 new social organisations, 6 private firms, 2 public institutions.
    assert on_site.sample_counts == {"村": 8, "社区": 1, "新社会组织": 3, "非公企业": 6, "事业单位": 2}
    assert (on_site.questionnaire_targets, on_site.min_cell_respondents, on_site.within_region) == (
        {"党员": 100, "群众": 100}, 5, True)


def test_yaml_overrides_items_tiers_and_counts(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text(
        "points:\n  activist_threshold: 40\n  activist_basis: year\n"
        "  items: {" + ", ".join(f"{item}: {{points: 1, year_cap: null}}" for item in POINT_ITEMS) + "}\n"
        "  volunteer_tiers: [{min_points: 10, name: 一星志愿者}, {min_points: 30, name: 二星志愿者}]\n"
        "on_site:\n  sample_counts: {村: 10, 社区: 0, 新社会组织: 0, 非公企业: 0, 事业单位: 0}\n",
        encoding="utf-8")
    policy = load_policy(path)
    assert (policy.points.activist_threshold, policy.points.activist_basis) == (40, "year")
    assert {(r.points, r.year_cap) for r in policy.points.items.values()} == {(1, None)}
    assert [t.name for t in policy.points.volunteer_tiers] == ["一星志愿者", "二星志愿者"]
    assert policy.on_site.sample_counts["村"] == 10 and policy.on_site.questionnaire_targets["党员"] == 100


@pytest.mark.parametrize(("yaml_text", "problems"), [
    # Every item has its standard points: an event of an item left out would score nothing without a trace.
    (f"points:\n  items: {ALL_ITEMS_BUT_ONE}\n", ["政策文件字段 points.items:缺少键 为民办实事"]),
    (f"points:\n  items: {{跳广场舞: {{points: 1}}, {ALL_ITEMS_BUT_ONE[1:]}\n",
     ["政策文件字段 points.items:不允许的键 跳广场舞"]),
    ("points:\n  items: {志愿服务: {points: 120}}\n",
     ["政策文件字段 points.items.志愿服务.points:须不大于 100(现为 120)"]),
    ("points:\n  items: {志愿服务: {points: 2, cap: 40}}\n",
     ["政策文件字段 points.items.志愿服务.cap:政策中没有这一项(请检查拼写)"]),
    ("points:\n  items: {志愿服务: {points: 2, year_cap: -5}}\n",
     ["政策文件字段 points.items.志愿服务.year_cap:须不小于 0(现为 -5)"]),
    ("points:\n  activist_threshold: -1\n", ["政策文件字段 points.activist_threshold:须不小于 0(现为 -1)"]),
    ("points:\n  activist_basis: lifetime\n",
     ["政策文件字段 points.activist_basis:不允许的值 lifetime,可选 'total' or 'year'"]),
    ("points:\n  volunteer_items: [跳舞]\n",
     ["政策文件字段 points.volunteer_items.0:不允许的值 跳舞,可选 " + ", ".join(
         f"'{i}'" for i in POINT_ITEMS[:-1]) + f" or '{POINT_ITEMS[-1]}'"]),
    # Tiers climb: a higher reward for fewer points is a typing error.
    ("points:\n  volunteer_tiers: [{min_points: 40, name: 甲}, {min_points: 20, name: 乙}]\n",
     ["政策文件字段 points.volunteer_tiers:奖励档次须按积分从低到高排列:第 2 档“乙”20 分不高于第 1 档“甲”40 分"]),
    ("points:\n  volunteer_tiers: [{min_points: 20, name: 甲}, {min_points: 20, name: 乙}]\n",
     ["政策文件字段 points.volunteer_tiers:奖励档次须按积分从低到高排列:第 2 档“乙”20 分不高于第 1 档“甲”20 分"]),
    ("points:\n  volunteer_tiers: [{min_points: 20, name: 甲}, {min_points: 30, name: 甲}]\n",
     ["政策文件字段 points.volunteer_tiers:奖励档次的名称不能重复"]),
    ("points:\n  volunteer_tiers: [{min_points: 0, name: 甲}]\n",
     ["政策文件字段 points.volunteer_tiers.0.min_points:须大于 0(现为 0)"]),
    ("points:\n  volunteer_tiers: [{min_points: 10, name: ''}]\n",
     ["政策文件字段 points.volunteer_tiers.0.name:不能为空"]),
    # 千分制 grade lines: ordered, within 0–1000, all three named.
    ("points:\n  scorecard_grades: {优秀: 900, 称职: 950, 基本称职: 600}\n",
     ["政策文件字段 points.scorecard_grades:“称职”分数线(950)不能高于“优秀”分数线(900)"]),
    ("points:\n  scorecard_grades: {优秀: 900, 称职: 750, 基本称职: 800}\n",
     ["政策文件字段 points.scorecard_grades:“基本称职”分数线(800)不能高于“称职”分数线(750)"]),
    ("points:\n  scorecard_grades: {优秀: 1200, 称职: 750, 基本称职: 600}\n",
     ["政策文件字段 points.scorecard_grades.优秀:须不大于 1000(现为 1200)"]),
    ("points:\n  scorecard_grades: {优秀: 900, 称职: 750}\n", ["政策文件字段 points.scorecard_grades:缺少键 基本称职"]),
    ("points:\n  scorecard_grades: {优秀: 900, 称职: 750, 基本称职: 600, 不称职: 0}\n",
     ["政策文件字段 points.scorecard_grades:不允许的键 不称职"]),
    ("points:\n  streak_years: 0\n", ["政策文件字段 points.streak_years:须不小于 1(现为 0)"]),
    # The on-site sample: every organisation type has its count, and something is drawn.
    ("on_site:\n  sample_counts: {村: 8, 社区: 1}\n",
     ["政策文件字段 on_site.sample_counts:缺少键 新社会组织、非公企业、事业单位"]),
    ("on_site:\n  sample_counts: {村: 8, 社区: 1, 新社会组织: 3, 非公企业: 6, 事业单位: 2, 乡镇: 1}\n",
     ["政策文件字段 on_site.sample_counts:不允许的键 乡镇"]),
    ("on_site:\n  sample_counts: {村: -1, 社区: 1, 新社会组织: 3, 非公企业: 6, 事业单位: 2}\n",
     ["政策文件字段 on_site.sample_counts.村:须不小于 0(现为 -1)"]),
    ("on_site:\n  sample_counts: {村: 0, 社区: 0, 新社会组织: 0, 非公企业: 0, 事业单位: 0}\n",
     ["政策文件字段 on_site.sample_counts:各类基层单位的抽样数合计须大于 0"]),
    ("on_site:\n  questionnaire_targets: {党员: 100, 干部: 10}\n",
     ["政策文件字段 on_site.questionnaire_targets:不允许的键 干部"]),
    ("on_site:\n  questionnaire_targets: {党员: 100}\n", ["政策文件字段 on_site.questionnaire_targets:缺少键 群众"]),
    ("on_site:\n  min_cell_respondents: 0\n", ["政策文件字段 on_site.min_cell_respondents:须不小于 1(现为 0)"]),
    ("on_site:\n  within_region: 也许\n", ["政策文件字段 on_site.within_region:须为 true 或 false(现为 也许)"]),
    ("onsite:\n  min_cell_respondents: 5\n", ["政策文件字段 onsite:政策中没有这一项(请检查拼写)"]),
])
def test_bad_points_or_on_site_policy_names_the_field(tmp_path, yaml_text, problems):
    path = tmp_path / "policy.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(PolicyError) as error:
        load_policy(path)
    assert str(error.value) == f"政策文件 {path} 有误 — " + ";".join(p.removeprefix("政策文件") for p in problems)
