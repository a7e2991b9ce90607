"""Rows of the permission matrix (tests/test_permission_matrix.py) for the award stage's
web pages: same columns, same cells, targets built from tests/awards/world.py."""

MATRIX: dict = {}
TARGETS: dict = {}
POST_BODIES: dict = {}
QUERIES: dict = {}
MULTIPART: set = set()
