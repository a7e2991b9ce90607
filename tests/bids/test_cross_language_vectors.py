"""The browser's signing code (static/js/signing.js, built from frontend/) and the Python side
(tools/tenderctl.py, bids/crypto, pki/cms.py) agree byte for byte.

The vectors in tests/bids/vectors/ are written by Python (make_vectors.py); the first tests
check Python still writes them, the rest run the same inputs through the bundle in headless
Chromium and compare, or hand what one side made to the other: a payload sealed in the browser
opens in Python, a share sealed in Python opens in the browser, a CMS signature made in the
browser verifies with pki.cms.verify_detached_cms, and a key backup made in the browser loads
in tenderctl.py.
"""

import base64
import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import pkcs12
from django.utils import timezone

from bids.crypto import CryptoRefused, canonical, open_sealed, seal, seal_info, share_info
from pki.cms import verify_detached_cms
from tests.bids.support import tool
from tests.bids.vectors import make_vectors
from tests.web.conftest import _allow_sync_database_calls, browser  # noqa: F401 (fixtures)

BUNDLE = Path(__file__).resolve().parents[2] / "static" / "js" / "signing.js"
ORIGIN = "https://signing.test"  # served by page.route below: a secure context, no server
HARNESS = (
    '<!doctype html><script type="module">import * as S from "/signing.js"; window.S = S;</script>'
)
BIN = "060540001234"
PASSWORD = "correct horse battery"

h = bytes.fromhex


def vector(name: str) -> dict:
    return json.loads((make_vectors.FOLDER / name).read_text(encoding="utf-8"))


# ---- Python writes the vectors ----


def test_python_still_writes_every_vector_file_exactly():
    for name, content in make_vectors.vectors().items():
        assert vector(name) == content, f"{name} differs: run tests/bids/vectors/make_vectors.py"


def test_the_server_canonicalises_each_vector_to_its_bytes_and_refuses_floats():
    vectors = vector("canonical.json")
    for case in vectors["cases"]:
        assert canonical(json.loads(case["json"])) == h(case["canonical_hex"]), case["name"]
    for case in vectors["refused"]:
        with pytest.raises(CryptoRefused, match="statement_malformed"):
            canonical(json.loads(case["json"]))


def test_the_server_opens_the_sealing_vectors():
    vectors = vector("hpke.json")
    for case in vectors["cases"]:
        opened = open_sealed(
            h(case["sealed_hex"]), h(vectors["recipient_private_hex"]), case["info"].encode()
        )
        assert opened == h(case["plaintext_hex"])


# ---- the browser ----


@pytest.fixture(scope="module")
def js(browser):  # noqa: F811
    context = browser.new_context()
    page = context.new_page()

    def serve(route):
        if route.request.url.endswith("/signing.js"):
            route.fulfill(body=BUNDLE.read_bytes(), content_type="text/javascript")
        else:
            route.fulfill(body=HARNESS, content_type="text/html")

    page.route(f"{ORIGIN}/**", serve)
    page.goto(f"{ORIGIN}/")
    page.wait_for_function("window.S !== undefined")
    assert page.evaluate("window.isSecureContext")
    yield page
    context.close()


def run(js, body: str, *args):
    """Evaluate `async (S, args) => { body }` in the page; S is the bundle's exports."""
    return js.evaluate(
        f"async (args) => {{ const S = window.S; try {{ {body} }} catch (e) {{ "
        "return {error: e.code || String(e)}; } }",
        list(args),
    )


in_browser = pytest.mark.browser


@in_browser
def test_the_browser_canonicalises_each_vector_to_the_same_bytes(js):
    for case in vector("canonical.json")["cases"]:
        got = run(js, "return S.hex(S.canonical(JSON.parse(args[0])));", case["json"])
        assert got == case["canonical_hex"], case["name"]


@in_browser
def test_the_browser_refuses_what_the_server_refuses(js):
    for case in vector("canonical.json")["refused"]:
        got = run(js, "return S.hex(S.canonical(JSON.parse(args[0])));", case["json"])
        assert got == {"error": "statement_malformed"}, case["name"]


