import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError

from justedroit.registry.models import Fact, Household
from justedroit.registry.nir import synthetic_nir

pytestmark = pytest.mark.django_db
NIR = synthetic_nir(sex=1, birth_year=1980, birth_month=1, serial=1)
MEMBER = f"claimant;{NIR};Petit;Marc;1980-01-15;2021-03-01"


def create(*extra):
    call_command(
        "registry",
        "create-household",
        "--number",
        "7654321",
        "--commune",
        "86066",
        "--member",
        MEMBER,
        *extra,
    )


def test_create_household_is_dry_unless_wet_run(capsys):
    create()
    assert "rien n'est écrit" in capsys.readouterr().out
    assert not Household.objects.exists()
    create("--wet-run")
    assert Household.objects.get().commune.name == "Châtellerault"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--commune", "75056"], "Commune inconnue"),
        (["--member", "claimant;1800101000001;Petit;Marc;1980-01-15;2021-03-01"], "NIR invalide"),
        (["--member", "claimant;x"], "6 champs"),
    ],
)
def test_create_household_bad_input(arguments, message):
    base = {"--number": "7654321", "--commune": "86066", "--member": MEMBER}
    base.update(dict(zip(arguments[::2], arguments[1::2], strict=True)))
    with pytest.raises(CommandError, match=message):
        call_command("registry", "create-household", *sum(base.items(), ()), "--wet-run")
    assert not Household.objects.exists()


def test_record_fact_bad_input_writes_nothing():
    create("--wet-run")
    fact = [
        "registry",
        "record-fact",
        "--household",
        "7654321",
        "--person",
        NIR,
        "--kind",
        "salary",
        "--from",
        "2022-01",
        "--amount",
        "1500",
        "--source",
        "declaration",
        "--wet-run",
    ]
    call_command(*fact)
    with pytest.raises(CommandError, match="chevauche"):
        call_command(*fact)
    with pytest.raises(CommandError, match="Foyer inconnu"):
        call_command(*[("0000000" if a == "7654321" else a) for a in fact])
    with pytest.raises(CommandError, match="Mois invalide"):
        call_command(*[("janvier" if a == "2022-01" else a) for a in fact])
    assert Fact.objects.count() == 1


def test_a_failing_command_exits_non_zero(capsys):
    argv = [
        "justedroit",
        "registry",
        "record-fact",
        "--household",
        "0000000",
        "--kind",
        "rent",
        "--from",
        "2022-01",
        "--amount",
        "400",
        "--source",
        "agent",
    ]
    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(argv).execute()
    assert exit_info.value.code != 0
    assert "Foyer inconnu" in capsys.readouterr().err


def test_a_batch_command_names_its_operator_in_the_audit_trail(make_user):
    import getpass

    from justedroit.core.models import AuditEvent
    from justedroit.core.roles import Role

    create("--wet-run")
    event = AuditEvent.objects.get(household_number="7654321")
    assert event.actor is None
    assert event.operator == f"système:{getpass.getuser()}"

    with pytest.raises(CommandError, match="Opérateur inconnu « personne »"):
        create("--wet-run", "--operator", "personne")
    agent = make_user(Role.CASE_WORKER, username="agent-lot")
    call_command(
        "registry",
        "record-fact",
        "--household",
        "7654321",
        "--kind",
        "rent",
        "--from",
        "2022-01",
        "--amount",
        "420",
        "--source",
        "agent",
        "--wet-run",
        "--operator",
        "agent-lot",
    )
    latest = AuditEvent.objects.filter(household_number="7654321").first()
    assert (latest.actor, latest.operator) == (agent, "agent-lot")
