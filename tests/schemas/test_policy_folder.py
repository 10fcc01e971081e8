"""A run names its policy; the name is resolved inside the deployment's policy folder and nowhere else."""

from __future__ import annotations

import pytest

from schemas.policy import DEFAULT_POLICY, PolicyError, policy_names, policy_path


@pytest.fixture
def folder(tmp_path):
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "江城市2026.yaml").write_text("city: 江城市\n", encoding="utf-8")
    (policies / "试行.yaml").write_text("city: 江城市\n", encoding="utf-8")
    (policies / "说明.txt").write_text("not a policy", encoding="utf-8")
    (tmp_path / "secret.yaml").write_text("city: 别处\n", encoding="utf-8")
    return policies


def test_the_names_offered_are_the_defaults_and_the_yaml_files(folder, tmp_path):
    assert policy_names(folder) == [DEFAULT_POLICY, "江城市2026", "试行"]
    assert policy_names(tmp_path / "absent") == [DEFAULT_POLICY]  # a deployment without a folder: the defaults


@pytest.mark.parametrize("name, expected", [
    (DEFAULT_POLICY, None),  # the defaults need no file
    ("", None),
    (None, None),
    ("试行", "试行.yaml"),
])
def test_a_name_is_a_file_of_the_folder(folder, name, expected):
    path = policy_path(name, folder)
    assert (path.name if path else None) == expected
    assert path is None or path.parent == folder.resolve()


@pytest.mark.parametrize("name, words", [
    ("../secret", "只能选择政策目录"),          # leads out of the folder
    ("/etc/passwd", "只能选择政策目录"),        # an absolute path
    ("sub/../../secret", "只能选择政策目录"),   # out and back through a sub-folder
    ("未登记", "没有名为“未登记”的政策;可选:内置标准、江城市2026、试行"),  # a name the folder does not hold
])
def test_a_name_leading_elsewhere_is_refused_in_chinese(folder, name, words):
    with pytest.raises(PolicyError, match=words):
        policy_path(name, folder)
