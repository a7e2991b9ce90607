"""`tools/tenderctl.py sign`: the chair signs the results protocol file exactly as downloaded
and the platform accepts the signature; a file that was edited or is not a platform document
is refused before anything is signed."""

import hashlib
import json

import pytest
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

from awards.results import results_bytes
from awards.services.results import publish_results
from awards.services.reviews import review_bid
from tests.awards.world import award_world, meets_all
from tests.bids.support import tool

pytestmark = pytest.mark.django_db


def _p12(signer, path, password=b"demo"):
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"chair", signer.key, signer.certificate, None, BestAvailableEncryption(password)
        )
    )
    return path


def test_the_chair_signs_the_downloaded_protocol_and_the_platform_accepts_it(cast, tmp_path):
    with award_world(cast) as world:
        for bid in world.bids.values():
            review_bid(bid=bid, actor=cast.buyer, decisions=meets_all(world.tender))
        document = tmp_path / "results.json"
        document.write_bytes(results_bytes(world.tender))
        p12 = _p12(world.chair, tmp_path / "chair.p12")

        status = tool.main(["sign", str(document), "--p12", str(p12), "--password", "demo"])

        assert status == 0
        signature = (tmp_path / "results.json.p7s").read_bytes()
        protocol = publish_results(
            tender=world.tender,
            actor=cast.buyer,
            content_sha256=hashlib.sha256(document.read_bytes()).hexdigest(),
            signature=signature,
        )
        assert protocol.certificate.organisation == cast.agency


def test_an_edited_document_is_refused_and_nothing_is_signed(cast, tmp_path, capsys):
    with award_world(cast) as world:
        for bid in world.bids.values():
            review_bid(bid=bid, actor=cast.buyer, decisions=meets_all(world.tender))
        pretty = json.dumps(json.loads(results_bytes(world.tender)), indent=2)
        document = tmp_path / "results.json"
        document.write_text(pretty)
        p12 = _p12(world.chair, tmp_path / "chair.p12")

        status = tool.main(["sign", str(document), "--p12", str(p12), "--password", "demo"])

        assert status == 1
        assert "not byte for byte as the platform made it" in capsys.readouterr().err
        assert not (tmp_path / "results.json.p7s").exists()


def test_a_document_that_is_not_a_protocol_or_contract_is_refused(tmp_path, capsys):
    document = tmp_path / "statement.json"
    document.write_bytes(tool.canonical({"type": "bid-submission/v1"}))

    status = tool.main(["sign", str(document), "--p12", "missing.p12", "--password", "x"])

    assert status == 1
    assert "not a results protocol or a contract" in capsys.readouterr().err
