"""The procedures in force in Kazakhstan in 2025, and the append-only guards of the ledger.

Periods are in working days (Law of the Republic of Kazakhstan "On public procurement" of
1 July 2024 No. 106-VIII, in force from 1 January 2025, and the Rules of public procurement):
discussion of the tender documents 2, submission at least 5, review 3, complaints within 3
after the results are published; one qualifying bid suffices. The price-quotation ceiling is
4,000 monthly calculation indices (MCI); the MCI for 2025 is 3,932 KZT (Law on the republican
budget for 2025-2027), so 15,728,000.00 KZT. A new year's MCI is a new data migration, or an
operator's edit of the row.
"""

from decimal import Decimal

from django.db import migrations

from audit.guards import protect

MCI_2025 = Decimal("3932.00")
PRICE_QUOTATIONS_MCI = 4000

PROCEDURES = [
    {
        "code": "open_tender",
        "name": "Open tender",
        "enquiry_days": 2,
        "submission_days": 5,
        "review_days": 3,
        "day_kind": "working",
        "min_bids": 1,
        "award_criterion": "lowest_price",
        "standstill_days": 3,
        "complaint_window_days": 3,
        "sealed_bids": True,
    },
    {
        "code": "price_quotations",
        "name": "Request for price quotations",
        "enquiry_days": 0,
        "submission_days": 2,
        "review_days": 1,
        "day_kind": "working",
        "min_bids": 1,
        "award_criterion": "lowest_price",
        "standstill_days": 3,
        "complaint_window_days": 3,
        "sealed_bids": True,
        "ceiling_mci_multiple": PRICE_QUOTATIONS_MCI,
        "mci": MCI_2025,
        "value_ceiling": MCI_2025 * PRICE_QUOTATIONS_MCI,
    },
    {
        "code": "single_source",
        "name": "Single-source procurement",
        "enquiry_days": 0,
        "submission_days": 0,
        "review_days": 0,
        "day_kind": "working",
        "min_bids": 1,
        "award_criterion": "lowest_price",
        "standstill_days": 0,
        "complaint_window_days": 0,
        "sealed_bids": False,
    },
]


def load_procedures(apps, schema_editor):
    Procedure = apps.get_model("procurement", "Procedure")
    for row in PROCEDURES:
        fields = {k: v for k, v in row.items() if k != "code"}
        Procedure.objects.get_or_create(code=row["code"], defaults=fields)


def unload_procedures(apps, schema_editor):
    Procedure = apps.get_model("procurement", "Procedure")
    Procedure.objects.filter(code__in=[row["code"] for row in PROCEDURES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("procurement", "0001_initial"),
        ("audit", "0002_append_only_guards"),
    ]

    operations = [
        migrations.RunPython(load_procedures, unload_procedures),
        protect("procurement_budgetentry"),
    ]
