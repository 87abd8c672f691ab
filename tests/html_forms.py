"""Read a form out of a page the way a browser would submit it, to post it back unchanged."""

from html.parser import HTMLParser

from werkzeug.datastructures import MultiDict


class _FormReader(HTMLParser):
    """Collects what a browser would submit from the form whose data-testid (or action) matches."""

    def __init__(self, wanted: str):
        super().__init__()
        self.wanted, self.inside, self.values = wanted, False, []
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = self.wanted in (attrs.get("data-testid"), attrs.get("action"))
        if not self.inside or "name" not in attrs and tag != "option":
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button"):
                self.values.append((attrs["name"], attrs.get("value", "y" if kind == "checkbox" else "")))
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self.values.append((self._select, attrs.get("value", "")))
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.values.append((self._textarea, ""))

    def handle_data(self, data):
        if self._textarea:
            name, text = self.values[-1]
            self.values[-1] = (name, text + data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_values(html: str, wanted: str) -> MultiDict:
    reader = _FormReader(wanted)
    reader.feed(html)
    values = MultiDict(reader.values)
    for name in values:  # a textarea's content starts after one newline, which browsers drop
        for newline in ("\r\n", "\n"):
            if values[name].startswith(newline):
                values[name] = values[name][len(newline):]
                break
    return values


def field_html(html: str, field_id: str) -> str:
    """The opening tag of the field with ``field_id``: its classes say whether it was refused."""
    start = html.index(f'id="{field_id}"')
    return html[html.rindex("<", 0, start):html.index(">", start)]


class _AllFormsReader(HTMLParser):
    """Every form of a page: its method, action and the names of its fields with their values."""

    def __init__(self):
        super().__init__()
        self.forms, self._current = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._current = {"method": (attrs.get("method") or "get").upper(), "action": attrs.get("action"),
                             "enctype": attrs.get("enctype"), "fields": []}
            self.forms.append(self._current)
        elif self._current is not None and tag in ("input", "select", "textarea", "button") and attrs.get("name"):
            if tag == "input" and attrs.get("type") in ("submit", "button", "image", "reset"):
                return
            self._current["fields"].append((attrs["name"], attrs.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def all_forms(html: str) -> list[dict]:
    """``[{"method", "action", "enctype", "fields": [(name, value), ...]}, ...]`` for every form on the page."""
    reader = _AllFormsReader()
    reader.feed(html)
    return reader.forms
