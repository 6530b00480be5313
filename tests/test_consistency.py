"""Architecture rules that code review would otherwise have to remember."""

import subprocess
import sys
import tomllib
from pathlib import Path

from django.apps import apps
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver

# ForeignKeys that may cascade or be nulled, with why. Everything else protects history.
NON_PROTECT_FOREIGN_KEYS: dict[str, str] = {}
ROOT = Path(__file__).resolve().parent.parent


def project_models():
    return [m for m in apps.get_models() if m.__module__.startswith("justedroit.")]


def test_every_foreign_key_protects_history():
    offenders = []
    for model in project_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.ForeignKey | models.OneToOneField) and field.concrete:
                label = f"{model._meta.label}.{field.name}"
                if field.remote_field.on_delete is not models.PROTECT and (
                    label not in NON_PROTECT_FOREIGN_KEYS
                ):
                    offenders.append(label)
    assert offenders == []


def test_money_fields_are_decimals_with_cents():
    for model in project_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FloatField):
                raise AssertionError(f"{model._meta.label}.{field.name}: no floats in the models")


def _views(resolver=None):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _views(entry)
        elif isinstance(entry, URLPattern):
            yield entry


def test_every_view_declares_its_permission_or_is_public():
    ungated = [
        p.name
        for p in _views()
        if not hasattr(p.callback, "permission")
        and not hasattr(getattr(p.callback, "view_class", None), "permission")
    ]
    # Class-based views wrapped by `public` carry the attribute on the function itself.
    assert ungated == []


def test_no_django_signals_for_domain_flows():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "justedroit").rglob("*.py")
        if "django.db.models.signals" in path.read_text(encoding="utf-8")
        or "@receiver" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_import_contracts_hold():
    """Only `rules` imports OpenFisca; domains never import the web layer, the twin, reporting
    or data protection."""
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports"))],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout
    assert "broken" in result.stdout and "0 broken" in result.stdout


def test_the_type_checker_covers_rules_and_every_services_and_selectors_module():
    """`make lint` runs mypy on the files pyproject.toml lists: the law, every write and read."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]["files"])
    package = ROOT / "justedroit"
    wanted = {"justedroit/rules"} | {
        str(path.relative_to(ROOT))
        for pattern in ("**/services.py", "**/services", "**/selectors.py")
        for path in package.glob(pattern)
        # The twin is a simulator, not the product; it is being rewritten apart.
        if "twin" not in path.parts
    }
    assert wanted == listed


def test_views_refuse_one_way_only():
    """A refusal is `PermissionDenied` (raised by `core.web.requires` or the view): the one 403
    page, never a 403 rendered by hand nor a view reading the ORM."""
    offenders = []
    for path in (ROOT / "justedroit").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if '"403.html"' in text or "HttpResponseForbidden" in text:
            offenders.append(str(path.relative_to(ROOT)))
        web = (
            path.name in ("views.py", "api.py", "navigation.py", "home.py")
            or path.parent.name == "portal"
        )
        if web and (".objects." in text or "get_object_or_404" in text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
