"""The SP side of Web Browser SSO: the login redirect and the assertion consumer (ACS).

Login stores the AuthnRequest ID with the relay target; the ACS accepts only a response to one
of those, once, checked by python3-saml in strict mode with signed assertions required (plus
`StrictResponse`'s exact checks), and refuses an assertion ID it has seen before. Refusals all
look alike to the browser; the reason goes to the log.

Login CSRF: someone who starts a login themselves and signs in at the IdP holds a valid
response to a request of ours; posted from a victim's browser, it would sign the victim in as
them. So over https the browser that starts a login gets a key (a `__Host-` cookie,
`SameSite=None` since the IdP posts from its own site), and the response is accepted only
with it. Over plain http a cookie the IdP's cross-site POST carries cannot be set (browsers
want `Secure` with `SameSite=None`), so there a login is not bound to its browser.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.utils import OneLogin_Saml2_Utils
from onelogin.saml2.xml_utils import OneLogin_Saml2_XML
from tortoise.exceptions import IntegrityError

from config import get_config
from domain.auth.login import SignedIn, sign_in
from domain.auth.sessions import ClientInfo
from domain.errors import AccountDeactivated, NotFound
from domain.group_roles import apply_saml_groups
from domain.ratelimit import Action, limiter
from domain.saml.accounts import Identity, NoAccount, account_for
from domain.saml.relay import safe_target
from domain.saml.toolkit import TenantSamlAuth, request_data, sp_metadata, sp_urls, toolkit_settings
from domain.tenants import tenant_named
from models import SamlAssertionSeen, SamlRequest, SamlSettings, Tenant

log = logging.getLogger("tenantry.saml")

# How long the IdP may take to send the browser back.
REQUEST_TTL = timedelta(minutes=10)
# python3-saml accepts Conditions up to this much past their end: keep seen IDs that much longer.
CLOCK_DRIFT = timedelta(seconds=OneLogin_Saml2_Constants.ALLOWED_CLOCK_DRIFT)
# A signed response with a few attributes is a few KiB; refuse anything absurd before parsing.
MAX_RESPONSE_BYTES = 256 * 1024


class SamlRefused(Exception):
    """Nobody is signed in. The message is for the log, not for the browser."""


def browser_cookie_name(request_id: str) -> str:
    """One cookie per login (two tabs signing in at once each keep their own). `__Host-`:
    browsers take it only from this host over https, for the whole site, so neither a
    sibling subdomain nor a plain-http answer can plant a key of their own."""
    return "__Host-tenantry_saml_" + hashlib.sha256(request_id.encode()).hexdigest()[:20]


@dataclass(frozen=True)
class SamlLogin:
    """Where to send the browser, and (over https) the key it must bring back to the ACS."""

    redirect_to: str
    cookie_name: str
    browser_key: str | None


@dataclass(frozen=True)
class SamlSignIn:
    signed_in: SignedIn
    redirect_to: str
    cookie_name: str


def _binding(browser_key: str) -> str:
    return hashlib.sha256(browser_key.encode()).hexdigest()


async def _enabled(tenant_name: str) -> tuple[Tenant, SamlSettings]:
    """The tenant and its SSO settings; NotFound alike for unknown tenants and SSO off."""
    tenant = await tenant_named(tenant_name)
    saml = await SamlSettings.get_or_none(tenant_id=tenant.id) if tenant else None
    if tenant is None or saml is None or not saml.enabled:
        raise NotFound("No single sign-on here.")
    return tenant, saml


async def metadata(tenant_name: str) -> str:
    """SP metadata, once the tenant has SSO settings (enabled or not yet): an IdP often wants
    it before it hands out the values that go into those settings, which is why it is not
    tied to `enabled`."""
    tenant = await tenant_named(tenant_name)
    if tenant is None or not await SamlSettings.exists(tenant_id=tenant.id):
        raise NotFound("No single sign-on here.")
    return sp_metadata(tenant)


async def _purge_expired() -> None:
    now = datetime.now(UTC)
    await SamlRequest.filter(expires_at__lte=now).delete()
    await SamlAssertionSeen.filter(expires_at__lte=now).delete()


async def _count_attempt(client: ClientInfo) -> None:
    # An SSO attempt spends the client's login budget: /login writes a row per call, and the
    # ACS verifies signatures, both for anonymous callers. Per client only: a per-account
    # budget keyed on the tenant would let one client lock a whole tenant out of SSO.
    await limiter().hit(Action.LOGIN, client=client.address, account=None)


async def start_login(tenant_name: str, next_url: str | None, client: ClientInfo) -> SamlLogin:
    """The IdP URL to redirect to (HTTP-Redirect binding), with a stored AuthnRequest."""
    tenant, saml = await _enabled(tenant_name)
    await _count_attempt(client)
    target = safe_target(next_url)
    auth = TenantSamlAuth(request_data(sp_urls(tenant).login_url), toolkit_settings(tenant, saml))
    url: str = auth.login(return_to=target)
    request_id = auth.get_last_request_id()
    browser_key = secrets.token_urlsafe(32) if get_config().secure_cookies else None
    await _purge_expired()
    await SamlRequest.create(
        id=request_id,
        tenant=tenant,
        relay_state=target,
        browser_binding=_binding(browser_key) if browser_key else None,
        expires_at=datetime.now(UTC) + REQUEST_TTL,
    )
    return SamlLogin(url, browser_cookie_name(request_id), browser_key)


def _in_response_to(saml_response: str) -> str | None:
    """Read before validation, only to find the stored request (python3-saml's hardened parser);
    the validation then checks the signed assertion answers that same request."""
    try:
        document = OneLogin_Saml2_XML.to_etree(OneLogin_Saml2_Utils.b64decode(saml_response))
    except Exception:  # base64, lxml and the hardened parser each raise their own kinds
        return None
    value = document.get("InResponseTo")
    return value if value and len(value) <= 128 else None


async def _consume_request(
    tenant: Tenant, request_id: str | None, cookies: Mapping[str, str]
) -> SamlRequest:
    if request_id is None:
        raise SamlRefused("no InResponseTo: unsolicited responses are not accepted")
    stored = await SamlRequest.get_or_none(
        id=request_id, tenant_id=tenant.id, expires_at__gt=datetime.now(UTC)
    )
    # Deleted before validation: one attempt per request, whatever its outcome.
    if stored is None or await SamlRequest.filter(id=stored.id).delete() != 1:
        raise SamlRefused("InResponseTo names no pending request of this tenant")
    if stored.browser_binding is not None:
        key = cookies.get(browser_cookie_name(stored.id), "")
        if not hmac.compare_digest(_binding(key), stored.browser_binding):
            raise SamlRefused("the response came through a browser that did not start the login")
    return stored


def _seen_key(tenant: Tenant, idp_entity_id: str, assertion_id: str) -> str:
    return hashlib.sha256(f"{tenant.id}\n{idp_entity_id}\n{assertion_id}".encode()).hexdigest()


async def _refuse_replay(tenant: Tenant, saml: SamlSettings, auth: TenantSamlAuth) -> None:
    assertion_id = auth.get_last_assertion_id()
    not_on_or_after = auth.get_last_assertion_not_on_or_after()
    if not assertion_id or not not_on_or_after:
        raise SamlRefused("the assertion has no ID or no NotOnOrAfter")
    expires_at = datetime.fromtimestamp(not_on_or_after, UTC) + CLOCK_DRIFT
    try:
        await SamlAssertionSeen.create(
            id=_seen_key(tenant, saml.idp_entity_id, assertion_id),
            tenant=tenant,
            expires_at=expires_at,
        )
    except IntegrityError:
        raise SamlRefused(f"assertion {assertion_id!r} was used before") from None


async def consume_response(
    tenant_name: str,
    saml_response: str | None,
    client: ClientInfo,
    cookies: Mapping[str, str],
) -> SamlSignIn:
    tenant, saml = await _enabled(tenant_name)
    await _count_attempt(client)
    try:
        if not saml_response or len(saml_response) > MAX_RESPONSE_BYTES * 4 // 3 + 4:
            raise SamlRefused("no SAMLResponse, or an oversized one")
        stored = await _consume_request(tenant, _in_response_to(saml_response), cookies)
        auth = TenantSamlAuth(
            request_data(sp_urls(tenant).acs_url, {"SAMLResponse": saml_response}),
            toolkit_settings(tenant, saml),
        )
        try:
            auth.process_response(request_id=stored.id)
        except Exception as exc:  # malformed XML, DTDs, bad base64: all a refusal
            raise SamlRefused(f"unreadable response: {exc!r}") from None
        if auth.get_errors() or not auth.is_authenticated():
            raise SamlRefused(f"invalid response: {auth.get_last_error_reason()}")
        await _refuse_replay(tenant, saml, auth)
        identity = Identity(
            idp_entity_id=saml.idp_entity_id,
            name_id=auth.get_nameid(),
            attributes=auth.get_attributes(),
        )
        try:
            user = await account_for(tenant, identity)
        except NoAccount as exc:
            raise SamlRefused(f"no account for NameID {identity.name_id!r}: {exc}") from None
        if tenant.saml_groups_attribute:
            # The tenant maps IdP groups to roles: the attribute's values are this user's
            # groups from now on (domain/group_roles.py).
            groups = identity.attributes.get(tenant.saml_groups_attribute, [])
            user = await apply_saml_groups(tenant.id, user, groups)
        try:
            signed_in = await sign_in(user, client, how="saml")
        except AccountDeactivated:  # deactivated since account_for read the user
            raise SamlRefused(f"the user of NameID {identity.name_id!r} is deactivated") from None
    except SamlRefused as exc:
        log.warning("SAML sign-in refused for tenant %s: %s", tenant.name, exc)
        raise
    return SamlSignIn(
        signed_in=signed_in,
        redirect_to=safe_target(stored.relay_state),
        cookie_name=browser_cookie_name(stored.id),
    )
