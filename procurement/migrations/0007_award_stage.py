"""The award stage (issue 6): procedures gain their evaluation and contract rules, tenders a
timer for the windows after opening and their contract terms, the ledger a move that frees an
obligation. On SQLite the new ledger constraint rebuilds the entries' table, which drops its
triggers: the append-only guards are installed again at the end."""

from decimal import Decimal
from django.conf import settings
from django.db import migrations, models

from audit.guards import protect

# Kazakhstan: the commission may ask for corrections of formal defects in an open tender (not
# in price quotations); domestic goods get a 2% conditional discount in open tenders.
RULES = {
    "open_tender": {"allows_corrections": True, "domestic_discount": Decimal("2.00")},
    "price_quotations": {"allows_corrections": False, "domestic_discount": Decimal("0.00")},
    "single_source": {"allows_corrections": False, "domestic_discount": Decimal("0.00")},
}


def set_rules(apps, schema_editor):
    Procedure = apps.get_model("procurement", "Procedure")
    for code, fields in RULES.items():
        Procedure.objects.filter(code=code).update(**fields)


class Migration(migrations.Migration):
    dependencies = [
        ("procurement", "0006_tender_versions_and_notices"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="budgetentry",
            name="budgetentry_kind_known",
        ),
        migrations.AddField(
            model_name="procedure",
            name="allows_corrections",
            field=models.BooleanField(default=False, verbose_name="corrections of formal defects"),
        ),
        migrations.AddField(
            model_name="procedure",
            name="contract_change_limit",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("10.00"),
                max_digits=5,
                verbose_name="largest change of a contract's price (%)",
            ),
        ),
        migrations.AddField(
            model_name="procedure",
            name="correction_hours",
            field=models.PositiveSmallIntegerField(
                default=24, verbose_name="correction window (hours)"
            ),
        ),
        migrations.AddField(
            model_name="procedure",
            name="domestic_discount",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("0.00"),
                max_digits=5,
                verbose_name="conditional discount for domestic suppliers (%)",
            ),
        ),
        migrations.AddField(
            model_name="procedure",
            name="signature_days",
            field=models.PositiveSmallIntegerField(
                default=5, verbose_name="period to sign the contract"
            ),
        ),
        migrations.AddField(
            model_name="tender",
            name="completed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="tender",
            name="contract_terms",
            field=models.TextField(blank=True, verbose_name="delivery terms and contract template"),
        ),
        migrations.AddField(
            model_name="tender",
            name="timer_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AlterField(
            model_name="budgetentry",
            name="kind",
            field=models.CharField(
                choices=[
                    ("reserve", "Reserve"),
                    ("release", "Release"),
                    ("obligate", "Obligate"),
                    ("pay", "Pay"),
                    ("deobligate", "Free an obligation"),
                ],
                max_length=10,
                verbose_name="kind",
            ),
        ),
        migrations.AlterField(
            model_name="notice",
            name="kind",
            field=models.CharField(
                choices=[
                    ("amended", "Tender amended"),
                    ("lot_cancelled", "Lot cancelled"),
                    ("cancelled", "Tender cancelled"),
                    ("bid_invalidated", "Bid must be signed again"),
                    ("correction", "Correction requested"),
                    ("results", "Results published"),
                    ("contract", "Contract to sign"),
                    ("complaint", "Complaint decided"),
                ],
                max_length=20,
                verbose_name="kind",
            ),
        ),
        migrations.AddConstraint(
            model_name="budgetentry",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("kind__in", ["reserve", "release", "obligate", "pay", "deobligate"])
                ),
                name="budgetentry_kind_known",
            ),
        ),
        migrations.RunPython(set_rules, migrations.RunPython.noop),
        protect("procurement_budgetentry"),
    ]
