import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError

from justedroit.registry.models import Fact, Household, Person
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


def test_create_household_links_a_person_on_file_only_when_asked(capsys):
    create("--wet-run")
    other = [
        "--number",
        "7654322",
        "--member",
        f"claimant;{NIR};Petit;Marcel;1980-01-15;2022-01-01",
    ]
    base = ["registry", "create-household", "--commune", "86066", "--wet-run"]
    with pytest.raises(CommandError, match="déjà au registre"):
        call_command(*base, *other)
    with pytest.raises(CommandError, match=r"autre identité \(prénom différent\)"):
        call_command(*base, *other, "--link-existing", NIR)
    with pytest.raises(CommandError, match="aucun membre donné n'a ce NIR"):
        call_command(*base, *other, "--link-existing", NIR[:-1] + "0")
    assert Household.objects.count() == 1 and Person.objects.count() == 1
    call_command(*base, *other[:3], MEMBER.replace("Marc", "MARC"), "--link-existing", NIR)
    assert Household.objects.count() == 2 and Person.objects.count() == 1


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ([MEMBER, MEMBER.replace("claimant", "spouse")], "figure deux fois"),
        ([MEMBER.replace("1980-01-15", "2030-01-15")], "dans le futur"),
        ([MEMBER.replace("2021-03-01", "1979-03-01")], "précède la naissance"),
        ([MEMBER.replace("Petit", " ")], "nom et le prénom sont obligatoires"),
    ],
)
def test_create_household_refuses_implausible_members(members, message):
    arguments = [argument for text in members for argument in ("--member", text)]
    with pytest.raises(CommandError, match=message):
        call_command(
            "registry",
            "create-household",
            "--number",
            "7654321",
            "--commune",
            "86066",
            *arguments,
            "--wet-run",
        )
    assert not Household.objects.exists() and not Person.objects.exists()


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("NaN", "n'est pas un montant"),
        ("sNaN", "n'est pas un montant"),
        ("Infinity", "n'est pas un montant"),
        ("10000000000", "plus grand montant admis"),
        ("1e12", "plus grand montant admis"),
        ("1500,125", "plus de deux décimales"),
        ("abc", "Montant invalide"),
    ],
)
def test_record_fact_refuses_amounts_it_cannot_store_exactly(amount, message):
    create("--wet-run")
    with pytest.raises(CommandError, match=message):
        call_command(
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
            amount,
            "--source",
            "declaration",
            "--wet-run",
        )
    assert not Fact.objects.exists()


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
