"""A tender's public timeline, read from the audit log (issue 7): every public event of the
tender and of its lots, documents, questions, bids, reviews, results, complaints and
contracts, in the log's order, each with a sentence and its entry's `seq`, by which anyone
fetches the entry and its inclusion proof from the public audit API. Reads only.

What is public follows the platform's rules, whoever looks:
- nothing from before publication: a draft is its agency's, and open data starts there too;
- bids are sealed until the opening protocol exists. Before it the timeline says how many
  stand and nothing else: their audit entries are not even read, so no bidder, no time of a
  single bid and no entry to look up can reach the page;
- the commission's reviews once a results protocol published after them exists;
- complaints once decided; contract signatures once the contract is in force.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.actions import Action
from audit.models import Entry
from awards.models import BidReview, Complaint, ResultsProtocol
from bids.models import Bid, BidStatus, KeyShare, OpeningProtocol
from contracts.models import Acceptance, Contract, Payment
from procurement.choices import CancelReason, TenderStatus
from procurement.models import Lot, Question, Tender, TenderDocument
from procurement.money import format_money
from procurement.periods import local_text

# The first public event of a tender: publication, or a single-source decision.
OPENINGS = {Action.TENDER_PUBLISHED, Action.SINGLE_SOURCE_CONTRACTED}
LIVE = {TenderStatus.TENDERING, TenderStatus.OPENING}


@dataclass(frozen=True)
class Event:
    seq: int | None  # None: a summary that no single entry stands for (sealed bids)
    at: dt.datetime | None
    text: str
    link: str = ""  # a public page about it


class _Tender:
    """The tender's children that the events concern, loaded once, by primary key."""

    def __init__(self, tender: Tender):
        self.tender = tender
        self.opened = OpeningProtocol.objects.filter(tender=tender).exists()
        self.lots = _by_pk(Lot.objects.filter(tender=tender))
        self.documents = _by_pk(TenderDocument.objects.filter(tender=tender))
        self.questions = _by_pk(Question.objects.filter(tender=tender).select_related("supplier"))
        # Sealed until opening: before it no bid row, and so no bid's entry, is read. After
        # it, not their payloads either: the names are what the sentences need.
        bids = Bid.objects.filter(tender=tender).select_related("supplier")
        bids = bids.only("public_id", "supplier__bin", "supplier__legal_name")
        self.bids = _by_pk(bids) if self.opened else {}
        self.shares = _by_pk(KeyShare.objects.filter(opening_key__tender=tender).only("pk"))
        self.reviews = _by_pk(BidReview.objects.filter(tender=tender).only("pk"))
        self.protocols = _by_pk(ResultsProtocol.objects.filter(tender=tender).only("pk"))
        complaints = Complaint.objects.filter(tender=tender).select_related("complainant")
        self.complaints = _by_pk(complaints.defer("text", "decision"))
        contracts = Contract.objects.filter(tender=tender).select_related("lot", "supplier")
        self.contracts = _by_pk(
            contracts.defer("content", "terms", "buyer_signature", "supplier_signature")
        )
        self.acts = _by_pk(Acceptance.objects.filter(contract__tender=tender).only("pk"))
        self.payments = _by_pk(Payment.objects.filter(contract__tender=tender).only("pk"))
        self.names = {b.supplier.bin: b.supplier.legal_name for b in self.bids.values()}
        self.bid_names = {b.public_id: b.supplier.legal_name for b in self.bids.values()}
        self.results_seq = -1  # the latest results protocol's entry, once met

    def subjects(self) -> dict[type, dict]:
        return {
            Tender: {self.tender.pk: self.tender},
            Lot: self.lots,
            TenderDocument: self.documents,
            Question: self.questions,
            Bid: self.bids,
            KeyShare: self.shares,
            BidReview: self.reviews,
            ResultsProtocol: self.protocols,
            Complaint: self.complaints,
            Contract: self.contracts,
            Acceptance: self.acts,
            Payment: self.payments,
        }

    def entries(self) -> list[Entry]:
        """Every entry about these rows, in one query (an index scan per kind of subject)."""
        about = Q()
        for model, rows in self.subjects().items():
            if rows:
                label = model._meta.label_lower
                about |= Q(subject_type=label, subject_id__in=[str(pk) for pk in rows])
        entries = Entry.objects.filter(about).order_by("seq")
        return list(
            entries.only("seq", "recorded_at", "action", "subject_type", "subject_id", "data")
        )

    def subject(self, entry: Entry):
        for model, rows in self.subjects().items():
            if model._meta.label_lower == entry.subject_type:
                return rows.get(int(entry.subject_id))
        return None


