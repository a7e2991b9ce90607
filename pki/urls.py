from django.urls import path

from pki import views

app_name = "pki"

urlpatterns = [
    path("certificates/", views.certificates, name="certificates"),
]
