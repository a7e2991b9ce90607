from django.db import migrations

from audit.guards import protect


class Migration(migrations.Migration):
    dependencies = [("suppliers", "0001_initial"), ("audit", "0002_append_only_guards")]

    operations = [
        protect(
            "suppliers_historicalorganisation",
            "suppliers_historicalmembership",
            "suppliers_historicalblacklistentry",
            "suppliers_blacklistentry",
        ),
    ]