def _by_pk(rows) -> dict:
    return {row.pk: row for row in rows}


def tender_timeline(tender: Tender) -> list[Event]:
    """The public events of `tender`, oldest first (see the module's docstring)."""
    known = _Tender(tender)
    entries = known.entries()
    start = next((e.seq for e in entries if e.action in OPENINGS), None)
    if start is None:
        return []
    results = [e.seq for e in entries if e.action == Action.RESULTS_PUBLISHED]
    known.results_seq = max(results, default=-1)
    events = []
    for entry in entries:
        describe = SENTENCES.get(entry.action)
        if entry.seq < start or describe is None:
            continue
        said = describe(entry, entry.data, known.subject(entry), known)
        if said is not None:
            text, link = said if isinstance(said, tuple) else (said, "")
            events.append(Event(entry.seq, entry.recorded_at, text, link))
    if not known.opened and tender.status in LIVE:
        events.append(Event(None, None, _sealed(tender)))
    return events


def _sealed(tender: Tender) -> str:
    standing = Bid.objects.filter(tender=tender, status=BidStatus.SUBMITTED).count()
    return ngettext(
        "So far %(n)s bid stands. Who bid and what they offered stay sealed until the opening.",
        "So far %(n)s bids stand. Who bid and what they offered stay sealed until the opening.",
        standing,
    ) % {"n": standing}


# --- one sentence per kind of event ----------------------------------------------------------


def _when(value: str | None) -> str:
    return local_text(dt.datetime.fromisoformat(value)) if value else "—"


def _money(amount, currency: str) -> str:
    return format_money(Decimal(str(amount)), currency)


def _tender_url(tender: Tender, anchor: str = "") -> str:
    return tender.get_absolute_url() + (f"#{anchor}" if anchor else "")


def _published(entry, data, tender, known):
    return _(
        "The tender was published: questions until %(enquiry_end)s, bids until "
        "%(deadline)s (Almaty time)."
    ) % {
        "enquiry_end": _when(data.get("enquiry_end")),
        "deadline": _when(data.get("submission_deadline")),
    }


def _tendering(entry, data, tender, known):
    return _("Enquiries ended: bidding is open.")


def _amended(entry, data, tender, known):
    return _("The buyer amended the tender (version %(version)s): %(reason)s") % {
        "version": data.get("version"),
        "reason": data.get("reason", ""),
    }


def _document(entry, data, document, known):
    if document is None:
        return None
    return (
        _("The buyer attached “%(title)s” (version %(version)s): %(reason)s")
        % {"title": document.title, "version": data.get("version"), "reason": data.get("reason")},
        document.get_absolute_url(),
    )


def _lot_cancelled(entry, data, lot, known):
    return _("Lot %(lot)s was cancelled (%(reason)s): %(text)s") % {
        "lot": lot.number if lot else data.get("lot"),
        "reason": _reason(data.get("reason")),
        "text": data.get("text", ""),
    }


def _reason(code: str | None) -> str:
    return str(dict(CancelReason.choices).get(code, code or ""))


def _asked(entry, data, question, known):
    if question is None:
        return None
    text = (
        _("%(supplier)s asked a question about lot %(lot)s.")
        if data.get("lot")
        else _("%(supplier)s asked a question.")
    ) % {"supplier": question.supplier.legal_name, "lot": data.get("lot")}
    return text, _tender_url(known.tender, f"question-{question.pk}")


def _answered(entry, data, question, known):
    if question is None:
        return None
    return (
        _("The buyer answered the question of %(supplier)s.")
        % {"supplier": question.supplier.legal_name},
        _tender_url(known.tender, f"question-{question.pk}"),
    )


def _closed(entry, data, tender, known):
    bids = data.get("bids", 0)
    return ngettext(
        "The submission deadline passed: bidding closed with %(n)s bid.",
        "The submission deadline passed: bidding closed with %(n)s bids.",
        bids,
    ) % {"n": bids}


def _failed(entry, data, tender, known):
    bids = data.get("bids", 0)
    return ngettext(
        "The tender failed at the deadline: %(n)s bid, %(min)s needed.",
        "The tender failed at the deadline: %(n)s bids, %(min)s needed.",
        bids,
    ) % {"n": bids, "min": data.get("min_bids")}


def _cancelled(entry, data, tender, known):
    return _("The buyer cancelled the tender (%(reason)s): %(text)s") % {
        "reason": _reason(data.get("reason")),
        "text": data.get("text", ""),
    }


