import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Argon2 costs ~0.1 s a hash and the cast has fourteen users; pages do not test hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
