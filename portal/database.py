"""Database building blocks shared by every capability's models."""

from contextlib import contextmanager
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import DateTime, Enum, MetaData, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


def clock_now() -> datetime:
    """Now, for a request's rules: the app's ``PORTAL_CLOCK`` when set (a callable returning an
    aware datetime, so tests can stand on any day), otherwise ``utcnow()``."""
    return current_app.config.get("PORTAL_CLOCK", utcnow)()


def streamed(engine, statement, *, batch_size: int = 500, scalars: bool = False):
    """The rows of ``statement`` as they are read, ``batch_size`` at a time (a server-side cursor
    on PostgreSQL), by a session of its own: a response body written from a generator runs after
    the request's session is gone, and a worker never holds every row at once. Closing the
    generator (a client that goes away) closes the session."""
    with Session(engine) as session:
        result = session.execute(statement.execution_options(yield_per=batch_size))
        yield from (result.scalars() if scalars else result)


class UTCDateTime(TypeDecorator):
    """Stores UTC and gives back timezone-aware UTC values on SQLite and PostgreSQL alike.

    Naive values are refused: every datetime in the portal knows its zone.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_type(enum_class, length: int = 20) -> Enum:
    """Store an enum by its value ('admin'), as a plain string column with a CHECK constraint."""
    return Enum(
        enum_class,
        native_enum=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def configure_sqlite(engine) -> None:
    """WAL, a busy timeout so writers wait instead of failing, foreign keys, and SQLAlchemy's
    recipe that lets SAVEPOINTs work with the pysqlite driver."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if connection.get_execution_options().get(_WRITE) else "BEGIN")


def configure_postgresql(engine, answer_timeout: float) -> None:
    """Stop waiting for an answer from PostgreSQL after ``answer_timeout`` seconds (0: wait).

    libpq's own timeouts (set in the engine's connect_args, portal/config.py) cover connecting,
    a peer that is gone (keepalives, tcp_user_timeout) and a slow statement (statement_timeout, on
    the server). None of them fires when the connection is black-holed somewhere that still
    acknowledges packets (a firewall, a proxy, a frozen VM): the query is sent and the worker
    waits for ever. psycopg waits on the socket in one method, ``Connection.wait``, which takes a
    timeout; ours passes one and, when it runs out, closes the connection, which SQLAlchemy then
    takes for a disconnect (the pool is refreshed and the error is an OperationalError: a 503)."""
    if engine.dialect.name != "postgresql" or not answer_timeout:
        return
    import psycopg

    class AnsweringConnection(psycopg.Connection):
        def wait(self, gen, interval=0.1, timeout=None):
            try:
                return super().wait(gen, interval=interval, timeout=timeout or answer_timeout)
            except psycopg.errors._WaitTimeout:  # psycopg's own (pinned) signal that the timeout ran out
                self.pgconn.finish()
                raise psycopg.OperationalError(
                    f"the database did not answer within {answer_timeout:g} s; connection closed") from None

    @event.listens_for(engine, "do_connect")
    def connect(_dialect, _record, cargs, cparams):
        return AnsweringConnection.connect(*cargs, **cparams)


def migration_engine(engine):
    """The engine migrations run on: on PostgreSQL a plain one, without the requests' statement
    and answer timeouts (they guard requests; a migration over a national registry may rightly
    take minutes); on SQLite ``engine`` itself, whose pragmas (foreign keys, busy timeout) the
    migrations need."""
    if engine.dialect.name != "postgresql":
        return engine
    return create_engine(engine.url, poolclass=NullPool)


_WRITE = "portal_write_transaction"


def begin_write(session) -> None:
    """Start ``session``'s transaction as a writer.

    On SQLite that is ``BEGIN IMMEDIATE``: the writer takes the write lock first and waits its
    turn (busy timeout) instead of failing with "database is locked" when a transaction that has
    read tries to write after another writer committed. Elsewhere it only opens the transaction.
    """
    if isinstance(session, scoped_session):
        session = session()
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={_WRITE: True})


@contextmanager
def write_apart(session):
    """A write of its own in a request that otherwise reads (a GET that logs an access, keeps a
    report's snapshot): the transaction begun as a writer (``begin_write``), committed at the end,
    and what the request already loaded not expired by that commit."""
    if isinstance(session, scoped_session):
        session = session()
    expire = session.expire_on_commit
    session.expire_on_commit = False
    try:
        begin_write(session)
        yield session
        session.commit()
    finally:
        session.expire_on_commit = expire


def conflict_insert(session, model):
    """An ``INSERT`` that takes ``ON CONFLICT`` clauses (``on_conflict_do_nothing`` /
    ``on_conflict_do_update``), on PostgreSQL and SQLite alike."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model)


def insert_ignoring_duplicates(session, model, *unique_columns: str):
    """``INSERT ... ON CONFLICT (unique_columns) DO NOTHING``: rows that would break that unique
    constraint are skipped, even when a concurrent transaction inserted them first."""
    return conflict_insert(session, model).on_conflict_do_nothing(index_elements=list(unique_columns))
