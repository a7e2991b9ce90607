"""Property-based fuzzing of the whole JSON API with schemathesis (issue 9, "Hostile input").

Every operation of /api/v1/openapi.json gets a bounded number of generated requests, valid
and invalid ones, each sent as five callers with their bearer tokens: nobody, a supplier's
member, the buyer who chairs the commissions, an auditor and an operator. Path parameters
are drawn either as generated or from a world of real objects in every stage (a draft, a
tender in enquiries, one in tendering with a bid, one in evaluation with opened bids, a
complaint, contracts to sign and in force, a red flag, checkpoints, OCDS releases), so the
requests reach the services and not only the 404 of an unknown number.

Whatever is sent, the answer is never a 5xx; every error has the one documented shape; and a
documented answer matches its schema (schemathesis' response_schema_conformance). Each call
runs in a transaction rolled back before the next, so examples do not see each other's
writes. Requests go through Django's test client handler mounted as a WSGI application.

Generation is derandomized: CI sees the same examples every run. FUZZ_EXAMPLES (default 15)
sets how many per operation (each sent as every role); raise it for a longer hunt:
FUZZ_EXAMPLES=100 takes about 3 minutes on SQLite and 5 on PostgreSQL with `-n 2`.
"""

import json
import os
from types import SimpleNamespace

import pytest
import schemathesis
from django.db import transaction
from django.test.client import ClientHandler
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from ninja import Schema
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts.services.tokens import create_api_token
from audit.models import Checkpoint, Entry
from awards.models import ComplaintDocument
from awards.services.complaints import file_complaint
from awards.services.reviews import request_correction, review_bid
from contracts.services.signing import sign_contract
from contracts.services.single_source import contract_directly
from procurement.models import Tender
from procurement.services.questions import ask_question
from procurement.services.tenders import publish_tender
from tests.awards.world import (
    award_world,
    bid,
    meets_all,
    on_a_monday,
    sign,
    sign_as_buyer,
    to_tendering,
)
from tests.procurement.factories import PlanItemFactory, procedure, ready_tender
from tests.procurement.uploads import upload
from transparency.flags.findings import Finding
from transparency.models import RedFlag, Release
from transparency.services.flags import compute_flags
from transparency.services.publication import publish_ocds

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
ROLES = ("anonymous", "supplier_a", "buyer", "auditor", "operator")


class ClientApp:
    """Django's test client handler as a WSGI application, for schemathesis' WSGI transport.

    The handler keeps the test's database connection open between requests (a bare
    WSGIHandler closes it at request_finished, inside the test's transaction)."""

    def __init__(self):
        self.handler = ClientHandler()

    def __call__(self, environ, start_response):
        response = self.handler(environ)
        headers = [*response.items()]
        headers += [("Set-Cookie", c.output(header="").strip()) for c in response.cookies.values()]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        return response.streaming_content if response.streaming else [response.content]


APP = ClientApp()
SCHEMA = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP)
OPERATIONS = {op.label: op for op in (result.ok() for result in SCHEMA.get_all_operations())}


# --- the world the requests land in ------------------------------------------------------------


def tokens_of(cast) -> dict[str, dict[str, str]]:
    headers = {"anonymous": {}}
    for role in ROLES[1:]:
        user = getattr(cast, role)
        _token, raw = create_api_token(user=user, name="fuzz", actor=user)
        headers[role] = {"Authorization": f"Bearer {raw}"}
    return headers


def single_source_draft(cast) -> Tender:
    tender = ready_tender(cast)
    Tender.objects.filter(pk=tender.pk).update(procedure=procedure("single_source"))
    return Tender.objects.get(pk=tender.pk)


def red_flag(tender) -> RedFlag:
    compute_flags(
        [
            Finding(
                "R018",
                f"OCID:{tender.ocid}",
                "Cardinal's R018 fired for the contracting process (value 1.0).",
                {"group": "OCID", "value": 1.0},
                tender.pk,
            )
        ]
    )
    return RedFlag.objects.get()


