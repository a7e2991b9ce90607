"""Fill an empty platform with demo data through the real services (so it is all audited).

Idempotent: whatever already exists is left alone, so a second run changes nothing.
"""

import datetime as dt
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.models import User
from accounts.services.users import bootstrap_operator, create_user_account
from suppliers.models import Membership, Organisation
from suppliers.services.blacklist import add_blacklist_entry
from suppliers.services.members import add_member
from suppliers.services.registration import register_organisation, register_supplier
from suppliers.services.verification import verify_organisation

DATA = Path(settings.BASE_DIR) / "fixtures" / "demo_registers.json"


class Command(BaseCommand):
    help = "Load demo organisations and one login per role (idempotent)."

    def handle(self, *args, **options):
        data = json.loads(DATA.read_text())
        password = data["password"]
        operator = self._operator(data["operator"], password)
        self._bodies(data["bodies"], operator)
        self._suppliers(data, operator, password)
        self._people(data["people"], operator, password)
        self._print_logins(data, password)

    def _operator(self, spec, password) -> User:
        user = User.objects.filter(email=spec["email"]).first()
        return user or bootstrap_operator(
            email=spec["email"], full_name=spec["full_name"], password=password
        )

    def _bodies(self, bodies, operator):
        for spec in bodies:
            if Organisation.objects.filter(bin=spec["bin"]).exists():
                continue
            details = {k: v for k, v in spec.items() if k not in ("kind", "parent_ministry")}
            if spec.get("parent_ministry"):
                details["parent_ministry"] = Organisation.objects.get(bin=spec["parent_ministry"])
            register_organisation(kind=spec["kind"], details=details, actor=operator)

    def _suppliers(self, data, operator, password):
        founders = {p["organisation"]: p for p in data["people"] if p.get("registers")}
        for spec in data["suppliers"]:
            if Organisation.objects.filter(bin=spec["bin"]).exists():
                continue
            founder = founders[spec["bin"]]
            details = {k: v for k, v in spec.items() if k not in ("verified", "blacklist")}
            organisation, _user = register_supplier(
                details=details,
                actor=None,
                new_user={
                    "email": founder["email"],
                    "full_name": founder["full_name"],
                    "password": password,
                },
            )
            if spec["verified"]:
                verify_organisation(organisation=organisation, actor=operator, reason="Demo data")
            if spec.get("blacklist"):
                self._blacklist(organisation, spec["blacklist"], operator)

    def _blacklist(self, organisation, spec, operator):
        now = timezone.now().replace(microsecond=0)
        add_blacklist_entry(
            organisation=organisation,
            actor=operator,
            basis=spec["basis"],
            basis_details="",
            decision_reference=spec["decision_reference"],
            decided_by=spec["decided_by"],
            starts_at=now - dt.timedelta(days=spec["days_ago"]),
            ends_at=now + dt.timedelta(days=spec["days_left"]),
        )

    def _people(self, people, operator, password):
        for spec in people:
            user = User.objects.filter(email=spec["email"]).first() or create_user_account(
                email=spec["email"], full_name=spec["full_name"], password=password, actor=operator
            )
            organisation = Organisation.objects.get(bin=spec["organisation"])
            for role in spec["roles"]:
                held = Membership.objects.filter(
                    user=user, organisation=organisation, role=role, is_active=True
                )
                if not held.exists():
                    add_member(organisation=organisation, user=user, role=role, actor=operator)

    def _print_logins(self, data, password):
        self.stdout.write(
            self.style.SUCCESS(f"Demo data is loaded. Logins (password for all: {password}):")
        )
        self.stdout.write(f"  {'operator (admin site)':34} {data['operator']['email']}")
        for spec in data["people"]:
            organisation = Organisation.objects.get(bin=spec["organisation"])
            roles = ", ".join(spec["roles"])
            self.stdout.write(f"  {roles:34} {spec['email']:28} {organisation}")
