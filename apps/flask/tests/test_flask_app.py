"""Behaviour of demo-flask-backend through create_app() and Flask's test client,
against a fake Hacker News upstream on loopback."""

import json
import logging
import sys
import time

import pytest

import app as app_module
import jsonlog

HITS = [
    {"objectID": "1", "title": "AWS launches thing", "url": "https://example.com/1"},
    {"objectID": "2", "title": "No url here", "url": None},
    {"objectID": "3", "title": "", "url": "https://example.com/3"},
    {"objectID": "4", "title": None, "url": "https://example.com/4"},
    {"objectID": "5", "url": "https://example.com/5"},
    {"objectID": "6", "title": "Empty url", "url": ""},
    {"objectID": "7", "title": "EKS tips", "url": "https://example.com/7",
     "points": 42, "author": "someone"},
    "not-a-dict",
]


def _json(resp):
    assert resp.mimetype == "application/json", resp.data
    return json.loads(resp.data)


def test_contents_filters_hits_and_keeps_the_workshop_shape(fake_upstream, make_client):
    fake_upstream.respond(payload={"hits": HITS, "nbHits": 8})
    client = make_client(fake_upstream.url)

    resp = client.get("/contents/aws")

    assert resp.status_code == 200
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert _json(resp) == {
        "outcome": [
            {"id": "1", "title": "AWS launches thing", "url": "https://example.com/1"},
            {"id": "7", "title": "EKS tips", "url": "https://example.com/7"},
        ]
    }
    assert len(fake_upstream.requests) == 1
    sent = fake_upstream.requests[0]
    assert sent["path"] == "/api/v1/search"
    assert sent["query"] == {"query": ["aws"]}
    assert "application/json" in sent["headers"].get("Accept", "")


def test_contents_with_no_hits_is_an_empty_outcome(fake_upstream, make_client):
    fake_upstream.respond(payload={"hits": []})
    resp = make_client(fake_upstream.url).get("/contents/nothing")
    assert resp.status_code == 200
    assert _json(resp) == {"outcome": []}


@pytest.mark.parametrize(
    "request_path, topic",
    [
        ("/contents/c%2B%2B%20%26%20go", "c++ & go"),
        ("/contents/a%3Fb%3Dc%23d", "a?b=c#d"),
        ("/contents/%ED%95%9C%EA%B5%AD%EC%96%B4", "한국어"),
    ],
)
def test_topic_is_url_encoded_upstream(fake_upstream, make_client, request_path, topic):
    fake_upstream.respond(payload={"hits": []})
    resp = make_client(fake_upstream.url).get(request_path)

    assert resp.status_code == 200
    sent = fake_upstream.requests[-1]
    assert sent["path"] == "/api/v1/search"
    # One single parameter carrying the whole topic: '&', '?', '#', '='
    # and spaces did not leak into the query string unescaped.
    assert sent["query"] == {"query": [topic]}
    assert "&" not in sent["raw_query"]
    assert "#" not in sent["raw_query"]
    assert " " not in sent["raw_query"]


def test_base_url_trailing_slash_is_tolerated(fake_upstream, make_client):
    fake_upstream.respond(payload={"hits": HITS[:1]})
    resp = make_client(fake_upstream.url + "/").get("/contents/aws")
    assert resp.status_code == 200
    assert fake_upstream.requests[-1]["path"] == "/api/v1/search"


def test_upstream_timeout_answers_504(fake_upstream, make_client):
    fake_upstream.respond(payload={"hits": HITS}, delay=1.5)
    client = make_client(fake_upstream.url, timeout=0.2)

    started = time.monotonic()
    resp = client.get("/contents/slow")
    elapsed = time.monotonic() - started

    assert resp.status_code == 504
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert _json(resp) == {"error": "upstream timed out"}
    assert elapsed < 1.2, "the configured timeout was not applied (%.2fs)" % elapsed


