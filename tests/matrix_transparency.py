"""Rows of the permission matrix (tests/test_permission_matrix.py) for transparency's pages
and API (open data, the auditor workspace, the red-flag queue): same columns, same cells."""


def _published(cast) -> dict:
    from procurement.services.tenders import publish_tender
    from tests.procurement.factories import ready_tender
    from transparency.services.publication import publish_ocds

    tender = publish_tender(tender=ready_tender(cast), actor=cast.buyer)
    [release] = publish_ocds()
    return {"release_id": release.release_id, "ocid": tender.ocid}


# fmt: off
MATRIX: dict = {
    # (route, method, target)                                     anon  adm  buy  com  oth  s_a  s_b  shd  aud  rev  out   op
    # open data: no login, the same for everyone
    ("api:releases", "GET", None):                               (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("api:release", "GET", "ocds release"):                      (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("api:record", "GET", "ocds record"):                        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("api:compiled", "GET", None):                               (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
}
# fmt: on
TARGETS: dict = {
    "ocds release": lambda cast: {"release_id": _published(cast)["release_id"]},
    "ocds record": lambda cast: {"ocid": _published(cast)["ocid"]},
}
POST_BODIES: dict = {}
QUERIES: dict = {}
MULTIPART: set = set()
