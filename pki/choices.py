from django.db import models
from django.utils.translation import gettext_lazy as _


class KeyType(models.TextChoices):
    RSA = "rsa", _("RSA")
    ECDSA = "ecdsa", _("ECDSA")