@pytest.mark.parametrize(
    "status, body, content_type",
    [
        (500, '{"message": "boom"}', "application/json"),
        (503, "", "text/plain"),
        (404, '{"hits": []}', "application/json"),
        (200, "<html>not json</html>", "text/html"),
        (200, '{"hits": [', "application/json"),
        (200, '["a", "list"]', "application/json"),
        (200, '{"nbHits": 0}', "application/json"),
        (200, '{"hits": "nope"}', "application/json"),
    ],
    ids=["500", "503", "404", "html", "truncated-json", "json-list",
         "no-hits", "hits-not-list"],
)
def test_bad_upstream_answers_502(fake_upstream, make_client, status, body, content_type):
    fake_upstream.respond(status=status, body=body, content_type=content_type)
    resp = make_client(fake_upstream.url).get("/contents/aws")

    assert resp.status_code == 502
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert _json(resp) == {"error": "upstream error"}
    assert len(fake_upstream.requests) == 1


def test_connection_refused_answers_502(refused_url, make_client):
    resp = make_client(refused_url, timeout=2).get("/contents/aws")
    assert resp.status_code == 502
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert _json(resp) == {"error": "upstream error"}


def test_topic_length_is_bounded(fake_upstream, make_client):
    fake_upstream.respond(payload={"hits": []})
    client = make_client(fake_upstream.url)

    too_long = client.get("/contents/" + "x" * 101)
    assert too_long.status_code == 400
    assert too_long.headers["Access-Control-Allow-Origin"] == "*"
    assert "error" in _json(too_long)

    blank = client.get("/contents/%20%20")
    assert blank.status_code == 400
    assert "error" in _json(blank)

    empty = client.get("/contents/")
    assert empty.status_code == 400
    assert "error" in _json(empty)

    assert fake_upstream.requests == [], "invalid topics must not reach the upstream"

    longest = client.get("/contents/" + "y" * 100)
    assert longest.status_code == 200
    assert fake_upstream.requests[-1]["query"] == {"query": ["y" * 100]}


def test_healthz_never_calls_upstream(fake_upstream, make_client):
    client = make_client(fake_upstream.url)
    for _ in range(3):
        resp = client.get("/healthz")
        assert resp.status_code == 200
        assert _json(resp) == {"status": "ok"}
        assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert fake_upstream.requests == [], "/healthz called the upstream"
    # Negative control: the same client's content request does reach it.
    assert client.get("/contents/aws").status_code == 200
    assert fake_upstream.calls == 1


def test_readyz_is_ready_even_when_upstream_is_down(fake_upstream, refused_url, make_client):
    # Upstream down (connection refused): still ready.
    resp = make_client(refused_url).get("/readyz")
    assert resp.status_code == 200
    assert _json(resp) == {"status": "ready"}

    # Upstream up: readiness does not call it either.
    resp = make_client(fake_upstream.url).get("/readyz")
    assert resp.status_code == 200
    assert fake_upstream.requests == []


def test_readyz_reports_broken_configuration(fake_upstream, make_client):
    client = make_client(fake_upstream.url)
    client.application.config["UPSTREAM_TIMEOUT_SECONDS"] = -1
    resp = client.get("/readyz")
    assert resp.status_code == 503
    assert "error" in _json(resp)


def test_unknown_route_and_wrong_method_are_json(fake_upstream, make_client):
    client = make_client(fake_upstream.url)

    missing = client.get("/nope")
    assert missing.status_code == 404
    assert missing.headers["Access-Control-Allow-Origin"] == "*"
    assert "error" in _json(missing)

    post = client.post("/contents/aws")
    assert post.status_code == 405
    assert "GET" in post.headers["Allow"]
    assert "error" in _json(post)
    assert fake_upstream.requests == []


