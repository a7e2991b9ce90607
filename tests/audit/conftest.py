import pytest
from django.db import transaction

from audit.actions import Action
from audit.recorder import record
from tests.factories import SupplierFactory


@pytest.fixture
def grow_log(db):
    """Append n events and return them."""
    subject = SupplierFactory()

    def grow(n: int):
        entries = []
        for i in range(n):
            with transaction.atomic():
                entries.append(record(Action.ORGANISATION_UPDATED, subject=subject, data={"i": i}))
        return entries

    return grow
