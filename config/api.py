"""The JSON API root: /api/v1/, OpenAPI at /api/v1/docs. Routers live in the apps."""

from ninja import NinjaAPI

from accounts.api import router as accounts_router
from audit.api import router as audit_router
from awards.api import router as awards_router
from awards.complaints_api import router as complaints_router
from bids.api import router as bids_router
from config.api_errors import StrictParser, install_error_handlers
from contracts.api import router as contracts_router
from pki.api import router as certificates_router
from procurement.amendments_api import notices_router
from procurement.amendments_api import router as amendments_router
from procurement.api import router as plans_router
from procurement.tenders_api import router as tenders_router
from suppliers.api import router as registers_router
from transparency.api import flags_router as red_flags_router
from transparency.api import router as ocds_router

api = NinjaAPI(
    title="Open Tender Platform API",
    version="1",
    urls_namespace="api",
    parser=StrictParser(),
    description=(
        "Public registers, procurement and the audit log. Read endpoints are open; "
        "others take a personal token (`Authorization: Bearer otp_...`) made on the "
        "web page “API tokens”. Every error has the shape "
        '`{"error": {"code": "...", "message": "...", "fields": {...}}}`.'
    ),
)
install_error_handlers(api)
# Bids first: URL patterns are tried in order, and submissions must be answered fastest.
api.add_router("/", bids_router)
api.add_router("/", accounts_router)
api.add_router("/registers", registers_router)
api.add_router("/audit", audit_router)
api.add_router("/plans", plans_router)
api.add_router("/tenders", tenders_router)
api.add_router("/tenders", amendments_router)
api.add_router("/notices", notices_router)
api.add_router("/certificates", certificates_router)
api.add_router("/", awards_router)
api.add_router("/", complaints_router)
api.add_router("/", contracts_router)
api.add_router("/ocds", ocds_router)
api.add_router("/red-flags", red_flags_router)
