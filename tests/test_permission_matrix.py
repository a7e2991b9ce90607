"""Who gets what at every address of the site, web and API, read as one table.

Every route found by Django's URL resolver must have a row here (Django admin internals, the
language switch and the OpenAPI docs aside), so a new page cannot ship without saying who may
open it. Each row requests the route once per role, against real objects of the cast; a POST
runs inside a transaction that is rolled back before the next role tries.

Cells: an HTTP status, LOGIN (302 to our login page), or ADMIN_LOGIN (302 to the admin's).
"""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.services.tokens import create_api_token
from audit.models import Checkpoint, Entry
from audit.services.checkpoints import issue_checkpoint
from procurement.models import Tender
from suppliers.choices import OrganisationStatus
from suppliers.models import Membership
from suppliers.services.members import invite_member
from tests import matrix_award_api, matrix_award_web, matrix_portal, matrix_transparency
from tests.conftest import ROLES, cast_member
from tests.factories import MembershipFactory, SupplierFactory, make_bin
from tests.procurement.factories import (
    BudgetLineFactory,
    PlanItemFactory,
    approved_item,
    draft_tender,
    procedure,
    ready_tender,
)

LOGIN = "login"
ADMIN_LOGIN = "admin-login"
L, A = LOGIN, ADMIN_LOGIN  # short forms for the table


