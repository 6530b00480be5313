"""The controls' paid household (RSA January–June 2022, no income declared) serves here too."""

from tests.controls.conftest import _paid_household, document_dir, paid_household

__all__ = ["_paid_household", "document_dir", "paid_household"]
