"""What an attacker with superuser rights does in the tamper tests: switch the append-only
guards off, change the rows directly, and switch the guards back on."""

from django.db import connection

from audit.guards import set_guards


def attack(sql: str, params=()) -> None:
    set_guards(connection, enabled=False)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    set_guards(connection, enabled=True)
