import datetime as dt

from django.db import models
from django.db.models import OuterRef, Q, Subquery


class SigningCertificateQuerySet(models.QuerySet):
    def of_organisations(self, organisations):
        return self.filter(organisation__in=organisations)


class CertificateRevocationListQuerySet(models.QuerySet):
    def latest_per_issuer(self):
        """The newest list of each issuer: an older one fetched later never wins."""
        newest = (
            self.model.objects.filter(issuer=OuterRef("issuer"))
            .order_by("-this_update", "-pk")
            .values("pk")[:1]
        )
        return self.filter(pk=Subquery(newest))

    def fresh_at(self, instant: dt.datetime, *, max_age: dt.timedelta):
        """Lists that speak for `instant`: not past their nextUpdate, fetched recently enough."""
        return self.filter(
            Q(next_update__gt=instant),
            fetched_at__gte=instant - max_age,
        )
