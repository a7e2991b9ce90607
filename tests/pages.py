"""Reading pages in tests: a client logged in as a cast member, and what a refused form shows
next to a field or at the top of the page."""

import re

from django.test import Client

from tests.conftest import cast_member


def visitor(cast, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(cast_member(cast, role))
    return client


def errors_of_field(html: str, field_id: str) -> str:
    """The text of the error list rendered next to one field (empty if there is none)."""
    match = re.search(
        rf'<ul class="errorlist" id="{re.escape(field_id)}_errors"[^>]*>(.*?)</ul>', html, re.S
    )
    return match.group(1) if match else ""


def messages_of(html: str) -> str:
    """The page's messages (success or refusal) at the top."""
    match = re.search(r'<ul class="messages" role="status">(.*?)</ul>', html, re.S)
    return match.group(1) if match else ""
