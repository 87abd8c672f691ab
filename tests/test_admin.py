"""Staff accounts, audit log and office settings, as administrators use them."""

import io

from sqlalchemy import select

from portal.accounts import services
from portal.accounts.models import Role, User
from portal.audit.models import AuditEntry
from portal.errors import RuleViolation
from portal.extensions import db
from portal.settings.services import format_letter_number, get_office_settings, update_office_settings

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _entries(action):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def test_admin_creates_a_staff_account_and_it_is_audited(client, logged_in):
    admin = logged_in(Role.ADMIN)
    response = client.post("/admin/users/new", data={
        "full_name": "Agus Salim", "email": "Agus@Dinas.go.id", "phone": "", "role": "organiser",
        "password": "long-enough-1"})
    assert response.status_code == 302
    user = services.find_user_by_email("agus@dinas.go.id")
    assert user.role == Role.ORGANISER and user.email == "agus@dinas.go.id"
    [entry] = [e for e in _entries("user.create") if e.object_id == str(user.id)]
    assert entry.actor_id == admin.id and entry.after["email"] == "agus@dinas.go.id"
    assert "password_hash" not in entry.after


def test_duplicate_email_gets_a_message_on_the_field(client, logged_in, make_user):
    logged_in(Role.ADMIN)
    make_user(Role.ORGANISER, email="taken@dinas.go.id")
    response = client.post("/admin/users/new", data={
        "full_name": "X", "email": "TAKEN@dinas.go.id", "role": "organiser", "password": "long-enough-1"})
    assert response.status_code == 200
    assert "Alamat email ini sudah memiliki akun." in response.text
    assert db.session.scalar(select(db.func.count(User.id))) == 2


def test_malformed_staff_form_changes_nothing(client, logged_in):
    logged_in(Role.ADMIN)
    response = client.post("/admin/users/new", data={"full_name": "", "email": "not-an-email", "role": "king",
                                                      "password": "short"})
    assert response.status_code == 200
    assert "is-invalid" in response.text
    assert db.session.scalar(select(db.func.count(User.id))) == 1


def test_role_change_is_audited_with_before_and_after(client, logged_in, make_user):
    logged_in(Role.ADMIN)
    organiser = make_user(Role.ORGANISER)
    assert client.post(f"/admin/users/{organiser.id}", data={"role": "admin"}).status_code == 302
    [entry] = _entries("user.set_role")
    assert entry.before == {"role": "organiser"} and entry.after == {"role": "admin"}


def test_admin_cannot_deactivate_or_demote_themselves(app, make_user):
    admin = make_user(Role.ADMIN)
    for action in (lambda: services.set_user_active(admin, admin, False),
                   lambda: services.set_user_role(admin, admin, Role.ORGANISER)):
        try:
            action()
        except RuleViolation:
            pass
        else:
            raise AssertionError("an admin locked themselves out")


def test_board_accounts_are_not_managed_as_staff(client, logged_in, make_user):
    logged_in(Role.ADMIN)
    board = make_user(Role.BOARD)
    assert client.get(f"/admin/users/{board.id}").status_code == 404


def test_staff_list_searches_and_paginates(client, logged_in, make_user):
    logged_in(Role.ADMIN)
    for n in range(30):
        make_user(Role.ORGANISER, full_name=f"Petugas {n:02d}")
    first = client.get("/admin/users")
    assert "Halaman 1 dari 2" in first.text
    found = client.get("/admin/users?q=Petugas 07")
    assert "Petugas 07" in found.text and "Petugas 08" not in found.text


def test_audit_log_filters_by_action(client, logged_in, make_user):
    logged_in(Role.ADMIN)
    make_user(Role.ORGANISER, email="one@dinas.go.id")
    response = client.get("/admin/audit/?action=user.create")
    assert response.status_code == 200 and "one@dinas.go.id" in response.text
    assert "one@dinas.go.id" not in client.get("/admin/audit/?action=settings.update").text


def test_audit_log_refuses_a_bad_date_without_error(client, logged_in):
    logged_in(Role.ADMIN)
    response = client.get("/admin/audit/?since=31-31-2022")
    assert response.status_code == 200
    assert "is-invalid" in response.text


