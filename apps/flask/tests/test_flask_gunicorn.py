"""Start the real gunicorn server with apps/flask/gunicorn.conf.py and talk
to it over HTTP on loopback (against the fake upstream)."""

import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

APP_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONF = os.path.join(APP_DIR, "gunicorn.conf.py")
START_TIMEOUT = 20.0
STOP_TIMEOUT = 15.0


def _gunicorn_command():
    if importlib.util.find_spec("gunicorn") is not None:
        return [sys.executable, "-m", "gunicorn"]
    binary = shutil.which("gunicorn") or (
        "/usr/bin/gunicorn" if os.path.exists("/usr/bin/gunicorn") else None)
    if binary is None:
        pytest.skip("gunicorn is not installed (apt-get install gunicorn)")
    return [binary]


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _get(url, timeout=5.0):
    try:
        with _OPENER.open(url, timeout=timeout) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def _read(path):
    with open(path, encoding="utf-8", errors="replace") as fh:
        return fh.read()


def _json_lines(text):
    records = []
    for line in text.splitlines():
        if line.strip():
            records.append(json.loads(line))  # fails the test on non-JSON
    return records


def test_gunicorn_serves_the_app_with_json_access_logs(fake_upstream, tmp_path):
    fake_upstream.respond(payload={"hits": [
        {"objectID": "9", "title": "Served by gunicorn", "url": "https://example.com/9"},
        {"objectID": "10", "title": "", "url": "https://example.com/10"},
    ]})
    port = _free_port()
    base = "http://127.0.0.1:%d" % port

    env = {k: v for k, v in os.environ.items()
           if k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    env.update({
        "GUNICORN_BIND": "127.0.0.1:%d" % port,
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "2",
        "GUNICORN_GRACEFUL_TIMEOUT": "5",
        "UPSTREAM_BASE_URL": fake_upstream.url,
        "UPSTREAM_TIMEOUT_SECONDS": "2",
        "NO_PROXY": "127.0.0.1,localhost",
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    })

    workdir = str(tmp_path)
    out_path = os.path.join(workdir, "stdout.log")
    err_path = os.path.join(workdir, "stderr.log")
    out, err = open(out_path, "wb"), open(err_path, "wb")
    # Started from an unrelated directory: the config must find the app itself.
    proc = subprocess.Popen(
        _gunicorn_command() + ["--config", CONF],
        cwd=workdir, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail("gunicorn exited early (rc=%s)\nstdout:\n%s\nstderr:\n%s"
                            % (proc.returncode, _read(out_path), _read(err_path)))
            try:
                status, _, body = _get(base + "/healthz", timeout=1.0)
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("gunicorn did not answer within %ss\nstderr:\n%s"
                                % (START_TIMEOUT, _read(err_path)))
                time.sleep(0.1)

        assert status == 200
        assert json.loads(body) == {"status": "ok"}

        status, headers, body = _get(base + "/contents/eks%20on%20aws")
        assert status == 200
        assert headers.get("Access-Control-Allow-Origin") == "*"
        assert json.loads(body) == {"outcome": [
            {"id": "9", "title": "Served by gunicorn", "url": "https://example.com/9"}]}
        assert fake_upstream.requests[-1]["query"] == {"query": ["eks on aws"]}

        status, _, body = _get(base + "/readyz")
        assert status == 200

        fake_upstream.respond(status=500, body="{}")
        status, headers, body = _get(base + "/contents/broken")
        assert status == 502
        assert headers.get("Access-Control-Allow-Origin") == "*"
        assert json.loads(body) == {"error": "upstream error"}
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # graceful shutdown
            try:
                proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        out.close()
        err.close()

    stdout, stderr = _read(out_path), _read(err_path)

    assert proc.returncode == 0, "no clean exit on SIGTERM:\n" + stderr

    records = _json_lines(stdout)  # every stdout line is a JSON object
    access = [r for r in records if r.get("type") == "access"]
    by_path = {r["path"]: r for r in access}
    for path, code in (("/healthz", 200), ("/contents/eks on aws", 200),
                       ("/readyz", 200), ("/contents/broken", 502)):
        assert path in by_path, "no access log line for %s in:\n%s" % (path, stdout)
        line = by_path[path]
        assert line["method"] == "GET"
        assert line["status"] == code
        assert isinstance(line["duration_ms"], (int, float)) and line["duration_ms"] >= 0
        assert line["remote_addr"] == "127.0.0.1"

    # App log (JSON) for the failing upstream call.
    assert any(r.get("message") == "upstream error" and r.get("topic") == "broken"
               for r in records), stdout

    # gunicorn's own log is JSON too, on stderr.
    err_records = _json_lines(stderr)
    assert any("Listening at" in r.get("message", "") for r in err_records), stderr
