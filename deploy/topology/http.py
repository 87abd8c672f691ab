"""A visitor's HTTP client through nginx: HTTPS that trusts exactly the test's certificate, a
loopback source address of its own (per-address limits see one client per visitor), cookies,
CSRF tokens, and a record of every request with the id nginx logs with it."""

import functools
import http.client
import itertools
import re
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.cookiejar import CookieJar

_ids = itertools.count(1)


@dataclass(frozen=True)
class Record:
    request_id: str
    phase: str
    method: str
    path: str
    label: str
    status: int | None  # None: no HTTP answer at all
    started: float
    ended: float
    error: str | None = None


class Recorder:
    def __init__(self):
        self.records: list[Record] = []
        self.lock = threading.Lock()

    def add(self, record: Record) -> None:
        with self.lock:
            self.records.append(record)

    def snapshot(self) -> list[Record]:
        with self.lock:
            return list(self.records)


@dataclass
class Answer:
    status: int | None
    text: str
    headers: dict
    request_id: str


class _SourcedHTTPS(urllib.request.HTTPSHandler):
    def __init__(self, source: str, context: ssl.SSLContext):
        super().__init__(context=context)
        self.source = source

    def https_open(self, req):
        connection = functools.partial(http.client.HTTPSConnection, source_address=(self.source, 0))
        return self.do_open(connection, req, context=self._context)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    return match.group(1) if match else ""


class Browser:
    """One visitor. Redirects are not followed: a 302 after a POST is the answer measured."""

    def __init__(self, base: str, source: str, cafile: str, recorder: Recorder, phase: str = "load",
                 timeout: float = 90):
        context = ssl.create_default_context(cafile=cafile)
        self.base, self.recorder, self.phase, self.timeout = base, recorder, phase, timeout
        self.opener = urllib.request.build_opener(_SourcedHTTPS(source, context), _NoRedirect(),
                                                  urllib.request.HTTPCookieProcessor(CookieJar()))

    def request(self, method: str, path: str, data: dict | None = None, label: str | None = None,
                headers: dict | None = None) -> Answer:
        request_id = f"topo-{next(_ids)}"
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, method=method,  # noqa: S310 - our https base
                                     headers={"X-Request-ID": request_id, **(headers or {})})
        started = time.time()
        status, text, answer_headers, error = None, "", {}, None
        try:
            with self.opener.open(req, timeout=self.timeout) as response:
                status, answer_headers = response.status, dict(response.headers)
                text = response.read().decode(errors="replace")
        except urllib.error.HTTPError as answer:
            status, answer_headers = answer.code, dict(answer.headers or {})
            text = answer.read().decode(errors="replace")
        except (OSError, http.client.HTTPException) as failure:
            error = f"{type(failure).__name__}: {failure}"
        self.recorder.add(Record(request_id, self.phase, method, path, label or path, status, started, time.time(),
                                 error))
        return Answer(status, text, answer_headers, request_id)

    def get(self, path: str, label: str | None = None, headers: dict | None = None) -> Answer:
        return self.request("GET", path, label=label, headers=headers)

    def post(self, path: str, data: dict, label: str | None = None, form_page: str | None = None) -> Answer:
        """POST as a browser does from the page holding the form: over HTTPS, Flask-WTF checks
        that the Referer names this site."""
        referer = {"Referer": self.base + (form_page or path)}
        return self.request("POST", path, data=data, label=label, headers=referer)

    def post_form(self, form_path: str, data: dict, action: str | None = None, label: str | None = None) -> Answer:
        """GET the form for its CSRF token, then POST it (to ``action``, or back to the form)."""
        page = self.get(form_path, label=label and f"{label} (form)")
        return self.post(action or form_path, {**data, "csrf_token": csrf_token(page.text)}, label=label,
                         form_page=form_path)

    def login(self, email: str, password: str) -> Answer:
        answer = self.post_form("/login", {"email": email, "password": password}, label="login")
        if answer.status != 302:
            raise RuntimeError(f"login of {email} answered {answer.status}")
        return answer
