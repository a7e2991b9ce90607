"""The closed vocabulary of audit events: `<app>.<model>.<past-tense verb>`.

A new kind of event is added here first; the recorder refuses anything else, so the log
cannot fill up with ad-hoc strings that no auditor's query knows about.
"""

from django.db import models


class Action(models.TextChoices):
    # accounts
    USER_REGISTERED = "accounts.user.registered"
    USER_UPDATED = "accounts.user.updated"
    API_TOKEN_CREATED = "accounts.apitoken.created"
    API_TOKEN_REVOKED = "accounts.apitoken.revoked"
    # suppliers: the registers
    ORGANISATION_REGISTERED = "suppliers.organisation.registered"
    ORGANISATION_UPDATED = "suppliers.organisation.updated"
    ORGANISATION_VERIFIED = "suppliers.organisation.verified"
    ORGANISATION_SUSPENDED = "suppliers.organisation.suspended"
    ORGANISATION_REINSTATED = "suppliers.organisation.reinstated"
    MEMBERSHIP_ADDED = "suppliers.membership.added"
    MEMBERSHIP_DEACTIVATED = "suppliers.membership.deactivated"
    INVITATION_SENT = "suppliers.invitation.sent"
    INVITATION_ACCEPTED = "suppliers.invitation.accepted"
    INVITATION_REVOKED = "suppliers.invitation.revoked"
    BLACKLIST_ENTRY_ADDED = "suppliers.blacklistentry.added"
    BLACKLIST_ENTRY_ENDED = "suppliers.blacklistentry.ended"
    # audit
    LOG_VERIFIED = "audit.log.verified"
    # procurement: plans and budget
    BUDGET_LINE_CREATED = "procurement.budgetline.created"
    BUDGET_LINE_AMENDED = "procurement.budgetline.amended"
    PLAN_ITEM_ADDED = "procurement.planitem.added"
    PLAN_ITEM_APPROVED = "procurement.planitem.approved"
    PLAN_ITEM_CANCELLED = "procurement.planitem.cancelled"
    # procurement: tenders (the clock's events have no actor)
    TENDER_CREATED = "procurement.tender.created"
    LOT_ADDED = "procurement.lot.added"
    COMMISSION_APPOINTED = "procurement.commission.appointed"
    TENDER_SCHEDULED = "procurement.tender.scheduled"
    TENDER_PUBLISHED = "procurement.tender.published"
    TENDER_TENDERING_STARTED = "procurement.tender.tendering_started"
    TENDER_CLOSED = "procurement.tender.closed"
    TENDER_FAILED = "procurement.tender.failed"
    TENDER_CANCELLED = "procurement.tender.cancelled"
    TENDER_AMENDED = "procurement.tender.amended"
    LOT_CANCELLED = "procurement.lot.cancelled"
    # procurement: questions and answers during enquiries
    QUESTION_ASKED = "procurement.question.asked"
    QUESTION_ANSWERED = "procurement.question.answered"
    # procurement: documents of a tender
    DOCUMENT_ATTACHED = "procurement.document.attached"
    # pki
    CERTIFICATE_REGISTERED = "pki.certificate.registered"
    CRL_REFRESHED = "pki.crl.refreshed"
    # bids: keys, submissions, withdrawals, opening
    OPENING_KEY_REGISTERED = "bids.commissionkey.registered"
    BID_SUBMITTED = "bids.bid.submitted"
    BID_WITHDRAWN = "bids.bid.withdrawn"
    SHARE_POSTED = "bids.keyshare.posted"
    BIDS_OPENED = "bids.tender.opened"

    REQUIREMENT_ADDED = "awards.requirement.added"
    CONTRACT_TERMS_SET = "procurement.tender.contract_terms_set"
    BID_REVIEWED = "awards.bidreview.decided"
    CORRECTION_REQUESTED = "awards.bidreview.correction_requested"
    CORRECTION_ANSWERED = "awards.bidreview.correction_answered"
    CORRECTION_WINDOWS_CLOSED = "awards.bidreview.correction_windows_closed"
    RESULTS_PUBLISHED = "awards.resultsprotocol.published"
    COMPLAINT_FILED = "awards.complaint.filed"
    COMPLAINT_SATISFIED = "awards.complaint.satisfied"
    COMPLAINT_DISMISSED = "awards.complaint.dismissed"
    AWARD_TIMERS_RUN = "awards.award.timers_run"
    AWARD_MOVED = "awards.award.moved_to_next"
    CONTRACT_SIGNED = "contracts.contract.signed"
    CONTRACT_DECLINED = "contracts.contract.declined"
    CONTRACT_AMENDED = "contracts.contract.amended"
    DELIVERY_ACCEPTED = "contracts.acceptance.recorded"
    PAYMENT_RECORDED = "contracts.payment.recorded"
    CONTRACT_TERMINATED = "contracts.contract.terminated"
    SINGLE_SOURCE_CONTRACTED = "contracts.contract.single_source"

    FLAGS_COMPUTED = "transparency.redflag.computed"
    FLAG_REVIEWED = "transparency.redflag.reviewed"
