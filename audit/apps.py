from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit log")

    def ready(self):
        from audit import checks  # noqa: F401  (registers the database check)

        post_migrate.connect(_ensure_head, sender=self)


def _ensure_head(sender, using, **kwargs):
    # The head row comes with the migrations, but `flush` (tests ending a transactional test,
    # an operator resetting a demo) deletes it and then sends post_migrate. A pipelined append
    # (audit/last_event.py) refuses without it rather than recreating it on every event.
    from audit.models import LogHead

    LogHead.objects.using(using).get_or_create(pk=1)
