"""The certificates router on an API of its own, with the project's error handlers: the tests
need no change to config/api.py (where the router is mounted at /certificates too)."""

from django.urls import path
from ninja import NinjaAPI

from config.api_errors import install_error_handlers
from pki.api import router

api = NinjaAPI(urls_namespace="pki-test-api")
install_error_handlers(api)
api.add_router("/certificates", router)

urlpatterns = [path("api/v1/", api.urls)]
