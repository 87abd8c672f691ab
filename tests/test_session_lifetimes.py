"""Login sessions end after an idle and an absolute lifetime that depend on the role and on
remember-me, configurable; a periodic job of the mail worker ends and later deletes them."""

from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie

import pytest
from sqlalchemy import func, select

from portal.accounts.models import LoginSession, Role
from portal.extensions import db
from portal.mail.delivery import run_periodic_jobs

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 09.00 WITA
MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock(app):
    clock = Clock(START)
    app.config["PORTAL_LOGIN_CLOCK"] = clock
    return clock


def is_in(client) -> bool:
    response = client.get("/account/password")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def remember_cookie(client) -> str:
    return client.get_cookie("remember_token").value


def only_remember_cookie(app, value: str):
    """A browser that was closed: the session cookie is gone, the remember-me cookie stays."""
    fresh = app.test_client()
    fresh.set_cookie("remember_token", value)
    return fresh


def test_staff_stay_in_while_they_work_and_are_out_after_a_working_day_idle(app, client, clock, make_user, login):
    login(client, make_user(Role.ORGANISER))
    for _ in range(4):
        clock.advance(7 * HOUR + 59 * MINUTE)
        assert is_in(client), "each request restarts the idle time"
    clock.advance(8 * HOUR + MINUTE)
    assert not is_in(client)


def test_staff_are_out_after_a_week_however_busy(app, client, clock, make_user, login):
    login(client, make_user(Role.ADMIN), remember=True)
    remembered = remember_cookie(client)
    while clock.now < START + 7 * DAY - 4 * HOUR:
        clock.advance(4 * HOUR)
        assert is_in(client)
    clock.advance(4 * HOUR + MINUTE)
    assert not is_in(client)
    assert not is_in(only_remember_cookie(app, remembered)), "remember-me does not outlive the week"


def test_a_board_member_without_remember_me_is_out_after_a_day_idle(client, clock, make_cooperative,
                                                                    make_board_user, login):
    login(client, make_board_user(make_cooperative()))
    clock.advance(23 * HOUR)
    assert is_in(client)
    clock.advance(DAY + MINUTE)
    assert not is_in(client)


def test_a_board_member_who_ticked_remember_me_stays_in_for_thirty_days(app, client, clock, make_cooperative,
                                                                        make_board_user, login):
    login(client, make_board_user(make_cooperative()), remember=True)
    remembered = remember_cookie(client)
    clock.advance(20 * DAY)
    assert is_in(only_remember_cookie(app, remembered)), "three weeks away, the phone is still logged in"
    clock.advance(10 * DAY + MINUTE)
    assert not is_in(only_remember_cookie(app, remembered))
    assert not is_in(client)


def test_the_remember_me_cookie_expires_with_the_absolute_lifetime(client, clock, make_user, make_cooperative,
                                                                   make_board_user, login):
    def cookie_days(user) -> float:
        response = login(client, user, remember=True)
        cookies = SimpleCookie()
        for header in response.headers.getlist("Set-Cookie"):
            cookies.load(header)
        expires = datetime.strptime(cookies["remember_token"]["expires"], "%a, %d %b %Y %H:%M:%S GMT")
        client.post("/logout")
        return (expires.replace(tzinfo=UTC) - datetime.now(UTC)) / DAY

    assert 6.9 < cookie_days(make_user(Role.ORGANISER)) <= 7
    assert 29.9 < cookie_days(make_board_user(make_cooperative())) <= 30


@pytest.mark.app_config(LOGIN_STAFF_IDLE_SECONDS=600, LOGIN_STAFF_MAX_SECONDS=3600)
def test_the_lifetimes_are_configurable(client, clock, make_user, login):
    login(client, make_user(Role.ORGANISER))
    clock.advance(timedelta(minutes=9))
    assert is_in(client)
    clock.advance(timedelta(minutes=11))
    assert not is_in(client)


def test_an_active_session_is_written_at_most_every_few_minutes(client, clock, make_user, login, count_queries):
    login(client, make_user(Role.ORGANISER))
    with count_queries() as statements:
        for _ in range(5):
            clock.advance(timedelta(seconds=30))
            assert is_in(client)
    updates = [s for s in statements if s.lstrip().upper().startswith("UPDATE LOGIN_SESSIONS")]
    assert len(updates) == 0
    clock.advance(timedelta(minutes=5))
    with count_queries() as statements:
        assert is_in(client)
    assert len([s for s in statements if s.lstrip().upper().startswith("UPDATE LOGIN_SESSIONS")]) == 1


def test_the_worker_ends_expired_sessions_and_later_deletes_them(app, client, clock, make_user, make_cooperative,
                                                                 make_board_user, login):
    staff, board = make_user(Role.ORGANISER), make_board_user(make_cooperative())
    login(app.test_client(), staff)
    login(app.test_client(), board, remember=True)
    login(client, staff)
    clock.advance(HOUR)
    client.post("/logout")

    def run_jobs(now) -> None:
        run_periodic_jobs(now)
        db.session.rollback()  # a fresh snapshot: each job commits in a session (app context) of its own

    def open_sessions() -> dict[int, int]:
        rows = db.session.execute(select(LoginSession.user_id, func.count()).where(LoginSession.ended_at.is_(None))
                                  .group_by(LoginSession.user_id))
        return dict(rows.all())

    clock.advance(8 * HOUR)
    run_jobs(clock.now)
    assert open_sessions() == {board.id: 1}, "the idle staff session has ended, the remembered board one not"
    clock.now = START + 30 * DAY + MINUTE
    run_jobs(clock.now)
    assert open_sessions() == {}
    assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 3, "kept a while for the record"
    clock.advance(31 * DAY)
    run_jobs(clock.now)
    assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 0
