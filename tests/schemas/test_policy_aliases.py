"""The policy's alias tables: SPEC §3 defaults, overrides from YAML, and refusals naming the field."""

from __future__ import annotations

import pytest

from schemas.policy import PolicyError, load_policy

HOTLINE = "12345政府服务热线"


def test_default_alias_tables_are_spec_section_3():
    aliases = load_policy(None).aliases
    assert aliases.platform == {"12345热线": HOTLINE, "12345": HOTLINE, "“12345”政府服务热线": HOTLINE,
                                "12345政务服务便民热线": HOTLINE, "市民热线": HOTLINE, "政务服务中心": "行政服务中心",
                                "信访": "信访局", "新闻媒体": "媒体", "媒体问政": "媒体"}
    assert aliases.rating == {"非常满意": "满意", "非常不满意": "不满意"}  # the 好差评 five-level scale
    assert aliases.status == {"已完成": "已兑现", "完成": "已兑现", "正在推进": "推进中", "进行中": "推进中",
                              "经批准调整": "已调整"}


def test_yaml_alias_table_replaces_the_default_and_reads_keys_as_cells(tmp_path):
    path = tmp_path / "policy.yaml"
    # A bare 12345 is a number in YAML, and a full-width key is compared after NFKC, as cells are.
    path.write_text("aliases:\n  platform:\n    12345: 12345政府服务热线\n    １２３４５服务台: 12345政府服务热线\n",
                    encoding="utf-8")
    aliases = load_policy(path).aliases
    assert aliases.platform == {"12345": HOTLINE, "12345服务台": HOTLINE}
    assert aliases.rating == {"非常满意": "满意", "非常不满意": "不满意"}  # tables not named keep their defaults


@pytest.mark.parametrize(("yaml_text", "message"), [
    # a variant must map to a value the column allows
    ("aliases:\n  rating:\n    很好: 好\n", "rating 的别名只能映射到允许值(满意、基本满意、不满意、未评价),不能映射到 好"),
    # an allowed value cannot be re-mapped to another
    ("aliases:\n  status:\n    推进中: 已兑现\n", "status 的别名不能是允许值本身: 推进中"),
])
def test_wrong_alias_tables_are_refused_in_chinese(tmp_path, yaml_text, message):
    path = tmp_path / "policy.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert "字段 aliases" in str(caught.value) and message in str(caught.value)