@in_browser
def test_the_browser_seals_the_vectors_byte_for_byte(js):
    vectors = vector("hpke.json")
    for case in vectors["cases"]:
        sealed = run(
            js,
            "const eph = await S.keyPairFromRaw(S.fromHex(args[0]), S.fromHex(args[1]));"
            "return S.hex(await S.seal(S.fromHex(args[2]), S.fromHex(args[3]), S.utf8(args[4]), eph));",
            vectors["ephemeral_private_hex"],
            vectors["ephemeral_public_hex"],
            case["plaintext_hex"],
            vectors["recipient_public_hex"],
            case["info"],
        )
        assert sealed == case["sealed_hex"], case["name"]


@in_browser
def test_a_payload_sealed_in_the_browser_opens_in_python(js):
    private = X25519PrivateKey.generate()
    public = private.public_key().public_bytes_raw()
    plaintext = b'{"inner":{"prices":{"1":"1250000.00"}},"signature":"MA=="}'
    info = seal_info("T-2026-000001", ["1"], BIN)
    sealed = run(
        js,
        "return S.hex(await S.seal(S.fromHex(args[0]), S.fromHex(args[1]), S.fromHex(args[2])));",
        plaintext.hex(),
        public.hex(),
        info.hex(),
    )
    assert len(h(sealed)) == 32 + len(plaintext) + 16
    assert open_sealed(h(sealed), private.private_bytes_raw(), info) == plaintext
    with pytest.raises(CryptoRefused, match="sealed_undecryptable"):
        open_sealed(h(sealed), private.private_bytes_raw(), seal_info("T-2026-000001", ["2"], BIN))


@in_browser
def test_a_share_sealed_in_python_opens_in_the_browser_only_with_its_info(js):
    vectors = vector("hpke.json")
    share = bytes([2]) + bytes(range(32))
    info = share_info("T-2026-000001", "commission1@example.kz")
    sealed = seal(share, h(vectors["recipient_public_hex"]), info)
    body = (
        "const key = await S.keyPairFromRaw(S.fromHex(args[0]), S.fromHex(args[1]));"
        "return S.hex(await S.openSealed(S.fromHex(args[2]), key, S.utf8(args[3])));"
    )
    keys = (vectors["recipient_private_hex"], vectors["recipient_public_hex"], sealed.hex())
    assert run(js, body, *keys, info.decode()) == share.hex()
    other = share_info("T-2026-000001", "commission2@example.kz").decode()
    assert run(js, body, *keys, other) == {"error": "sealed_undecryptable"}


@in_browser
def test_the_browser_builds_the_statements_tenderctl_builds(js):
    v = vector("statements.json")
    got = run(
        js,
        """
        const i = args[0];
        const documents = await Promise.all(i.documents.map(
            (d) => S.documentEntry(d.name, S.b64decode(d.content_base64))));
        const inner = S.innerStatement({tender: i.tender, tenderVersion: i.tender_version,
            bidder: i.bidder, nonce: i.nonce, prices: i.prices, documents, answers: i.answers});
        const sealed = S.fromHex(i.sealed_hex);
        const outer = await S.outerStatement({platform: i.platform, inner, sealed,
            openingKey: S.fromHex(i.opening_public_key_hex), signedAt: i.signed_at,
            supersedes: i.supersedes});
        const withdrawal = S.withdrawalStatement({platform: i.platform, tender: i.tender,
            bid: i.withdraw_bid, bidder: i.bidder, nonce: i.withdraw_nonce,
            signedAt: i.withdraw_signed_at});
        const text = (bytes) => new TextDecoder().decode(bytes);
        return {
            inner: S.canonicalText(inner),
            plaintext: text(S.sealedPlaintext(inner, S.b64decode(i.inner_signature_base64))),
            outer: S.canonicalText(outer),
            withdrawal: S.canonicalText(withdrawal),
            seal_info: text(S.sealInfo(i.tender, Object.keys(i.prices), i.bidder)),
            share_info: text(S.shareInfo(i.tender, "aigerim@agency.kz")),
            opening_key_id: await S.openingKeyId(S.fromHex(i.opening_public_key_hex)),
            prices: args[1].map((p) => ({typed: p.typed, price: S.parsePrice("1", p.typed)})),
            bad_prices: args[2].filter((typed) => {
                try { S.parsePrice("1", typed); return false; } catch (e) { return true; }
            }),
        };
        """,
        v["inputs"],
        v["prices"],
        v["bad_prices"],
    )
    for name in ("inner", "plaintext", "outer", "withdrawal", "seal_info", "share_info"):
        assert got[name] == v[name], name
    assert got["opening_key_id"] == v["opening_key_id"]
    assert got["prices"] == v["prices"]
    assert got["bad_prices"] == v["bad_prices"]
    for typed in v["bad_prices"]:  # and the command line refuses the same ones
        with pytest.raises(tool.ToolError):
            tool.parse_prices([f"1={typed}"])


