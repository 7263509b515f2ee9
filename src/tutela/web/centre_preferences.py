"""The privacy centre's consent and marketing preferences: view, give, withdraw and unsubscribe.

``GET /preferences`` explains the choices, opens the cookie banner's settings and asks for
an e-mail address; ``POST /preferences`` mails a link, valid for an hour, to manage that
address's choices (:mod:`tutela.web.preference_links`). The answer is the same for every
address (no enumeration); asking is rate-limited per address and per client, in the store
(:meth:`tutela.bootstrap.Application.rate_windows`: shared by every process).
``GET /preferences/manage?token=`` moves the token into an HttpOnly cookie scoped to the
page and reloads it without (303), so the token stays out of history and Referer; the page
lists each choice with one button each way (Art. 7(3), CO-3; Art. 21(2)-(3), OB-2) and
``POST /preferences/manage`` records the choice (:mod:`tutela.web.preference_choices`).
Forms carry a double-submit CSRF token. Errors are pages saying what to do, never a
traceback, a token or what the visitor sent unescaped.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from tutela.access.limits import RateWindows, Throttled
from tutela.consent.receipts import Receipts, UnknownEvent
from tutela.consent.records import ChoiceEvent
from tutela.consent.service import ConsentService
from tutela.errors import ConfigurationError, ConnectorError, RequestError
from tutela.programme.types import in_language
from tutela.requests.codes import channel_address
from tutela.web.console_auth import new_token, same_token
from tutela.web.console_kit import page, programme, read_form, redirect, services
from tutela.web.pages import (
    LANGUAGE_NAMES,
    LanguageLink,
    negotiate_language,
    offered_languages,
)
from tutela.web.preference_choices import (
    Action,
    PurposeChoice,
    choices,
    choose,
    managed,
    offered,
)
from tutela.web.preference_links import Holder, LinkRefused, PreferenceLinks, link_message

router = APIRouter(include_in_schema=False)

LINK_COOKIE = "tutela_preferences"
"""The cookie holding the link's token, on the manage page's path only."""
CSRF_COOKIE = "tutela_preferences_csrf"
"""The double-submit CSRF cookie of the preference forms."""
MANAGE = "/preferences/manage"
LONGEST_FORM = 4096
"""Bytes of a preference form read; a larger body is refused (413) unread."""
STATUS = {
    "tampered": 400,
    "expired": 410,
    "missing": 400,
    "email": 400,
    "encoding": 400,
    "choice": 400,
    "csrf": 403,
    "too_large": 413,
    "throttled": 429,
    "unavailable": 503,
}
"""The HTTP status of each refusal, by the reason the page names."""
_EVENT_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Preferences:
    """What the preference pages share in one app: choices, links, receipts, rate limits."""

    consent: ConsentService
    links: PreferenceLinks
    receipts: Receipts
    windows: RateWindows


@dataclass(frozen=True)
class Confirmation:
    """What the page confirms after a choice: the purpose, what was recorded, the receipt."""

    purpose: str
    kind: str
    receipt: str | None


class Refused(Exception):
    """A request the pages refuse, with the reason the page names (see :data:`STATUS`)."""

    def __init__(self, reason: str, retry_after: int = 0) -> None:
        super().__init__(reason)
        self.reason, self.retry_after = reason, retry_after


def preferences(request: Request) -> Preferences:
    """The preference services of the app serving ``request``, built on first use."""
    state = request.app.state
    with _LOCK:
        found = getattr(state, "preferences", None)
        if not isinstance(found, Preferences):
            application, served = services(request).application, programme(request)
            consent = application.consent_service(served)
            key, url = application.store_key(served), application.settings.public_url
            links = PreferenceLinks(consent, key, url)
            receipts, windows = application.receipts(served), application.rate_windows(served)
            found = Preferences(consent, links, receipts, windows)
            state.preferences = found
    return found


@router.get("/preferences")
def ask(request: Request) -> Response:
    """The choices explained, the cookie settings button and the form asking for a link."""
    return _ask_page(request, sent=request.query_params.get("sent") == "1")


@router.post("/preferences")
async def send_link(request: Request) -> Response:
    """Mail a preference link to the address given: the same answer for every address."""
    form = await read_form(request, LONGEST_FORM)
    try:
        address = _address(_checked(request, form).get("email", ""))
        await run_in_threadpool(_mail_link, request, address, _lang(request))
    except Refused as refused:
        return _ask_page(request, refused, _shown(form))
    return redirect("/preferences?sent=1", request)


@router.get(MANAGE)
def manage(request: Request) -> Response:
    """The subject's choices; a token in the URL is first moved into a cookie (303)."""
    try:
        if "token" in request.query_params:
            return _keep_token(request, request.query_params["token"])
        links = preferences(request).links
        holder = _read(links, request.cookies.get(LINK_COOKIE))
        history = preferences(request).consent.history(holder.identity)
    except Refused as refused:
        return _refusal(request, refused)
    listed, token = choices(programme(request), history, _lang(request)), _csrf_token(request)
    response = page(
        request,
        "centre/preferences_manage.html",
        choices=listed,
        csrf=token,
        confirmation=_confirmation(request, holder.subject),
        unchanged=_unchanged(request, listed),
        expires_at=holder.expires_at,
    )
    response.headers["X-Robots-Tag"] = "noindex"
    return _with_csrf(request, response, token)


