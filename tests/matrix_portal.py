"""Rows of the permission matrix (tests/test_permission_matrix.py) for the public portal's
pages: same columns, same cells.

A tender's timeline is seen by whoever sees the tender (a draft's by its agency and the
operators, as its page); an organisation's portal page by whoever sees its register entry.
The targets are the shared ones of the main table ("published tender", "opened tender",
"draft tender", "agency", "supplier_a", "shady", "pending of s_b")."""

# fmt: off
MATRIX: dict = {
    # (route, method, target)                                     anon  adm  buy  com  oth  s_a  s_b  shd  aud  rev  out   op
    ("portal:tender-timeline", "GET", "published tender"):       (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("portal:tender-timeline", "GET", "opened tender"):          (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("portal:tender-timeline", "GET", "draft tender"):           (404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 200),
    ("portal:organisation", "GET", "agency"):                    (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("portal:organisation", "GET", "supplier_a"):                (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("portal:organisation", "GET", "shady"):                     (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("portal:organisation", "GET", "pending of s_b"):            (404, 404, 404, 404, 404, 404, 200, 404, 404, 404, 404, 200),
}
# fmt: on
TARGETS: dict = {}
POST_BODIES: dict = {}
QUERIES: dict = {}
MULTIPART: set = set()
