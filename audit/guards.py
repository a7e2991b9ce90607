"""Database triggers that make evidence tables append-only, for PostgreSQL and SQLite.

They stop the application (a bug, an injected query, a careless operator) from rewriting
history. A database superuser can still drop them; the hash chain, the Merkle tree and the
signed checkpoints are what catch that.
"""

from django.db.backends.base.base import BaseDatabaseWrapper

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION append_only_guard() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def _pg_install(table: str, *, allow_update: bool) -> list[str]:
    events = "DELETE" if allow_update else "UPDATE OR DELETE"
    return [
        PG_FUNCTION,
        f'DROP TRIGGER IF EXISTS "{table}_no_change" ON "{table}";',
        f'CREATE TRIGGER "{table}_no_change" BEFORE {events} ON "{table}" '
        "FOR EACH ROW EXECUTE FUNCTION append_only_guard();",
        f'DROP TRIGGER IF EXISTS "{table}_no_truncate" ON "{table}";',
        f'CREATE TRIGGER "{table}_no_truncate" BEFORE TRUNCATE ON "{table}" '
        "FOR EACH STATEMENT EXECUTE FUNCTION append_only_guard();",
    ]


def _sqlite_install(table: str, *, allow_update: bool) -> list[str]:
    # With PRAGMA recursive_triggers=ON (set on every connection in settings), the rows that
    # INSERT OR REPLACE would delete fire the DELETE trigger, so REPLACE is refused too.
    update_guard = [
        f'CREATE TRIGGER "{table}_no_update" BEFORE UPDATE ON "{table}" '
        f"BEGIN SELECT RAISE(ABORT, 'table {table} is append-only: UPDATE refused'); END;",
    ]
    return [
        f'DROP TRIGGER IF EXISTS "{table}_no_update";',
        *([] if allow_update else update_guard),
        f'DROP TRIGGER IF EXISTS "{table}_no_delete";',
        f'CREATE TRIGGER "{table}_no_delete" BEFORE DELETE ON "{table}" '
        f"BEGIN SELECT RAISE(ABORT, 'table {table} is append-only: DELETE refused'); END;",
    ]


def _sqlite_remove(table: str) -> list[str]:
    return [
        f'DROP TRIGGER IF EXISTS "{table}_no_update";',
        f'DROP TRIGGER IF EXISTS "{table}_no_delete";',
    ]


def install_sql(vendor: str, table: str, *, allow_update: bool = False) -> list[str]:
    if vendor == "postgresql":
        return _pg_install(table, allow_update=allow_update)
    if vendor == "sqlite":
        return _sqlite_install(table, allow_update=allow_update)
    raise NotImplementedError(f"append-only guards are not written for {vendor}")


# Every guarded table: (name, whether rows may be updated). Entries of the blacklist may be
# ended (an update) but never deleted; evidence tables take inserts only.
GUARDED_TABLES: dict[str, bool] = {
    "audit_entry": False,
    "audit_checkpoint": False,
    "audit_merklenode": False,
    "suppliers_historicalorganisation": False,
    "suppliers_historicalmembership": False,
    "suppliers_historicalblacklistentry": False,
    "suppliers_blacklistentry": True,
    "procurement_budgetentry": False,
    "procurement_tenderversion": False,
    "transparency_release": False,
}


def set_guards(connection: BaseDatabaseWrapper, *, enabled: bool, tables=None) -> None:
    """Lift or restore the guards: test teardown (flush) and the tamper drills use this."""
    names = list(tables or GUARDED_TABLES)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and connection.in_atomic_block:
            # ALTER TABLE refuses while deferred foreign-key checks are pending: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in names:
            if connection.vendor == "postgresql":
                verb = "ENABLE" if enabled else "DISABLE"
                cursor.execute(f'ALTER TABLE "{table}" {verb} TRIGGER USER;')
            elif enabled:
                for sql in _sqlite_install(table, allow_update=GUARDED_TABLES[table]):
                    cursor.execute(sql)
            else:
                for sql in _sqlite_remove(table):
                    cursor.execute(sql)
        if connection.vendor == "postgresql" and connection.in_atomic_block:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def protect(*tables: str):
    """A migration operation that installs the guards of GUARDED_TABLES on these tables."""
    from django.db import migrations

    def forwards(apps, schema_editor):
        for table in tables:
            vendor = schema_editor.connection.vendor
            for sql in install_sql(vendor, table, allow_update=GUARDED_TABLES[table]):
                schema_editor.execute(sql, params=None)

    def backwards(apps, schema_editor):
        set_guards(schema_editor.connection, enabled=False, tables=tables)

    return migrations.RunPython(forwards, backwards)
