"""The artifacts a cycle publishes with a version: a long list shows its first rows and says where all of them are."""

from __future__ import annotations

import json
import uuid

import pandas as pd

from tasks.cycles.artifacts import ARTIFACT_BYTES, publish
from tasks.dossiers.common import records

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
                folder, "assessment.csv")

    publishing()
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[f"{key}-measures"])))
    artifact = max(found, key=lambda a: a.created)
    data = json.loads(artifact.data) if isinstance(artifact.data, str) else artifact.data
    return {"rows": data, "description": artifact.description}


def test_a_province_sized_list_shows_its_first_rows_and_where_all_are(prefect_harness, tmp_path):
    from prefect.artifacts import TableArtifact
    from prefect.server.events.schemas.events import Event

    units = _units(4_961)
    published = _published("annual-test-long", units, tmp_path / "v1")
    shown = len(published["rows"])
    # As many as fit, nearly: about 490 bytes a row of JSON as Prefect keeps it.
    assert len(TableArtifact(table=records(units.head(int(shown * 1.03)))).format()) > ARTIFACT_BYTES
    assert [row["单位编码"] for row in published["rows"]] == [f"U{i:05d}" for i in range(shown)]
    assert published["description"] == (f"2026年度考核:末位处理与一把手道歉单位(共 4,961 行,此处列出前 {shown:,} 行;"
                                         f"全部见 {tmp_path / 'v1' / 'assessment.csv'})")
    # The table as Prefect keeps it (`TableArtifact.format`), and the event announcing it as the server builds one,
    # under the 1.5 MB Prefect publishes an event up to.
    stored = TableArtifact(table=published["rows"]).format()
    assert len(stored) <= ARTIFACT_BYTES
    event = Event(id=uuid.uuid4(), occurred="2026-12-06T00:00:00Z", event="prefect.artifact-collection.created",
                  resource={"prefect.resource.id": "prefect.artifact-collection.x"}, payload={"data": stored})
    assert len(event.model_dump_json().encode()) < 1_500_000


def test_a_city_sized_list_is_shown_whole(prefect_harness, tmp_path):
    published = _published("annual-test-short", _units(1_000), tmp_path / "v1")
    assert len(published["rows"]) == 1_000
    assert published["description"] == "2026年度考核:末位处理与一把手道歉单位"
