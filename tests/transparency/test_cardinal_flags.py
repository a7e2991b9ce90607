"""Cardinal's indicators run over the platform's own compiled releases and land in the queue
tied to the tender: a tender opened with a single bid raises R018 (single bid received)."""

import pytest

from tests.awards.world import award_world
from tests.transparency.ocds_schema import need_shared
from transparency.flags.cardinal import cardinal_findings
from transparency.models import RedFlag
from transparency.services.flags import compute_flags
from transparency.services.publication import publish_ocds

pytestmark = pytest.mark.django_db


def test_a_single_bid_tender_raises_r018_on_its_process(cast):
    need_shared()
    with award_world(cast, prices={"a": {"1": "2900000.00"}}) as world:
        publish_ocds()
        findings = [f for f in cardinal_findings() if f.indicator == "R018"]
    assert [f.subject_key for f in findings] == [f"OCID:{world.tender.ocid}"]
    assert findings[0].tender_id == world.tender.pk
    compute_flags()
    flag = RedFlag.objects.get(indicator="R018")
    assert flag.tender == world.tender
    assert "Cardinal's R018" in flag.explanation


def test_a_tender_with_three_bids_raises_no_r018(cast):
    need_shared()
    with award_world(cast):
        publish_ocds()
        assert [f for f in cardinal_findings() if f.indicator == "R018"] == []
