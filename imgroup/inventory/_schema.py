"""The inventory's tables, in the SQL SQLite and PostgreSQL share.

Times are seconds since the epoch (``DOUBLE PRECISION``: SQLite gives it REAL affinity). A group or a member is
never just deleted by an event: it is marked gone (``alive = 0``, ``present = 0``) with the time it went, so an
older event arriving late cannot bring it back (see ``_rules``). Every table is prefixed ``inventory_``, so the
inventory can share a PostgreSQL database with other tools.
"""

from __future__ import annotations

KEY = "vendor TEXT NOT NULL, app TEXT NOT NULL, tenant TEXT NOT NULL"

STATEMENTS = (
    f"""CREATE TABLE IF NOT EXISTS inventory_groups (
        {KEY},
        group_id TEXT NOT NULL,
        ref TEXT NOT NULL,
        name TEXT,
        owner TEXT,
        member_count BIGINT,
        created_at DOUBLE PRECISION,
        seen_at DOUBLE PRECISION NOT NULL,
        read_at DOUBLE PRECISION,
        alive INTEGER NOT NULL,
        alive_at DOUBLE PRECISION NOT NULL,
        name_at DOUBLE PRECISION,
        owner_at DOUBLE PRECISION,
        PRIMARY KEY (vendor, app, tenant, group_id)
    )""",
    "CREATE INDEX IF NOT EXISTS inventory_groups_by_owner ON inventory_groups (vendor, owner)",
    f"""CREATE TABLE IF NOT EXISTS inventory_members (
        {KEY},
        group_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        role TEXT NOT NULL,
        present INTEGER NOT NULL,
        at DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (vendor, app, tenant, group_id, user_id)
    )""",
    "CREATE INDEX IF NOT EXISTS inventory_members_by_user ON inventory_members (vendor, user_id)",
    f"""CREATE TABLE IF NOT EXISTS inventory_apps (
        {KEY},
        last_full_sync DOUBLE PRECISION,
        last_sync_finished DOUBLE PRECISION,
        last_event DOUBLE PRECISION,
        PRIMARY KEY (vendor, app, tenant)
    )""",
    f"""CREATE TABLE IF NOT EXISTS inventory_syncs (
        {KEY},
        started_at DOUBLE PRECISION NOT NULL,
        listed INTEGER NOT NULL,
        PRIMARY KEY (vendor, app, tenant)
    )""",
    f"""CREATE TABLE IF NOT EXISTS inventory_sync_queue (
        {KEY},
        position BIGINT NOT NULL,
        ref TEXT NOT NULL,
        done INTEGER NOT NULL,
        PRIMARY KEY (vendor, app, tenant, position)
    )""",
)
