"""One demo account per role. Demo-only: the passwords are public, printed by `make demo`."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from justedroit.core.models import User
from justedroit.core.roles import Role
from justedroit.outreach import selectors as outreach_selectors
from justedroit.outreach import services as outreach
from justedroit.outreach.models import PartnerKind
from justedroit.registry import selectors as registry
from justedroit.registry.models import Commune, HouseholdAccount, MemberRole

PARTNER_ORGANISATIONS = {
    Role.PARTNER_EFS: "Espace France Services de Civray",
    Role.PARTNER_RELAY: "Point relais Caf de Loudun",
}
# The demo partners' organisations (kind, commune), so that their accounts can use the API.
PARTNER_DETAILS = {
    Role.PARTNER_EFS: (PartnerKind.FRANCE_SERVICES, "86078"),
    Role.PARTNER_RELAY: (PartnerKind.RELAY, "86137"),
}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role_label: str


def demo_accounts_create() -> list[DemoAccount]:
    household = (
        registry.households_covered_on(dt.date(2022, 12, 31))
        .filter(is_synthetic=True, memberships__role=MemberRole.CHILD)
        .order_by("number")
        .first()
    )
    if household is None:
        raise LookupError("Construisez d'abord le jumeau : justedroit twin build.")
    accounts = []
    with transaction.atomic():
        for role in Role:
            username = f"demo-{role.value.replace('_', '-')}"
            password = f"{username}-2022"
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "role": role,
                    "first_name": role.label.split(" ")[0],
                    "organisation": PARTNER_ORGANISATIONS.get(role, ""),
                },
            )
            if created:
                user.set_password(password)
                user.save(update_fields=["password"])
            if role in PARTNER_DETAILS:
                _link_demo_partner(user, role)
            if role == Role.CLAIMANT:
                HouseholdAccount.objects.get_or_create(user=user, defaults={"household": household})
            accounts.append(DemoAccount(username, password, role.label))
    return accounts


def _link_demo_partner(user: User, role: Role) -> None:
    name = PARTNER_ORGANISATIONS[role]
    kind, commune = PARTNER_DETAILS[role]
    partner = outreach_selectors.partner_by_name(name) or outreach.partner_create(
        kind=kind, name=name, commune=Commune.objects.get(insee_code=commune), acting_user=None
    )
    outreach.partner_member_link(user=user, partner=partner, acting_user=None)
