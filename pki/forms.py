"""The certificate registration form: which organisation, and the certificate file. Checking
the certificate is the service's (trust, validity, usage, revocation, BIN)."""

from django import forms
from django.utils.translation import gettext_lazy as _

# A certificate is a few KB; anything far larger is not one.
CERTIFICATE_MAX_BYTES = 64 * 1024


class CertificateForm(forms.Form):
    organisation = forms.ChoiceField(label=_("For"))
    file = forms.FileField(
        label=_("Certificate file (.cer, .crt, .pem or .der)"),
        help_text=_(
            "The certificate only, not the key: export it from your PKCS#12 file, or take it "
            "from the national CA's portal. Its subject must name your organisation's BIN."
        ),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = {o.bin: o for o in organisations}
        self.fields["organisation"].choices = [
            (o.bin, f"{o.legal_name} ({o.bin})") for o in organisations
        ]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > CERTIFICATE_MAX_BYTES:
            raise forms.ValidationError(
                _("This file is %(kb)s KB; a certificate is a few KB. Choose the certificate file.")
                % {"kb": upload.size // 1024}
            )
        return upload.read()

    def clean_organisation(self):
        return self.organisations[self.cleaned_data["organisation"]]
