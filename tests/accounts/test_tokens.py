"""Personal API tokens: shown once, stored as a hash, revocable, and never in the audit log."""

import hashlib
import io
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accounts.models import ApiToken
from accounts.services.tokens import (
    MAX_ACTIVE_TOKENS,
    authenticate_token,
    create_api_token,
    revoke_api_token,
)
from audit.actions import Action
from audit.models import Entry

RAW_TOKEN = re.compile(r"otp_[0-9a-f]{8}_[A-Za-z0-9_\-]{20,}")


def snapshot() -> dict:
    return {
        "tokens": ApiToken.objects.count(),
        "revoked": ApiToken.objects.filter(revoked_at__isnull=False).count(),
        "entries": Entry.objects.count(),
    }


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


# --- create_api_token -----------------------------------------------------------------------


def test_create_returns_the_raw_token_once_and_stores_only_its_sha256(cast):
    token, raw = create_api_token(user=cast.supplier_a, name="  Bid robot  ", actor=cast.supplier_a)

    assert RAW_TOKEN.fullmatch(raw)
    assert raw.startswith(f"otp_{token.prefix}_")
    row = ApiToken.objects.values().get(pk=token.pk)
    assert row["token_hash"] == hashlib.sha256(raw.encode()).hexdigest()
    assert row["name"] == "Bid robot"
    secret = raw.removeprefix(f"otp_{token.prefix}_")  # the secret itself may contain "_"
    assert not any(secret in str(value) for value in row.values())


def test_create_writes_one_event_without_the_raw_token(cast):
    token, raw = create_api_token(user=cast.supplier_a, name="Bid robot", actor=cast.supplier_a)

    entry = Entry.objects.get()
    assert entry.action == Action.API_TOKEN_CREATED
    assert (entry.subject_type, entry.subject_id) == ("accounts.apitoken", str(token.pk))
    assert entry.actor_id == cast.supplier_a.pk
    assert entry.data == {"user": cast.supplier_a.pk, "prefix": token.prefix, "name": "Bid robot"}
    payload = bytes(entry.payload)
    assert raw.encode() not in payload
    assert raw.removeprefix(f"otp_{token.prefix}_").encode() not in payload
    assert token.token_hash.encode() not in payload


def test_operator_creates_a_token_for_someone_else(cast):
    token, _raw = create_api_token(user=cast.supplier_b, name="Migration", actor=cast.operator)

    assert token.user == cast.supplier_b
    entry = Entry.objects.get()
    assert entry.actor_id == cast.operator.pk
    assert entry.data["user"] == cast.supplier_b.pk


def test_refuses_a_token_for_someone_else(cast):
    before = snapshot()

    with pytest.raises(PermissionDenied, match="only create tokens for yourself"):
        create_api_token(user=cast.supplier_b, name="Spy", actor=cast.supplier_a)

    assert snapshot() == before


@pytest.mark.parametrize("name", ["", "   ", None])
def test_refuses_a_token_without_a_name(cast, name):
    before = snapshot()

    with pytest.raises(ValidationError, match="Give the token a name") as refusal:
        create_api_token(user=cast.supplier_a, name=name, actor=cast.supplier_a)

    assert list(refusal.value.message_dict) == ["name"]
    assert snapshot() == before


def test_refuses_more_active_tokens_than_the_limit(cast):
    for n in range(MAX_ACTIVE_TOKENS):
        create_api_token(user=cast.supplier_a, name=f"robot {n}", actor=cast.supplier_a)
    before = snapshot()

    with pytest.raises(ValidationError, match="revoke one") as refusal:
        create_api_token(user=cast.supplier_a, name="one too many", actor=cast.supplier_a)

    assert refusal.value.code == "too_many_tokens"
    assert snapshot() == before


# --- authenticate / revoke ------------------------------------------------------------------


def test_a_token_authenticates_its_user_and_notes_the_use(cast):
    token, raw = create_api_token(user=cast.supplier_a, name="Bid robot", actor=cast.supplier_a)

    assert authenticate_token(raw) == cast.supplier_a
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
    # Usage time is convenience, not evidence: using a token writes no event.
    assert Entry.objects.count() == 1