def _share(entry, data, share, known):
    return _("A commission member handed in a key share (%(posted)s of %(needed)s needed).") % {
        "posted": data.get("posted"),
        "needed": data.get("threshold"),
    }


def _opened(entry, data, tender, known):
    return (
        _("The bids were opened: %(n)s received, %(valid)s valid, %(invalid)s invalid.")
        % {"n": data.get("bids"), "valid": data.get("valid"), "invalid": data.get("invalid")},
        reverse("bids:opening-protocol", args=[known.tender.number]),
    )


def _bid(entry, data, bid, known):
    if bid is None or not known.opened:  # sealed: never a bidder before the opening
        return None
    lots = ", ".join(str(n) for n in data.get("lots", []))
    if entry.action == Action.BID_WITHDRAWN:
        return _("%(bidder)s withdrew bid %(bid)s.") % {
            "bidder": bid.supplier.legal_name,
            "bid": bid.public_id,
        }
    return _("%(bidder)s submitted bid %(bid)s for lots %(lots)s.") % {
        "bidder": bid.supplier.legal_name,
        "bid": bid.public_id,
        "lots": lots,
    }


def _review(entry, data, review, known):
    if entry.seq > known.results_seq:  # the commission's work is internal until published
        return None
    bidder = known.bid_names.get(data.get("bid"), data.get("bid"))
    if entry.action == Action.CORRECTION_REQUESTED:
        text = _("The commission asked %(bidder)s to correct a defect by %(deadline)s.")
    elif entry.action == Action.CORRECTION_ANSWERED:
        text = _("%(bidder)s answered the commission's request for a correction.")
    elif data.get("status") == "qualified":
        text = _("The commission found the bid of %(bidder)s qualified.")
    else:
        text = _("The commission disqualified the bid of %(bidder)s.")
    return text % {"bidder": bidder, "deadline": _when(data.get("deadline"))}


def _windows_closed(entry, data, tender, known):
    if entry.seq > known.results_seq:
        return None
    n = len(data.get("bids", []))
    return ngettext(
        "A correction window closed unanswered (%(n)s bid).",
        "Correction windows closed unanswered (%(n)s bids).",
        n,
    ) % {"n": n}


def _results(entry, data, protocol, known):
    winners = "; ".join(
        _("lot %(lot)s: %(bidder)s, %(price)s")
        % {
            "lot": award["lot"],
            "bidder": known.bid_names.get(award["bid"], award["bid"]),
            "price": _money(award["price"], known.tender.currency),
        }
        for award in data.get("awards", [])
    )
    text = _("The chair signed and published the results (revision %(revision)s).") % {
        "revision": data.get("revision")
    }
    if winners:
        text += " " + _("Proposed winners: %(winners)s.") % {"winners": winners}
    if data.get("failed_lots"):
        text += " " + _("No winner for lots %(lots)s.") % {
            "lots": ", ".join(str(n) for n in data["failed_lots"])
        }
    return text, reverse("awards:results", args=[known.tender.number])


def _complaint(entry, data, complaint, known):
    if complaint is None or complaint.is_pending:  # public once decided
        return None
    link = reverse("awards:complaint-detail", args=[complaint.number])
    if entry.action == Action.COMPLAINT_FILED:
        return (
            _("%(complainant)s filed complaint %(number)s (%(kind)s).")
            % {
                "complainant": complaint.complainant.legal_name,
                "number": complaint.number,
                "kind": complaint.get_kind_display().lower(),
            },
            link,
        )
    if entry.action == Action.COMPLAINT_SATISFIED:
        return _("The review body satisfied complaint %(number)s.") % {
            "number": complaint.number
        }, link
    return _("The review body dismissed complaint %(number)s.") % {"number": complaint.number}, link


def _timers(entry, data, tender, known):
    parts = []
    lots = [str(a["lot"]) for a in data.get("activated", [])]
    if lots:
        parts.append(
            _("The standstill ended for lots %(lots)s: the awards are active, contracts drafted.")
            % {"lots": ", ".join(lots)}
        )
    lapsed = len(data.get("lapsed", []))
    if lapsed:
        parts.append(
            ngettext(
                "%(n)s contract was not signed in time; its award lapsed.",
                "%(n)s contracts were not signed in time; their awards lapsed.",
                lapsed,
            )
            % {"n": lapsed}
        )
    return " ".join(parts) or None


