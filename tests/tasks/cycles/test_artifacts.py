"""The artifacts a cycle publishes with a version: a long list shows its first rows and says where all of them are."""

from __future__ import annotations

import json

import pandas as pd

from tasks.cycles.artifacts import ARTIFACT_ROWS, publish

COLUMNS = {"单位编码": "U{:05d}", "单位名称": "某某省某某市某某区人民路街道便民服务中心{:05d}", "单位类别": "政府涉企涉民部门",
           "最终得分": 71.25, "排名": 0, "等次": "不满意", "处理措施": "诫勉谈话", "一把手道歉": "公开道歉"}


def _units(n: int) -> pd.DataFrame:
    return pd.DataFrame({name: [value.format(i) if isinstance(value, str) else (i + 1 if name == "排名" else value)
                                for i in range(n)] for name, value in COLUMNS.items()})


def _published(key: str, table: pd.DataFrame, folder) -> dict:
    from prefect import flow
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    @flow
    def publishing():
        publish(key, "measures", table, "2026年度考核:末位处理与一把手道歉单位", "2026年度考核", "参评单位若干", [],
                folder)

    publishing()
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[f"{key}-measures"])))
    artifact = max(found, key=lambda a: a.created)
    data = json.loads(artifact.data) if isinstance(artifact.data, str) else artifact.data
    return {"rows": data, "description": artifact.description}


def test_a_province_sized_list_shows_its_first_rows_and_where_all_are(prefect_harness, tmp_path):
    units = _units(4_961)
    published = _published("annual-test-long", units, tmp_path / "v1")
    assert [row["单位编码"] for row in published["rows"]] == [f"U{i:05d}" for i in range(ARTIFACT_ROWS)]
    assert published["description"] == (f"2026年度考核:末位处理与一把手道歉单位(共 4,961 行,此处列出前 2,000 行;"
                                         f"全部见本版本目录 {tmp_path / 'v1'} 中的 CSV 文件)")
    # What is shown stays well under the 1.5 MB Prefect publishes an event up to.
    assert len(json.dumps(published["rows"], ensure_ascii=False).encode()) < 1_200_000


def test_a_city_sized_list_is_shown_whole(prefect_harness, tmp_path):
    published = _published("annual-test-short", _units(ARTIFACT_ROWS), tmp_path / "v1")
    assert len(published["rows"]) == ARTIFACT_ROWS
    assert published["description"] == "2026年度考核:末位处理与一把手道歉单位"
