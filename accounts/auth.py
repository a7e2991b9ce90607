"""How API clients prove who they are: a personal token, or the browser's session."""

from django.contrib.auth.models import AnonymousUser
from ninja.security import HttpBearer, SessionAuth

from accounts.services.tokens import authenticate_token


class TokenAuth(HttpBearer):
    """`Authorization: Bearer otp_...`, a token made on the web page “API tokens”."""

    openapi_scheme = "bearer"

    def authenticate(self, request, token: str):
        user = authenticate_token(token)
        if user is not None:
            request.user = user
        return user


def anonymous(request):
    """Public reads: a missing token is fine, the view then sees an anonymous user."""
    return request.user if request.user.is_authenticated else AnonymousUser()


# Session requests from the browser must carry the CSRF token for unsafe methods.
API_AUTH = [TokenAuth(), SessionAuth(csrf=True)]
# For public endpoints whose answer depends on who asks (members see pending entries).
OPTIONAL_AUTH = [TokenAuth(), SessionAuth(csrf=False), anonymous]
