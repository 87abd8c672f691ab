"""Dates read the Indonesian way, in the office's zone, with the zone named."""

from datetime import UTC, datetime

import pytest
from flask_babel import force_locale

from portal.i18n import format_local_date, format_local_datetime, format_local_time

NINE_WITA = datetime(2022, 12, 1, 1, 0, tzinfo=UTC)


def test_indonesian_long_form_in_wita(app):
    with app.test_request_context():
        assert format_local_datetime(NINE_WITA) == "Kamis, 1 Desember 2022, 09.00 WITA"


def test_english_long_form_in_wita(app):
    with app.test_request_context(), force_locale("en"):
        assert format_local_datetime(NINE_WITA) == "Thursday, 1 December 2022, 09:00 WITA"


@pytest.mark.app_config(PORTAL_TIMEZONE="Asia/Jakarta")
def test_another_indonesian_zone_is_named_wib(app):
    with app.test_request_context():
        assert format_local_time(NINE_WITA) == "08.00 WIB"


@pytest.mark.app_config(PORTAL_TIMEZONE="Asia/Jayapura")
def test_date_changes_with_the_zone(app):
    late = datetime(2022, 12, 1, 16, 30, tzinfo=UTC)
    with app.test_request_context():
        assert format_local_date(late) == "Jumat, 2 Desember 2022"
        assert format_local_time(late) == "01.30 WIT"


@pytest.mark.app_config(PORTAL_TIMEZONE="Europe/Amsterdam")
def test_zone_outside_indonesia_uses_its_abbreviation(app):
    with app.test_request_context():
        assert format_local_time(NINE_WITA) == "02.00 CET"
