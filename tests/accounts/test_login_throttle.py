"""Login throttling: five failures for one e-mail within fifteen minutes block further
attempts, the right password included, until the oldest failure is fifteen minutes old; many
failures from one address block it for every account; a success clears the e-mail's count."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import LoginFailure
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 5, 0, tzinfo=dt.UTC)


def attempt(email, password, address="10.0.0.1"):
    return Client(REMOTE_ADDR=address).post(
        reverse("accounts:login"), {"username": email, "password": password}
    )


def logged_in(response) -> bool:
    return response.status_code == 302


def test_five_failures_block_the_account_even_with_the_right_password():
    user = UserFactory(email="clerk@example.kz")
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            assert not logged_in(attempt(user.email, "wrong"))
        refused = attempt(user.email, PASSWORD)
    assert refused.status_code == 200
    text = refused.content.decode()
    assert "Too many failed logins" in text
    assert "02.03.2026 10:15" in text  # START + 15 minutes, in Almaty


def test_the_block_lifts_when_the_oldest_failure_leaves_the_window():
    user = UserFactory(email="clerk@example.kz")
    for second in range(5):
        with time_machine.travel(START + dt.timedelta(seconds=second), tick=False):
            attempt(user.email, "wrong")
    free_at = START + dt.timedelta(minutes=15)
    with time_machine.travel(free_at - dt.timedelta(seconds=1), tick=False):
        assert not logged_in(attempt(user.email, PASSWORD))
    with time_machine.travel(free_at + dt.timedelta(seconds=1), tick=False):
        assert logged_in(attempt(user.email, PASSWORD))


def test_four_failures_then_success_clears_the_count():
    user = UserFactory(email="clerk@example.kz")
    with time_machine.travel(START, tick=False):
        for _ in range(4):
            attempt(user.email, "wrong")
        assert logged_in(attempt(user.email, PASSWORD))
        for _ in range(4):
            attempt(user.email, "wrong")
        assert logged_in(attempt(user.email, PASSWORD))


def test_many_failures_from_one_address_block_it_for_every_account(settings):
    settings.LOGIN_THROTTLE_IP_LIMIT = 3
    victim = UserFactory(email="victim@example.kz")
    with time_machine.travel(START, tick=False):
        for n in range(3):
            attempt(f"guess{n}@example.kz", "wrong", address="203.0.113.9")
        assert not logged_in(attempt(victim.email, PASSWORD, address="203.0.113.9"))
        assert logged_in(attempt(victim.email, PASSWORD, address="198.51.100.7"))


def test_the_table_keeps_no_email_or_address_in_the_clear():
    with time_machine.travel(timezone.now(), tick=False):
        attempt("someone@example.kz", "wrong", address="203.0.113.9")
    keys = list(LoginFailure.objects.values_list("key", flat=True))
    assert len(keys) == 2
    assert all("someone" not in k and "203.0" not in k and len(k) == 64 for k in keys)


def test_behind_a_proxy_the_configured_header_is_the_address(settings):
    settings.LOGIN_THROTTLE_IP_LIMIT = 2
    settings.CLIENT_ADDRESS_HEADER = "HTTP_X_REAL_IP"
    user = UserFactory(email="clerk@example.kz")

    def via_proxy(email, password, real):
        return Client(REMOTE_ADDR="10.0.0.2", HTTP_X_REAL_IP=real).post(
            reverse("accounts:login"), {"username": email, "password": password}
        )

    with time_machine.travel(START, tick=False):
        for n in range(2):
            via_proxy(f"guess{n}@example.kz", "wrong", "203.0.113.9")
        assert not logged_in(via_proxy(user.email, PASSWORD, "203.0.113.9"))
        assert logged_in(via_proxy(user.email, PASSWORD, "198.51.100.7"))
