"""What an indicator found: the subject, the figures behind it and why it fired."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Finding:
    indicator: str
    # A stable key for the subject, so a flag found again is the same flag: "T-2026-000042",
    # "KZ-BIN-123456789012", or a tender and a pair of suppliers.
    subject_key: str
    explanation: str
    figures: dict = field(default_factory=dict)
    tender_id: int | None = None
    organisation_id: int | None = None
