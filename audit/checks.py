"""`manage.py check --database default`: can this database run the durability barrier?

With early lock release (audit/durability.py) every event's commit is followed by the barrier,
which calls pg_logical_emit_message. A server that refuses it (a managed service that revokes
it, say) would let each audited transaction commit and then fail the caller: better said once,
before serving, with the way out.
"""

from django.core import checks
from django.db import DatabaseError, connections

from audit import durability


@checks.register(checks.Tags.database)
def barrier_available(app_configs=None, databases=None, **kwargs):
    problems = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor != "postgresql" or not durability.enabled():
            continue
        try:
            with connection.cursor() as cursor:
                # Non-transactional: writes one WAL record, changes nothing.
                cursor.execute("SELECT pg_logical_emit_message(false, 'audit-check', '')")
        except DatabaseError as error:
            problems.append(
                checks.Error(
                    f"The database refuses the audit log's durability barrier: {error}",
                    hint="Grant EXECUTE on pg_logical_emit_message to the platform's role, or "
                    "set AUDIT_EARLY_LOCK_RELEASE=0 to keep the log's head through each "
                    "commit's WAL flush instead.",
                    id="audit.E001",
                )
            )
    return problems