def test_config_defaults_and_validation():
    # The defaults apps/README.md documents.
    assert app_module.load_config({}) == {
        "UPSTREAM_BASE_URL": "https://hn.algolia.com",
        "UPSTREAM_TIMEOUT_SECONDS": 3.0,
        "UPSTREAM_MAX_CONCURRENCY": 32,
        "CACHE_TTL_SECONDS": 60.0,
        "CACHE_RENEW_FRACTION": 0.5,
        "CACHE_MAX_ENTRIES": 2048,
        "BREAKER_FAILURE_THRESHOLD": 5,
        "BREAKER_OPEN_SECONDS": 10.0,
    }
    config = app_module.load_config({
        "UPSTREAM_BASE_URL": "http://hn.internal:8080/", "UPSTREAM_TIMEOUT_SECONDS": "1.5",
        "UPSTREAM_MAX_CONCURRENCY": "1", "CACHE_TTL_SECONDS": "0",
        "CACHE_RENEW_FRACTION": "1", "CACHE_MAX_ENTRIES": "100000", "BREAKER_FAILURE_THRESHOLD": "1",
        "BREAKER_OPEN_SECONDS": "300"})
    assert config == {
        "UPSTREAM_BASE_URL": "http://hn.internal:8080", "UPSTREAM_TIMEOUT_SECONDS": 1.5,
        "UPSTREAM_MAX_CONCURRENCY": 1, "CACHE_TTL_SECONDS": 0.0,
        "CACHE_RENEW_FRACTION": 1.0, "CACHE_MAX_ENTRIES": 100000, "BREAKER_FAILURE_THRESHOLD": 1,
        "BREAKER_OPEN_SECONDS": 300.0}

    for name, value in (("UPSTREAM_TIMEOUT_SECONDS", "abc"),
                        ("UPSTREAM_TIMEOUT_SECONDS", "0"),
                        ("UPSTREAM_TIMEOUT_SECONDS", "-3"),
                        ("UPSTREAM_TIMEOUT_SECONDS", "61"),
                        ("UPSTREAM_MAX_CONCURRENCY", "0"),
                        ("UPSTREAM_MAX_CONCURRENCY", "2.5"),
                        ("CACHE_TTL_SECONDS", "-1"),
                        ("CACHE_TTL_SECONDS", "301"),
                        ("CACHE_RENEW_FRACTION", "0"),
                        ("CACHE_RENEW_FRACTION", "1.5"),
                        ("CACHE_MAX_ENTRIES", "0"),
                        ("BREAKER_FAILURE_THRESHOLD", "0"),
                        ("BREAKER_OPEN_SECONDS", "0"),
                        ("UPSTREAM_BASE_URL", "hn.algolia.com"),
                        ("UPSTREAM_BASE_URL", "ftp://hn.algolia.com")):
        with pytest.raises(ValueError) as err:
            app_module.load_config({name: value})
        assert name in str(err.value) and repr(value) in str(err.value)


def test_create_app_refuses_bad_environment(monkeypatch):
    monkeypatch.setenv("UPSTREAM_TIMEOUT_SECONDS", "soon")
    with pytest.raises(ValueError):
        app_module.create_app()


def test_app_logs_are_json_lines(fake_upstream, make_client, capsys):
    fake_upstream.respond(status=500, body="{}")
    client = make_client(fake_upstream.url)
    capsys.readouterr()

    assert client.get("/contents/logme").status_code == 502

    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is JSON
    warnings = [r for r in records if r.get("message") == "upstream error"]
    assert warnings, lines
    assert warnings[0]["level"] == "WARNING"
    assert warnings[0]["topic"] == "logme"
    assert "HTTP 500" in warnings[0]["reason"]


def test_json_formatter_includes_extra_and_exception():
    formatter = jsonlog.JsonFormatter()
    try:
        raise RuntimeError("kaboom")
    except RuntimeError:
        exc_info = sys.exc_info()
    record = logging.LogRecord("t", logging.ERROR, __file__, 1, "failed %s", ("x",), exc_info)
    record.topic = "aws"
    line = formatter.format(record)
    assert "\n" not in line
    data = json.loads(line)
    assert data["message"] == "failed x"
    assert data["level"] == "ERROR"
    assert data["topic"] == "aws"
    assert "RuntimeError: kaboom" in data["exc_info"]
    assert data["time"].endswith("Z")
