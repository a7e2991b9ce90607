"""Plans and budget today; tenders, bids, awards and contracts join with the lifecycle issues."""

from procurement.models.budget import BudgetEntry, BudgetLine
from procurement.models.plans import PlanItem
from procurement.models.procedures import Procedure

__all__ = ["BudgetEntry", "BudgetLine", "PlanItem", "Procedure"]
