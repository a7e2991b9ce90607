from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from audit.actions import Action
from audit.recorder import record

# Fields an operator may change from the admin; each change is an audited event.
EDITABLE_FIELDS = ("full_name", "is_active", "is_staff")


def create_user_account(
    *, email: str, full_name: str, password: str | None, actor: User, is_staff=False
) -> User:
    """An operator creates an account (other people get theirs by registering or invitation)."""
    if not (actor.is_active and actor.is_staff):
        raise PermissionDenied(_("Only platform operators create accounts directly."))
    with transaction.atomic():
        user = User(email=email.strip().lower(), full_name=full_name.strip(), is_staff=is_staff)
        user.set_password(password) if password else user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        record(Action.USER_REGISTERED, subject=user, actor=actor, data={"is_staff": is_staff})
    return user


def update_user_account(*, user: User, changes: dict, actor: User) -> User:
    if not (actor.is_active and actor.is_staff):
        raise PermissionDenied(_("Only platform operators change accounts."))
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable account fields: {sorted(unknown)}")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        diff = {
            f: {"old": getattr(user, f), "new": v}
            for f, v in changes.items()
            if getattr(user, f) != v
        }
        if not diff:
            return user
        for field, change in diff.items():
            setattr(user, field, change["new"])
        user.save(update_fields=list(diff))
        # Names are personal data and the log is public: record that they changed, not to what.
        public = {f: c for f, c in diff.items() if f != "full_name"}
        record(
            Action.USER_UPDATED,
            subject=user,
            actor=actor,
            data={"fields": sorted(diff), "changes": public},
        )
    return user


def bootstrap_operator(*, email: str, full_name: str, password: str) -> User:
    """The first operator of a fresh installation: no one exists yet to act for them."""
    with transaction.atomic():
        user = User.objects.create_superuser(email=email, password=password, full_name=full_name)
        record(
            Action.USER_REGISTERED,
            subject=user,
            actor=None,
            data={"is_staff": True, "bootstrap": True},
        )
    return user