def _moved(entry, data, lot, known):
    if not data.get("to"):
        return _("Lot %(lot)s has no next-ranked bidder left.") % {"lot": data.get("lot")}
    return _("Lot %(lot)s went to the next-ranked bidder, %(bidder)s, at %(price)s.") % {
        "lot": data.get("lot"),
        "bidder": known.names.get(data["to"], data["to"]),
        "price": _money(data.get("price"), known.tender.currency),
    }


def _declined(entry, data, contract, known):
    if contract is None:
        return None
    return _("The winner of lot %(lot)s declined to sign the contract.") % {
        "lot": contract.lot.number
    }


def _signed(entry, data, contract, known):
    if contract is None or contract.signed_at is None:  # public once in force
        return None
    if data.get("party") == "buyer":
        text = _("The buyer signed contract %(number)s.")
    else:
        text = _("The supplier signed contract %(number)s.")
    text %= {"number": contract.number}
    if data.get("in_force"):
        text += " " + _("It is in force.")
    return text, contract.get_absolute_url()


def _contract_event(entry, data, subject, known):
    contract = _contract_of(entry, data, subject, known)
    if contract is None or contract.signed_at is None:
        return None
    currency, number = contract.currency, contract.number
    if entry.action == Action.CONTRACT_AMENDED:
        text = _("Contract %(number)s was amended: price %(old)s → %(new)s. %(reason)s") % {
            "number": number,
            "old": _money(data.get("old_price"), currency),
            "new": _money(data.get("new_price"), currency),
            "reason": data.get("reason", ""),
        }
    elif entry.action == Action.DELIVERY_ACCEPTED:
        text = _("Acceptance act %(act)s under contract %(number)s: %(amount)s accepted.") % {
            "act": data.get("act"),
            "number": number,
            "amount": _money(data.get("amount"), currency),
        }
    elif entry.action == Action.PAYMENT_RECORDED:
        text = _("Payment %(payment)s under contract %(number)s: %(amount)s paid.") % {
            "payment": data.get("payment"),
            "number": number,
            "amount": _money(data.get("amount"), currency),
        }
    else:
        text = _("Contract %(number)s was terminated: %(reason)s") % {
            "number": number,
            "reason": data.get("reason", ""),
        }
    return text, contract.get_absolute_url()


def _contract_of(entry, data, subject, known) -> Contract | None:
    if isinstance(subject, Contract):
        return subject
    number = data.get("contract")
    return next((c for c in known.contracts.values() if c.number == number), None)


def _single_source(entry, data, contract, known):
    return _("Single-source purchase decided: %(supplier)s, at %(price)s.") % {
        "supplier": contract.supplier.legal_name if contract else data.get("supplier"),
        "price": _money(data.get("price"), known.tender.currency),
    }


SENTENCES = {
    Action.TENDER_PUBLISHED: _published,
    Action.TENDER_TENDERING_STARTED: _tendering,
    Action.TENDER_AMENDED: _amended,
    Action.DOCUMENT_ATTACHED: _document,
    Action.LOT_CANCELLED: _lot_cancelled,
    Action.QUESTION_ASKED: _asked,
    Action.QUESTION_ANSWERED: _answered,
    Action.TENDER_CLOSED: _closed,
    Action.TENDER_FAILED: _failed,
    Action.TENDER_CANCELLED: _cancelled,
    Action.SHARE_POSTED: _share,
    Action.BIDS_OPENED: _opened,
    Action.BID_SUBMITTED: _bid,
    Action.BID_WITHDRAWN: _bid,
    Action.BID_REVIEWED: _review,
    Action.CORRECTION_REQUESTED: _review,
    Action.CORRECTION_ANSWERED: _review,
    Action.CORRECTION_WINDOWS_CLOSED: _windows_closed,
    Action.RESULTS_PUBLISHED: _results,
    Action.COMPLAINT_FILED: _complaint,
    Action.COMPLAINT_SATISFIED: _complaint,
    Action.COMPLAINT_DISMISSED: _complaint,
    Action.AWARD_TIMERS_RUN: _timers,
    Action.AWARD_MOVED: _moved,
    Action.CONTRACT_DECLINED: _declined,
    Action.CONTRACT_SIGNED: _signed,
    Action.CONTRACT_AMENDED: _contract_event,
    Action.DELIVERY_ACCEPTED: _contract_event,
    Action.PAYMENT_RECORDED: _contract_event,
    Action.CONTRACT_TERMINATED: _contract_event,
    Action.SINGLE_SOURCE_CONTRACTED: _single_source,
}
