"""`justedroit outreach plan|launch|funnel|welcome|partners-seed`: the non-take-up datamining and
its campaigns (criteria: `outreach.services.campaigns`), the welcome e-mailings, the partners'
reference table. Writing sub-commands are dry unless `--wet-run`."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from justedroit.core import clock
from justedroit.core.batch import (
    DRY_RUN_NOTE,
    BatchCommand,
    add_wet_run_argument,
    rolled_back_unless,
)
from justedroit.entitlements.services import cut_off
from justedroit.outreach import selectors
from justedroit.outreach.services import campaigns, partners, welcome

DEFAULT = campaigns.Criteria()


def _amount(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise CommandError(f"Montant illisible « {text} ».") from None


class Command(BatchCommand):
    help = "Datamining accès aux droits : criblage, campagne, lancement, entonnoir."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        plan = sub.add_parser("plan", help="Crible le fichier et planifie une campagne.")
        plan.add_argument("--month", required=True, help="mois calculé, AAAA-MM")
        plan.add_argument("--name", default="")
        plan.add_argument("--benefit", default=DEFAULT.benefit)
        plan.add_argument("--min-amount", default=str(DEFAULT.min_amount))
        plan.add_argument("--data-max-age-months", type=int, default=DEFAULT.data_max_age_months)
        plan.add_argument("--quiet-months", type=int, default=DEFAULT.quiet_months)
        plan.add_argument("--comparison-share", default=str(DEFAULT.comparison_share))
        plan.add_argument("--seed", type=int, required=True)
        plan.add_argument("--workers", type=int, default=None)
        launch = sub.add_parser("launch", help="Met en file les SMS d'une campagne.")
        launch.add_argument("--campaign", type=int, required=True)
        funnel = sub.add_parser("funnel", help="Entonnoir et effet d'une campagne.")
        funnel.add_argument("--campaign", type=int, required=True)
        welcome = sub.add_parser("welcome", help="Met en file les courriels de bienvenue.")
        seed = sub.add_parser(
            "partners-seed", help="Crée ou met à jour les 33 partenaires du département."
        )
        for writer in (plan, launch, welcome, seed):
            add_wet_run_argument(writer)

    def handle(self, *args, action, **options):
        try:
            if action == "funnel":
                return self._funnel(options["campaign"])
            wet = options["wet_run"]
            with rolled_back_unless(wet):
                message = getattr(self, f"_{action.replace('-', '_')}")(**options)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(("" if wet else DRY_RUN_NOTE) + message)

    def _plan(self, *, month, name, benefit, seed, workers, **options):
        month = clock.parse_month(month)
        criteria = campaigns.Criteria(
            benefit=benefit,
            min_amount=_amount(options["min_amount"]),
            data_max_age_months=options["data_max_age_months"],
            quiet_months=options["quiet_months"],
            comparison_share=_amount(options["comparison_share"]),
        )
        campaign = campaigns.campaign_plan(
            name=name or f"Datamining {benefit} {month:%m/%Y}",
            month=month,
            as_of=min(clock.now(), cut_off(month)),
            criteria=criteria,
            seed=seed,
            acting_user=self.operator,
            workers=workers,
        )
        by_group = {g: 0 for g in ("contact", "comparison")}
        for group in campaign.candidates.values_list("group", flat=True):
            by_group[group] += 1
        excluded = ", ".join(f"{k} {v}" for k, v in campaign.excluded.items())
        return (
            f"campagne {campaign.pk} « {campaign.name} » : {campaign.screened} foyers calculés "
            f"en {campaign.timings['screening']} s, {sum(by_group.values())} candidats "
            f"({by_group['contact']} à contacter, {by_group['comparison']} en comparaison) ; "
            f"écartés : {excluded}"
        )

    def _launch(self, *, campaign, **_):
        found = selectors.campaign(campaign)
        if found is None:
            raise CommandError(f"Campagne inconnue : {campaign}.")
        queued = campaigns.campaign_launch(campaign=found, acting_user=self.operator)
        calls = selectors.phone_worklist(found).count()
        return f"campagne {found.pk} : {queued} SMS mis en file, {calls} appels à passer"

    def _welcome(self, **_):
        return f"{welcome.welcome_emails_queue()} courriels de bienvenue mis en file"

    def _partners_seed(self, **_):
        created, updated = partners.partners_seed(acting_user=self.operator)
        return f"partenaires : {created} créés, {updated} mis à jour"

    def _funnel(self, campaign_id):
        found = selectors.campaign(campaign_id)
        if found is None:
            raise CommandError(f"Campagne inconnue : {campaign_id}.")
        funnel = selectors.campaign_funnel(found)
        for title, group in (("contactés", funnel.contacted), ("comparaison", funnel.comparison)):
            self.stdout.write(
                f"{title} : {group.candidates} candidats, {group.contacted_sms} SMS, "
                f"{group.contacted_phone} appels, {group.reached} joints, "
                f"{group.claims_filed} demandes, {group.rights_opened} droits ouverts, "
                f"gain mensuel moyen {group.mean_gain} €"
            )
        self.stdout.write(
            f"droits attribuables : {funnel.attributable_rights} ; "
            f"€ par an attribuables : {funnel.attributable_yearly} ; "
            f"€ par an ouverts (contactés) : {funnel.opened_yearly}"
        )