@pytest.mark.parametrize("raw", ["", "otp_", "otp_00000000_not-a-real-token", "Bearer xyz"])
def test_an_unknown_token_authenticates_nobody(cast, raw):
    assert authenticate_token(raw) is None


def test_a_token_of_a_disabled_account_authenticates_nobody(cast):
    _token, raw = create_api_token(user=cast.supplier_a, name="Bid robot", actor=cast.supplier_a)
    cast.supplier_a.is_active = False
    cast.supplier_a.save()

    assert authenticate_token(raw) is None


def test_revoke_stops_the_token_and_writes_one_event(cast):
    token, raw = create_api_token(user=cast.supplier_a, name="Bid robot", actor=cast.supplier_a)
    created = Entry.objects.get()

    revoke_api_token(token=token, actor=cast.supplier_a)

    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert authenticate_token(raw) is None
    entry = Entry.objects.exclude(pk=created.pk).get()
    assert entry.action == Action.API_TOKEN_REVOKED
    assert (entry.subject_type, entry.subject_id) == ("accounts.apitoken", str(token.pk))
    assert entry.actor_id == cast.supplier_a.pk
    assert entry.data == {"prefix": token.prefix}


def test_operator_revokes_someone_elses_token(cast):
    token, _raw = create_api_token(user=cast.supplier_a, name="Bid robot", actor=cast.supplier_a)

    revoke_api_token(token=token, actor=cast.operator)

    assert Entry.objects.filter(action=Action.API_TOKEN_REVOKED).get().actor_id == cast.operator.pk


def test_refuses_to_revoke_twice(cast):
    token, _raw = create_api_token(user=cast.supplier_a, name="Bid robot", actor=cast.supplier_a)
    revoke_api_token(token=token, actor=cast.supplier_a)
    before = snapshot()

    with pytest.raises(ValidationError, match="already revoked"):
        revoke_api_token(token=token, actor=cast.supplier_a)

    assert snapshot() == before


def test_refuses_to_revoke_someone_elses_token(cast):
    token, raw = create_api_token(user=cast.supplier_a, name="Bid robot", actor=cast.supplier_a)
    before = snapshot()

    with pytest.raises(PermissionDenied, match="only revoke your own"):
        revoke_api_token(token=token, actor=cast.supplier_b)

    assert snapshot() == before
    assert authenticate_token(raw) == cast.supplier_a


# --- the API with a token -------------------------------------------------------------------


def test_api_me_with_a_bearer_token_lists_the_memberships(cast, client):
    _token, raw = create_api_token(user=cast.buyer, name="Planning sheet", actor=cast.buyer)

    response = client.get("/api/v1/me", **bearer(raw))

    assert response.status_code == 200
    body = response.json()
    assert body["email"] == "buyer@example.kz"
    assert body["is_operator"] is False
    assert sorted(body["memberships"], key=lambda m: m["role"]) == [
        {
            "organisation_bin": cast.agency.bin,
            "organisation_name": "City Hospital No. 7",
            "organisation_kind": "agency",
            "role": "buyer",
        },
        {
            "organisation_bin": cast.agency.bin,
            "organisation_name": "City Hospital No. 7",
            "organisation_kind": "agency",
            "role": "commission_member",
        },
    ]


@pytest.mark.parametrize(
    "authorization",
    ["Bearer otp_00000000_wrong", "Bearer ", "Token abc", "bearer-less"],
)
def test_api_me_with_a_wrong_token_is_401_in_the_error_shape(cast, client, authorization):
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=authorization)

    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "code": "not_authenticated",
            "message": response.json()["error"]["message"],
            "fields": {},
        }
    }
    assert "Bearer" in response.json()["error"]["message"]


def test_api_me_with_a_revoked_token_is_401(cast, client):
    token, raw = create_api_token(user=cast.supplier_a, name="Bid robot", actor=cast.supplier_a)
    assert client.get("/api/v1/me", **bearer(raw)).status_code == 200
    revoke_api_token(token=token, actor=cast.supplier_a)

    response = client.get("/api/v1/me", **bearer(raw))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


