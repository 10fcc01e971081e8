"""What the service tests count as an error of Prefect's own services in `assess serve`'s log."""

from __future__ import annotations

from tests.flows.service import Service

LOG = """\
23:59:40.001 | INFO    | prefect.server - Started
23:59:50.593 | ERROR   | prefect.server.utilities.worker_channel - Worker channel heartbeat persistence failed: work_pool=assessment worker_name=ProcessWorker a03
Traceback (most recent call last):
  File "aiosqlite/core.py", line 63, in _connection_worker_thread
sqlite3.OperationalError: database is locked
23:59:51.000 | ERROR   | prefect.server.services.scheduler - Unexpected error in: OperationalError
Traceback (most recent call last):
sqlite3.OperationalError: database is locked
23:59:52.000 | ERROR   | prefect.server.utilities.worker_channel - Worker channel heartbeat persistence failed: work_pool=assessment worker_name=ProcessWorker b04
Traceback (most recent call last):
sqlalchemy.exc.IntegrityError: FOREIGN KEY constraint failed
23:59:53.000 | ERROR   | Flow run 'annual-2026' - 年度考核缺少数据
"""


def test_only_a_heartbeat_refused_by_a_locked_database_is_passed_over(tmp_path):
    log = tmp_path / "serve.log"
    log.write_text(LOG, encoding="utf-8")
    errors = Service("http://127.0.0.1:1/api", log, tmp_path).service_errors()
    # The scheduler's error and a heartbeat failing for another reason count; a flow run's own error is the test's.
    assert [line.split(" - ")[0] for line in errors if "ERROR" in line] == [
        "23:59:51.000 | ERROR   | prefect.server.services.scheduler",
        "23:59:52.000 | ERROR   | prefect.server.utilities.worker_channel"]
    assert errors.count("Traceback (most recent call last):") == 2
