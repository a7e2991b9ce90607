"""The signing certificates page: members of a supplier or an agency see their organisations'
certificates and register new ones (checked against the trust store by the service)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from pki.forms import CertificateForm
from pki.models import SigningCertificate
from pki.permissions import SIGNING_KINDS
from pki.services.certificates import register_certificate
from suppliers.permissions import organisations_where
from suppliers.views.errors import apply_errors


@login_required
@require_http_methods(["GET", "POST"])
def certificates(request):
    mine = [o for o in organisations_where(request.user) if o.kind in SIGNING_KINDS]
    form = CertificateForm(request.POST or None, request.FILES or None, organisations=mine)
    if request.method == "POST":
        if not mine:
            raise PermissionDenied(
                _("Only members of a supplier or an agency register signing certificates.")
            )
        if form.is_valid():
            try:
                certificate = register_certificate(
                    organisation=form.cleaned_data["organisation"],
                    actor=request.user,
                    pem_or_der=form.cleaned_data["file"],
                )
            except ValidationError as exc:
                # A refusal of the certificate itself (untrusted, expired, revoked, wrong BIN)
                # belongs under the file it came from.
                if hasattr(exc, "error_dict"):
                    apply_errors(exc, form)
                else:
                    form.add_error("file", exc)
            else:
                messages.success(
                    request,
                    _("Certificate %(serial)s of %(org)s is registered; it can sign from now on.")
                    % {"serial": certificate.serial, "org": certificate.organisation},
                )
                return redirect("pki:certificates")
    rows = (
        SigningCertificate.objects.of_organisations(mine)
        .select_related("organisation")
        .order_by("organisation__legal_name", "-registered_at")
    )
    context = {"form": form, "organisations": mine, "certificates": rows}
    return render(request, "pki/certificate_list.html", context, status=400 if form.errors else 200)
