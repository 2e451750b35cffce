"""Start the real gunicorn server with apps/flask/gunicorn.conf.py and talk
to it over HTTP on loopback (against the fake upstream)."""

import importlib.util
import json
import shutil

import pytest

from conftest import http_get as _get, read_text as _read


def _json_lines(text):
    records = []
    for line in text.splitlines():
        if line.strip():
            records.append(json.loads(line))  # fails the test on non-JSON
    return records


def test_gunicorn_serves_the_app_with_json_access_logs(fake_upstream, gunicorn):
    fake_upstream.respond(payload={"hits": [
        {"objectID": "9", "title": "Served by gunicorn", "url": "https://example.com/9"},
        {"objectID": "10", "title": "", "url": "https://example.com/10"},
    ]})
    server = gunicorn({
        "GUNICORN_WORKERS": "1",
        "GUNICORN_GRACEFUL_TIMEOUT": "5",
        "UPSTREAM_BASE_URL": fake_upstream.url,
        "UPSTREAM_TIMEOUT_SECONDS": "2",
    })
    base = server.base
    try:
        status, _, body = _get(base + "/healthz")
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
        returncode = server.stop()

    stdout, stderr = _read(server.out_path), _read(server.err_path)

    assert returncode == 0, "no clean exit on SIGTERM:\n" + stderr

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
    # The worker the outage behaviour relies on (see test_flask_outage.py).
    assert any(r.get("message") == "Using worker: gevent" for r in err_records), stderr


@pytest.mark.parametrize("require, outcome", [
    ("1", pytest.fail.Exception),
    ("", pytest.skip.Exception),  # negative control: a developer's machine
])
def test_a_missing_gunicorn_fails_under_require_tools(gunicorn, monkeypatch, require, outcome):
    """CI (EKS_WORKSHOP_REQUIRE_TOOLS=1) cannot pass with the gunicorn tests skipped."""
    find_spec, which = importlib.util.find_spec, shutil.which
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "gunicorn" else find_spec(name, *a))
    monkeypatch.setattr(shutil, "which",
                        lambda name, *a, **kw: None if name == "gunicorn" else which(name, *a, **kw))
    monkeypatch.setenv("EKS_WORKSHOP_REQUIRE_TOOLS", require)
    # Both kinds caught: a skip must fail this test, not skip it.
    with pytest.raises((pytest.fail.Exception, pytest.skip.Exception),
                       match="gunicorn is not installed") as ended:
        gunicorn({})
    assert ended.type is outcome
