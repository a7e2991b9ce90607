from django.db import migrations

from audit.guards import protect


def create_heads(apps, schema_editor):
    apps.get_model("audit", "LogHead").objects.get_or_create(pk=1)
    apps.get_model("audit", "TreeState").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(create_heads, migrations.RunPython.noop),
        protect("audit_entry", "audit_checkpoint", "audit_merklenode"),
    ]
