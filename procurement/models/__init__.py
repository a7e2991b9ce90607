"""Plans, budget, tenders; bids, awards and contracts join with the lifecycle issues."""

from procurement.models.budget import BudgetEntry, BudgetLine
from procurement.models.documents import TenderDocument
from procurement.models.notices import Notice, NoticeKind
from procurement.models.plans import PlanItem
from procurement.models.procedures import Procedure
from procurement.models.questions import Question
from procurement.models.tenders import CommissionMember, Lot, Tender, TenderCounter
from procurement.models.versions import TenderVersion

__all__ = [
    "BudgetEntry",
    "BudgetLine",
    "CommissionMember",
    "Lot",
    "Notice",
    "NoticeKind",
    "PlanItem",
    "Procedure",
    "Question",
    "Tender",
    "TenderCounter",
    "TenderDocument",
    "TenderVersion",
]
