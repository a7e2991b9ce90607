"""Plans, budget, tenders; bids, awards and contracts join with the lifecycle issues."""

from procurement.models.budget import BudgetEntry, BudgetLine
from procurement.models.documents import TenderDocument
from procurement.models.plans import PlanItem
from procurement.models.procedures import Procedure
from procurement.models.questions import Question
from procurement.models.tenders import CommissionMember, Lot, Tender, TenderCounter

__all__ = [
    "BudgetEntry",
    "BudgetLine",
    "CommissionMember",
    "Lot",
    "PlanItem",
    "Procedure",
    "Question",
    "Tender",
    "TenderCounter",
    "TenderDocument",
]
