"""Registry commands for operators. Dry unless --wet-run: without it, the input is checked and
the command says what it would write."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from justedroit.core.batch import (
    DRY_RUN_NOTE,
    BatchCommand,
    add_wet_run_argument,
    rolled_back_unless,
)
from justedroit.core.clock import parse_month
from justedroit.registry import selectors, services
from justedroit.registry.models import Person
from justedroit.registry.services import MemberInput


class Command(BatchCommand):
    help = "Registre : créer un foyer, enregistrer un fait."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create-household", help="Crée un foyer et ses membres.")
        create.add_argument("--number", required=True, help="numéro allocataire (7 chiffres)")
        create.add_argument("--commune", required=True, help="code Insee de la commune")
        create.add_argument(
            "--member",
            action="append",
            required=True,
            help="rôle;NIR;nom;prénom;AAAA-MM-JJ (naissance);AAAA-MM-JJ (arrivée), répétable",
        )
        create.add_argument(
            "--link-existing",
            action="append",
            default=[],
            metavar="NIR",
            help="rattache la personne déjà au registre sous ce NIR (identité vérifiée), répétable",
        )
        fact = sub.add_parser("record-fact", help="Enregistre un fait sur un foyer.")
        fact.add_argument("--household", required=True)
        fact.add_argument("--person", help="NIR du membre concerné (faits individuels)")
        fact.add_argument("--kind", required=True)
        fact.add_argument("--from", dest="valid_from", required=True, help="AAAA-MM")
        fact.add_argument("--until", dest="valid_until", help="AAAA-MM, exclu")
        fact.add_argument("--amount")
        fact.add_argument("--code", default="")
        fact.add_argument("--source", required=True)
        fact.add_argument("--reason", default="")
        for command in (create, fact):
            add_wet_run_argument(command)

    def handle(self, *args, action, wet_run, **options):
        try:
            with rolled_back_unless(wet_run):
                message = (
                    self._create(**options)
                    if action == "create-household"
                    else self._record(**options)
                )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(message if wet_run else DRY_RUN_NOTE + message)

    def _create(self, *, number, commune, member, link_existing, **_):
        members = [_member(text, link_existing) for text in member]
        if unknown := set(link_existing) - {m.nir for m in members}:
            raise ValidationError(
                f"--link-existing {min(unknown)} : aucun membre donné n'a ce NIR."
            )
        household = services.household_create(
            number=number,
            commune_code=commune,
            members=members,
            acting_user=self.operator,
            reason="ligne de commande",
        )
        return f"Foyer {household.number} créé avec {len(members)} membre(s)."

    def _record(
        self, *, household, person, kind, valid_from, valid_until, amount, code, source, reason, **_
    ):
        target = selectors.household_by_number(household)
        if target is None:
            raise ValidationError(f"Foyer inconnu : {household}.")
        member = None
        if person:
            member = Person.objects.filter(nir=person).first()
            if member is None:
                raise ValidationError(f"Personne inconnue : NIR {person}.")
        fact = services.fact_record(
            household=target,
            person=member,
            kind=kind,
            valid_from=_month(valid_from),
            valid_until=_month(valid_until) if valid_until else None,
            amount=_amount(amount),
            code=code,
            source=source,
            acting_user=self.operator,
            reason=reason,
        )
        return f"Fait « {fact.get_kind_display()} » enregistré pour le foyer {household}."


def _member(text: str, links: list[str]) -> MemberInput:
    parts = text.split(";")
    if len(parts) != 6:
        raise ValidationError(f"Membre « {text} » : 6 champs séparés par « ; » sont attendus.")
    role, nir, last_name, first_name, birth, start = (part.strip() for part in parts)
    return MemberInput(
        role=role,
        nir=nir,
        last_name=last_name,
        first_name=first_name,
        birth_date=_date(birth),
        start_date=_date(start),
        link_existing=nir in links,
    )


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"Date invalide « {text} » : format attendu AAAA-MM-JJ.") from None


def _month(text: str) -> dt.date:
    try:
        return parse_month(text)
    except ValueError as error:
        raise ValidationError(str(error)) from None


def _amount(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ValidationError(f"Montant invalide « {text} ».") from None
