from bids.permissions import is_commission_member
from suppliers import permissions


def navigation(request) -> dict:
    """What the navigation may offer this viewer; templates decide the links."""
    user = request.user
    if not user.is_authenticated:
        return {"nav": {"anonymous": True}}
    found = permissions.memberships(user)
    return {
        "nav": {
            "anonymous": False,
            "operator": permissions.is_operator(user),
            "buyer": permissions.is_buyer(user),
            "supplier": permissions.is_supplier_member(user),
            "commission": is_commission_member(user),
            "auditor": permissions.can_view_audit_log(user),
            "reviewer": permissions.is_reviewer(user),
            "organisations": sorted({m.organisation for m in found}, key=str),
        }
    }
