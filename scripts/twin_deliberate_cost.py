"""The twin's fraud prevalence beside the Cnaf's estimate: per year, what the truth's deliberate
concealments cost (`justedroit.twin.prevalence.deliberate_cost`, plus the indus of the controls
that already established one) against the benefits paid.

Usage, on a simulated twin (nothing is written: the recomputation is rolled back):
    export DEBUG=1 JUSTEDROIT_VAR_DIR=<the twin's var directory>
    .venv/bin/python scripts/twin_deliberate_cost.py --to 2022-12
"""

import argparse
import datetime as dt
import os
from decimal import Decimal

import django

# The Cnaf's estimate of fraud (truth/parameters.py, CNAF_FRAUD): 2.8 Md€, about 3 % of benefits.
CNAF_SHARE = Decimal("0.03")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--to", default="2022-12", help="last month (YYYY-MM)")
    last = dt.date.fromisoformat(parser.parse_args().to + "-01")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "justedroit.settings")
    django.setup()
    from justedroit.controls.models import Control
    from justedroit.entitlements.selectors import paid_in_year
    from justedroit.twin.prevalence import deliberate_cost
    from justedroit.twin.simulate.fraud.suspicion import Finding, concealed

    hidden = deliberate_cost(last)
    found: dict[int, Decimal] = {}
    # Every kind of control: the partners' data make the automated ones establish hidden resources.
    for control in Control.objects.filter(closed_at__isnull=False).prefetch_related("facts"):
        findings = [
            Finding(f.kind, f.person_id, f.valid_from, f.valid_until, f.code)
            for f in control.facts.all()
        ]
        if concealed(control.household_id, findings):
            year = control.closed_at.year
            found[year] = found.get(year, Decimal(0)) + control.overpayment - control.arrears
    for year in sorted(set(hidden) | set(found)):
        paid = sum(paid_in_year(year).values(), Decimal(0))
        cost = hidden.get(year, Decimal(0)) + found.get(year, Decimal(0))
        share = cost / paid if paid else Decimal(0)
        print(
            f"{year} : coût des dissimulations délibérées {cost:.2f} € "
            f"(non trouvées {hidden.get(year, Decimal(0)):.2f} €, trouvées par un contrôle "
            f"{found.get(year, Decimal(0)):.2f} €), prestations versées {paid:.2f} €, "
            f"part {share:.3%} ; estimation de la Cnaf {CNAF_SHARE:.0%} "
            f"(rapport {CNAF_SHARE / share if share else 0:.0f})"
        )


if __name__ == "__main__":
    main()