# --- the web page ---------------------------------------------------------------------------


def test_tokens_page_shows_a_new_token_once(cast):
    browser = Client()
    browser.force_login(cast.supplier_a)

    created = browser.post(reverse("accounts:tokens"), {"name": "Bid robot"})

    assert created.status_code == 200
    assert created["Cache-Control"] == "no-store"
    (raw,) = RAW_TOKEN.findall(created.content.decode())
    token = ApiToken.objects.get(user=cast.supplier_a)
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert Entry.objects.get().action == Action.API_TOKEN_CREATED

    again = browser.get(reverse("accounts:tokens"))

    assert again.status_code == 200
    assert raw not in again.content.decode()
    assert f"otp_{token.prefix}" in again.content.decode()  # listed by its prefix only
    assert "Bid robot" in again.content.decode()


def test_tokens_page_refuses_a_nameless_token(cast):
    browser = Client()
    browser.force_login(cast.supplier_a)

    response = browser.post(reverse("accounts:tokens"), {"name": ""})

    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not ApiToken.objects.exists()
    assert not Entry.objects.exists()


def test_tokens_page_needs_a_login(db):
    response = Client().get(reverse("accounts:tokens"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_revoking_from_the_web_page(cast):
    token, raw = create_api_token(user=cast.supplier_a, name="Bid robot", actor=cast.supplier_a)
    browser = Client()
    browser.force_login(cast.supplier_a)

    response = browser.post(reverse("accounts:token-revoke", args=[token.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:tokens")
    assert authenticate_token(raw) is None
    assert (
        Entry.objects.filter(action=Action.API_TOKEN_REVOKED, subject_id=str(token.pk)).count() == 1
    )


def test_nobody_revokes_someone_elses_token_from_the_web_page(cast):
    token, raw = create_api_token(user=cast.supplier_a, name="Bid robot", actor=cast.supplier_a)
    before = snapshot()
    browser = Client()
    browser.force_login(cast.supplier_b)

    response = browser.post(reverse("accounts:token-revoke", args=[token.pk]))

    assert response.status_code == 404
    assert snapshot() == before
    assert authenticate_token(raw) == cast.supplier_a


# --- manage.py issue_token ------------------------------------------------------------------


def test_issue_token_command_prints_a_working_token_for_the_user(cast, client):
    out = io.StringIO()

    call_command("issue_token", "supplier.a@example.kz", stdout=out)

    (raw,) = RAW_TOKEN.findall(out.getvalue())
    token = ApiToken.objects.get(user=cast.supplier_a)
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert client.get("/api/v1/me", **bearer(raw)).json()["email"] == "supplier.a@example.kz"
    entry = Entry.objects.get()
    assert entry.action == Action.API_TOKEN_CREATED
    assert (entry.subject_type, entry.subject_id) == ("accounts.apitoken", str(token.pk))
    # Run on the server's console, the command acts for the token's owner.
    assert entry.actor_id == cast.supplier_a.pk
    assert entry.data["user"] == cast.supplier_a.pk
    assert raw.encode() not in bytes(entry.payload)


def test_issue_token_command_takes_a_token_name(cast):
    call_command("issue_token", "Supplier.A@example.kz", "--name", "ERP link", stdout=io.StringIO())

    assert ApiToken.objects.get(user=cast.supplier_a).name == "ERP link"
    assert Entry.objects.get().data["name"] == "ERP link"


def test_issue_token_command_refuses_an_unknown_email(cast):
    before = snapshot()

    with pytest.raises(CommandError, match=re.escape("nobody@example.kz")):
        call_command("issue_token", "nobody@example.kz", stdout=io.StringIO())

    assert snapshot() == before


def test_issue_token_command_refuses_a_disabled_account(cast):
    cast.supplier_a.is_active = False
    cast.supplier_a.save()
    before = snapshot()

    with pytest.raises(CommandError, match=re.escape("supplier.a@example.kz")):
        call_command("issue_token", "supplier.a@example.kz", stdout=io.StringIO())

    assert snapshot() == before
