"""Every API error, whoever produces it, has one shape: {"error": {"code", "message", "fields"}}.
Applications still awaiting verification are not public, on the API or the web."""

import pytest
from django.test import Client

from accounts.choices import Role
from accounts.services.tokens import create_api_token
from audit.actions import Action
from audit.models import Entry
from suppliers.choices import OrganisationStatus
from suppliers.models import Membership, Organisation
from tests.factories import MembershipFactory, SupplierFactory, make_bin

SUPPLIERS = "/api/v1/registers/suppliers"


def error_of(response, status: int) -> dict:
    """The error body, after checking the status and that the shape is exactly the one."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["error"]
    error = body["error"]
    assert set(error) == {"code", "message", "fields"}
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], dict)
    assert all(
        isinstance(v, list) and all(isinstance(m, str) for m in v) for v in error["fields"].values()
    )
    return error


def company(**overrides) -> dict:
    return {
        "bin": make_bin(),
        "legal_name": "Aral Pharma LLP",
        "region": "almaty_city",
        "address": "Almaty, Abay Avenue 10",
        "contact_email": "office@aralpharma.kz",
        **overrides,
    }


@pytest.fixture
def token(cast):
    """A bearer header for the outsider, who may register a company."""
    _token, raw = create_api_token(user=cast.outsider, name="ERP", actor=cast.outsider)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def counts() -> tuple[int, int, int]:
    return Organisation.objects.count(), Membership.objects.count(), Entry.objects.count()


# --- routing errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/v1/nothing-here", "/api/v1/registers/nothing", "/api/v1/me/extra"]
)
def test_unknown_api_path_is_404_in_shape(db, client, path):
    error = error_of(client.get(path), 404)

    assert error["code"] == "not_found"
    assert error["fields"] == {}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/me"),
        ("delete", SUPPLIERS),
        ("put", "/api/v1/registers/blacklist"),
        ("post", "/api/v1/registers/agencies"),
    ],
)
def test_wrong_method_is_405_in_shape(db, client, method, path):
    error = error_of(getattr(client, method)(path), 405)

    assert error["code"] == "method_not_allowed"
    assert method.upper() in error["message"]


def test_me_without_credentials_is_401_in_shape(db, client):
    error = error_of(client.get("/api/v1/me"), 401)

    assert error["code"] == "not_authenticated"


# --- BIN lookup -----------------------------------------------------------------------------


def test_invalid_bin_lookup_is_422_listing_each_problem(db, client):
    # month 99 and a wrong check digit: two problems, both named
    error = error_of(client.get("/api/v1/registers/organisations/949940000386"), 422)

    assert error["code"] == "invalid_bin"
    assert list(error["fields"]) == ["bin"]
    problems = error["fields"]["bin"]
    assert len(problems) == 2
    assert any("month" in p and "99" in p for p in problems)
    assert any("check digit" in p and "should be 9, not 6" in p for p in problems)
    assert error["message"] == problems[0]


def test_short_bin_lookup_says_twelve_digits(db, client):
    error = error_of(client.get("/api/v1/registers/organisations/12345"), 422)

    assert error["code"] == "invalid_bin"
    assert error["fields"]["bin"] == ["A BIN has exactly 12 digits (you entered 5 characters)."]


def test_valid_but_unknown_bin_is_404_in_shape(db, client):
    error = error_of(client.get(f"/api/v1/registers/organisations/{make_bin()}"), 404)

    assert error["code"] == "not_found"


def test_known_bin_lookup_answers_with_the_blacklist(cast, client):
    response = client.get(f"/api/v1/registers/organisations/{cast.shady_org.bin}")

    assert response.status_code == 200
    body = response.json()
    assert body["blacklisted"] is True
    assert len(body["blacklist_entries"]) == 1


# --- query validation -----------------------------------------------------------------------


def test_invalid_register_filter_is_422_naming_the_filter(db, client):
    error = error_of(client.get(SUPPLIERS, {"blacklisted": "maybe"}), 422)

    assert list(error["fields"]) == ["blacklisted"]


# --- registering a supplier through the API -------------------------------------------------


def test_registers_a_supplier_with_a_token(cast, client, token):
    details = company()

    response = client.post(SUPPLIERS, details, content_type="application/json", **token)

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["bin"], body["status"], body["blacklisted"]) == (details["bin"], "pending", False)
    organisation = Organisation.objects.get(bin=details["bin"])
    assert Membership.objects.filter(
        organisation=organisation, user=cast.outsider, role=Role.ADMIN
    ).exists()
    registered = Entry.objects.get(action=Action.ORGANISATION_REGISTERED)
    assert registered.subject_id == str(organisation.pk)
    assert registered.actor_id == cast.outsider.pk


def test_anonymous_registration_is_401_in_shape(db, client):
    error = error_of(client.post(SUPPLIERS, company(), content_type="application/json"), 401)

    assert error["code"] == "not_authenticated"
    assert not Organisation.objects.exists()


def test_malformed_json_is_400_in_shape(cast, client, token):
    before = counts()

    error_of(
        client.post(SUPPLIERS, '{"bin": "94014', content_type="application/json", **token), 400
    )

    assert counts() == before


def test_malformed_json_says_so_with_its_own_code(cast, client, token):
    # config/api_errors.py has a branch for this (code "malformed_json"); django-ninja 1.7
    # raises HttpError(400, "Cannot parse request body") instead, so it never runs.
    error = error_of(
        client.post(SUPPLIERS, "{not json", content_type="application/json", **token), 400
    )

    assert error["code"] == "malformed_json"


def test_missing_fields_are_422_naming_each_field(cast, client, token):
    before = counts()

    error = error_of(
        client.post(SUPPLIERS, {"bin": make_bin()}, content_type="application/json", **token), 422
    )

    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"legal_name", "region", "address", "contact_email"}
    for name in ("legal_name", "region", "address", "contact_email"):
        assert name in error["message"]
    assert counts() == before


def test_duplicate_bin_is_422_on_the_bin_field(cast, client, token):
    before = counts()

    error = error_of(
        client.post(
            SUPPLIERS,
            company(bin=cast.supplier_org_a.bin),
            content_type="application/json",
            **token,
        ),
        422,
    )

    assert list(error["fields"]) == ["bin"]
    assert "already" in error["fields"]["bin"][0]
    assert counts() == before


def test_invalid_bin_in_a_registration_is_422_on_the_bin_field(cast, client, token):
    before = counts()

    error = error_of(
        client.post(
            SUPPLIERS, company(bin="940140000386"), content_type="application/json", **token
        ),
        422,
    )

    assert list(error["fields"]) == ["bin"]
    assert "should be 5, not 6" in error["fields"]["bin"][0]
    assert counts() == before


def test_session_post_without_csrf_token_is_403_in_shape(cast):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cast.outsider)
    before = counts()

    error = error_of(browser.post(SUPPLIERS, company(), content_type="application/json"), 403)

    assert error["code"] == "forbidden"
    assert counts() == before


def test_session_post_with_the_csrf_token_is_accepted(cast):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cast.outsider)
    browser.get("/accounts/tokens/")  # any page with a form sets the CSRF cookie
    csrf = browser.cookies["csrftoken"].value

    response = browser.post(
        SUPPLIERS, company(), content_type="application/json", HTTP_X_CSRFTOKEN=csrf
    )

    assert response.status_code == 201, response.content


# --- applications awaiting verification are not public ----------------------------------------


@pytest.fixture
def pending(cast):
    organisation = SupplierFactory(legal_name="Fresh Start LLP", status=OrganisationStatus.PENDING)
    MembershipFactory(user=cast.supplier_b, organisation=organisation, role=Role.ADMIN)
    return organisation


def test_pending_organisation_is_404_on_the_api_for_the_public(cast, client, pending):
    error_of(client.get(f"/api/v1/registers/organisations/{pending.bin}"), 404)

    client.force_login(cast.supplier_a)
    error_of(client.get(f"/api/v1/registers/organisations/{pending.bin}"), 404)


def test_pending_organisation_is_visible_on_the_api_to_its_own_members(cast, client, pending):
    client.force_login(cast.supplier_b)

    response = client.get(f"/api/v1/registers/organisations/{pending.bin}")

    assert response.status_code == 200
    assert response.json()["status"] == "pending"


def test_pending_organisation_is_visible_to_its_member_using_a_token(cast, client, pending):
    # The lookup takes no auth, so ninja never reads the Bearer token and request.user is
    # anonymous: the API's own clients cannot see their application.
    _token, raw = create_api_token(user=cast.supplier_b, name="ERP", actor=cast.supplier_b)

    response = client.get(
        f"/api/v1/registers/organisations/{pending.bin}", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )

    assert response.status_code == 200


def test_pending_organisation_is_visible_to_an_operator(cast, client, pending):
    client.force_login(cast.operator)

    assert client.get(f"/api/v1/registers/organisations/{pending.bin}").status_code == 200
    assert client.get(pending.get_absolute_url()).status_code == 200


def test_pending_organisation_is_404_on_the_web_for_the_public(cast, client, pending):
    anonymous = client.get(pending.get_absolute_url())
    assert anonymous.status_code == 404
    assert "Page not found" in anonymous.content.decode()

    client.force_login(cast.supplier_a)
    assert client.get(pending.get_absolute_url()).status_code == 404


def test_pending_organisation_is_visible_on_the_web_to_its_own_members(cast, client, pending):
    client.force_login(cast.supplier_b)

    response = client.get(pending.get_absolute_url())

    assert response.status_code == 200
    assert "Fresh Start LLP" in response.content.decode()


def test_pending_organisation_is_left_out_of_the_register_lists(cast, client, pending):
    client.force_login(cast.supplier_b)

    api = client.get(SUPPLIERS, {"q": "Fresh Start"}).json()
    web = client.get("/registers/suppliers/", {"q": "Fresh Start"}).content.decode()

    assert api["count"] == 0
    assert "0 suppliers found." in web
    assert f'href="{pending.get_absolute_url()}"' not in web
