"""Commission members' opening keys: X25519 public keys made on their own machines."""

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.actions import Action
from audit.recorder import record
from bids.models import CommissionKey
from bids.permissions import is_commission_member
from bids.wire import decode_public_key


def register_commission_key(*, actor: User, public_key: str) -> CommissionKey:
    """Register the member's opening key; an earlier one is retired (tenders published with
    it keep their shares sealed to it)."""
    if not is_commission_member(actor):
        raise PermissionDenied(_("Only commission members register opening keys."))
    raw = decode_public_key(public_key)
    key_id = hashlib.sha256(raw).hexdigest()[:16]
    with transaction.atomic():
        if CommissionKey.objects.filter(key_id=key_id).exists():
            raise ValidationError(
                {"public_key": [_("This key is already registered; make a new one.")]}
            )
        retired = list(
            CommissionKey.objects.select_for_update()
            .filter(user=actor, retired_at__isnull=True)
            .values_list("key_id", flat=True)
        )
        CommissionKey.objects.filter(user=actor, retired_at__isnull=True).update(
            retired_at=timezone.now()
        )
        key = CommissionKey.objects.create(user=actor, public_key=raw, key_id=key_id)
        record(
            Action.OPENING_KEY_REGISTERED,
            subject=key,
            actor=actor,
            data={"key_id": key_id, "public_key": raw.hex(), "retired": retired},
        )
    return key
