"""Cardinal's indicators over the platform's own compiled releases, as queue findings. The
engine (transparency/redflags/) reads any OCDS data; here it reads ours."""

import json

from transparency.flags.findings import Finding
from transparency.ocds.packages import stream_compiled_jsonl


def cardinal_findings() -> list[Finding]:
    try:
        from transparency.redflags.engine import run_indicators
    except ImportError:  # the engine is not installed in this build
        return []
    releases = (json.loads(line) for line in stream_compiled_jsonl())
    return list(_findings(run_indicators(releases)))


def _findings(results: dict):
    """Cardinal's output groups results by OCID, Buyer, ProcuringEntity and Tenderer; each
    maps an id to {indicator code: value}."""
    for group, by_id in results.items():
        for subject, indicators in by_id.items():
            for code, value in indicators.items():
                yield Finding(
                    indicator=code,
                    subject_key=f"{group}:{subject}",
                    explanation=f"Cardinal's {code} fired for {group.lower()} {subject} "
                    f"(value {value}).",
                    figures={"group": group, "subject": subject, "value": value},
                )
