"""Regenerate justedroit/registry/data/communes-86.json (see PROVENANCE.md beside it).

Usage (needs npm and the project's venv):
    cd "$(mktemp -d)" && npm pack @etalab/decoupage-administratif@6.0.0 && tar xzf *.tgz
    python scripts/extract_communes.py package/data/communes.json
"""

import csv
import importlib.util
import json
import sys
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "justedroit/registry/data/communes-86.json"


def apl_zones() -> dict[str, int]:
    """APL zones from openfisca-france's asset (arrêté of 1978, zoning as of 2011-09-14)."""
    package_dir = Path(importlib.util.find_spec("openfisca_france").origin).parent
    with open(package_dir / "assets/apl/20110914_zonage.csv", encoding="utf-8") as handle:
        # Zone "1bis" (Paris area) is zone 1 for APL purposes.
        return {row["CODGEO"]: int(row["Zonage"][0]) for row in csv.DictReader(handle)}


def main(source: str) -> None:
    zones = apl_zones()
    communes = [
        {
            "insee_code": c["code"],
            "name": c["nom"],
            "postcodes": c.get("codesPostaux", []),
            "population": c.get("population", 0),
            "apl_zone": zones.get(c["code"], 3),
        }
        for c in json.loads(Path(source).read_text(encoding="utf-8"))
        if c.get("departement") == "86" and c["type"] == "commune-actuelle"
    ]
    communes.sort(key=lambda c: c["insee_code"])
    TARGET.write_text(json.dumps(communes, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    total = sum(c["population"] for c in communes)
    print(f"{len(communes)} communes, population {total:,}".replace(",", " "))


if __name__ == "__main__":
    main(sys.argv[1])
