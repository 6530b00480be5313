"""Who an identity provider's answer designates in Juste Droit. Nobody is ever created, and no role
is ever given, from a provider's answer.

Agents (the Caf's identity provider): the existing account whose username equals the configured
claim (`preferred_username` unless `JUSTEDROIT_AGENT_OIDC_USERNAME_CLAIM` says otherwise), which
must be an active agent account. The provider's `sub` is pinned to the account at the first login;
an answer naming the same username with another `sub` is refused (an identifier reassigned at the
Caf does not inherit an account).

Allocataires (FranceConnect): only through a `sub` linked before. The link is made once, when both
hold:
- the allocataire logs in with their own password in the same browser session, less than ten
  minutes after coming back from FranceConnect (they prove they hold the account);
- the identity FranceConnect certifies is that of the allocataire or of their spouse in the
  account's household today: same birth date, same last name (the birth name, or the usage name
  FranceConnect gives as `preferred_username`), and a first name equal to FranceConnect's first
  given name or to all of them. Names are compared without case, accents, hyphens, apostrophes or
  repeated spaces.
Otherwise nothing is linked, and the allocataire is told to contact the Caf.
"""

import datetime as dt
import unicodedata

from justedroit.core import clock
from justedroit.core.auth import selectors, services
from justedroit.core.auth.enums import LoginMethod
from justedroit.core.models import IdentityProvider, User
from justedroit.registry import selectors as registry
from justedroit.registry.models import MemberRole

PENDING_SESSION_KEY = "justedroit_franceconnect_pending"
PENDING_LIFETIME = dt.timedelta(minutes=10)
LINKABLE_ROLES = {MemberRole.CLAIMANT, MemberRole.SPOUSE}


class IdentityRefused(Exception):
    """The provider vouched for someone who has no account here; the message is the reason code."""


def agent_for_claims(*, request, provider: dict, claims: dict) -> User:
    identity = selectors.identity_by_subject(issuer=provider["issuer"], subject=claims["sub"])
    if identity is not None:
        user = identity.user
    else:
        username = claims.get(provider["username_claim"])
        user = User.objects.filter(username=username).first() if isinstance(username, str) else None
        if user is None:
            raise IdentityRefused("unknown_account")
        if user.external_identities.filter(provider=IdentityProvider.CAF_AGENTS).exists():
            raise IdentityRefused("subject_changed")
        if user.is_agent:
            services.identity_link(
                request=request,
                user=user,
                provider=IdentityProvider.CAF_AGENTS,
                issuer=provider["issuer"],
                subject=claims["sub"],
            )
    if not user.is_agent:
        raise IdentityRefused("not_an_agent")
    return user


def claimant_for_franceconnect(*, provider: dict, claims: dict) -> User | None:
    """The allocataire linked to this FranceConnect identity, or None (not linked yet)."""
    identity = selectors.identity_by_subject(issuer=provider["issuer"], subject=claims["sub"])
    if identity is None:
        return None
    if not identity.user.is_claimant:
        raise IdentityRefused("not_a_claimant")
    return identity.user


def franceconnect_pending_keep(*, request, provider: dict, claims: dict) -> None:
    pivot = ("given_name", "family_name", "preferred_username", "birthdate")
    request.session[PENDING_SESSION_KEY] = {
        "issuer": provider["issuer"],
        "sub": str(claims["sub"]),
        **{name: str(claims.get(name) or "") for name in pivot},
        "at": clock.now().isoformat(),
    }


def franceconnect_pending_link(*, request, user: User) -> bool | None:
    """After a password login: link the FranceConnect identity waiting in the session, if any.
    True when linked, False when refused, None when nothing was waiting."""
    pending = request.session.pop(PENDING_SESSION_KEY, None)
    if pending is None or dt.datetime.fromisoformat(pending["at"]) < clock.now() - PENDING_LIFETIME:
        return None
    if not (user.is_claimant and _matches_household_member(user, pending)):
        services.login_failure_record(
            request=request,
            username=user.username,
            method=LoginMethod.FRANCECONNECT,
            reason="identity_mismatch",
        )
        return False
    existing = selectors.identity_by_subject(issuer=pending["issuer"], subject=pending["sub"])
    if existing is not None:
        return existing.user_id == user.pk
    services.identity_link(
        request=request,
        user=user,
        provider=IdentityProvider.FRANCECONNECT,
        issuer=pending["issuer"],
        subject=pending["sub"],
    )
    return True


def _matches_household_member(user: User, identity: dict) -> bool:
    account = getattr(user, "household_account", None)
    try:
        birth_date = dt.date.fromisoformat(identity["birthdate"])
    except ValueError:
        return False
    if account is None:  # an allocataire's account without a household: nothing to compare
        return False
    given_names = identity["given_name"].split()
    first_names = {_normalised(" ".join(given_names)), *(_normalised(n) for n in given_names[:1])}
    last_names = {_normalised(identity["family_name"]), _normalised(identity["preferred_username"])}
    return any(
        member.role in LINKABLE_ROLES
        and member.person.birth_date == birth_date
        and _normalised(member.person.last_name) in last_names - {""}
        and _normalised(member.person.first_name) in first_names - {""}
        for member in registry.members(account.household, on=clock.today())
    )


def _normalised(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    for separator in "-'’":
        letters = letters.replace(separator, " ")
    return " ".join(letters.split())
