"""Cardinal's indicators (transparency/redflags/) over the platform's own compiled releases,
as findings for the auditors' queue, with the settings file RED_FLAGS_SETTINGS if one is
configured (Cardinal's INI format) and Cardinal's defaults otherwise."""

from django.conf import settings

from procurement.models import Tender
from suppliers.models import Organisation
from transparency.flags.findings import Finding
from transparency.ocds.packages import stream_compiled_jsonl
from transparency.ocds.values import BIN_SCHEME
from transparency.redflags.engine import compute
from transparency.redflags.output import to_cardinal
from transparency.redflags.settings import default_settings, load_settings

# What each group's key names, for the explanation an auditor reads.
GROUP_NAMES = {
    "OCID": "the contracting process",
    "Buyer": "the buyer",
    "ProcuringEntity": "the procuring entity",
    "Tenderer": "the tenderer",
}


def _settings():
    path = getattr(settings, "RED_FLAGS_SETTINGS", "")
    return load_settings(path) if path else default_settings()


def cardinal_findings() -> list[Finding]:
    output = to_cardinal(compute(stream_compiled_jsonl(), _settings()), meta=False)
    prefix = f"{settings.OCDS_OCID_PREFIX}-"
    numbers = {}
    bins = {}
    for group, by_key in output.items():
        for key in by_key:
            if group == "OCID" and key.startswith(prefix):
                numbers[key] = key[len(prefix) :]
            elif key.startswith(f"{BIN_SCHEME}-"):
                bins[key] = key[len(BIN_SCHEME) + 1 :]
    tenders = dict(Tender.objects.filter(number__in=numbers.values()).values_list("number", "pk"))
    orgs = dict(Organisation.objects.filter(bin__in=bins.values()).values_list("bin", "pk"))
    findings = []
    for group, by_key in output.items():
        for key, indicators in by_key.items():
            for code, value in indicators.items():
                findings.append(
                    Finding(
                        indicator=code,
                        subject_key=f"{group}:{key}",
                        explanation=f"Cardinal's {code} fired for {GROUP_NAMES[group]} {key} "
                        f"(value {value}); docs/red-flags.md says what it measures.",
                        figures={"group": group, "subject": key, "value": value},
                        tender_id=tenders.get(numbers.get(key)),
                        organisation_id=orgs.get(bins.get(key)),
                    )
                )
    return findings
