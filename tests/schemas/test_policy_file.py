"""The policy file an administrator starts from: every setting with a Chinese note, read back to the same policy."""

from __future__ import annotations

from datetime import date

from typer.testing import CliRunner

from flows.cli import app
from schemas.policy import Policy, load_policy
from schemas.policy_file import NOTES, policy_yaml, setting_paths


def test_every_setting_has_a_note_and_every_note_a_setting():
    paths = setting_paths()
    assert "half_year.integrity.exclude_flagged" in paths and "annual.apology_dossiers" in paths
    assert sorted(NOTES) == sorted(paths)


def test_each_note_stands_on_the_line_before_its_setting():
    lines = policy_yaml().splitlines()
    for path, note in NOTES.items():
        at = [i for i, line in enumerate(lines) if line.strip() == f"# {note}"]
        assert len(at) == 1, path
        depth, key = path.count("."), path.rsplit(".", 1)[-1]
        assert lines[at[0] + 1].startswith(f"{'  ' * depth}{key}:"), (path, lines[at[0] + 1])


def test_the_defaults_written_are_read_back_as_the_defaults(tmp_path):
    path = tmp_path / "标准.yaml"
    path.write_text(policy_yaml(), encoding="utf-8")
    assert load_policy(path) == Policy()
    assert load_policy(path).digest() == Policy().digest()


def test_a_city_s_own_policy_is_read_back_unchanged(tmp_path):
    policy = Policy.model_validate({
        "city": "河西市",
        "half_year": {"group_weights": {"机关": 1, "中省直部门": 1, "重点项目单位": 2, "社会各界": 0}},
        "annual": {"apology_dossiers": True, "bottom_count": 5, "bonus_approvers": ["市委组织部"]},
        "publicity": {"extra_holidays": [date(2031, 1, 1)]},
        "points": {"volunteer_tiers": [{"min_points": 10, "name": "感谢信"}, {"min_points": 30, "name": "表彰"}]},
        "delivery": {"recipients": [{"name": "王书记", "email": "wang@example.cn", "regions": ["河东区"]}]},
        "aliases": {"platform": {"12345": "12345政府服务热线"}},
    })
    path = tmp_path / "河西市.yaml"
    path.write_text(policy_yaml(policy), encoding="utf-8")
    assert load_policy(path) == policy
    assert "# 收件人:" in path.read_text(encoding="utf-8")


def test_the_command_writes_the_defaults_and_never_overwrites(tmp_path):
    target = tmp_path / "policies" / "2027年度.yaml"
    result = CliRunner().invoke(app, ["policy", "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert "已写出内置标准政策" in result.output and "2027年度" in result.output
    assert load_policy(target) == Policy()
    target.write_text("city: 河西市\n", encoding="utf-8")  # the administrator's edits
    again = CliRunner().invoke(app, ["policy", "--out", str(target)])
    assert again.exit_code != 0 and "文件已存在,未覆盖" in again.output
    assert target.read_text(encoding="utf-8") == "city: 河西市\n"
    wrong = CliRunner().invoke(app, ["policy", "--out", str(tmp_path / "policy.yml")])
    assert wrong.exit_code != 0 and "须以 .yaml 结尾" in wrong.output
