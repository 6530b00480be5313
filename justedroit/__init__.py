"""Juste Droit: the service-quality platform of a Caf."""
