"""The audit log pages by keyset: "Lebih lama" / "Lebih baru" carry the last (created_at, id)
seen, no OFFSET and no count over the whole log, the same queries on any page."""

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
import sqlalchemy as sa
from sqlalchemy import insert

from portal.accounts.models import Role
from portal.audit.models import AuditEntry
from portal.extensions import db

START = datetime(2026, 1, 1, tzinfo=UTC)


def _fill(count: int) -> None:
    # Pairs share a created_at, so the id must break the tie.
    rows = [{"created_at": START + timedelta(minutes=n // 2), "actor_label": "system",
             "action": "cooperative.update" if n % 2 else "cooperative.create",
             "object_type": "cooperatives", "object_id": str(n), "object_label": f"KSP {n:04d}"}
            for n in range(count)]
    db.session.execute(insert(AuditEntry), rows)
    db.session.commit()


def _link(html: str, text: str) -> str | None:
    match = re.search(r'<a class="page-link" href="([^"]+)">[^<]*' + re.escape(text), html)
    return unescape(match.group(1)) if match and match.group(1) != "#" else None


def _labels(html: str) -> list[str]:
    return re.findall(r"KSP (\d{4})", html)


def test_a_deep_page_issues_the_same_queries_and_no_offset(client, logged_in, count_queries):
    logged_in(Role.ADMIN)
    _fill(1100)
    with count_queries() as first_statements:
        first = client.get("/admin/audit/?action=")
    response, pages = first, 0
    while (older := _link(response.text, "Lebih lama")) and pages < 30:
        response = client.get(older)
        pages += 1
    assert pages == 30 and older  # 31 pages in, and more beyond
    offsets = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if "audit_entries" in statement and "OFFSET" in statement.upper():
            # SQLite's dialect writes "LIMIT ? OFFSET ?" with 0 for any LIMIT: the last parameter.
            offsets.append(parameters[-1] if isinstance(parameters, tuple | list) else parameters)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        with count_queries() as deep_statements:
            deep = client.get(older)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert deep.status_code == 200 and int(_labels(deep.text)[0]) == int(_labels(response.text)[-1]) - 1
    assert len(deep_statements) == len(first_statements)
    audit_sql = [s.upper() for s in first_statements + deep_statements if "audit_entries" in s]
    assert audit_sql and not [s for s in audit_sql if "COUNT(" in s]
    assert all(offset == 0 for offset in offsets), offsets
    if db.engine.dialect.name != "sqlite":
        assert not [s for s in audit_sql if "OFFSET" in s]


def test_older_and_newer_walk_every_entry_once_with_filters_kept(client, logged_in):
    logged_in(Role.ADMIN)
    _fill(120)
    response = client.get("/admin/audit/?action=cooperative.update")
    assert _link(response.text, "Lebih baru") is None
    seen, pages = [], [response.text]
    while older := _link(response.text, "Lebih lama"):
        assert "action=cooperative.update" in older
        response = client.get(older)
        pages.append(response.text)
    for html in pages:
        seen += _labels(html)
    odd = [f"{n:04d}" for n in range(119, 0, -2)]
    assert seen == odd
    # Back again: "Lebih baru" from the last page gives the page before it.
    newer = _link(pages[-1], "Lebih baru")
    assert newer and "action=cooperative.update" in newer
    assert _labels(client.get(newer).text) == _labels(pages[-2])


@pytest.mark.parametrize("query", ["older=x", "older=2026-01-01T00:00:00", "older=2026-01-01T00:00:00,99999999999",
                                   "newer=,", "newer=9999-99-99T00:00:00,1", "older=2026-01-01T00:00:00+00:00,-3,4"])
def test_a_bad_cursor_gives_the_first_page(client, logged_in, query):
    logged_in(Role.ADMIN)
    _fill(40)
    response = client.get(f"/admin/audit/?{query}")
    assert response.status_code == 200
    assert _labels(response.text)[0] == "0039"


def test_the_action_filter_lists_the_known_actions_without_reading_the_log(client, logged_in, count_queries):
    logged_in(Role.ADMIN)
    _fill(4)
    with count_queries() as statements:
        page = client.get("/admin/audit/").text
    assert not [s for s in statements if "DISTINCT" in s.upper()], "no SELECT DISTINCT action over the log"
    assert '<option value="mail.retry">' in page, "an action nobody has taken yet is offered too"
    filtered = client.get("/admin/audit/", query_string={"action": "cooperative.create"}).text
    assert len(_labels(filtered)) == 2


def test_the_actor_search_finds_any_part_of_a_name_in_any_case(client, logged_in):
    logged_in(Role.ADMIN)
    db.session.execute(insert(AuditEntry), [
        {"created_at": START, "actor_label": label, "action": "cooperative.update", "object_type": "cooperatives",
         "object_id": str(n), "object_label": f"KSP {n:04d}"}
        for n, label in enumerate(["Maria Tefa <maria@example.org>", "Yohanes Bani <yohanes@example.org>"])])
    db.session.commit()
    assert _labels(client.get("/admin/audit/", query_string={"actor": "TEFA"}).text) == ["0000"]


@pytest.mark.postgres
def test_the_actor_search_goes_through_a_trigram_index_on_postgresql(app):
    from portal.audit.services import audit_query

    query = sa.select(sa.func.count()).select_from(audit_query(actor="tefa").order_by(None).subquery())
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    db.session.execute(sa.text("SET LOCAL enable_indexscan = off"))
    plan = "\n".join(db.session.scalars(sa.text("EXPLAIN " + str(compiled).replace("%%", "%"))))
    assert "ix_audit_entries_actor_label_trgm" in plan, plan
