"""The tally of the hostile-input corpus, printed at the end of the test session."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

_TALLY = pytest.StashKey["Tally"]()


@dataclass
class Tally:
    """Cases tried and rows read, accepted and rejected over the whole corpus."""

    cases: int = 0
    read: int = 0
    accepted: int = 0
    rejected: int = 0

    @property
    def lost(self) -> int:
        """Rows read that were neither stored nor quarantined."""
        return self.read - self.accepted - self.rejected


@pytest.fixture(scope="session")
def corpus_tally(request) -> Tally:
    """The session's tally, kept where the summary hook finds it."""
    return request.config.stash.setdefault(_TALLY, Tally())


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    tally = config.stash.get(_TALLY, None)
    if tally is None or tally.cases == 0:
        return
    terminalreporter.section("hostile-input corpus")
    terminalreporter.write_line(f"cases tried {tally.cases}, rows read {tally.read}, accepted {tally.accepted}, "
                                f"rejected {tally.rejected}, lost {tally.lost}")
