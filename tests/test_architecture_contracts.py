"""Each import contract (pyproject.toml, `lint-imports`) catches what it claims.

The real import graph keeps every contract; the same graph plus one forbidden import breaks the
contract that forbids it. The forbidden imports are derived from the code's own modules, so a new
package or module that a contract forgets makes these tests fail.
"""

import copy
import functools
import itertools
from pathlib import Path

import grimp
import pytest
from importlinter import api
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.layers import LayersContract
from importlinter.contracts.protected import ProtectedContract

ROOT = Path(__file__).resolve().parent.parent
CONTRACT_TYPES = {
    "forbidden": ForbiddenContract,
    "layers": LayersContract,
    "protected": ProtectedContract,
}
# Not domains: importing the domains is their point (settings, entry points, twin, reporting).
NOT_DOMAINS = {
    "justedroit.data_protection",  # reads every domain to apply the retention table
    "justedroit.manage",
    "justedroit.reporting",
    "justedroit.settings",
    "justedroit.settings_production",
    "justedroit.settings_test",
    "justedroit.twin",
    "justedroit.urls",
    "justedroit.wsgi",
}


@functools.cache
def configuration() -> dict:
    return api.read_configuration(str(ROOT / "pyproject.toml"))


@functools.cache
def real_graph() -> grimp.ImportGraph:
    return grimp.build_graph("justedroit", include_external_packages=True, cache_dir=None)


def options(contract_id: str) -> dict:
    return next(o for o in configuration()["contracts_options"] if o.get("id") == contract_id)


def check(contract_id: str, *extra_imports: tuple[str, str], new_module: str = ""):
    contract_options = options(contract_id)
    contract = CONTRACT_TYPES[contract_options["type"]](
        name=contract_options["name"],
        session_options=configuration()["session_options"],
        contract_options=contract_options,
    )
    graph = copy.deepcopy(real_graph())
    if new_module:
        graph.add_module(new_module)
    for importer, imported in extra_imports:
        graph.add_import(importer=importer, imported=imported)
    return contract.check(graph, verbose=False)


def kept(contract_id: str, *extra_imports: tuple[str, str], new_module: str = "") -> bool:
    return check(contract_id, *extra_imports, new_module=new_module).kept


def caught(contract_id: str, importers: list[str], imported: str) -> set[str]:
    """The importers among `importers` that a forbidden contract reports, each importing
    `imported` (one check for them all: the report names every offending source module)."""
    result = check(contract_id, *[(importer, imported) for importer in importers])
    return {chain["downstream_module"] for chain in result.metadata["invalid_chains"]}


def forbidden_reached(result) -> set[str]:
    """The modules at the end of the chains a forbidden contract reports."""
    return {
        chain[-1]["imported"]
        for found in result.metadata["invalid_chains"]
        for chain in found["chains"]
    }


def top_level() -> list[str]:
    return sorted(real_graph().find_children("justedroit"))


def test_every_contract_is_tested_and_kept_by_the_code():
    ids = {o["id"] for o in configuration()["contracts_options"]}
    assert ids == {"openfisca", "rules", "layers", "web", "twin", "cycle", "exchanges", "truth"}
    assert all(kept(contract_id) for contract_id in ids)


@pytest.mark.parametrize("package", ["openfisca_core", "openfisca_france"])
def test_only_rules_imports_openfisca(package):
    modules = [m for m in top_level() if m != "justedroit.rules"]
    assert "justedroit.api" in modules
    for module in modules:
        assert not kept("openfisca", (module, package)), module
    assert not kept("openfisca", ("justedroit.reception.services.appointments", package))
    assert kept("openfisca", ("justedroit.rules.situation", package))


def test_rules_imports_no_other_justedroit_module_nor_django():
    others = [m for m in top_level() if m != "justedroit.rules"]
    for module in [*others, "django"]:
        assert not kept("rules", ("justedroit.rules.situation", module)), module
    # Indirectly too: rules → numpy is fine, but not a chain that reaches a domain.
    assert not kept("rules", ("justedroit.rules.situation", "justedroit.wsgi"))


def test_no_domain_imports_the_twin_or_reporting():
    domains = [m for m in top_level() if m not in NOT_DOMAINS]
    assert {"justedroit.api", "justedroit.portal", "justedroit.rules"} <= set(domains)
    for module in domains:
        for forbidden in (
            "justedroit.twin.build",
            "justedroit.reporting.selectors",
            "justedroit.data_protection.services",
        ):
            assert not kept("twin", (module, forbidden)), (module, forbidden)


@pytest.mark.parametrize("module", ["core", "registry", "entitlements", "exchanges", "controls"])
def test_lower_domains_never_import_the_monthly_cycle(module):
    assert not kept("cycle", (f"justedroit.{module}.services", "justedroit.cycle.services"))
    assert kept("cycle", ("justedroit.twin.build", "justedroit.cycle.services"))


@pytest.mark.parametrize("module", ["core", "registry", "entitlements"])
def test_the_registry_and_the_engine_know_nothing_of_the_exchanges(module):
    assert not kept("exchanges", (f"justedroit.{module}.selectors", "justedroit.exchanges.models"))
    assert kept("exchanges", ("justedroit.cycle.services", "justedroit.exchanges.services"))


def layers_by_container() -> dict[str, list[list[str]]]:
    """Container → its layers (highest first), each the existing modules it names."""
    contract = options("layers")
    graph = real_graph()
    found = {}
    for container in contract["containers"]:
        children = graph.find_children(container)
        layers = []
        for layer in contract["layers"]:
            tails = [t.strip().strip("()") for t in layer.replace("|", ":").split(":")]
            layers.append([f"{container}.{t}" for t in tails if f"{container}.{t}" in children])
        found[container] = layers
    return found


def test_layers_refuse_every_upward_import_in_every_domain():
    for container, layers in layers_by_container().items():
        present = [layer for layer in layers if layer]
        # The portal is web only: it is a container so that a module added to it gets a layer.
        assert len(present) >= 2 or container == "justedroit.portal", container
        for upper, lower in itertools.pairwise(present):
            for module in lower:
                assert not kept("layers", (module, upper[0])), (module, upper[0])


def test_layers_cover_every_module_of_a_domain():
    assert not kept("layers", new_module="justedroit.reception.unclassified")
    assert not kept("layers", new_module="justedroit.core.auth.unclassified")


def test_web_layer_is_never_imported_by_domain_code_of_any_domain():
    web = [
        "justedroit.api",
        "justedroit.navigation",
        "justedroit.portal.views",
        "justedroit.urls",
        "justedroit.registry.templatetags.registry_tags",
    ]
    for container, layers in layers_by_container().items():
        web += layers[0]
        domain_code = [module for layer in layers[1:] for module in layer]
        # Its own domain's web layer, or the API (another domain's: below).
        target = layers[0][0] if layers[0] else "justedroit.api"
        assert set(domain_code) <= caught("web", domain_code, target), container
    # One check for all targets (one per target took 20 s): each must end a reported chain.
    emails = "justedroit.channels.services.emails"
    result = check("web", *[(emails, target) for target in web])
    assert set(web) <= forbidden_reached(result)
    assert not kept("web", ("justedroit.rules.engine", "justedroit.reception.forms"))
