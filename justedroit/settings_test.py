"""Test settings: the base settings with a fast hasher and a frozen clock."""

import os

os.environ.setdefault("DEBUG", "1")

from justedroit.settings import *  # noqa: F403

# Argon2 is the production hasher; tests use a fast one (a test checks the production list).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
JUSTEDROIT_TODAY = "2022-12-31"
# Uploads are scanned by ClamAV in production; tests use the no-op scanner.
CHANNELS_VIRUS_SCANNER = "noop"
