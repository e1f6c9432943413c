"""A short soak: consecutive runs against a changing site leave a consistent database.

The CI-sized version of ``bench/soak.py`` (200 runs and an RSS trend): new, copied, edited and
removed articles and a feed that answers 500 every other run, with
``warehouse/queries/consistency_checks.sql`` run after every run; then ``newsmon check`` on the
result, and on a copy with an orphan mention and an unfinished run planted.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from bench.soak import soak
from flows.cli import app

pytestmark = pytest.mark.e2e


def test_consecutive_runs_on_a_changing_site_stay_consistent(tmp_path: Path) -> None:
    # six runs: new articles each run, a copy (run 2), an edit (run 3), a page gone before its
    # fetch (run 4), the flapping feed failing on runs 2, 4 and 6
    result = soak(6, tmp_path, check_every=1, seed=3)
    assert result.states == {"COMPLETED": 6}
    assert result.violations == []
    assert len(result.checks) == 6
    # every run adds a story; copies join theirs; 404 pages are never stored
    assert result.totals["articles"] > result.totals["stories"] >= 6
    assert result.totals["runs"] == 6

    db = tmp_path / "soak.duckdb"
    ok = CliRunner().invoke(app, ["check", "--db", str(db)])
    assert ok.exit_code == 0 and "consistent" in ok.output, ok.output

    broken = tmp_path / "broken.duckdb"
    shutil.copy(db, broken)
    con = duckdb.connect(str(broken))
    try:
        con.execute(
            "INSERT INTO mentions SELECT 'no-such-article', entity_id, field, start_pos, end_pos,"
            " surface, sentence, in_title, in_lead, collective, sentence_index, ambiguous"
            " FROM mentions LIMIT 1"
        ).fetchall()
        con.execute("UPDATE runs SET status = 'running', finished_at = NULL").fetchall()
    finally:
        con.close()
    bad = CliRunner().invoke(app, ["check", "--db", str(broken)])
    assert bad.exit_code == 1
    assert "orphan_mention" in bad.output and "run_not_finished" in bad.output
