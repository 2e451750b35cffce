"""Shared fixtures for the demo-flask-backend tests.

Run from the repository root:  /usr/bin/python3 -m pytest -q apps
"""

import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
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
    import app as app_module

    for name in _PROXY_VARS + ("UPSTREAM_BASE_URL",) + tuple(app_module.SETTINGS):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


class FakeUpstream:
    """A Hacker News search API stand-in on 127.0.0.1:<ephemeral port>.

    ``respond(...)`` sets what the next requests get; ``requests`` records
    (path, raw query, parsed query) of every request received. ``hang()``
    makes it accept connections and never answer, until the next
    ``respond(...)``.
    """

    def __init__(self):
        self.status = 200
        self.body = json.dumps({"hits": []}).encode()
        self.content_type = "application/json"
        self.delay = 0.0
        self.requests = []
        self._lock = threading.Lock()
        self._answering = threading.Event()
        self._answering.set()
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
                upstream._answering.wait()
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

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler, bind_and_activate=False)
        self.server.daemon_threads = True
        # Many clients connect at once in the outage tests: no SYN may wait.
        self.server.request_queue_size = 256
        self.server.server_bind()
        self.server.server_activate()
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
        self._answering.set()

    def hang(self):
        self._answering.clear()

    @property
    def calls(self):
        with self._lock:
            return len(self.requests)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._answering.set()  # hanging handlers finish
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

    def _make(base_url, timeout=None, **settings):
        import app as app_module

        monkeypatch.setenv("UPSTREAM_BASE_URL", base_url)
        if timeout is not None:
            monkeypatch.setenv("UPSTREAM_TIMEOUT_SECONDS", str(timeout))
        for name, value in settings.items():
            monkeypatch.setenv(name, str(value))
        application = app_module.create_app()
        application.testing = True
        return application.test_client()

    return _make


def _gunicorn_command(missing_tool):
    if importlib.util.find_spec("gunicorn") is not None:
        return [sys.executable, "-m", "gunicorn"]
    binary = shutil.which("gunicorn")
    if binary is None:
        missing_tool("gunicorn is not installed (apt-get install gunicorn)")
    return [binary]


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_get(url, timeout=5.0):
    """(status, headers, body) of a GET, errors included; no proxy."""
    try:
        with _OPENER.open(url, timeout=timeout) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def read_text(path):
    with open(path, encoding="utf-8", errors="replace") as fh:
        return fh.read()


class Gunicorn:
    """The real gunicorn with apps/flask/gunicorn.conf.py on a free loopback
    port, started from an unrelated directory (the config must find the app
    itself). ``extra_args`` go after the config, so they override it."""

    START_TIMEOUT = 20.0
    STOP_TIMEOUT = 15.0

    def __init__(self, workdir, env, extra_args=(), missing_tool=pytest.skip):
        command = _gunicorn_command(missing_tool)
        port = _free_port()
        self.base = "http://127.0.0.1:%d" % port
        self.out_path = os.path.join(workdir, "stdout.log")
        self.err_path = os.path.join(workdir, "stderr.log")
        full_env = {k: v for k, v in os.environ.items() if k not in _PROXY_VARS}
        full_env.update({"GUNICORN_BIND": "127.0.0.1:%d" % port,
                         "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1"})
        full_env.update(env)
        self._out, self._err = open(self.out_path, "wb"), open(self.err_path, "wb")
        self.proc = subprocess.Popen(
            command + ["--config", os.path.join(APP_DIR, "gunicorn.conf.py")]
            + list(extra_args),
            cwd=workdir, env=full_env, stdout=self._out, stderr=self._err,
            stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + self.START_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                pytest.fail("gunicorn exited early (rc=%s)\nstdout:\n%s\nstderr:\n%s"
                            % (self.proc.returncode, read_text(self.out_path),
                               read_text(self.err_path)))
            try:
                http_get(self.base + "/healthz", timeout=1.0)
                return
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    pytest.fail("gunicorn did not answer within %ss\nstderr:\n%s"
                                % (self.START_TIMEOUT, read_text(self.err_path)))
                time.sleep(0.1)

    def stop(self):
        """Graceful SIGTERM (kill as a fallback); the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=self.STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self._out.close()
        self._err.close()
        return self.proc.returncode


@pytest.fixture
def gunicorn(tmp_path, missing_tool):
    """Start gunicorn with gunicorn(env, extra_args); stopped at teardown."""
    started = []

    def _start(env, extra_args=()):
        server = Gunicorn(str(tmp_path), env, extra_args, missing_tool)
        started.append(server)
        return server

    yield _start
    for server in started:
        server.stop()
