"""`justedroit controls sample|train|score|audit`: the targeting of document and on-site controls
(docs/ciblage.md). Writing sub-commands are dry unless `--wet-run`."""

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from justedroit.controls import fairness, selectors, services
from justedroit.controls.audit import DEFAULT_SHARE, bias_audit
from justedroit.controls.models import ControlKind
from justedroit.controls.services.targeting import DEFAULT_SAMPLE_SIZE
from justedroit.controls.targeting import FEATURES_BY_NAME, NAIVE_EXTRA
from justedroit.core.batch import BatchCommand, add_wet_run_argument, rolled_back_unless

LABELS = FEATURES_BY_NAME | {f.name: f for f in NAIVE_EXTRA}
METRICS = (
    ("Parité statistique (taux de sélection)", "selection", "selection_others"),
    ("Taux de faux positifs", "false_positive_rate", "false_positive_rate_others"),
    ("Taux de fausses découvertes", "false_discovery_rate", "false_discovery_rate_others"),
)


class Command(BatchCommand):
    help = "Ciblage des contrôles : échantillon aléatoire, entraînement, scores, audit des biais."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sample = sub.add_parser("sample", help="Tire l'échantillon aléatoire de l'année.")
        sample.add_argument("--year", type=int, required=True)
        sample.add_argument("--seed", type=int, required=True)
        sample.add_argument("--size", type=int, default=DEFAULT_SAMPLE_SIZE)
        sample.add_argument(
            "--kind", choices=[ControlKind.DOCUMENTS, ControlKind.ON_SITE], default="documents"
        )
        train = sub.add_parser("train", help="Entraîne une version du modèle sur l'échantillon.")
        train.add_argument("--year", type=int, required=True)
        score = sub.add_parser("score", help="Calcule les scores des foyers (dernière version).")
        audit = sub.add_parser("audit", help="Audit des biais sur l'échantillon de l'année.")
        audit.add_argument("--year", type=int, required=True)
        audit.add_argument("--share", type=float, default=DEFAULT_SHARE)
        for writer in (sample, train, score):
            add_wet_run_argument(writer)

    def handle(self, *args, action, **options):
        try:
            if action == "audit":
                return self._audit(options["year"], options["share"])
            wet = options["wet_run"]
            with rolled_back_unless(wet):
                message = getattr(self, f"_{action}")(**options)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        prefix = "" if wet else "Vérification réussie, rien n'est écrit (--wet-run pour écrire) : "
        self.stdout.write(prefix + message)

    def _sample(self, *, year, seed, size, kind, **_):
        sample = services.random_sample_draw(
            year=year, size=size, kind=kind, seed=seed, acting_user=self.operator
        )
        return (
            f"échantillon {year} : {sample.controls.count()} contrôles parmi "
            f"{sample.population} foyers (graine {sample.seed})."
        )

    def _train(self, *, year, **_):
        model = services.targeting_model_train(year=year, acting_user=self.operator)
        lines = [f"{'constante':<28} {model.intercept:+.4f}"]
        for name in model.features:
            error = model.standard_errors[name]
            lines.append(f"{name:<28} {model.coefficients[name]:+.4f} (écart-type {error:.4f})")
        self.stdout.write("\n".join(lines))
        return (
            f"modèle entraîné sur {model.training_size} contrôles de l'échantillon {year}, dont "
            f"{model.positives} avec un indu important."
        )

    def _score(self, **_):
        model = selectors.current_model()
        if model is None:
            raise ValidationError("Aucun modèle entraîné.")
        scored = services.targeting_scores_compute(model=model, acting_user=self.operator)
        return f"{scored} foyers notés par le modèle v{model.pk}."

    def _audit(self, year: int, share: float) -> None:
        if not 0 < share <= 1:
            raise CommandError("--share : une part entre 0 et 1.")
        report = bias_audit(year, share)
        if report is None:
            raise CommandError(f"Pas d'échantillon {year} clos ou pas de modèle entraîné.")
        write = self.stdout.write
        write(
            f"Audit des biais {year} : modèle v{report.model.pk} (échantillon "
            f"{report.model.sample.year}{', même échantillon' if report.in_sample else ''}), "
            f"{report.population} foyers de l'échantillon aléatoire, {report.positives} indus "
            f"importants ; les {100 * share:.0f} % de meilleurs scores sont sélectionnés."
        )
        for run in (report.fair, report.naive):
            auc = f"{run.auc:.3f}" if run.auc is not None else "—"
            write(
                f"\n== {run.name} : AUC {auc}, indus importants parmi les sélectionnés "
                f"{run.precision}"
            )
            for name, coefficient in run.coefficients.items():
                write(f"   {LABELS[name].label} : {coefficient:+.4f}")
            for group in run.groups:
                ratio = f"{group.parity_ratio:.2f}" if group.parity_ratio is not None else "—"
                write(f"-- {group.label} : {group.size} de la population ; ratio de parité {ratio}")
                for label, mine, others in METRICS:
                    write(f"   {label} : {getattr(group, mine)} ; autres {getattr(group, others)}")
                write(f"   Part des faux positifs : {group.false_positive_share}")
                for stratum, mine_rate, others_rate in group.conditional:
                    write(
                        f"   Parité conditionnelle, {stratum} : {mine_rate} ; autres {others_rate}"
                    )
        write(
            "\nIntervalles de confiance à 95 % (Wilson). Méthode et limites : docs/ciblage.md. "
            f"Seuil de parité usuel : ratio entre {fairness.FOUR_FIFTHS} et "
            f"{1 / fairness.FOUR_FIFTHS:.2f}."
        )
