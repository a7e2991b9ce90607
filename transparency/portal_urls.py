"""The public portal's pages (namespace "portal"), beside procurement's and the registers'."""

from django.urls import path

from transparency import portal_views

app_name = "portal"

urlpatterns = [
    path("tenders/<str:number>/timeline/", portal_views.tender_timeline, name="tender-timeline"),
    path("portal/organisations/<str:bin>/", portal_views.organisation, name="organisation"),
]