def test_settings_update_is_audited_and_checks_pattern_and_nip(app, make_user):
    admin = make_user(Role.ADMIN)
    settings = get_office_settings()
    values = {"office_name": "Dinas Koperasi", "letter_number_pattern": "{seq:03d}/DK/{roman_month}/{year}",
              "signatory_nip": "19700101 199003 1 005"}
    update_office_settings(admin, values, logo=PNG)
    assert settings.signatory_nip == "197001011990031005"
    assert settings.logo_mimetype == "image/png"
    [entry] = _entries("settings.update")
    assert entry.after["office_name"] == "Dinas Koperasi"
    for bad in ({"letter_number_pattern": "{nope}/{seq}"}, {"letter_number_pattern": "no-seq"},
                {"signatory_nip": "123"}):
        try:
            update_office_settings(admin, {**values, **bad})
        except RuleViolation as violation:
            assert violation.field in bad
        else:
            raise AssertionError(bad)


def test_letter_number_pattern_fills_roman_month():
    from datetime import date

    assert format_letter_number("{seq:03d}/DISKOP/{roman_month}/{year}", 7, date(2022, 12, 1)) == "007/DISKOP/XII/2022"


def test_settings_form_refuses_a_non_image_logo(client, logged_in):
    logged_in(Role.ADMIN)
    settings = get_office_settings()
    db.session.commit()
    data = {field: getattr(settings, field) or "" for field in
            ("office_name", "parent_body", "address", "city", "signatory_name", "signatory_title",
             "letter_number_pattern")}
    data["logo"] = (io.BytesIO(b"GIF89a not a png"), "logo.png")
    response = client.post("/admin/settings/", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "Logo harus berupa gambar PNG atau JPEG." in response.text
    assert client.get("/admin/settings/logo").status_code == 404


def test_create_user_command_reads_password_from_stdin(runner):
    result = runner.invoke(args=["create-user", "kepala@dinas.go.id", "--role", "admin", "--name", "Kepala",
                                 "--password-stdin"], input="a-strong-pass-1\n")
    assert result.exit_code == 0, result.output
    assert services.find_user_by_email("kepala@dinas.go.id").role == Role.ADMIN
    again = runner.invoke(args=["create-user", "KEPALA@dinas.go.id", "--role", "admin", "--name", "K",
                                "--password-stdin"], input="a-strong-pass-1\n")
    assert again.exit_code != 0


def test_seed_demo_is_idempotent_and_prints_logins(runner):
    first = runner.invoke(args=["seed-demo"])
    second = runner.invoke(args=["seed-demo"])
    assert first.exit_code == second.exit_code == 0
    assert "organiser@demo.portal-koperasi.example.org" in second.output
    assert "ketua@demo.portal-koperasi.example.org" in second.output
    assert "pimpinan@demo.portal-koperasi.example.org" in second.output
    assert db.session.scalar(select(db.func.count(User.id))) == 5


def test_seed_demo_adds_an_evaluation_and_minutes_once(runner):
    """``make run`` shows a completed training's answered evaluation and the past meeting's
    minutes with decisions and follow-ups; a second run adds none of them again."""
    from portal.events.models import Event, EventKind, EventStatus
    from portal.minutes.models import AgendaItem, FollowUp, FollowUpStatus, Speaker
    from portal.surveys.models import Survey, SurveyAnswered, SurveyResponse

    def counts():
        return [db.session.scalar(select(db.func.count()).select_from(model))
                for model in (Survey, SurveyResponse, SurveyAnswered, Speaker, AgendaItem, FollowUp)]

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    first = counts()
    surveys, responses, answered, speakers, agenda, follow_ups = first
    # The demo's trainings of this year are those already held: none in the first days of January.
    held = db.session.scalar(select(Event.id).where(Event.kind == EventKind.TRAINING,
                                                    Event.status == EventStatus.COMPLETED).limit(1))
    assert (surveys, responses > 0, answered == responses) == ((1, True, True) if held else (0, False, True))
    assert speakers == 3 and agenda == 3 and follow_ups == 3
    assert db.session.scalar(select(FollowUp.id).where(FollowUp.status == FollowUpStatus.DONE)) is not None
    assert db.session.scalar(select(FollowUp.id).where(FollowUp.cooperative_id.is_not(None))) is not None
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert counts() == first
