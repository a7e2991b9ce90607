"""Security by default: headers on every kind of answer, Argon2 for passwords, and the
production settings (secure cookies, HSTS, HTTPS redirect, `check --deploy` clean)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher
from django.test import Client

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.django_db

# Pages, an API answer, an error page and the admin's login: every kind of response the
# platform gives must carry the headers, not only the pages a template renders.
PATHS = ["/", "/tenders/", "/accounts/login/", "/api/v1/tenders", "/no-such-page/", "/admin/"]


@pytest.mark.parametrize("path", PATHS)
def test_every_answer_carries_the_security_headers(path):
    response = Client().get(path, follow=False)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy


def test_pages_allow_no_inline_script():
    policy = Client().get("/tenders/")["Content-Security-Policy"]
    script = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert script.split() == ["script-src", "'self'"]


def test_passwords_are_hashed_with_argon2(settings):
    from config import settings as configured

    settings.PASSWORD_HASHERS = configured.PASSWORD_HASHERS  # the suite uses MD5 for speed
    user = UserFactory()
    user.set_password("correct horse battery staple")
    user.save()
    assert identify_hasher(user.password).algorithm == "argon2"
    assert check_password("correct horse battery staple", user.password)
    assert not check_password("correct horse battery stapler", user.password)


def _production(code: str, **extra) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "production",
        "SECRET_KEY": "test-" + "x" * 60,
        "ALLOWED_HOSTS": "tenders.example.kz",
        **extra,
    }
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_make_cookies_secure_and_force_https(tmp_path):
    names = [
        "DEBUG",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "PASSWORD_HASHERS",
    ]
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))"
    )
    done = _production(code, AUDIT_CHECKPOINT_KEY=str(tmp_path / "checkpoint.pem"))
    assert done.returncode == 0, done.stderr
    values = json.loads(done.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["PASSWORD_HASHERS"][0].endswith("Argon2PasswordHasher")


def test_production_refuses_to_start_without_a_secret_key():
    done = _production("import django; django.setup()", SECRET_KEY="")
    assert done.returncode != 0
    assert "SECRET_KEY" in done.stderr


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    code = (
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('check', deploy=True, fail_level='WARNING')"
    )
    done = _production(code, AUDIT_CHECKPOINT_KEY=str(tmp_path / "checkpoint.pem"))
    assert done.returncode == 0, done.stderr + done.stdout
