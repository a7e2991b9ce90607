import zoneinfo

from django.conf import settings
from django.utils import timezone

from suppliers.permissions import memberships


class OrganisationTimezoneMiddleware:
    """Show times in the zone of the viewer's organisation (Asia/Almaty unless it names another).

    Everything is stored in UTC; only display changes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = settings.DISPLAY_TIME_ZONE
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            found = memberships(user)
            if found:
                zone = found[0].organisation.time_zone or zone
        try:
            timezone.activate(zoneinfo.ZoneInfo(zone))
        except zoneinfo.ZoneInfoNotFoundError:
            timezone.activate(zoneinfo.ZoneInfo(settings.DISPLAY_TIME_ZONE))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
