import functools
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiToken, User, hash_token
from audit.actions import Action
from audit.recorder import record
from config import prepared

TOKEN_PREFIX = "otp_"
MAX_ACTIVE_TOKENS = 20


def create_api_token(*, user: User, name: str, actor: User) -> tuple[ApiToken, str]:
    """Create a personal token; the raw value is returned once and never stored."""
    if actor.pk != user.pk and not actor.is_staff:
        raise PermissionDenied(_("You can only create tokens for yourself."))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the token a name, so you recognise it later.")]})
    with transaction.atomic():
        active = ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
        if active.count() >= MAX_ACTIVE_TOKENS:
            raise ValidationError(
                _("You already have %(n)d active tokens; revoke one you no longer use first.")
                % {"n": MAX_ACTIVE_TOKENS},
                code="too_many_tokens",
            )
        prefix = secrets.token_hex(4)
        raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
        token = ApiToken.objects.create(
            user=user, name=name, prefix=prefix, token_hash=hash_token(raw)
        )
        record(
            Action.API_TOKEN_CREATED,
            subject=token,
            actor=actor,
            data={"user": user.pk, "prefix": prefix, "name": name},
        )
    return token, raw


def revoke_api_token(*, token: ApiToken, actor: User) -> ApiToken:
    if actor.pk != token.user_id and not actor.is_staff:
        raise PermissionDenied(_("You can only revoke your own tokens."))
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            raise ValidationError(_("This token was already revoked."), code="already_revoked")
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(Action.API_TOKEN_REVOKED, subject=token, actor=actor, data={"prefix": token.prefix})
    return token


def authenticate_token(raw: str) -> User | None:
    """The user a raw token belongs to, or None; a read with one throttled timestamp write."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    # Every API request asks this: one prepared statement, not a query built each time.
    rows = prepared.fetch(_token_query(), {"hash": hash_token(raw), "true": True})
    if not rows:
        return None
    token = prepared.instance(ApiToken, ["id", "user_id", "last_used_at"], rows[0][:3])
    user = prepared.instance(User, _user_fields(), rows[0][3:])
    now = timezone.now()
    # Usage time is convenience, not evidence: write it at most once a minute per token.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return user


@functools.cache
def _user_fields() -> list[str]:
    return [f.attname for f in User._meta.concrete_fields]


@functools.cache
def _token_query() -> str:
    """What ApiToken.objects.select_related("user").get(token_hash=..., revoked_at__isnull=True,
    user__is_active=True) asks (the hash is unique)."""
    columns = ", ".join(f"u.{f.column}" for f in User._meta.concrete_fields)
    return (
        f"SELECT t.id, t.user_id, t.last_used_at, {columns} "  # noqa: S608
        "FROM accounts_apitoken t JOIN accounts_user u ON u.id = t.user_id "
        "WHERE t.token_hash = %(hash)s AND t.revoked_at IS NULL AND u.is_active = %(true)s"
    )
