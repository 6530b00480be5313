"""Authentication: passwords with a second factor for local agent accounts, OpenID Connect (the
Caf's identity provider for agents, FranceConnect for allocataires), the real client address
behind the reverse proxy, and the audit trail of logins."""
