import datetime as dt

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from suppliers.choices import OrganisationKind, OrganisationStatus


class BlacklistEntryQuerySet(models.QuerySet):
    def in_force_at(self, instant: dt.datetime):
        """Entries in force at `instant`: started, and not yet ended (the end is exclusive)."""
        return self.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=instant), starts_at__lte=instant)

    def in_force(self):
        return self.in_force_at(timezone.now())


class OrganisationQuerySet(models.QuerySet):
    def suppliers(self):
        return self.filter(kind=OrganisationKind.SUPPLIER)

    def agencies(self):
        return self.filter(kind=OrganisationKind.AGENCY)

    def listed(self):
        """What the public registers show: everything but applications not yet verified."""
        return self.exclude(status=OrganisationStatus.PENDING)

    def blacklisted_at(self, instant: dt.datetime):
        """Organisations with a blacklist entry in force at `instant`."""
        from suppliers.models import BlacklistEntry

        entries = BlacklistEntry.objects.in_force_at(instant).filter(organisation=OuterRef("pk"))
        return self.filter(Exists(entries))

    def with_blacklist_status(self, instant: dt.datetime | None = None):
        """Annotate `blacklisted` and `blacklisted_until` (None: open-ended) at `instant`."""
        from suppliers.models import BlacklistEntry

        instant = instant or timezone.now()
        entries = BlacklistEntry.objects.in_force_at(instant).filter(organisation=OuterRef("pk"))
        return self.annotate(
            blacklisted=Exists(entries),
            blacklisted_until=models.Subquery(
                entries.order_by(models.F("ends_at").desc(nulls_first=True)).values("ends_at")[:1]
            ),
        )

    def search(self, text: str):
        text = (text or "").strip()
        if not text:
            return self
        if text.isdigit():
            return self.filter(bin__startswith=text)
        return self.filter(Q(legal_name__icontains=text) | Q(short_name__icontains=text))

    def filter_register(
        self, *, q: str = "", region: str = "", status: str = "", blacklisted: str = ""
    ):
        """The public register's search, shared by the web page and the API."""
        qs = self.listed().with_blacklist_status().search(q)
        if region:
            qs = qs.filter(region=region)
        if status:
            qs = qs.filter(status=status)
        if blacklisted == "yes":
            qs = qs.filter(blacklisted=True)
        elif blacklisted == "no":
            qs = qs.filter(blacklisted=False)
        return qs.order_by("legal_name", "pk")


class MembershipQuerySet(models.QuerySet):
    def in_force(self):
        """Active memberships of organisations that are not suspended."""
        return self.filter(is_active=True).exclude(
            organisation__status=OrganisationStatus.SUSPENDED
        )
