"""The throwaway PostgreSQL server the inventory and worker tests run on: a real server, reached over TCP."""

from __future__ import annotations

import psycopg
from postgres_server import PostgresServer


def test_each_test_gets_its_own_empty_database(postgres_server: PostgresServer) -> None:
    first, second = postgres_server.database(), postgres_server.database()
    assert first != second
    with psycopg.connect(first, autocommit=True) as connection:
        connection.execute("CREATE TABLE seen (n integer)")
        connection.execute("INSERT INTO seen VALUES (1)")
    with psycopg.connect(second) as connection:
        tables = connection.execute("SELECT count(*) FROM pg_tables WHERE tablename = 'seen'").fetchone()
    assert tables == (0,)


def test_a_commit_is_seen_by_another_connection(postgres_url: str) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as writer:
        writer.execute("CREATE TABLE steps (id integer PRIMARY KEY, state text)")
        writer.execute("INSERT INTO steps VALUES (1, 'done')")
    with psycopg.connect(postgres_url) as reader:
        assert reader.execute("SELECT state FROM steps WHERE id = 1").fetchone() == ("done",)
