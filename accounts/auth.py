"""How API clients prove who they are: a personal token, or the browser's session."""

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


# Session requests from the browser must carry the CSRF token for unsafe methods.
API_AUTH = [TokenAuth(), SessionAuth(csrf=True)]
