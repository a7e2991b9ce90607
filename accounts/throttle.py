"""Login throttling: after LOGIN_THROTTLE_LIMIT failed logins for one e-mail (or
LOGIN_THROTTLE_IP_LIMIT from one address) within LOGIN_THROTTLE_WINDOW seconds, further
attempts are refused until the oldest failure leaves the window, whatever the password.
Counted in the database, so every app server sees the same count."""

import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from accounts.models import LoginFailure


def client_address(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind a reverse proxy the header it sets
    (CLIENT_ADDRESS_HEADER, e.g. HTTP_X_REAL_IP), trusted only because the proxy overwrites it."""
    if request is None:
        return None
    header = settings.CLIENT_ADDRESS_HEADER or "REMOTE_ADDR"
    return request.META.get(header) or request.META.get("REMOTE_ADDR")


def local_text(moment: dt.datetime) -> str:
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE_DISPLAY)).strftime("%d.%m.%Y %H:%M")


def _key(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{settings.SECRET_KEY}:{value}".encode()).hexdigest()


def keys_for(email: str, address: str | None) -> dict[str, str]:
    keys = {"email": _key("email", (email or "").strip().lower())}
    if address:
        keys["address"] = _key("address", address)
    return keys


def blocked_until(email: str, address: str | None) -> dt.datetime | None:
    """When attempts for this e-mail (or from this address) may resume, if they are blocked."""
    now = timezone.now()
    window = dt.timedelta(seconds=settings.LOGIN_THROTTLE_WINDOW)
    limits = {"email": settings.LOGIN_THROTTLE_LIMIT, "address": settings.LOGIN_THROTTLE_IP_LIMIT}
    until = None
    for kind, key in keys_for(email, address).items():
        recent = list(
            LoginFailure.objects.filter(key=key, at__gt=now - window)
            .order_by("-at")
            .values_list("at", flat=True)[: limits[kind]]
        )
        if len(recent) >= limits[kind]:
            free_at = recent[-1] + window
            until = max(until, free_at) if until else free_at
    return until


def note_failure(email: str, address: str | None) -> None:
    now = timezone.now()
    LoginFailure.objects.bulk_create(
        LoginFailure(key=key, at=now) for key in keys_for(email, address).values()
    )
    # Old rows are of no use to the throttle; dropping them here keeps the table small.
    LoginFailure.objects.filter(
        at__lt=now - dt.timedelta(seconds=settings.LOGIN_THROTTLE_WINDOW)
    ).delete()


def forget_failures(email: str) -> None:
    """A successful login clears the e-mail's count (not the address's)."""
    LoginFailure.objects.filter(key=keys_for(email, None)["email"]).delete()
