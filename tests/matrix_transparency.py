"""Rows of the permission matrix (tests/test_permission_matrix.py) for transparency's pages
and API (open data, the auditor workspace, the red-flag queue): same columns, same cells."""


def _published(cast) -> dict:
    from procurement.services.tenders import publish_tender
    from tests.procurement.factories import ready_tender
    from transparency.services.publication import publish_ocds

    tender = publish_tender(tender=ready_tender(cast), actor=cast.buyer)
    release = next(r for r in publish_ocds() if r.tender_id == tender.pk)
    return {"release_id": release.release_id, "ocid": tender.ocid}


def _red_flag(cast) -> int:
    """An open flag on a tender of the cast's agency, raised by a computation."""
    from tests.procurement.factories import draft_tender
    from transparency.flags.findings import Finding
    from transparency.models import RedFlag
    from transparency.services.flags import compute_flags

    tender = draft_tender(cast.agency)
    finding = Finding("R018", f"OCID:{tender.ocid}", "Single bid.", {"value": 1.0}, tender.pk)
    compute_flags([finding])
    return RedFlag.objects.get(tender=tender).pk


L = "login"

# fmt: off
MATRIX: dict = {
    # (route, method, target)                                     anon  adm  buy  com  oth  s_a  s_b  shd  aud  rev  out   op
    # open data: no login, the same for everyone
    ("api:releases", "GET", None):                               (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("api:release", "GET", "ocds release"):                      (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("api:record", "GET", "ocds record"):                        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("api:compiled", "GET", None):                               (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    # the Ministry of Finance's workspace: auditors and operators
    ("transparency:workspace", "GET", None):                     (L,   403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 200),
    ("transparency:workspace-export", "GET", "csv export"):      (L,   403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 200),
    ("transparency:workspace-export", "GET", "xlsx export"):     (L,   403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 200),
    # the red-flag queue: auditors and operators read it, auditors alone review
    ("transparency:flag-list", "GET", None):                     (L,   403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 200),
    ("transparency:flag-detail", "GET", "red flag"):             (L,   403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 200),
    ("transparency:flag-review", "POST", "red flag"):            (L,   403, 403, 403, 403, 403, 403, 403, 302, 403, 403, 403),
    ("api:list_red_flags", "GET", None):                         (401, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 200),
    ("api:get_red_flag", "GET", "red flag"):                     (401, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 200),
    ("api:review_red_flag", "POST", "red flag"):                 (401, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 403),
}
# fmt: on
TARGETS: dict = {
    "ocds release": lambda cast: {"release_id": _published(cast)["release_id"]},
    "ocds record": lambda cast: {"ocid": _published(cast)["ocid"]},
    "csv export": lambda cast: {"table": "competition", "fmt": "csv"},
    "xlsx export": lambda cast: {"table": "budget-agencies", "fmt": "xlsx"},
    "red flag": lambda cast: {"flag_id": _red_flag(cast)},
}
_REVIEW = {"decision": "escalated", "note": "Same director: sent to the AFM"}
POST_BODIES: dict = {"transparency:flag-review": _REVIEW, "api:review_red_flag": _REVIEW}
QUERIES: dict = {}
MULTIPART: set = set()
