"""The mixed load, through nginx only: visitors browsing public and logged-in pages, board
members signing people up to one event in concurrent waves, an organiser sending an invitation
round through the web form. Bounded in count (``max_requests`` per visitor) and time (``stop``)."""

import html
import re
import threading
import time
from dataclasses import dataclass

from deploy.topology.database import DEMO_BOARD, DEMO_PASSWORD, ORGANISER, PASSWORD, Scenario
from deploy.topology.http import Browser, Recorder, csrf_token


class Addresses:
    """Loopback source addresses, one per visitor: 127.0.1.1, 127.0.1.2, ... (Linux routes all of
    127.0.0.0/8 to lo); 127.0.0.x is left to the rate-limit probe."""

    def __init__(self):
        self.taken = 0
        self.lock = threading.Lock()

    def take(self) -> str:
        with self.lock:
            n, self.taken = self.taken, self.taken + 1
        return f"127.0.{1 + n // 250}.{1 + n % 250}"


def public_pages(scenario: Scenario) -> list[str]:
    events = [f"/events/{event_id}" for event_id in scenario.browse_event_ids]
    return ["/", "/events", "/events/calendar", "/certificates", "/login", "/register", *events,
            f"/events/{scenario.signup_event_id}.ics"]


def organiser_pages(scenario: Scenario) -> list[str]:
    return ["/organiser/events", f"/organiser/events/{scenario.invitation_event_id}",
            f"/organiser/events/{scenario.invitation_event_id}/invitations", "/cooperatives/",
            "/cooperatives/?page=3", "/cooperatives/?q=topologi",
            f"/organiser/events/{scenario.signup_event_id}/registrations", "/email/"]


BOARD_PAGES = ["/my-cooperative", "/my-cooperative/events", "/events"]


@dataclass
class Visitor:
    name: str
    browser: Browser
    pages: list[str]


class Browsing:
    """Visitors walking their pages round and round until stopped or ``max_requests`` each."""

    def __init__(self, visitors: list[Visitor], stop: threading.Event, think: float, max_requests: int):
        self.visitors, self.stop, self.think, self.max_requests = visitors, stop, think, max_requests
        self.threads = [threading.Thread(target=self._walk, args=(v,), name=v.name, daemon=True) for v in visitors]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def join(self, timeout: float) -> None:
        for thread in self.threads:
            thread.join(timeout)

    def _walk(self, visitor: Visitor) -> None:
        for n in range(self.max_requests):
            if self.stop.is_set():
                return
            page = visitor.pages[n % len(visitor.pages)]
            visitor.browser.get(page, label=f"{visitor.name} GET {re.sub(r'/[0-9]+', '/N', page)}")
            self.stop.wait(self.think)


def visitors(base: str, cafile: str, recorder: Recorder, addresses: Addresses, scenario: Scenario,
             anonymous: int = 2) -> list[Visitor]:
    """Anonymous visitors, the demo organiser and the demo board member, each logged in through nginx."""
    found = [Visitor(f"visitor{n}", Browser(base, addresses.take(), cafile, recorder), public_pages(scenario))
             for n in range(anonymous)]
    organiser = Browser(base, addresses.take(), cafile, recorder)
    organiser.login(ORGANISER, DEMO_PASSWORD)
    board = Browser(base, addresses.take(), cafile, recorder)
    board.login(DEMO_BOARD, DEMO_PASSWORD)
    return [*found, Visitor("organiser", organiser, organiser_pages(scenario)),
            Visitor("board", board, BOARD_PAGES)]


@dataclass
class SignUpMember:
    email: str
    browser: Browser
    token: str = ""


def board_members(base: str, cafile: str, recorder: Recorder, addresses: Addresses, scenario: Scenario
                  ) -> list[SignUpMember]:
    """Each signing-up board member logged in (from an address of its own) with the form's token."""
    members = []
    for email in scenario.board:
        member = SignUpMember(email, Browser(base, addresses.take(), cafile, recorder))
        member.browser.login(email, PASSWORD)
        form = member.browser.get(f"/my-cooperative/events/{scenario.signup_event_id}/sign-up", label="sign-up form")
        member.token = csrf_token(form.text)
        members.append(member)
    return members


def sign_up_wave(members: list[SignUpMember], event_id: int, people_each: int, wave: str) -> list[int | None]:
    """All members at once (released together), each posting ``people_each`` sign-ups of a new
    person; returns the status of every POST (302: signed up or waitlisted)."""
    barrier = threading.Barrier(len(members))
    statuses, lock = [], threading.Lock()

    def member_signs_up(member: SignUpMember) -> None:
        barrier.wait()
        for n in range(people_each):
            name = f"{member.email.split('@')[0]}-{wave}-{n}"
            answer = member.browser.post(f"/my-cooperative/events/{event_id}/sign-up", {
                "csrf_token": member.token, "full_name": f"Peserta {name}", "position": "staff",
                "email": f"{name}@peserta.example"}, label=f"POST sign-up ({wave})")
            with lock:
                statuses.append(answer.status)

    threads = [threading.Thread(target=member_signs_up, args=(m,), daemon=True) for m in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return statuses


def heavy_reads(tabs: list[Browser], pages: list[str]) -> threading.Thread:
    """One GET per tab, all at once: some are in flight on each app server at a given moment."""
    def read_all():
        threads = [threading.Thread(target=tab.get, args=(page,), kwargs={"label": "organiser GET at the kill"},
                                    daemon=True) for tab, page in zip(tabs, pages, strict=False)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)

    return threading.Thread(target=read_all, daemon=True)


def send_invitation_round(organiser: Browser, event_id: int) -> tuple[int, int | None, float]:
    """The organiser previews "every cooperative not invited yet" and sends it through the form.
    Returns (how many the preview announced, the POST's status, its seconds)."""
    page = organiser.get(f"/organiser/events/{event_id}/invitations/new?mode=filter&not_invited=y",
                         label="organiser GET invitation preview")
    count = re.search(r'data-testid="preview" data-count="(\d+)"', page.text)
    form = re.search(r'<form method="post"[^>]*data-testid="send-form".*?</form>', page.text, re.DOTALL)
    if count is None or form is None:
        raise RuntimeError(f"the invitation preview did not offer a send form (status {page.status})")
    fields = [(name, html.unescape(value)) for name, value in
              re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(0))]
    fields.append(("what_to_bring", "Laporan RAT terakhir."))
    started = time.time()
    answer = organiser.post(f"/organiser/events/{event_id}/invitations", _pairs(fields),
                            label="organiser POST invitation round",
                            form_page=f"/organiser/events/{event_id}/invitations/new")
    return int(count.group(1)), answer.status, time.time() - started


def _pairs(fields: list[tuple[str, str]]) -> dict:
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return data