@router.post(MANAGE)
async def record_choice(request: Request) -> Response:
    """Record one click: give, withdraw or unsubscribe; then the page again (303)."""
    try:
        holder = _read(preferences(request).links, request.cookies.get(LINK_COOKIE))
        form = _checked(request, await read_form(request, LONGEST_FORM))
        purpose = offered(programme(request), form.get("purpose", ""))
        action = Action(form.get("action", ""))
    except Refused as refused:
        return _refusal(request, refused)
    except (RequestError, ValueError):
        return _refusal(request, Refused("choice"))
    consent, lang = preferences(request).consent, _lang(request)
    try:
        event = await run_in_threadpool(
            choose,
            consent,
            holder.identity,
            purpose,
            action,
            lang=lang,
            evidence=f"preferences link {holder.link_id}",
        )
    except RequestError:
        return _refusal(request, Refused("choice"))
    if event is None:
        return redirect(f"{MANAGE}?unchanged={purpose.key}", request)
    return redirect(f"{MANAGE}?done={event.id}", request)


def _ask_page(
    request: Request, refused: Refused | None = None, value: str = "", *, sent: bool = False
) -> Response:
    status, token = STATUS[refused.reason] if refused else 200, _csrf_token(request)
    response = page(
        request,
        "centre/preferences.html",
        status,
        csrf=token,
        error=refused.reason if refused else "",
        email=value,
        sent=sent,
        managed=bool(managed(programme(request))),
    )
    if refused is not None and refused.retry_after:
        response.headers["Retry-After"] = str(refused.retry_after)
    return _with_csrf(request, response, token)


def _refusal(request: Request, refused: Refused) -> Response:
    """The refusal page of the manage routes: what went wrong and how to get a new link."""
    response = page(
        request,
        "centre/preferences_error.html",
        STATUS[refused.reason],
        reason=refused.reason,
        languages=_bare_languages(request),
    )
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _bare_languages(request: Request) -> list[LanguageLink]:
    """The language switcher linking to this path without its query (never the token)."""
    served, chosen = programme(request), _lang(request)
    return [
        LanguageLink(
            code, LANGUAGE_NAMES.get(code, code), f"{request.url.path}?lang={code}", code == chosen
        )
        for code in offered_languages(served)
    ]


def _checked(request: Request, form: dict[str, str] | None) -> dict[str, str]:
    """The posted ``form`` when it was small enough, is UTF-8 and carries the CSRF token."""
    if form is None:
        raise Refused("too_large")
    if not same_token(request.cookies.get(CSRF_COOKIE), form.get("csrf")):
        raise Refused("csrf")
    if any("\ufffd" in name or "\ufffd" in value for name, value in form.items()):
        raise Refused("encoding")
    return form


def _address(value: str) -> str:
    """``value`` as one e-mail address in lower case; Refused("email") when it is not."""
    try:
        return channel_address(value.strip())
    except RequestError:
        raise Refused("email") from None


