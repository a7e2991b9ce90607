from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from suppliers.forms import MemberForm
from suppliers.models import Invitation, Membership, Organisation
from suppliers.permissions import can_manage_members, can_view_members
from suppliers.services.members import (
    add_member,
    deactivate_membership,
    invite_member,
    revoke_invitation,
)
from suppliers.views.errors import apply_errors


@login_required
@require_http_methods(["GET", "POST"])
def members(request, bin: str):
    organisation = get_object_or_404(Organisation, bin=bin)
    if not can_view_members(organisation, request.user):
        raise PermissionDenied(
            _("Only members of %(org)s can see its staff.") % {"org": organisation}
        )
    manage = can_manage_members(organisation, request.user)
    form = MemberForm(request.POST or None, organisation=organisation)
    if request.method == "POST":
        if not manage:
            raise PermissionDenied(
                _("Only the organisation's administrators can manage its members.")
            )
        if form.is_valid():
            response = _add_or_invite(request, organisation, form)
            if response:
                return response
    context = {
        "organisation": organisation,
        "memberships": organisation.memberships.select_related("user").order_by(
            "-is_active", "user__email"
        ),
        "invitations": organisation.invitations.filter(
            accepted_at__isnull=True, revoked_at__isnull=True
        ),
        "form": form,
        "can_manage": manage,
    }
    return render(request, "suppliers/membership_list.html", context)


def _add_or_invite(request, organisation, form):
    email, role = form.cleaned_data["email"].lower(), form.cleaned_data["role"]
    user = User.objects.filter(email__iexact=email).first()
    try:
        if user is not None:
            add_member(organisation=organisation, user=user, role=role, actor=request.user)
            messages.success(request, _("%(email)s was added.") % {"email": email})
        else:
            invitation, raw = invite_member(
                organisation=organisation, email=email, role=role, actor=request.user
            )
            link = request.build_absolute_uri(reverse("suppliers:invitation-accept", args=[raw]))
            # The link is the secret: show it once to the administrator, who passes it on.
            messages.success(
                request,
                _(
                    "%(email)s has no account yet. Send them this invitation link (valid until %(until)s): %(link)s"
                )
                % {
                    "email": email,
                    "until": invitation.expires_at.strftime("%Y-%m-%d"),
                    "link": link,
                },
            )
    except ValidationError as exc:
        apply_errors(exc, form)
        return None
    return redirect("suppliers:members", bin=organisation.bin)


@login_required
@require_POST
def deactivate(request, bin: str, membership_id: int):
    membership = get_object_or_404(Membership, pk=membership_id, organisation__bin=bin)
    try:
        deactivate_membership(membership=membership, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request, _("The membership of %(user)s has ended.") % {"user": membership.user.email}
        )
    return redirect("suppliers:members", bin=bin)


@login_required
@require_POST
def withdraw_invitation(request, bin: str, invitation_id: int):
    invitation = get_object_or_404(Invitation, pk=invitation_id, organisation__bin=bin)
    try:
        revoke_invitation(invitation=invitation, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("The invitation was withdrawn."))
    return redirect("suppliers:members", bin=bin)