def key_file(bid_ca, kind: str, *, password: str = PASSWORD, legacy: bool = False):
    key, certificate = bid_ca.issue(BIN, kind=kind)
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
        .hmac_hash(hashes.SHA1())  # noqa: S303 (the old kind of file being refused)
        .build(password.encode())
        if legacy
        else serialization.BestAvailableEncryption(password.encode())
    )
    p12 = pkcs12.serialize_key_and_certificates(
        BIN.encode(), key, certificate, [bid_ca.intermediate, bid_ca.root], encryption
    )
    return p12, certificate


SIGN = """
    const signer = await S.loadPkcs12(S.b64decode(args[0]), args[1]);
    const signature = await S.signDetached(S.utf8(args[2]), signer);
    return {signature: S.b64encode(signature), bin: signer.bin, fingerprint: signer.fingerprint,
            notAfter: signer.notAfter.toISOString()};
"""


@in_browser
@pytest.mark.parametrize("kind", ["ecdsa", "rsa"])
def test_a_cms_signature_made_in_the_browser_verifies_on_the_server(js, bid_ca, kind):
    p12, certificate = key_file(bid_ca, kind)
    statement = vector("statements.json")["outer"]
    before = timezone.now().replace(microsecond=0)
    got = run(js, SIGN, base64.b64encode(p12).decode(), PASSWORD, statement)

    signed = verify_detached_cms(
        base64.b64decode(got["signature"]), statement.encode(), at=timezone.now()
    )
    der = certificate.public_bytes(serialization.Encoding.DER)
    assert signed.certificate_der == der
    assert before - dt.timedelta(seconds=1) <= signed.signing_time <= timezone.now()
    assert got["bin"] == BIN
    assert got["fingerprint"] == hashlib.sha256(der).hexdigest()
    assert got["notAfter"][:19] == certificate.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%S")
    with pytest.raises(Exception, match="signature"):
        verify_detached_cms(
            base64.b64decode(got["signature"]), statement.encode() + b" ", at=timezone.now()
        )


@in_browser
def test_the_browser_tells_a_wrong_password_and_an_old_key_file_apart(js, bid_ca):
    p12, _ = key_file(bid_ca, "ecdsa")
    got = run(js, SIGN, base64.b64encode(p12).decode(), "wrong password", "{}")
    assert got == {"error": "wrong_password"}
    legacy, _ = key_file(bid_ca, "ecdsa", legacy=True)
    got = run(js, SIGN, base64.b64encode(legacy).decode(), PASSWORD, "{}")
    assert got == {"error": "key_file_old_encryption"}
    got = run(js, SIGN, base64.b64encode(b"not a key file").decode(), PASSWORD, "{}")
    assert got == {"error": "key_file_unreadable"}


@in_browser
def test_an_opening_key_backup_made_in_the_browser_loads_in_tenderctl(js, tmp_path):
    made = run(
        js,
        "const {record, backup} = await S.createKey('commission1@example.kz', args[0]);"
        "const back = await S.restoreKey(backup, args[0], 'commission1@example.kz');"
        "const wrong = await S.restoreKey(backup, 'not it', 'x').catch((e) => e.code);"
        "return {public_key: record.public_key, key_id: record.key_id, backup,"
        " restored: back.key_id, extractable: back.private_key.extractable, wrong};",
        "a long backup passphrase",
    )
    path = tmp_path / "member.pem"
    path.write_text(made["backup"])
    key = tool.load_x25519(str(path), "a long backup passphrase")
    public = key.public_key().public_bytes_raw()
    assert base64.b64encode(public).decode() == made["public_key"]
    assert made["key_id"] == made["restored"] == tool.opening_key_id(public)
    assert made["extractable"] is False
    assert made["wrong"] == "backup_wrong_passphrase"


@in_browser
def test_a_tenderctl_keygen_file_restores_into_the_browser(js, tmp_path):
    path = tmp_path / "member.pem"
    tool.main(["keygen", "--out", str(path), "--password", "keygen password"])
    key = tool.load_x25519(str(path), "keygen password")
    restored = run(
        js,
        "return (await S.restoreKey(args[0], args[1], 'm@example.kz')).key_id;",
        path.read_text(),
        "keygen password",
    )
    assert restored == tool.opening_key_id(key.public_key().public_bytes_raw())