def build_world(cast, world) -> SimpleNamespace:
    """Every kind of object the API names, in the stages its calls act on."""
    evaluation = world.tender
    review_bid(bid=world.bids["a"], actor=cast.buyer, decisions=meets_all(evaluation))
    request_correction(bid=world.bids["c"], actor=cast.buyer, text="Attach the licence.")

    draft = ready_tender(cast)
    enquiries = publish_tender(tender=ready_tender(cast), actor=cast.buyer)
    question = ask_question(tender=enquiries, text="Which packs?", actor=cast.supplier_a)
    complaint = file_complaint(
        tender=enquiries,
        actor=cast.supplier_b,
        complainant=cast.supplier_org_b,
        kind="conditions",
        text="The specification names one brand.",
        files=[upload()],
    )
    tendering = to_tendering(publish_tender(tender=ready_tender(cast), actor=cast.buyer))
    bid_in_tendering = bid(
        tendering, world.signers["a"], cast.supplier_org_a, cast.supplier_a, {"1": "1"}
    )

    pending = contract_directly(
        tender=single_source_draft(cast),
        actor=cast.buyer,
        supplier=cast.supplier_org_a,
        price="2900000.00",
        justification="The only holder of the patent.",
    )
    active = contract_directly(
        tender=single_source_draft(cast),
        actor=cast.buyer,
        supplier=cast.supplier_org_b,
        price="2800000.00",
        justification="The only holder of the licence.",
    )
    sign_contract(
        contract=active,
        actor=cast.supplier_b,
        signature=sign(world.signers["b"], bytes(active.content)),
    )
    active = sign_as_buyer(world, cast, active)
    plain_draft = single_source_draft(cast)
    draft_item = PlanItemFactory(
        budget_line__agency=cast.agency, budget_line__fiscal_year=2026, status="draft"
    )
    flag = red_flag(evaluation)
    publish_ocds(limit=12)
    release = Release.objects.order_by("pk").first()

    tenders = [draft, enquiries, tendering, evaluation, plain_draft, active.tender]
    last_seq = Entry.objects.order_by("-seq").values_list("seq", flat=True).first()
    return SimpleNamespace(
        tokens=tokens_of(cast),
        # Real values per path parameter; for "number" the operation's path says of what.
        paths={
            "tenders": [t.number for t in tenders],
            "complaints": [complaint.number],
            "contracts": [pending.number, active.number],
            "bin": [cast.agency.bin, cast.supplier_org_a.bin, cast.other_agency.bin],
            "item_id": [draft_item.pk],
            "question_id": [question.pk],
            "version": [1, 2],
            "lot_number": [1, 2],
            "public_id": [*(b.public_id for b in world.bids.values()), bid_in_tendering.public_id],
            "revision": [1],
            "document_id": list(
                ComplaintDocument.objects.filter(complaint=complaint).values_list("pk", flat=True)
            ),
            "flag_id": [flag.pk],
            "seq": [0, last_seq],
            "tree_size": list(Checkpoint.objects.values_list("tree_size", flat=True)[:3]),
            "release_id": [release.release_id],
            "ocid": [release.ocid],
        },
        # Values that make a generated body name real things (the rest stays generated).
        body={
            "agency_bin": cast.agency.bin,
            "supplier_bin": cast.supplier_org_a.bin,
            "bidder": cast.supplier_org_a.bin,
            "complainant": cast.supplier_org_a.bin,
            "procedure": "open_tender",
            "chair": cast.buyer.pk,
            "members": [cast.commission[0].pk, cast.commission[1].pk],
            "threshold": 2,
            "plan_items": [draft_item.pk],
            "budget_line": draft_item.budget_line.code,
            "fiscal_year": 2026,
            "lot": 1,
        },
    )


@pytest.fixture
def fuzz_world(cast):
    with on_a_monday(), award_world(cast) as world:
        yield build_world(cast, world)


# --- what every answer must be -----------------------------------------------------------------


