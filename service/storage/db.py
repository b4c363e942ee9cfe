"""Engine, sessions and migrations. SQLite (WAL) by default; PostgreSQL by URL."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# A pooled connection idle for longer than this is pinged before it is handed out again.
PING_AFTER_IDLE = 5.0


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("sqlite:///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # WAL lets the API read while a batch job writes; FKs are off by default in SQLite.
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    engine = create_engine(url)
    _ping_when_idle(engine, PING_AFTER_IDLE)
    return engine


def _ping_when_idle(engine: Engine, idle_after: float) -> None:
    """Pessimistic disconnect handling, without a round trip per session: a connection that
    has sat in the pool for `idle_after` seconds or more (the server or a proxy may have
    dropped it meanwhile) is pinged on checkout and replaced if dead; one just returned by a
    busy worker is handed out as it is. `pool_pre_ping` pinged on every checkout, one extra
    round trip per session (three per job item). A connection that dies within the idle window
    fails its statement: SQLAlchemy then drops the pool's connections, and the task is retried
    (Procrastinate's retry, the request's own error)."""

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_conn: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _handed_out(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < idle_after:
            return  # new, or back in the pool a moment ago
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:  # the pool retries the checkout on a fresh connection
            raise DisconnectionError("pooled connection is gone") from exc


class RoundTrips:
    """Counts the round trips an engine makes to its database server, for benchmarks and
    tests: statements, transaction starts and ends (each its own exchange with psycopg; none
    on a connection in autocommit), and pings."""

    def __init__(self, engine: Engine) -> None:
        self.counts = {"statements": 0, "begins": 0, "ends": 0, "pings": 0}
        self._lock = threading.Lock()
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "begin", self._begin)
        event.listen(engine, "commit", self._end)
        event.listen(engine, "rollback", self._end)
        ping = engine.dialect.do_ping

        def counted_ping(dbapi_conn: Any) -> bool:
            self._add("pings")
            return ping(dbapi_conn)

        engine.dialect.do_ping = counted_ping  # type: ignore[method-assign,assignment]

    def _add(self, what: str) -> None:
        with self._lock:
            self.counts[what] += 1

    def _statement(self, *_args: Any) -> None:
        self._add("statements")

    @staticmethod
    def _in_transaction(conn: Any) -> bool:
        return not getattr(conn.connection.dbapi_connection, "autocommit", False)

    def _begin(self, conn: Any) -> None:
        if self._in_transaction(conn):
            self._add("begins")

    def _end(self, conn: Any) -> None:
        if self._in_transaction(conn):
            self._add("ends")

    def total(self) -> int:
        with self._lock:
            return sum(self.counts.values())

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self.counts)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (the same migrations serve both databases)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def migrate(self) -> None:
        migrate(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def autocommit(self) -> Iterator[Session]:
        """A session whose statements commit one by one, each a single round trip (no BEGIN,
        no COMMIT): for a statement that is atomic on its own, such as one conditional UPDATE."""
        with (
            self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn,
            Session(bind=conn, expire_on_commit=False) as session,
        ):
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
