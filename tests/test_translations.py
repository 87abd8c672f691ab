"""Every string the code marks for translation is in both catalogues, translated."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def _catalog(path):
    with open(path, "rb") as handle:
        return read_po(handle)


def test_catalogues_cover_every_marked_string(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
                    "-k", "lazy_gettext", "--no-location", "-o", str(pot), "."], cwd=ROOT, check=True,
                   capture_output=True)
    wanted = {message.id for message in _catalog(pot) if message.id}
    for lang in ("id", "en"):
        catalog = _catalog(ROOT / "portal" / "translations" / lang / "LC_MESSAGES" / "messages.po")
        translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
        assert sorted(wanted - translated, key=str) == [], f"untranslated in {lang}"


def test_placeholders_survive_translation():
    import re

    catalog = _catalog(ROOT / "portal" / "translations" / "id" / "LC_MESSAGES" / "messages.po")
    pattern = re.compile(r"%\(\w+\)[sd]|\{[^}]*\}")
    for message in catalog:
        if not (message.id and message.string):
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(pattern.findall(ids[-1]))
        for string in strings:
            assert set(pattern.findall(string)) == wanted, message.id