def error_shape(ctx, response, case):
    """Every 4xx/5xx answer is {"error": {"code": str, "message": str, "fields": {...}}}."""
    if response.status_code < 400:
        return True
    assert response.headers["content-type"][0].startswith("application/json"), response.headers
    body = json.loads(response.content)
    assert list(body) == ["error"], f"error body is not {{'error': ...}}: {body!r}"
    error = body["error"]
    assert set(error) == {"code", "message", "fields"}, f"error keys: {sorted(error)}"
    assert isinstance(error["code"], str) and error["code"], error
    assert isinstance(error["message"], str) and error["message"], error
    assert isinstance(error["fields"], dict), error
    for name, messages in error["fields"].items():
        assert isinstance(messages, list), (name, messages)
        assert all(isinstance(m, str) for m in messages), (name, messages)
    return True


CHECKS = [not_a_server_error, response_schema_conformance]


def real_path(case, world, data) -> None:
    """Replace each path parameter by a real one (or keep the generated value)."""
    for name in list(case.path_parameters or {}):
        key = name
        if name == "number":
            key = case.operation.path.split("/")[3]  # /api/v1/<tenders|complaints|contracts>/
        choices = world.paths.get(key) or []
        if choices:
            picked = data.draw(st.sampled_from([None, *choices]), label=name)
            if picked is not None:
                case.path_parameters[name] = picked


def real_body(case, world, data) -> None:
    if isinstance(case.body, dict) and data.draw(st.booleans(), label="real body values"):
        for name, value in world.body.items():
            if name in case.body:
                case.body[name] = value


def send(case, headers):
    """One call, rolled back whatever it wrote."""
    with transaction.atomic():
        response = case.call(headers=headers)
        transaction.set_rollback(True)
    return response


def fuzz(operation, world) -> None:
    """Run the operation's examples, each sent as every role; raise what the checks found."""
    strategy = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
        ],
    )
    @given(case=strategy, data=st.data())
    def examples(case, data):
        real_path(case, world, data)
        real_body(case, world, data)
        for role in ROLES:
            response = send(case, world.tokens[role])
            case.validate_response(response, checks=CHECKS, additional_checks=[error_shape])

    examples()


def chunks(size: int = 8) -> dict[str, list[str]]:
    """The operations in groups of a resource (tenders, contracts, ...), one world per group."""
    groups: dict[str, list[str]] = {}
    for label in OPERATIONS:
        resource = OPERATIONS[label].path.split("/")[3]
        groups.setdefault(resource, []).append(label)
    named = {}
    for resource, labels in groups.items():
        for start in range(0, len(labels), size):
            named[f"{resource}-{start // size + 1}"] = labels[start : start + size]
    return named


CHUNKS = chunks()


@pytest.mark.parametrize("chunk", list(CHUNKS))
def test_no_operation_answers_5xx_or_out_of_shape(fuzz_world, chunk):
    failures = []
    for label in CHUNKS[chunk]:
        try:
            fuzz(OPERATIONS[label], fuzz_world)
        except Exception as exc:
            failures.append(f"{label}\n{exc}")
    assert not failures, "\n\n".join(failures)


def test_no_two_api_schemas_share_a_name():
    """OpenAPI names a schema by its class: two `KeyOut`s (audit, bids) documented the
    checkpoint key as an opening key, two `ReviewIn`s the flag review as a bid review."""
    names: dict[str, set[str]] = {}
    stack = [Schema]
    while stack:
        for cls in stack.pop().__subclasses__():
            stack.append(cls)
            if not cls.__module__.startswith(("ninja.", "tests.")):
                names.setdefault(cls.__name__, set()).add(f"{cls.__module__}.{cls.__qualname__}")
    assert {name: places for name, places in names.items() if len(places) > 1} == {}


def test_every_operation_is_fuzzed():
    """A new endpoint is picked up from the schema without touching this file."""
    fuzzed = [label for labels in CHUNKS.values() for label in labels]
    assert sorted(fuzzed) == sorted(OPERATIONS)
    assert len(fuzzed) >= 90
