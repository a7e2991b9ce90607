"""Evaluation, awards and complaints (issue 6); contracts live in the contracts app."""

from awards.models.awards import Award
from awards.models.complaints import Complaint, ComplaintDocument
from awards.models.evaluation import BidReview, Requirement, RequirementCheck, ResultsProtocol

__all__ = [
    "Award",
    "BidReview",
    "Complaint",
    "ComplaintDocument",
    "Requirement",
    "RequirementCheck",
    "ResultsProtocol",
]