def _shown(form: dict[str, str] | None) -> str:
    """The address typed, to show again in the form: only when short and printable."""
    value = (form or {}).get("email", "").strip()
    return value if len(value) <= 254 and value.isprintable() else ""


def _mail_link(request: Request, address: str, lang: str) -> None:
    """Rate-limit, then mail a link to ``address`` (Refused: throttled or unavailable)."""
    shared = preferences(request)
    application = services(request).application
    try:
        mailer = application.mailer()
        if mailer is None:
            raise Refused("unavailable")
        identity = {"email": address}
        _limit(request, shared, shared.consent.subject(identity))
        token, expires_at = shared.links.token(identity)
        organisation = programme(request).organisation
        message = link_message(
            sender=application.settings.mail_from,
            to=address,
            link=shared.links.link(token, lang),
            expires_at=expires_at,
            lang=lang,
            organisation=organisation.known_as if organisation else "",
        )
        mailer.send(message)
    except (ConfigurationError, ConnectorError):
        raise Refused("unavailable") from None
    except Throttled as throttled:
        raise Refused("throttled", throttled.retry_after) from None


def _limit(request: Request, shared: Preferences, subject: str) -> None:
    """Count one link for the address's keyed reference and the client; Throttled if full.

    The keys name the links, apart from the submissions' keys in the same store.
    """
    limits = services(request).subjects.limits
    client = request.client.host if request.client else "unknown"
    windows = {f"link-address:{subject}": limits.per_identity}
    windows[f"link-client:{client[:64]}"] = limits.per_address
    wait = shared.windows.attempt(windows, shared.consent.clock.now())
    if wait:
        raise Throttled(wait)


def _read(links: PreferenceLinks, token: str | None) -> Holder:
    """Who the cookie's token lets act; Refused naming why not (missing, tampered, expired)."""
    if not token:
        raise Refused("missing")
    try:
        return links.read(token)
    except LinkRefused as refused:
        raise Refused(refused.reason) from None
    except ConfigurationError:
        raise Refused("unavailable") from None


def _keep_token(request: Request, token: str) -> Response:
    """Check the link's token, keep it in a cookie on the page's path and reload without it."""
    holder = _read(preferences(request).links, token)
    response = redirect(MANAGE, request)
    now = preferences(request).consent.clock.now()
    response.set_cookie(
        LINK_COOKIE,
        token,
        max_age=max(1, int((holder.expires_at - now).total_seconds())),
        path=MANAGE,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _csrf_token(request: Request) -> str:
    """The CSRF token of this visitor's forms: the cookie's, or a new one."""
    token = request.cookies.get(CSRF_COOKIE) or ""
    return token if len(token) == 43 else new_token()


def _with_csrf(request: Request, response: Response, token: str) -> Response:
    """``response`` setting the CSRF cookie ``token`` (HttpOnly, SameSite=Lax) on the pages."""
    response.set_cookie(
        CSRF_COOKIE,
        token,
        path="/preferences",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


def _confirmation(request: Request, subject: str) -> Confirmation | None:
    """The choice ``?done=`` names, when it is one of this subject's events."""
    event_id = request.query_params.get("done", "")
    if not _EVENT_ID.fullmatch(event_id):
        return None
    receipts = preferences(request).receipts
    try:
        event = receipts.event(event_id)
    except UnknownEvent:
        return None
    listed = {purpose.key: purpose for purpose in managed(programme(request))}
    if event.subject != subject or event.purpose not in listed:
        return None
    name = in_language(listed[event.purpose].name, _lang(request))
    return Confirmation(name, event.kind.value, _receipt(receipts, event))


def _receipt(receipts: Receipts, event: ChoiceEvent) -> str | None:
    try:
        return receipts.receipt_link(event)
    except ConfigurationError:
        return None


def _unchanged(request: Request, listed: list[PurposeChoice]) -> str | None:
    """The name of the purpose ``?unchanged=`` names, when the page lists it."""
    key = request.query_params.get("unchanged", "")
    return next((choice.name for choice in listed if choice.key == key), None)


def _lang(request: Request) -> str:
    return negotiate_language(request, programme(request))
