"""Shared fixtures for the demo-flask-backend tests.

Run from the repository root:  /usr/bin/python3 -m pytest -q apps
"""

import json
import os
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

APP_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if APP_DIR not in sys.path:
    sys.path.insert(0, APP_DIR)

_PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy",
               "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    """No proxy may sit between the app and the loopback fake upstream, and
    no setting may leak in from the developer's shell."""
    for name in _PROXY_VARS + ("UPSTREAM_BASE_URL", "UPSTREAM_TIMEOUT_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


class FakeUpstream:
    """A Hacker News search API stand-in on 127.0.0.1:<ephemeral port>.

    ``respond(...)`` sets what the next requests get; ``requests`` records
    (path, raw query, parsed query) of every request received.
    """

    def __init__(self):
        self.status = 200
        self.body = json.dumps({"hits": []}).encode()
        self.content_type = "application/json"
        self.delay = 0.0
        self.requests = []
        self._lock = threading.Lock()
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802 (http.server naming)
                parts = urlsplit(self.path)
                with upstream._lock:
                    upstream.requests.append({
                        "path": parts.path,
                        "raw_query": parts.query,
                        "query": parse_qs(parts.query, keep_blank_values=True),
                        "headers": dict(self.headers),
                    })
                    status, body = upstream.status, upstream.body
                    ctype, delay = upstream.content_type, upstream.delay
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(body)))
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the client gave up (timeout tests)
                self.close_connection = True

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
            daemon=True,
        )

    def respond(self, status=200, payload=None, body=None,
                content_type="application/json", delay=0.0):
        with self._lock:
            self.status = status
            if body is None:
                body = json.dumps(payload if payload is not None else {"hits": []})
            self.body = body.encode() if isinstance(body, str) else body
            self.content_type = content_type
            self.delay = delay

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def fake_upstream():
    upstream = FakeUpstream().start()
    try:
        yield upstream
    finally:
        upstream.stop()


@pytest.fixture
def refused_url():
    """A loopback URL whose port is bound but not listening: connect() is
    refused. The socket stays bound so no other process can take the port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    try:
        yield "http://127.0.0.1:%d" % sock.getsockname()[1]
    finally:
        sock.close()


@pytest.fixture
def make_client(monkeypatch):
    """Build the app through create_app() with the given environment."""

    def _make(base_url, timeout=None):
        import app as app_module

        monkeypatch.setenv("UPSTREAM_BASE_URL", base_url)
        if timeout is not None:
            monkeypatch.setenv("UPSTREAM_TIMEOUT_SECONDS", str(timeout))
        application = app_module.create_app()
        application.testing = True
        return application.test_client()

    return _make
