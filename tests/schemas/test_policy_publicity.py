"""The publicity section of the policy: SPEC §7 defaults, holidays of uncovered years, the retired day limit."""

from __future__ import annotations

from datetime import date

import pytest

from schemas.policy import Aliases, PolicyError, load_policy


def test_defaults_are_the_spec_numbers():
    publicity = load_policy(None).publicity
    assert publicity.model_dump() == {
        "publicity_working_days": 5,
        "appeal_contact": "创先争优活动领导小组办公室(联系方式见公示通知)",
        "rectification_working_days": 15,
        "cycles_with_window": ["half-year", "annual"],  # quarterly results have no window
        "extra_holidays": [],
    }


def test_yaml_sets_the_window_and_the_holidays_of_an_uncovered_year(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text("publicity:\n  publicity_working_days: 7\n  appeal_contact: 市委组织部干部监督科\n"
                    "  cycles_with_window: [annual]\n  extra_holidays: [2027-02-11, 2027-01-01, 2027-01-01]\n",
                    encoding="utf-8")
    publicity = load_policy(path).publicity
    assert (publicity.publicity_working_days, publicity.appeal_contact, publicity.cycles_with_window) == (
        7, "市委组织部干部监督科", ["annual"])
    # Holidays are kept once each, in date order.
    assert publicity.extra_holidays == [date(2027, 1, 1), date(2027, 2, 11)]


def test_a_city_cycle_table_keeps_the_chinese_cycle_names():
    # The labels of the cycles are what providers write; a city adds variants, it cannot lose the names.
    assert Aliases(cycle={"半年考核": "half-year"}).cycle == {
        "半年考核": "half-year", "季度评议写实": "quarterly", "半年点评写实": "half-year", "年度考核": "annual",
        "积分制管理": "points", "现场点评": "on-site"}
    assert Aliases().cycle["半年点评写实"] == "half-year"


@pytest.mark.parametrize(("yaml_text", "problem"), [
    # The window and the limit are bounded working-day counts.
    ("publicity:\n  publicity_working_days: 0\n", "字段 publicity.publicity_working_days:须不小于 1(现为 0)"),
    ("publicity:\n  rectification_working_days: 200\n",
     "字段 publicity.rectification_working_days:须不大于 120(现为 200)"),
    ("publicity:\n  appeal_contact: ''\n", "字段 publicity.appeal_contact:不能为空"),
    ("publicity:\n  cycles_with_window: [annual, annual]\n", "字段 publicity.cycles_with_window:重复的周期: annual"),
    # The table decides the covered years: a listed holiday there would be silently ignored, so it is refused.
    ("publicity:\n  extra_holidays: [2026-10-01, 2027-01-01]\n",
     "字段 publicity.extra_holidays:2026-10-01 所在年份已按国务院节假日安排(2004–2026 年)计算,"
     "extra_holidays 只列未收录年份的节假日,请删除"),
    ("publicity:\n  extra_holidays: [明年元旦]\n", "字段 publicity.extra_holidays.0:须为日期,如 2027-01-01(现为 明年元旦)"),
    # The calendar-day limit is retired: a city that set it is told what replaced it.
    ("half_year:\n  rectification_days: 20\n",
     "字段 half_year:rectification_days 已停用:整改方案报送时限改按工作日、自正式版发布之日起计算,"
     "请删除此项,改设 publicity.rectification_working_days(默认 15 个工作日)"),
    ("aliases:\n  cycle: {半年考核: semiannual}\n",
     "字段 aliases:cycle 的别名只能映射到允许值(quarterly、half-year、annual、points、on-site),不能映射到 semiannual"),
])
def test_bad_publicity_settings_name_the_field(tmp_path, yaml_text, problem):
    path = tmp_path / "policy.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(PolicyError) as error:
        load_policy(path)
    assert str(error.value) == f"政策文件 {path} 有误 — {problem}"

