"""Database consistency checks (``warehouse/queries/consistency_checks.sql``).

One query, one row per violation: ``(check, key, detail)``. Run between runs (a run in progress
shows up as ``run_not_finished``); ``newsmon check`` prints them and ``bench/soak.py`` runs them
every few runs.
"""

from __future__ import annotations

import duckdb

from warehouse.database import query

Violation = tuple[str, str, str]


def violations(con: duckdb.DuckDBPyConnection) -> list[Violation]:
    """Every violation in the open database, ordered by check and key (empty = consistent)."""
    rows = con.execute(query("consistency_checks")).fetchall()
    return [(str(check), str(key), str(detail)) for check, key, detail in rows]


def check_names() -> list[str]:
    """The names of the checks the query runs, in file order (for reports)."""
    names: list[str] = []
    for line in query("consistency_checks").splitlines():
        stripped = line.strip()
        if stripped.startswith("SELECT '"):
            names.append(stripped.split("'")[1])
    return names
