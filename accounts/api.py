from ninja import Router, Schema

from accounts.auth import API_AUTH
from config.api_errors import ERROR_RESPONSES

router = Router(tags=["accounts"])


class MembershipOut(Schema):
    organisation_bin: str
    organisation_name: str
    organisation_kind: str
    role: str


class MeOut(Schema):
    email: str
    full_name: str
    is_operator: bool
    memberships: list[MembershipOut]


@router.get("/me", response={200: MeOut, **ERROR_RESPONSES}, auth=API_AUTH, summary="Who am I?")
def me(request):
    user = request.auth
    memberships = user.memberships.in_force().select_related("organisation")
    return {
        "email": user.email,
        "full_name": user.full_name,
        "is_operator": user.is_operator,
        "memberships": [
            {
                "organisation_bin": m.organisation.bin,
                "organisation_name": m.organisation.legal_name,
                "organisation_kind": m.organisation.kind,
                "role": m.role,
            }
            for m in memberships
        ],
    }
