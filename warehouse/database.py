"""Opening the DuckDB file: one writer, read-only readers, migrations, views.

DuckDB lets one process hold a file read-write and then refuses every other process, read-only
included. So the writer keeps its connection only while it writes, and both sides turn DuckDB's lock
error into ``DatabaseBusy`` naming the holder, after a short bounded wait.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import duckdb

_MIGRATION_RE = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")
_PID_RE = re.compile(r"PID (\d+)")


class DatabaseBusy(Exception):
    """Another process holds the database file."""


class DatabaseError(Exception):
    """The database file cannot be used (newer schema, failed migration, not a DuckDB file)."""


def _sql_files(folder: str) -> list[tuple[str, str]]:
    root = resources.files("warehouse").joinpath(folder)
    files = sorted((p.name, p.read_text(encoding="utf-8")) for p in root.iterdir())
    return [(name, text) for name, text in files if name.endswith(".sql")]


def migrations() -> list[tuple[int, str, str]]:
    """The numbered migrations shipped with the package, in order: (version, name, sql)."""
    found: list[tuple[int, str, str]] = []
    for name, text in _sql_files("migrations"):
        match = _MIGRATION_RE.match(name)
        if match is None:
            raise DatabaseError(f"badly named migration file {name!r} (want NNN_name.sql)")
        found.append((int(match.group(1)), match.group(2), text))
    versions = [v for v, _, _ in found]
    if len(set(versions)) != len(versions):
        raise DatabaseError("two migrations share a number")
    return found


def query(name: str) -> str:
    """A named query from ``warehouse/queries/<name>.sql``."""
    path = resources.files("warehouse").joinpath("queries", f"{name}.sql")
    return path.read_text(encoding="utf-8")


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back the open transaction, if there still is one.

    A COMMIT that fails (disk full, file size limit) has already ended the transaction, and the
    ``ROLLBACK`` error that followed used to replace the real one ("no transaction is active").
    """
    with contextlib.suppress(duckdb.TransactionException):
        con.execute("ROLLBACK")


def apply_migrations(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply pending migrations, each in one transaction together with its record.

    A failed migration rolls back and stays pending; a database that records a version this code
    does not know was written by a newer newsmon and is refused rather than guessed at.
    """
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"
    )
    applied = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
    known = migrations()
    newest_known = max((v for v, _, _ in known), default=0)
    if applied and max(applied) > newest_known:
        raise DatabaseError(
            f"database schema version {max(applied)} is newer than this newsmon knows "
            f"({newest_known}); upgrade newsmon"
        )
    done: list[int] = []
    for version, name, sql in known:
        if version in applied:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                [version, name, datetime.now(UTC)],
            ).fetchall()
            con.execute("COMMIT")
        except duckdb.Error as exc:
            rollback(con)
            raise DatabaseError(f"migration {version:03d}_{name} failed: {exc}") from exc
        done.append(version)
    return done


def create_views(con: duckdb.DuckDBPyConnection, *, force: bool = False) -> bool:
    """Re-create every view from ``warehouse/views/*.sql`` when their text changed.

    The views' SQL is fingerprinted into ``schema_views``; an open whose code has the same views as
    the file skips the work (re-creating a dozen views cost ~100 ms per open, most of a quiet run).
    DuckDB binds a view when it is created, so a view built on another view must come after it.
    Files run in name order, and a view whose dependency is not there yet is retried after the
    others; only a round that makes no progress is an error. Returns whether views were created.
    """
    pending = _sql_files("views")
    digest = hashlib.sha256(
        "\x00".join(f"{name}\x00{sql}" for name, sql in pending).encode()
    ).hexdigest()
    con.execute("CREATE TABLE IF NOT EXISTS schema_views (digest VARCHAR NOT NULL)").fetchall()
    stored = con.execute("SELECT digest FROM schema_views").fetchall()
    if not force and stored == [(digest,)]:
        return False
    while pending:
        failed: list[tuple[str, str, duckdb.CatalogException]] = []
        for name, sql in pending:
            try:
                con.execute(sql)
            except duckdb.CatalogException as exc:
                failed.append((name, sql, exc))
        if len(failed) == len(pending):
            raise failed[0][2]
        pending = [(name, sql) for name, sql, _ in failed]
    con.execute("DELETE FROM schema_views").fetchall()
    con.execute("INSERT INTO schema_views VALUES (?)", [digest]).fetchall()
    return True


def _busy_message(path: Path, exc: Exception) -> str:
    match = _PID_RE.search(str(exc))
    holder = f"process {match.group(1)}" if match else "another process"
    return f"database {path} is in use by {holder} (a run may be writing); try again shortly"


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc)
    return "lock" in text.lower() and ("Could not set lock" in text or "Conflicting" in text)


def _connect(path: Path, read_only: bool, wait_s: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + wait_s
    delay = 0.05
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if not _is_lock_error(exc):
                raise DatabaseError(f"cannot open database {path}: {exc}") from exc
            if time.monotonic() >= deadline:
                raise DatabaseBusy(_busy_message(path, exc)) from exc
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
        except duckdb.Error as exc:
            raise DatabaseError(f"cannot open database {path}: {exc}") from exc


@contextmanager
def open_writer(path: Path, wait_s: float = 10.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the file for writing (creating it), migrate, re-create views, bring the summary tables
    up to date (a rebuild after migration 008 or when asked for; see warehouse.summaries); close
    on exit."""
    from warehouse import summaries  # it reads queries through this module

    path.parent.mkdir(parents=True, exist_ok=True)
    con = _connect(path, read_only=False, wait_s=wait_s)
    try:
        con.execute("SET TimeZone = 'UTC'")
        apply_migrations(con)
        create_views(con)
        summaries.ensure(con)
        yield con
    finally:
        con.close()


@contextmanager
def open_reader(path: Path, wait_s: float = 5.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the file read-only; a missing file is a clear error, not an empty database."""
    if not path.exists():
        raise DatabaseError(f"no database at {path} (run `newsmon run` or `newsmon demo` first)")
    con = _connect(path, read_only=True, wait_s=wait_s)
    try:
        con.execute("SET TimeZone = 'UTC'")
        yield con
    finally:
        con.close()


def _lock_holder(fd: int) -> str:
    text = os.pread(fd, 200, 0).decode("utf-8", errors="replace").strip()
    return text or "another run"


@contextmanager
def run_lock(path: Path, owner: str, wait_s: float = 10.0) -> Iterator[None]:
    """Hold ``<db>.lock`` for a whole monitoring run; wait at most ``wait_s`` for another run.

    DuckDB's own lock only covers one phase at a time, so two runs could interleave: both fetch the
    same items and both deliver the same due alerts (each sent twice). ``flock`` is released by the
    kernel when the process dies, so a SIGKILLed run never leaves a stale lock behind. The file
    names the holder, so the refusal can say which run and process has the database.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait_s
        delay = 0.05
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise DatabaseBusy(
                        f"database {path} is in use by {_lock_holder(fd)}; "
                        "try again when it finishes"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.5)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"run {owner} (process {os.getpid()})".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
