from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.services.tokens import create_api_token


class Command(BaseCommand):
    help = "Print a new API token for a user (the event is audited; the token is not stored)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="issued by operator")

    def handle(self, *args, email, name, **options):
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user with email {email}.")
        # The command runs with operator rights on the machine: the user acts for themself.
        _token, raw = create_api_token(user=user, name=name, actor=user)
        self.stdout.write(raw)