# fmt: off
MATRIX = {
    # (route, method, target)                                     anon  adm  buy  com  oth  s_a  s_b  shd  aud  rev  out   op
    ("home", "GET", None):                                       (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    # accounts
    ("accounts:login", "GET", None):                             (200, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    ("accounts:logout", "POST", None):                           (302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    ("accounts:profile", "GET", None):                           (L,   200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("accounts:tokens", "GET", None):                            (L,   200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("accounts:token-revoke", "POST", "token of supplier_a"):    (L,   404, 404, 404, 404, 302, 404, 404, 404, 404, 404, 404),
    # the public registers
    ("suppliers:supplier-list", "GET", None):                    (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("suppliers:supplier-register", "GET", None):                (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("suppliers:agency-list", "GET", None):                      (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("suppliers:blacklist", "GET", None):                        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("suppliers:organisation-detail", "GET", "supplier_a"):      (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("suppliers:organisation-detail", "GET", "shady"):           (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("suppliers:organisation-detail", "GET", "pending of s_b"):  (404, 404, 404, 404, 404, 404, 200, 404, 404, 404, 404, 200),
    # staff of an organisation
    ("suppliers:members", "GET", "agency"):                      (L,   200, 200, 200, 403, 403, 403, 403, 403, 403, 403, 200),
    ("suppliers:members", "POST", "agency"):                     (L,   302, 403, 403, 403, 403, 403, 403, 403, 403, 403, 302),
    ("suppliers:members", "GET", "pending of s_b"):              (L,   403, 403, 403, 403, 403, 200, 403, 403, 403, 403, 200),
    ("suppliers:membership-deactivate", "POST", "buyer's role"): (L,   302, 403, 403, 403, 403, 403, 403, 403, 403, 403, 302),
    ("suppliers:invitation-withdraw", "POST", "invitation"):     (L,   302, 403, 403, 403, 403, 403, 403, 403, 403, 403, 302),
    ("suppliers:invitation-accept", "GET", "invitation link"):   (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    # audit: being rewritten by the lead; these rows state what the new pages must do.
    ("audit:entry-list", "GET", None):                           (L,   403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 200),  # audit (lead)
    ("audit:status", "GET", None):                               (L,   403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 200),  # audit (lead)
    ("audit:entry-detail", "GET", "audit entry"):                (L,   403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 200),  # audit (lead), assumed like the list
    ("audit:verify", "POST", None):                              (L,   403, 403, 403, 403, 403, 403, 403, 302, 403, 403, 302),  # audit (lead), assumed POST-redirect
    # the JSON API (session login; tokens are tested in tests/accounts/test_tokens.py)
    ("api:api-root", "GET", None):                               (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("api:me", "GET", None):                                     (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("api:list_suppliers", "GET", None):                         (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("api:create_supplier", "POST", None):                       (401, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201),
    ("api:list_agencies", "GET", None):                          (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("api:list_blacklist", "GET", None):                         (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("api:get_organisation", "GET", "supplier_a"):               (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("api:get_organisation", "GET", "pending of s_b"):           (404, 404, 404, 404, 404, 404, 200, 404, 404, 404, 404, 200),
    # the audit log API: public and read-only (being written by the lead)
    ("api:list_entries", "GET", "checkpointed log"):             (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),  # audit (lead)
    ("api:get_entry", "GET", "audit entry"):                     (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),  # audit (lead)
    ("api:latest_checkpoint", "GET", "checkpointed log"):        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),  # audit (lead)
    ("api:get_checkpoint", "GET", "checkpoint"):                 (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),  # audit (lead)
    ("api:checkpoint_key", "GET", None):                         (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),  # audit (lead)
    ("api:inclusion", "GET", "checkpointed log"):                (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),  # audit (lead)
    ("api:consistency", "GET", "checkpointed log"):              (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),  # audit (lead)
    # plans and budget of an agency: its members see them, buyers and admins keep them
    ("procurement:budget", "GET", "agency"):                     (L,   200, 200, 200, 403, 403, 403, 403, 200, 403, 403, 200),
    ("procurement:budgetline-create", "POST", "agency"):         (L,   302, 302, 403, 403, 403, 403, 403, 403, 403, 403, 302),
    ("procurement:planitem-create", "POST", "agency's budget"):  (L,   302, 302, 403, 403, 403, 403, 403, 403, 403, 403, 302),
    ("procurement:planitem-approve", "POST", "draft plan item"): (L,   302, 302, 403, 403, 403, 403, 403, 403, 403, 403, 302),
    ("procurement:planitem-cancel", "POST", "draft plan item"):  (L,   302, 302, 403, 403, 403, 403, 403, 403, 403, 403, 302),
    ("api:list_procedures", "GET", None):                        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("api:list_budget_lines", "GET", "agency"):                  (401, 200, 200, 200, 403, 403, 403, 403, 200, 403, 403, 200),
    ("api:create_budget_line", "POST", "agency"):                (401, 201, 201, 403, 403, 403, 403, 403, 403, 403, 403, 201),
    ("api:list_plan_items", "GET", "agency"):                    (401, 200, 200, 200, 403, 403, 403, 403, 200, 403, 403, 200),
    ("api:create_plan_item", "POST", "agency's budget"):         (401, 201, 201, 403, 403, 403, 403, 403, 403, 403, 403, 201),
    ("api:approve_plan_item", "POST", "draft plan item"):        (401, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 200),
    ("api:cancel_plan_item", "POST", "draft plan item"):         (401, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 200),
    # tenders: the public reads published ones; a draft is its agency's; buyers and admins run them
    ("procurement:tender-list", "GET", None):                    (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("procurement:tender-detail", "GET", "published tender"):    (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("procurement:tender-detail", "GET", "draft tender"):        (404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 200),
    ("procurement:tender-create", "GET", "agency"):              (L,   200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("procurement:tender-create", "POST", "agency"):             (L,   302, 302, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("procurement:tender-lot-add", "POST", "draft tender"):      (L,   302, 302, 403, 404, 404, 404, 404, 404, 404, 404, 403),
    ("procurement:tender-periods", "POST", "draft tender"):      (L,   302, 302, 403, 404, 404, 404, 404, 404, 404, 404, 403),
    ("procurement:tender-commission", "POST", "draft tender"):   (L,   302, 302, 403, 404, 404, 404, 404, 404, 404, 404, 403),
    ("procurement:tender-publish", "POST", "ready tender"):      (L,   302, 302, 403, 404, 404, 404, 404, 404, 404, 404, 403),
    ("procurement:tender-cancel", "POST", "published tender"):   (L,   302, 302, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("procurement:tender-document-attach", "POST", "draft tender"): (L, 302, 302, 403, 404, 404, 404, 404, 404, 404, 404, 403),
    ("procurement:tender-document", "GET", "document of a draft"): (404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 200),
    ("procurement:tender-document", "GET", "published document"): (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("procurement:tender-question-ask", "POST", "published tender"): (L, 403, 403, 403, 403, 302, 302, 403, 403, 403, 403, 403),
    ("procurement:tender-question-answer", "POST", "asked question"): (L, 302, 302, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("api:list_tender_questions", "GET", "published tender"):    (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("api:list_tender_questions", "GET", "draft tender"):        (404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 200),
    ("api:ask_tender_question", "POST", "published tender"):     (401, 403, 403, 403, 403, 201, 201, 403, 403, 403, 403, 403),
    ("api:answer_tender_question", "POST", "asked question"):    (401, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("api:list_tender_documents", "GET", "documented tender"):   (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("api:list_tender_documents", "GET", "documented draft"):    (404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 200),
    ("api:attach_tender_document", "POST", "draft tender"):      (401, 201, 201, 403, 404, 404, 404, 404, 404, 404, 404, 403),
    ("api:list_tenders", "GET", None):                           (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("api:get_tender", "GET", "published tender"):               (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("api:get_tender", "GET", "draft tender"):                   (404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 200),
    ("api:create_tender", "POST", None):                         (401, 201, 201, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("api:add_tender_lot", "POST", "draft tender"):              (401, 201, 201, 403, 404, 404, 404, 404, 404, 404, 404, 403),
    ("api:set_tender_periods", "POST", "draft tender"):          (401, 200, 200, 403, 404, 404, 404, 404, 404, 404, 404, 403),
    ("api:set_tender_commission", "POST", "draft tender"):       (401, 200, 200, 403, 404, 404, 404, 404, 404, 404, 404, 403),
    ("api:publish_tender", "POST", "ready tender"):              (401, 200, 200, 403, 404, 404, 404, 404, 404, 404, 404, 403),
    ("api:cancel_tender", "POST", "published tender"):           (401, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    # amendments, versions, lot cancellation, notices
    ("procurement:tender-amend", "POST", "published tender"):    (L,   302, 302, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("procurement:tender-lot-cancel", "POST", "published tender"): (L, 302, 302, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("procurement:tender-version", "GET", "published version"):  (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("procurement:notices", "GET", None):                        (L,   200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("api:list_tender_versions", "GET", "published tender"):     (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("api:list_tender_versions", "GET", "draft tender"):         (404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 200),
    ("api:get_tender_version", "GET", "published version"):      (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("api:amend_tender", "POST", "published tender"):            (401, 201, 201, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("api:cancel_lot", "POST", "published lot"):                 (401, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("api:list_notices", "GET", None):                           (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    # signing certificates (a body that is no certificate: members of a supplier get 422)
    ("api:register_certificate", "POST", None):                  (401, 403, 403, 403, 403, 422, 422, 422, 403, 403, 403, 403),
    ("api:list_certificates", "GET", None):                      (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    # sealed bids: counts and hashes before opening; bodies that are refused where allowed
    ("api:issue_nonce", "POST", "published tender"):             (401, 403, 403, 403, 403, 201, 201, 201, 403, 403, 403, 403),
    ("api:submit_bid", "POST", "published tender"):              (401, 422, 422, 422, 422, 422, 422, 422, 422, 422, 422, 422),
    ("api:upload_bid", "POST", "published tender"):              (401, 422, 422, 422, 422, 422, 422, 422, 422, 422, 422, 422),
    ("api:list_tender_bids", "GET", "published tender"):         (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("api:my_bids", "GET", None):                                (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("api:bid_receipt", "GET", "bid of supplier_a"):             (401, 404, 404, 404, 404, 200, 404, 404, 404, 404, 404, 404),
    ("api:withdraw_bid", "POST", "bid of supplier_a"):           (401, 404, 404, 404, 404, 422, 404, 404, 404, 404, 404, 404),
    ("api:receipt_key", "GET", None):                            (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("api:register_opening_key", "POST", None):                  (401, 403, 201, 201, 403, 403, 403, 403, 403, 403, 403, 403),
    ("api:my_opening_keys", "GET", None):                        (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("api:my_sealed_share", "GET", "published tender"):          (401, 403, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403),
    ("api:post_share", "POST", "published tender"):              (401, 403, 422, 422, 403, 403, 403, 403, 403, 403, 403, 403),
    ("api:opening_protocol", "GET", "published tender"):         (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    # sealed bids on the web: a supplier's own bids and receipts, a member's opening key
    ("bids:my-bids", "GET", None):                               (L,   403, 403, 403, 403, 200, 200, 200, 403, 403, 403, 403),
    ("bids:bid-receipt", "GET", "bid of supplier_a"):            (L,   404, 404, 404, 404, 200, 404, 404, 404, 404, 404, 404),
    ("bids:opening-key", "GET", None):                           (L,   403, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403),
    ("bids:opening-key", "POST", None):                          (L,   403, 302, 302, 403, 403, 403, 403, 403, 403, 403, 403),
    # signing certificates: members of suppliers and agencies register (a bad file: 400)
    ("pki:certificates", "GET", None):                           (L,   200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("pki:certificates", "POST", None):                          (L,   400, 400, 400, 400, 400, 400, 400, 403, 403, 403, 403),
    ("bids:opening-protocol", "GET", "published tender"):        (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("bids:opening-protocol", "GET", "opened tender"):           (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    # Django admin: only its front door; operators are staff
    ("admin:index", "GET", None):                                (A,   A,   A,   A,   A,   A,   A,   A,   A,   A,   A,   200),
}
# fmt: on

EXCLUDED_PREFIXES = ("admin:",)
EXCLUDED = {"set_language", "api:openapi-json", "api:openapi-view"}
INCLUDED_DESPITE_PREFIX = {"admin:index"}


def _pending_of_supplier_b(cast) -> dict:
    pending = SupplierFactory(legal_name="Fresh Start LLP", status=OrganisationStatus.PENDING)
    MembershipFactory(user=cast.supplier_b, organisation=pending, role=Role.ADMIN)
    return {"bin": pending.bin}


def _invitation(cast):
    return invite_member(
        organisation=cast.agency,
        email="new.colleague@example.kz",
        role=Role.BUYER,
        actor=cast.agency_admin,
    )


def _audit_entry(cast) -> dict:
    token, _raw = create_api_token(user=cast.outsider, name="seed", actor=cast.outsider)
    return {
        "seq": Entry.objects.get(subject_type="accounts.apitoken", subject_id=str(token.pk)).seq
    }


def _checkpointed_log(cast) -> Checkpoint:
    """Two entries and a signed checkpoint over them."""
    for name in ("first", "second"):
        create_api_token(user=cast.outsider, name=name, actor=cast.outsider)
    return issue_checkpoint(reason="test")


def _agency_budget(cast):
    """Line 001/015 of the agency for 2025, which the plan item bodies below cite."""
    procedure("open_tender")
    return BudgetLineFactory(
        agency=cast.agency, fiscal_year=2025, programme_code="001", subprogramme_code="015"
    )


TARGETS = {
    None: lambda cast: {},
    "supplier_a": lambda cast: {"bin": cast.supplier_org_a.bin},
    "shady": lambda cast: {"bin": cast.shady_org.bin},
    "agency": lambda cast: {"bin": cast.agency.bin},
    "pending of s_b": _pending_of_supplier_b,
    "token of supplier_a": lambda cast: {
        "token_id": create_api_token(user=cast.supplier_a, name="robot", actor=cast.supplier_a)[
            0
        ].pk
    },
    "buyer's role": lambda cast: {
        "bin": cast.agency.bin,
        "membership_id": Membership.objects.get(user=cast.buyer, role=Role.BUYER).pk,
    },
    "invitation": lambda cast: {"bin": cast.agency.bin, "invitation_id": _invitation(cast)[0].pk},
    "invitation link": lambda cast: {"token": _invitation(cast)[1]},
    "audit entry": _audit_entry,
    "checkpointed log": lambda cast: _checkpointed_log(cast) and {},
    "checkpoint": lambda cast: {"tree_size": _checkpointed_log(cast).tree_size},
    "agency's budget": lambda cast: _agency_budget(cast) and {"bin": cast.agency.bin},
    "draft plan item": lambda cast: {
        "bin": cast.agency.bin,
        "item_id": PlanItemFactory(budget_line=_agency_budget(cast)).pk,
    },
}


def _bid_of_supplier_a(cast) -> dict:
    from bids.services.submission import submit_bid
    from tests.bids.support import make_bid, trusted_world

    with trusted_world(cast) as world:
        made = make_bid(world.tender, world.signer, cast.supplier_org_a.bin, {"1": "100.00"})
        bid = submit_bid(
            tender=world.tender,
            actor=cast.supplier_a,
            statement=made.statement,
            signature=made.signature,
            sealed=made.sealed,
        ).bid
    return {"public_id": bid.public_id}


def _opened_tender(cast) -> dict:
    """A tender with supplier A's bid, opened by two of its commission after the deadline."""
    from bids.services.submission import submit_bid
    from tests.bids.ceremony import open_tender
    from tests.bids.support import make_bid, trusted_world

    with trusted_world(cast) as world:
        made = make_bid(world.tender, world.signer, cast.supplier_org_a.bin, {"1": "100.00"})
        submit_bid(
            tender=world.tender,
            actor=cast.supplier_a,
            statement=made.statement,
            signature=made.signature,
            sealed=made.sealed,
        )
        open_tender(cast, world.tender)
    return {"number": world.tender.number}


def _published_tender(cast) -> dict:
    from procurement.services.tenders import publish_tender

    tender = publish_tender(tender=ready_tender(cast), actor=cast.buyer)
    return {"number": tender.number}


def _asked_question(cast) -> dict:
    from procurement.services.questions import ask_question

    number = _published_tender(cast)["number"]
    tender = Tender.objects.get(number=number)
    question = ask_question(tender=tender, text="Is a generic accepted?", actor=cast.supplier_a)
    return {"number": number, "question_id": question.pk}


def _document(cast, *, publish: bool) -> dict:
    from procurement.services.documents import attach_document
    from procurement.services.tenders import publish_tender

    tender = ready_tender(cast)
    document = attach_document(
        tender=tender, uploaded_file=_pdf("spec.pdf"), title="Specification", actor=cast.buyer
    )
    if publish:
        publish_tender(tender=tender, actor=cast.buyer)
    return {"number": tender.number, "document_id": document.pk}


def _pdf(name: str = "terms.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.7\n% the terms of reference\n")


TARGETS |= {
    "draft tender": lambda cast: {"number": draft_tender(cast.agency).number},
    "document of a draft": lambda cast: _document(cast, publish=False),
    "published document": lambda cast: _document(cast, publish=True),
    "documented draft": lambda cast: {"number": _document(cast, publish=False)["number"]},
    "documented tender": lambda cast: {"number": _document(cast, publish=True)["number"]},
    "ready tender": lambda cast: {"number": ready_tender(cast).number},
    "published tender": _published_tender,
    "bid of supplier_a": _bid_of_supplier_a,
    "opened tender": _opened_tender,
    "published version": lambda cast: {**_published_tender(cast), "version": 1},
    "published lot": lambda cast: {**_published_tender(cast), "lot_number": 1},
    "asked question": _asked_question,
}

QUERIES = {
    "api:inclusion": {"index": 0, "size": 2},
    "api:consistency": {"first": 1, "second": 2},
}

_BUDGET_LINE = {
    "fiscal_year": 2025,
    "programme_code": "002",
    "subprogramme_code": "",
    "name": "Office supplies",
    "approved_amount": "1000000.00",
}
_PLAN_ITEM = {
    "fiscal_year": 2025,
    "budget_line": "001/015",
    "subject": "Insulin glargine",
    "nomenclature_code": "212013.900.000032",
    "quantity": "100",
    "unit": "pack",
    "planned_amount": "250000.00",
    "procedure": "open_tender",
    "planned_month": 3,
}


def _periods(cast) -> dict:
    now = timezone.now()
    return {
        "enquiry_end": (now + dt.timedelta(days=20)).isoformat(),
        "submission_deadline": (now + dt.timedelta(days=40)).isoformat(),
    }


def _web_periods(cast) -> dict:
    now = timezone.localtime()
    return {
        "enquiry_end": (now + dt.timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"),
        "submission_deadline": (now + dt.timedelta(days=40)).strftime("%Y-%m-%dT%H:%M"),
    }


def _commission(cast) -> dict:
    return {"chair": cast.commission[0].pk, "members": [cast.commission[1].pk], "threshold": 1}


_CANCEL_TENDER = {"reason": "no_demand", "text": "Bought centrally instead"}

POST_BODIES = {
    "procurement:tender-create": {"title": "Insulin", "procedure": "open_tender"},
    "procurement:tender-lot-add": lambda cast: {"plan_items": [approved_item(cast.agency).pk]},
    "procurement:tender-periods": _web_periods,
    "procurement:tender-commission": _commission,
    "procurement:tender-cancel": _CANCEL_TENDER,
    "procurement:tender-document-attach": lambda cast: {"title": "Terms", "file": _pdf()},
    "api:attach_tender_document": lambda cast: {"title": "Terms", "file": _pdf()},
    "procurement:tender-question-ask": {"text": "Is a generic accepted?"},
    "procurement:tender-question-answer": {"text": "Yes, by INN."},
    "api:ask_tender_question": {"text": "Is a generic accepted?"},
    "api:answer_tender_question": {"text": "Yes, by INN."},
    "api:create_tender": lambda cast: {
        "agency_bin": cast.agency.bin,
        "title": "Insulin",
        "procedure": "open_tender",
    },
    "api:add_tender_lot": lambda cast: {"plan_items": [approved_item(cast.agency).pk]},
    "api:set_tender_periods": _periods,
    "api:set_tender_commission": _commission,
    "api:cancel_tender": _CANCEL_TENDER,
    "procurement:tender-amend": {"reason": "Clarified", "title": "Insulin, clarified"},
    "procurement:tender-lot-cancel": {"lot": 1, **_CANCEL_TENDER},
    "api:amend_tender": {"reason": "Clarified", "title": "Insulin, clarified"},
    "api:cancel_lot": _CANCEL_TENDER,
    "api:register_certificate": {"pem": "not a certificate"},
    "api:issue_nonce": {},
    "api:submit_bid": {"statement": "{}", "signature": "", "sealed": ""},
    "api:withdraw_bid": {"statement": "{}", "signature": ""},
    "api:register_opening_key": {"public_key": "CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk="},
    "bids:opening-key": {"public_key": "CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk="},
    "pki:certificates": lambda cast: {
        "organisation": cast.agency.bin,
        "file": SimpleUploadedFile("cert.pem", b"not a certificate"),
    },
    "api:post_share": {"share": "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB"},
    "procurement:budgetline-create": _BUDGET_LINE,
    "procurement:planitem-create": _PLAN_ITEM,
    "procurement:planitem-cancel": {"reason": "Bought centrally instead"},
    "api:create_budget_line": _BUDGET_LINE,
    "api:create_plan_item": _PLAN_ITEM,
    "api:cancel_plan_item": {"reason": "Bought centrally instead"},
    "suppliers:members": {"email": "new.colleague@example.kz", "role": Role.BUYER},
    "api:create_supplier": {
        "bin": make_bin(),
        "legal_name": "Matrix Trading LLP",
        "region": "astana",
        "address": "Astana, Turan 5",
        "contact_email": "office@matrix.kz",
    },
}


# API routes that take a multipart upload rather than JSON.
MULTIPART = {"api:attach_tender_document"}

# The award stage's rows live beside it, in the same table form (one file for the web pages,
# one for the API), and join the table here.
for _part in (matrix_award_web, matrix_award_api, matrix_transparency, matrix_portal):
    assert not set(_part.MATRIX) & set(MATRIX), "a route has two rows"
    MATRIX.update(_part.MATRIX)
    TARGETS.update(_part.TARGETS)
    POST_BODIES.update(_part.POST_BODIES)
    QUERIES.update(_part.QUERIES)
    MULTIPART |= _part.MULTIPART


def user_for(cast, role: str):
    return cast_member(cast, role)


def outcome(response):
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("accounts:login")):
            return LOGIN
        if location.startswith(reverse("admin:login")):
            return ADMIN_LOGIN
    return response.status_code


def send(client: Client, route: str, method: str, url: str, body=None):
    if method == "GET":
        return client.get(url, QUERIES.get(route))
    body = POST_BODIES.get(route, {}) if body is None else body
    for value in body.values():
        if hasattr(value, "seek"):  # every role sends the whole upload again
            value.seek(0)
    if method == "PUT":
        return client.put(url, body, content_type="application/json")
    if route.startswith("api:") and route not in MULTIPART:
        return client.post(url, body, content_type="application/json")
    return client.post(url, body)


@pytest.mark.parametrize(
    ("route", "method", "target"),
    list(MATRIX),
    ids=[f"{m} {r}{f' [{t}]' if t else ''}" for r, m, t in MATRIX],
)
def test_permission_matrix(cast, route, method, target):
    expected = dict(zip(ROLES, MATRIX[(route, method, target)], strict=True))
    url = reverse(route, kwargs=TARGETS[target](cast))
    body = POST_BODIES.get(route, {})
    body = body(cast) if callable(body) else body

    actual = {}
    for role in ROLES:
        with transaction.atomic():
            client = Client()
            if role != "anonymous":
                client.force_login(user_for(cast, role))
            actual[role] = outcome(send(client, route, method, url, body))
            transaction.set_rollback(True)

    assert actual == expected


def route_names(patterns, namespace: str = "", prefix: str = ""):
    """Every route's namespaced name; an unnamed route shows as its pattern, so it fails below."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or ""
            scoped = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            yield from route_names(entry.url_patterns, scoped, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            name = entry.name or f"<unnamed {prefix}{entry.pattern}>"
            yield f"{namespace}:{name}" if namespace else name


def is_excluded(name: str) -> bool:
    if name in INCLUDED_DESPITE_PREFIX:
        return False
    return name in EXCLUDED or name.startswith(EXCLUDED_PREFIXES)


def test_every_route_has_a_row_in_the_matrix():
    found = {name for name in route_names(get_resolver().url_patterns) if not is_excluded(name)}
    in_table = {route for route, _method, _target in MATRIX}

    assert sorted(found - in_table) == [], "new routes need a row in MATRIX"
    assert sorted(in_table - found) == [], "rows for routes that no longer exist"


def test_matrix_rows_have_a_cell_for_every_role():
    assert {len(cells) for cells in MATRIX.values()} == {len(ROLES)}
    assert set(TARGETS) >= {target for _route, _method, target in MATRIX}
