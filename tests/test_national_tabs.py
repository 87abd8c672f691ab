"""National scale on an event's tabs: registrations paged in SQL with a search, a slim
attendance sheet, invitation statistics that do not read the outbox."""

import pytest

from portal.accounts.models import Role
from portal.extensions import db
from portal.registrations import services as registrations


def _rows(html: str) -> int:
    return html.count("<tr data-status=")


@pytest.mark.app_config(PER_PAGE=2, COUNT_LIMIT=3)
def test_registrations_tab_pages_in_sql_and_searches_people_and_cooperatives(
        client, logged_in, open_event, board_of, make_people, count_queries):
    event = open_event(seats=10)
    cendana, cendana_board = board_of(name="KSP Cendana Oebelo")
    lontar, lontar_board = board_of(name="KSU Lontar Baru")
    registrations.sign_up(cendana_board, event.id, [p.id for p in make_people(cendana, 4)])
    registrations.sign_up(lontar_board, event.id, [p.id for p in make_people(lontar, 1, full_name="Yakobus Tefa")])
    db.session.commit()
    logged_in(Role.ORGANISER)
    url = f"/organiser/events/{event.id}/registrations"
    with count_queries() as statements:
        first = client.get(url).text
    assert _rows(first) == 2 and "Halaman 1<" in first, "a page of 2, more than 3 so no total"
    assert _rows(client.get(url, query_string={"page": 3}).text) == 1
    counting = [s for s in statements if "count(" in s.lower() and "registrations" in s
                and "GROUP BY" not in s.upper()]
    assert counting and all("LIMIT" in s.upper() for s in counting), counting
    by_cooperative = client.get(url, query_string={"q": "cendana oeb"}).text
    cendana_only = client.get(url, query_string={"q": "cendana oeb", "page": 2}).text
    assert _rows(cendana_only) == 2 and "Yakobus" not in cendana_only
    by_cooperative = client.get(url, query_string={"q": "LONTAR bar"}).text
    assert _rows(by_cooperative) == 1 and "Yakobus Tefa" in by_cooperative and "Halaman" not in by_cooperative
    by_person = client.get(url, query_string={"q": "yakobus"}).text
    assert _rows(by_person) == 1 and "Yakobus Tefa" in by_person


@pytest.mark.app_config(DISTRICT_SELECT_LIMIT=1)
def test_registrations_tab_filters_districts_by_name_when_there_are_many(client, logged_in, open_event, board_of,
                                                                         make_people):
    event = open_event(seats=10)
    semau, semau_board = board_of(name="KSP Semau Jaya", district="Semau")
    takari, takari_board = board_of(name="KSP Takari Jaya", district="Takari")
    registrations.sign_up(semau_board, event.id, [p.id for p in make_people(semau, 1, full_name="Orang Semau")])
    registrations.sign_up(takari_board, event.id, [p.id for p in make_people(takari, 1, full_name="Orang Takari")])
    db.session.commit()
    logged_in(Role.ORGANISER)
    url = f"/organiser/events/{event.id}/registrations"
    page = client.get(url).text
    assert "Semau</option>" not in page and 'name="district_id"' in page
    found = client.get(url, query_string={"district_id": "semau"}).text
    assert "Orang Semau" in found and "Orang Takari" not in found


def _sheet_rows(html: str) -> int:
    return html.count('class="sheet-row"')


def test_the_attendance_sheet_keeps_everyone_in_slim_rows(client, login, organiser, training, make_people):
    t = training(people=3, seats=400)
    url = f"/organiser/events/{t.event.id}/attendance/{t.sessions[0].id}"
    login(client, organiser)
    small = client.get(url).text
    people = make_people(t.cooperative, 100)
    registrations.sign_up(t.board, t.event.id, [p.id for p in people])
    db.session.commit()
    full = client.get(url).text
    assert _sheet_rows(full) == 103, "the whole session's list, for the offline sheet"
    per_person = (len(full.encode()) - len(small.encode())) / 100
    assert per_person < 450, f"{per_person:.0f} bytes a person"
    first = t.registrations[0]
    row = full[full.index(f'id="r{first.id}"'):]
    row = row[:row.index("</li>")]
    assert first.participant.full_name in row and t.cooperative.name in row
    assert row.count('name="set"') == 4 and f'value="{first.id}:present"' in row
    searched = client.get(url, query_string={"q": people[-1].full_name.upper()}).text
    assert _sheet_rows(searched) == 1 and people[-1].full_name in searched, "the search works without script"
    by_cooperative = client.get(url, query_string={"q": t.cooperative.name.lower()}).text
    assert _sheet_rows(by_cooperative) == 103


def test_invitations_tab_counts_deliveries_without_reading_the_event_s_outbox(
        client, logged_in, invitable_event, make_invitee, invite, smtp, count_queries):
    from sqlalchemy import select

    from portal.invitations.models import Invitation
    from portal.mail.delivery import send_pending

    event = invitable_event()
    bounced = make_invitee(name="KSP Pental", email="pental@example.org", board=())  # its message goes first
    reached = make_invitee(name="KSP Sampai")
    invite(event, [bounced, reached, make_invitee(name="KSP Tanpa Alamat", email=None, board=())])
    queued = {i.guest_name: (i.messages_total, i.messages_pending) for i in db.session.scalars(
        select(Invitation).where(Invitation.event_id == event.id))}
    assert queued["KSP Tanpa Alamat"] == (0, 0) and queued["KSP Pental"] == (1, 1), "kept as the mail is queued"
    smtp.answers.append("550 5.1.1 No such user")
    send_pending("test")
    logged_in(Role.ORGANISER)
    with count_queries() as statements:
        tab = client.get(f"/organiser/events/{event.id}/invitations").text
    for key, count in {"all": 3, "sent": 1, "failed": 1, "no_address": 1, "queued": 0}.items():
        assert tab.split(f'data-count="{key}"')[1].split("</a>")[0].endswith(f": {count}"), key
    assert tab.split('data-progress="failed"')[1].split("</span>")[0].endswith(": 1")
    outbox = [s for s in statements if "outbox_messages" in s and "invitations" in s]
    assert outbox == [], "the counts are kept on the invitations as the worker delivers"


def test_the_sheet_s_rows_escape_names_and_cooperatives(client, login, organiser, training, make_people):
    t = training(people=0, seats=10, cooperative_name='KSP "Maju" & <Jaya>')
    [person] = make_people(t.cooperative, 1, full_name="<script>alert(1)</script>")
    registrations.sign_up(t.board, t.event.id, [person.id])
    db.session.commit()
    login(client, organiser)
    page = client.get(f"/organiser/events/{t.event.id}/attendance/{t.sessions[0].id}").text
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'KSP &#34;Maju&#34; &amp; &lt;Jaya&gt;' in page and 'aria-label="&lt;script&gt;' in page
