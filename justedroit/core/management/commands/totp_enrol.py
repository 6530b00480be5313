"""Gives a local agent account its second factor (or a new one, after a lost phone).

The secret is shown once, to be scanned or typed into the agent's authenticator app; it replaces
any previous one. Dry unless --wet-run (then nothing is created and no secret is shown).
"""

import base64

from django.core.management.base import CommandError

from justedroit.core.auth.otp import totp_device_create
from justedroit.core.batch import (
    DRY_RUN_NOTE,
    BatchCommand,
    add_wet_run_argument,
    rolled_back_unless,
)
from justedroit.core.models import User


class Command(BatchCommand):
    help = "Enrôle l'application d'authentification (TOTP) d'un agent au compte local."

    def add_arguments(self, parser):
        parser.add_argument("username", help="identifiant de l'agent")
        add_wet_run_argument(parser)

    def handle(self, *args, username, wet_run, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None or not user.is_agent:
            raise CommandError(f"« {username} » n'est pas un compte d'agent actif.")
        with rolled_back_unless(wet_run):
            device = totp_device_create(user=user, acting_user=self.operator)
        if not wet_run:
            self.stdout.write(f"{DRY_RUN_NOTE}un nouveau secret TOTP serait créé pour {username}.")
            return
        self.stdout.write(
            f"Secret TOTP de {username} (à transmettre à l'agent seul, affiché une seule fois) :\n"
            f"  clé à saisir : {base64.b32encode(device.bin_key).decode().rstrip('=')}\n"
            f"  lien pour l'application : {device.config_url}"
        )
