from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("", views.entry_list, name="entry-list"),
    path("entries/<int:seq>/", views.entry_detail, name="entry-detail"),
    path("status/", views.status, name="status"),
    path("verify/", views.verify_now, name="verify"),
]
