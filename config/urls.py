from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from config.api import api

urlpatterns = [
    # First: Django tries patterns in order and notes every one that failed, and a bid's
    # request is the one the platform must answer fastest (about 0.5 ms when it came last).
    path("api/v1/", api.urls),
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("accounts/", include("accounts.urls")),
    path("registers/", include("suppliers.urls")),
    path("audit/", include("audit.urls")),
    path("", include("procurement.urls")),
    path("", include("bids.urls")),
    path("", include("pki.urls")),
    path("", include("awards.urls")),
    path("", include("contracts.urls")),
    path("", include("transparency.urls")),
    path("", include("transparency.portal_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
