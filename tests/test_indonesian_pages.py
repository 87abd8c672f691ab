"""Pages an Indonesian user reads must not show English words or code: the import summary, the
audit log (action names, objects, field names, empty values, yes/no) and the Email page's
attachment names. Each page is rendered in ``id`` and its visible text is searched."""

import io
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

from sqlalchemy import select

from portal.accounts import services as accounts
from portal.accounts.models import Role
from portal.audit import labels
from portal.audit.models import AuditEntry
from portal.cooperatives import services as cooperatives
from portal.cooperatives.importing import import_cooperatives
from portal.cooperatives.models import CooperativeImport, CooperativeStatus
from portal.extensions import db
from portal.mail.models import OutboxMessage
from portal.settings.services import update_office_settings

PORTAL = Path(labels.__file__).resolve().parent.parent
SAMPLE = Path(__file__).parent / "data" / "koperasi_sample.csv"


class _VisibleText(HTMLParser):
    """The text a reader sees: no tags, attributes, scripts or styles."""

    def __init__(self):
        super().__init__()
        self.parts, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in ("script", "style", "template")

    def handle_endtag(self, tag):
        self._hidden -= tag in ("script", "style", "template")

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    reader = _VisibleText()
    reader.feed(html)
    return "\n".join(reader.parts)


def english_in(text: str, words) -> list[str]:
    return sorted({word for word in words if re.search(rf"(?<![\w.@]){re.escape(word)}(?![\w@])", text)})


def test_the_import_summary_reads_in_indonesian(client, logged_in):
    logged_in(Role.ORGANISER)
    upload = client.post("/cooperatives/import", data={"file": (io.BytesIO(SAMPLE.read_bytes()), "koperasi.csv")},
                         content_type="multipart/form-data")
    batch = db.session.scalar(select(CooperativeImport))
    done = client.post(f"/cooperatives/import/{batch.token}/commit", follow_redirects=True)
    assert upload.status_code == 302 and done.status_code == 200
    text = visible_text(done.text)
    assert "Impor selesai" in text
    assert english_in(text, ["created", "updated", "unchanged", "rejected", "warnings"]) == []
    assert "baru 36" in text, text


def test_the_audit_log_reads_in_indonesian(client, logged_in, make_user, make_cooperative, make_event):
    admin = logged_in(Role.ADMIN)
    user = accounts.create_user(admin, "agus@dinas.go.id", "Agus Salim", Role.ORGANISER, "long-enough-1")
    accounts.set_user_role(admin, user, Role.ADMIN)
    accounts.set_user_active(admin, user, False)
    update_office_settings(admin, {"signatory_nip": "197001011995031001", "phone": ""})
    cooperative = make_cooperative(name="KSP Sehati")
    cooperatives.set_status(admin, cooperative, CooperativeStatus.INACTIVE, "Tidak RAT", date(2026, 1, 5))
    make_event(actor=admin, requires_approval=True)
    import_cooperatives(admin, "koperasi.csv", SAMPLE.read_bytes()[:2000], dry_run=False, today=date(2026, 11, 30))
    db.session.commit()
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"cooperative.import_create", "user.create", "user.set_role", "user.deactivate", "settings.update",
            "cooperative.set_status", "event.created", "event.session_added"} <= actions

    page = client.get("/admin/audit/")
    text = visible_text(page.text)

    assert page.status_code == 200
    assert english_in(text, sorted(actions)) == [], "raw action codes"
    assert english_in(text, ["users", "events", "cooperatives", "office_settings", "office settings",
                             "None", "True", "False"]) == []
    assert english_in(text, ["full_name", "is_active_account", "role", "signatory_nip", "status_reason",
                             "status_date", "requires_approval", "seats", "starts_on", "kind", "program_area",
                             "starts_at", "venue_id", "organiser", "admin", "inactive", "draft", "training",
                             "hr_training", "phone", "system", "chair", "secretary", "treasurer"]) == []
    assert not re.search(r"\d{4}-\d\d-\d\dT", text), "ISO times"
    assert "Akun pengguna dibuat" in text and "Pengguna" in text
    assert "Tidak aktif" in text and "Ya" in text and "Tidak" in text and "—" in text


def test_every_action_the_portal_records_has_a_name():
    """The codes given to ``record_change``, directly or through a helper's ``action``."""
    pattern = re.compile(r'(?:record_change\(|_give_seat\(|_decide\(|action = ).*')
    code = re.compile(r'"([a-z_]+\.[a-z_]+)"')
    written = {found for path in PORTAL.rglob("*.py") for line in pattern.findall(path.read_text())
               for found in code.findall(line)}
    assert len(written) > 40
    assert sorted(written - set(labels.ACTIONS)) == []


def test_the_email_page_names_its_attachments_in_indonesian(client, logged_in, invitable_event, make_invitee, invite):
    logged_in(Role.ORGANISER)
    invite(invitable_event(), [make_invitee()])
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.template.like("invitations/%")))
    assert [d["renderer"] for d in message.deferred_attachments] == ["invitations.calendar", "invitations.letter"]

    text = visible_text(client.get(f"/email/{message.id}").text)

    assert english_in(text, ["invitations.calendar", "invitations.letter"]) == []
    assert "Surat undangan (PDF)" in text and "Kalender acara (.ics)" in text
