"""A real tutela serving the Cloudockit example on loopback, for the browser tests and screenshots.

:func:`serving` builds the example's systems as SQLite databases holding synthetic people
(:mod:`tutela.testing.synthetic`), a new SQLite store at the head revision, mail to a real
SMTP server on loopback (:mod:`tutela.testing.smtp`), a privacy officer's console login
(:data:`OFFICER`, :data:`PASSWORD`), and serves the API with its pages under uvicorn on a
free loopback port, in a thread. The in-process worker is not started: a test runs the
worker's step itself (:meth:`Site.run_worker`), so an answer lands when the test says.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from tutela.access.limits import SubjectLimits
from tutela.api.app import create_app
from tutela.bootstrap import Application, build
from tutela.consent.service import Context
from tutela.jobs.worker import Worker
from tutela.ledger.checkpoint import generate_key
from tutela.programme.loader import load_programme
from tutela.programme.models import Programme
from tutela.requests.sealing import StoreKey
from tutela.store.console import login_service
from tutela.store.ledger import open_ledger
from tutela.testing import synthetic
from tutela.testing.smtp import Inbox, free_port, smtp_inbox

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "cloudockit"
OFFICER = "officer"
"""The console login of the tests (role ``privacy_officer``: no second factor)."""
PASSWORD = "a browser test's password"
PEOPLE = 60
"""Synthetic people in the example's systems (the demo has 200; fewer build faster)."""
MARKETING = "direct_marketing"
"""The example's consent purpose for marketing e-mails."""


@dataclass(frozen=True)
class Site:
    """A running tutela: its address, what it is built from, and the mail it sent."""

    base: str
    application: Application
    programme: Programme
    inbox: Inbox
    subject: str
    """The e-mail of the synthetic person found in the most systems (the requests' subject)."""

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` on this site."""
        return f"{self.base}{path}"

    def run_worker(self) -> int:
        """Run the worker's step once (approved requests are answered); how many steps ran."""
        return Worker(self.application, self.programme, "browser-tests").run_once()

    def give_consent(self, email: str, purpose: str = MARKETING) -> None:
        """Record that ``email`` gave consent to ``purpose`` on a web form, as a site would."""
        service = self.application.consent_service(self.programme)
        context = Context(method="web_form", language="en", jurisdiction="BE")
        service.give({"email": email}, purpose, context, actor="subject:web-form")

    def hold_post(self, post_id: str, text: str, lang: str = "en") -> str:
        """Screen a community post as the platform would; the queue id of the held post."""
        screened = self.application.moderation_desk().screen(post_id, text, lang)
        assert screened.queue_id is not None, f"{text!r} was not held"
        return screened.queue_id


@contextmanager
def serving(folder: Path, people: int = PEOPLE) -> Iterator[Site]:
    """Serve the Cloudockit example from ``folder`` (its databases) until the block ends."""
    programme = load_programme(EXAMPLE)
    person = synthetic.best_known_person(programme, people=people, seed=1)
    assert person is not None, "the example's systems hold no people"
    with smtp_inbox() as (inbox, smtp_port):
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        application = build(_environ(folder, programme, people, smtp_port, base))
        login_service(application.ledger(), application.clock).add(
            OFFICER, "privacy_officer", PASSWORD
        )
        api = create_app(application, programme, limits=SubjectLimits(), source=EXAMPLE)
        with _uvicorn(api, port):
            yield Site(base, application, programme, inbox, person.email)


def _environ(
    folder: Path, programme: Programme, people: int, smtp_port: int, base: str
) -> dict[str, str]:
    """The settings of the site: the systems' URLs, a new store, keys, mail and its address."""
    systems = synthetic.build_systems(programme, folder / "systems", people=people, seed=1)
    store = f"sqlite:///{folder / 'tutela.sqlite'}"
    open_ledger(store).close()  # the store at the head revision, as `tutela db upgrade` does
    return {
        **systems,
        "TUTELA_DATABASE_URL": store,
        "TUTELA_HASH_KEY": "browser-tests-hash-key",
        "TUTELA_STORE_KEY": StoreKey.generate(),
        "TUTELA_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}?starttls=false",
        "TUTELA_MAIL_FROM": "privacy@cloudockit.example.test",
        "TUTELA_PUBLIC_URL": base,
        "TUTELA_LEDGER_KEY": generate_key("tutela.local/ledger").private_text(),
    }


@contextmanager
def _uvicorn(api: object, port: int) -> Iterator[None]:
    """``api`` under uvicorn on 127.0.0.1:``port`` in a thread, stopped on exit."""
    config = uvicorn.Config(api, host="127.0.0.1", port=port, log_level="warning")  # type: ignore[arg-type]
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    for _ in range(200):
        if running.started:
            break
        time.sleep(0.05)
    assert running.started, "uvicorn did not start"
    try:
        yield
    finally:
        running.should_exit = True
        thread.join(timeout=10)
