from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from suppliers.forms import InvitationSignupForm, NewAccountForm, SupplierRegistrationForm
from suppliers.services.members import accept_invitation, find_open_invitation
from suppliers.services.registration import register_supplier
from suppliers.views.errors import apply_errors


@require_http_methods(["GET", "POST"])
def register_supplier_view(request):
    anonymous = not request.user.is_authenticated
    form = SupplierRegistrationForm(request.POST or None)
    account_form = NewAccountForm(request.POST or None, prefix="account") if anonymous else None
    if (
        request.method == "POST"
        and form.is_valid()
        and (account_form is None or account_form.is_valid())
    ):
        try:
            organisation, user = register_supplier(
                details=form.details(),
                actor=request.user,
                new_user=account_form.cleaned_data if account_form else None,
            )
        except ValidationError as exc:
            apply_errors(exc, form, account_form)
        else:
            if anonymous:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _(
                    "%(org)s is registered and awaits verification by an operator. You are its administrator."
                )
                % {"org": organisation},
            )
            return redirect("suppliers:members", bin=organisation.bin)
    return render(
        request,
        "suppliers/organisation_register.html",
        {"form": form, "account_form": account_form},
    )


@require_http_methods(["GET", "POST"])
def accept_invitation_view(request, token: str):
    try:
        invitation = find_open_invitation(token)
    except ValidationError as exc:
        return render(
            request, "suppliers/invitation_invalid.html", {"reason": exc.messages[0]}, status=410
        )
    needs_account = not request.user.is_authenticated
    form = InvitationSignupForm(request.POST or None) if needs_account else None
    error = None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            membership = accept_invitation(
                raw_token=token, actor=request.user, new_user=form.cleaned_data if form else None
            )
        except PermissionDenied as exc:
            error = str(exc)
        except ValidationError as exc:
            apply_errors(exc, form)
            error = None if form else exc.messages[0]
        else:
            if needs_account:
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("You are now %(role)s at %(org)s.")
                % {"role": membership.get_role_display(), "org": membership.organisation},
            )
            return redirect("home")
    return render(
        request,
        "suppliers/invitation_accept.html",
        {"invitation": invitation, "form": form, "error": error},
    )
