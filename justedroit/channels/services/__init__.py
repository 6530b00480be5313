"""Writes for the contact channels. Each service is atomic, writes its audit row in the same
transaction when it is about a household, and sends email only after commit."""
