"""Which audit events are public OCDS events, and the release tags each one carries.

Events before publication (drafts, plans, members, certificates) are not public and make no
release; events of the award stage and contracts make the tags OCDS defines for them.
"""

from audit.actions import Action

TAGS: dict[str, list[str]] = {
    Action.TENDER_PUBLISHED: ["tender"],
    Action.TENDER_AMENDED: ["tenderAmendment"],
    Action.LOT_CANCELLED: ["tenderAmendment"],
    Action.DOCUMENT_ATTACHED: ["tenderAmendment"],
    Action.QUESTION_ANSWERED: ["tenderUpdate"],
    Action.TENDER_TENDERING_STARTED: ["tenderUpdate"],
    Action.BID_SUBMITTED: ["tenderUpdate"],
    Action.BID_WITHDRAWN: ["tenderUpdate"],
    Action.TENDER_CLOSED: ["tenderUpdate"],
    Action.BIDS_OPENED: ["tenderUpdate"],
    Action.TENDER_FAILED: ["tenderUpdate"],
    Action.TENDER_CANCELLED: ["tenderCancellation"],
    Action.COMPLAINT_SATISFIED: ["tenderUpdate"],
    Action.COMPLAINT_DISMISSED: ["tenderUpdate"],
    Action.RESULTS_PUBLISHED: ["award"],
    Action.AWARD_TIMERS_RUN: ["awardUpdate", "contract"],
    Action.AWARD_MOVED: ["awardUpdate"],
    Action.CONTRACT_DECLINED: ["awardUpdate", "contractUpdate"],
    Action.CONTRACT_SIGNED: ["contractUpdate"],
    Action.CONTRACT_AMENDED: ["contractAmendment"],
    Action.DELIVERY_ACCEPTED: ["implementation"],
    Action.PAYMENT_RECORDED: ["implementation"],
    Action.CONTRACT_TERMINATED: ["contractTermination"],
    Action.SINGLE_SOURCE_CONTRACTED: ["tender", "award", "contract"],
}
