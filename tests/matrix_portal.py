"""Rows of the permission matrix (tests/test_permission_matrix.py) for the public portal's
pages: same columns, same cells."""

MATRIX: dict = {}
TARGETS: dict = {}
POST_BODIES: dict = {}
QUERIES: dict = {}
MULTIPART: set = set()
