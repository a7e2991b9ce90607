"""The only trace a refused submission leaves: a counter per tender, day and reason.

Written after the refused transaction has rolled back, in its own, so the count survives
while the bid leaves no row and no audit event.
"""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from bids.models import RefusalCount


def count_refusal(tender, code: str) -> None:
    day = timezone.now().date()
    code = (code or "refused")[:50]
    for _attempt in range(2):  # the first insert of the day may race another
        with transaction.atomic():
            updated = RefusalCount.objects.filter(tender=tender, day=day, code=code).update(
                count=F("count") + 1
            )
            if updated:
                return
            try:
                with transaction.atomic():
                    RefusalCount.objects.create(tender=tender, day=day, code=code, count=1)
                return
            except IntegrityError:
                continue
