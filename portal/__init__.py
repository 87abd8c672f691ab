"""Portal Koperasi: the application factory."""

from pathlib import Path

from flask import Flask, request

from portal.config import load_config

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(load_config(Path(app.instance_path), config))
    register_logging(app)
    register_proxy(app)
    register_input(app)
    register_extensions(app)
    register_security(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def register_logging(app: Flask) -> None:
    from portal.requestlog import configure_logging

    configure_logging(app)


def register_proxy(app: Flask) -> None:
    """Behind nginx, the client's address (rate limits, login sessions) and scheme come from the
    headers the proxy sets; without a declared proxy they are ignored, so no client can forge them."""
    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


def register_input(app: Flask) -> None:
    """Odd input (NUL bytes, ids beyond the columns' range) is refused before any view or
    extension reads it; this comes first so that its converter serves every route."""
    from portal.inputs import init_app

    init_app(app)


def register_extensions(app: Flask) -> None:
    from portal.accounts.access import declare_public, enforce_access
    from portal.accounts.lifetimes import keep_login_alive
    from portal.accounts.services import load_session_user
    from portal.api.auth import authenticate_api_request
    from portal.database import begin_write, configure_postgresql, configure_sqlite
    from portal.documents import register_template_helpers as register_document_helpers
    from portal.extensions import babel, bootstrap, csrf, db, limiter, login_manager, mail, migrate
    from portal.i18n import register_template_helpers, select_locale
    from portal.offices.context import init_app as init_offices
    from portal.settings.services import register_template_globals
    from portal.static_files import register_compression, register_fingerprints

    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
        configure_postgresql(db.engine, app.config["DATABASE_ANSWER_TIMEOUT"])
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    mail.init_app(app)
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")
    bootstrap.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    login_manager.user_loader(load_session_user)
    app.before_request(authenticate_api_request)  # before the access rules: a token, never a cookie, for /api/
    app.before_request(enforce_access)
    app.before_request(keep_login_alive)

    @app.before_request
    def writers_take_their_turn():
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            begin_write(db.session)
    for endpoint in ("static", "bootstrap.static"):
        declare_public(app, endpoint)
    register_template_helpers(app)
    register_template_globals(app)
    init_offices(app)
    register_document_helpers(app)
    register_fingerprints(app)
    register_compression(app)


def register_security(app: Flask) -> None:
    from portal.security import init_app

    init_app(app)


def register_blueprints(app: Flask) -> None:
    from portal.accounts.subscriptions import register_subscriptions as register_account_subscriptions
    from portal.accounts.views import bp as accounts_bp
    from portal.activityreport.subscriptions import register_subscriptions as register_activity_report_subscriptions
    from portal.activityreport.views import bp as activity_report_bp
    from portal.api.setup import init_app as init_api
    from portal.attendance.subscriptions import register_subscriptions as register_attendance_subscriptions
    from portal.attendance.views import bp as attendance_bp
    from portal.audit.views import bp as audit_bp
    from portal.certificates.data_request_views import bp as data_requests_bp
    from portal.certificates.subscriptions import register_subscriptions as register_certificate_subscriptions
    from portal.certificates.views import bp as certificates_bp
    from portal.cooperatives.views import bp as cooperatives_bp
    from portal.events.views import bp as events_bp
    from portal.invitations.subscriptions import register_subscriptions as register_invitation_subscriptions
    from portal.invitations.views import bp as invitations_bp
    from portal.mail.views import bp as mail_bp
    from portal.main.views import bp as main_bp
    from portal.minutes.subscriptions import register_subscriptions as register_minutes_subscriptions
    from portal.minutes.views import bp as minutes_bp
    from portal.offices.views import bp as offices_bp
    from portal.privacy.subscriptions import register_subscriptions as register_privacy_subscriptions
    from portal.privacy.views import bp as privacy_bp
    from portal.registrations.subscriptions import register_subscriptions
    from portal.registrations.views import bp as registrations_bp
    from portal.reports.subscriptions import register_subscriptions as register_report_subscriptions
    from portal.reports.views import bp as reports_bp
    from portal.revival.subscriptions import register_subscriptions as register_revival_subscriptions
    from portal.revival.views import bp as revival_bp
    from portal.settings.views import bp as settings_bp
    from portal.surveys.subscriptions import register_subscriptions as register_survey_subscriptions
    from portal.surveys.views import bp as surveys_bp

    for blueprint in (main_bp, accounts_bp, audit_bp, settings_bp, offices_bp, mail_bp, cooperatives_bp, events_bp,
                      registrations_bp, invitations_bp, attendance_bp, certificates_bp, revival_bp,
                      surveys_bp, minutes_bp, reports_bp, privacy_bp, data_requests_bp, activity_report_bp):
        app.register_blueprint(blueprint)
    register_account_subscriptions(app)
    register_subscriptions(app)
    register_invitation_subscriptions(app)
    register_attendance_subscriptions(app)
    register_certificate_subscriptions(app)
    register_revival_subscriptions(app)
    register_privacy_subscriptions(app)
    init_api(app)
    register_report_subscriptions(app)
    register_survey_subscriptions(app)
    register_minutes_subscriptions(app)
    register_activity_report_subscriptions(app)


def register_errorhandlers(app: Flask) -> None:
    from portal.errors import register_errorhandlers as register

    register(app)


def register_commands(app: Flask) -> None:
    from portal.accounts.cli import create_user_command
    from portal.cooperatives.cli import import_cooperatives_command, load_districts_command
    from portal.demo import seed_demo_command
    from portal.invitations.cli import send_reminders_command
    from portal.mail.cli import mail_cli
    from portal.privacy.cli import privacy_cli
    from portal.revival.cli import import_rats_command

    for command in (create_user_command, seed_demo_command, mail_cli, import_cooperatives_command,
                    load_districts_command, send_reminders_command, import_rats_command, privacy_cli):
        app.cli.add_command(command)