# ---- documents signed in the page: the results protocol and a contract ----


SIGN_DOCUMENT = """
    const bytes = S.utf8(args[2]);
    const signer = await S.loadPkcs12(S.b64decode(args[0]), args[1]);
    const said = args[3] === "protocol" ? S.describeProtocol(bytes) : S.describeContract(bytes);
    const organisation = {...args[4], certificates: [signer.fingerprint]};
    S.checkDocumentSigner(signer, organisation);
    const signature = await S.signDetached(bytes, signer);
    return {said, signature: S.b64encode(signature), sha256: await S.sha256Hex(bytes)};
"""


@in_browser
@pytest.mark.parametrize("kind", ["protocol", "contract"])
def test_a_document_signed_in_the_browser_verifies_on_the_server(js, bid_ca, kind):
    v = vector("documents.json")
    key, certificate = bid_ca.issue(
        v["agency"]["bin"], kind="rsa" if kind == "contract" else "ecdsa"
    )
    p12 = pkcs12.serialize_key_and_certificates(
        b"agency",
        key,
        certificate,
        [bid_ca.intermediate, bid_ca.root],
        serialization.BestAvailableEncryption(PASSWORD.encode()),
    )
    content = v[kind].encode()
    got = run(
        js, SIGN_DOCUMENT, base64.b64encode(p12).decode(), PASSWORD, v[kind], kind, v["agency"]
    )

    assert got["said"] == v[f"{kind}_summary"]
    assert got["sha256"] == hashlib.sha256(content).hexdigest()
    signed = verify_detached_cms(base64.b64decode(got["signature"]), content, at=timezone.now())
    assert signed.certificate_der == certificate.public_bytes(serialization.Encoding.DER)
    with pytest.raises(Exception, match="signature"):
        verify_detached_cms(base64.b64decode(got["signature"]), content[:-1], at=timezone.now())


CHECK_SIGNER = """
    const signer = await S.loadPkcs12(S.b64decode(args[0]), args[1]);
    const check = (organisation, now) => {
        try { S.checkDocumentSigner(signer, organisation, now && new Date(now)); return null; }
        catch (e) { return {code: e.code, params: e.params}; }
    };
    return {
        mine: check({...args[2], certificates: [signer.fingerprint]}),
        unregistered: check({...args[2], certificates: []}),
        other: check({bin: "000540000047", name: "Steppe Construction JSC"}),
        expired: check(args[2], args[3]),
        early: check(args[2], args[4]),
    };
"""


@in_browser
def test_the_browser_refuses_a_certificate_for_another_organisation_or_out_of_its_period(
    js, bid_ca
):
    v = vector("documents.json")
    key, certificate = bid_ca.issue(v["agency"]["bin"])
    p12 = pkcs12.serialize_key_and_certificates(
        b"agency", key, certificate, None, serialization.BestAvailableEncryption(PASSWORD.encode())
    )
    after = certificate.not_valid_after_utc + dt.timedelta(seconds=1)
    before = certificate.not_valid_before_utc - dt.timedelta(seconds=1)
    got = run(
        js,
        CHECK_SIGNER,
        base64.b64encode(p12).decode(),
        PASSWORD,
        v["agency"],
        after.isoformat(),
        before.isoformat(),
    )
    assert got["mine"] is None
    assert got["unregistered"]["code"] == "certificate_not_registered"
    assert got["other"] == {
        "code": "certificate_other_organisation",
        "params": {
            "bin": v["agency"]["bin"],
            "name": "Supplier LLP",
            "organisation": "Steppe Construction JSC",
            "expected": "000540000047",
        },
    }
    assert got["expired"]["code"] == "certificate_expired"
    assert got["early"]["code"] == "certificate_not_yet_valid"


@in_browser
def test_the_browser_refuses_to_describe_what_is_not_the_expected_document(js):
    v = vector("documents.json")
    got = run(
        js,
        "const said = (f, text) => { try { f(S.utf8(text)); return null; } catch (e) { return e.code; } };"
        "return [said(S.describeProtocol, args[0]), said(S.describeContract, args[1]),"
        " said(S.describeContract, 'not json'), said(S.describeProtocol, args[1])];",
        v["protocol"],
        v["contract"],
    )
    assert got == [None, None, "document_unexpected", "document_unexpected"]
