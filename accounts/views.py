from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import TokenForm
from accounts.models import ApiToken
from accounts.services.tokens import create_api_token, revoke_api_token


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = create_api_token(
                user=request.user, name=form.cleaned_data["name"], actor=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            # Shown in this response only; it is stored hashed and cannot be shown again.
            created = {"token": token, "raw": raw}
            form = TokenForm()
    context = {"form": form, "created": created, "tokens": request.user.api_tokens.all()}
    response = render(request, "accounts/apitoken_list.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def revoke_token(request, token_id: int):
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    try:
        revoke_api_token(token=token, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("Token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("accounts:tokens")


@login_required
def profile(request):
    memberships = request.user.memberships.select_related("organisation").order_by("-is_active")
    return render(request, "accounts/user_profile.html", {"memberships": memberships})
