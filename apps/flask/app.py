"""demo-flask-backend: the EKS workshop's Hacker News search backend.

API (unchanged from the workshop app):
    GET /contents/<topic>  -> {"outcome": [{"id", "title", "url"}, ...]}

Added for running in a cluster:
    GET /healthz           liveness, never calls the upstream
    GET /readyz            readiness, never calls the upstream
    upstream timeout (504) and upstream failure (502) answered as JSON,
    topic length validation (400), JSON logs, gunicorn (gevent worker)
    instead of the Flask debug server.

Added so that a slow or failing upstream costs neither throughput nor the
probes (per gunicorn worker, see resilience.py):
    answers cached for CACHE_TTL_SECONDS, counted from the upstream call's
    start, and renewed in the background once between CACHE_RENEW_FRACTION
    of that and half-way to it, so a topic in steady demand never makes a
    request wait for the upstream; concurrent requests for one topic share one upstream call; at
    most UPSTREAM_MAX_CONCURRENCY upstream calls at once and a circuit
    breaker, both answering 503 with Retry-After instead of waiting.

Configuration (environment): see SETTINGS below and apps/README.md.
"""

import http.cookiejar
import json
import logging
import os
import random
import threading
import time
from urllib.parse import urlsplit

import requests
from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from jsonlog import configure_logging
from resilience import CircuitBreaker, Renewer, SingleFlight, TTLCache

DEFAULT_UPSTREAM_BASE_URL = "https://hn.algolia.com"
SEARCH_PATH = "/api/v1/search"
TOPIC_MIN_LENGTH = 1
TOPIC_MAX_LENGTH = 100
USER_AGENT = "demo-flask-backend/2.0"

# Numeric settings: environment variable -> (type, default, minimum,
# minimum allowed?, maximum). Every limit is per gunicorn worker.
SETTINGS = {
    # connect and read timeout of one upstream call
    "UPSTREAM_TIMEOUT_SECONDS": (float, 3.0, 0, False, 60),
    # upstream calls in flight at once; one more is answered 503 at once
    "UPSTREAM_MAX_CONCURRENCY": (int, 32, 1, True, 1000),
    # an answer is served from the cache until it is this old (0: no cache)
    "CACHE_TTL_SECONDS": (float, 60.0, 0, True, 300),
    # once an answer is this fraction of CACHE_TTL_SECONDS old, the request
    # that finds it still gets it, and a background call renews it (1: off)
    "CACHE_RENEW_FRACTION": (float, 0.5, 0, False, 1),
    "CACHE_MAX_ENTRIES": (int, 2048, 1, True, 100000),
    # consecutive failed upstream calls that open the circuit breaker
    "BREAKER_FAILURE_THRESHOLD": (int, 5, 1, True, 1000),
    # how long it stays open before one trial call
    "BREAKER_OPEN_SECONDS": (float, 10.0, 0, False, 300),
}

log = logging.getLogger("demo_flask_backend")


class UpstreamError(Exception):
    """The upstream answered badly or not at all (mapped to 502)."""


class UpstreamTimeout(Exception):
    """The upstream did not answer within the timeout (mapped to 504)."""


def _setting(env, name):
    kind, default, low, low_allowed, high = SETTINGS[name]
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    allowed = "%s%s, %s]" % ("[" if low_allowed else "(", low, high)
    try:
        value = kind(raw)
    except ValueError:
        raise ValueError("%s must be %s in %s, got %r" % (
            name, "an integer" if kind is int else "a number", allowed, raw)) from None
    if not (low <= value if low_allowed else low < value) or value > high:
        raise ValueError("%s must be in %s, got %r" % (name, allowed, raw))
    return value


def load_config(environ=None):
    """Read and validate the settings; raises ValueError on bad values."""
    env = os.environ if environ is None else environ

    base_url = (env.get("UPSTREAM_BASE_URL") or DEFAULT_UPSTREAM_BASE_URL).strip()
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(
            "UPSTREAM_BASE_URL must be an absolute http(s) URL, got %r" % base_url
        )
    config = {"UPSTREAM_BASE_URL": base_url.rstrip("/")}
    for name in SETTINGS:
        config[name] = _setting(env, name)
    return config


class HackerNewsClient:
    """Calls the HN search API through one pooled session.

    One session for every thread or greenlet, so connections are reused
    across requests; its pool holds as many connections as calls may run at
    once. Cookies are refused: they are the only state a session would
    otherwise carry from one user's request to another's.
    """

    def __init__(self, base_url, timeout, max_connections):
        self.search_url = base_url.rstrip("/") + SEARCH_PATH
        self.timeout = timeout
        self._session = requests.Session()
        self._session.headers.update(
            {"Accept": "application/json", "User-Agent": USER_AGENT})
        self._session.cookies.set_policy(
            http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        adapter = requests.adapters.HTTPAdapter(
            pool_connections=1, pool_maxsize=max_connections, max_retries=0)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    def search(self, topic):
        try:
            # params= lets requests URL-encode the topic (spaces, '&', '#'...).
            resp = self._session.get(
                self.search_url, params={"query": topic}, timeout=self.timeout
            )
        except requests.exceptions.Timeout as exc:
            raise UpstreamTimeout(str(exc)) from exc
        except requests.exceptions.RequestException as exc:
            raise UpstreamError("request failed: %s" % exc.__class__.__name__) from exc

        if not 200 <= resp.status_code < 300:
            raise UpstreamError("upstream answered HTTP %d" % resp.status_code)
        try:
            data = resp.json()
        except ValueError as exc:
            raise UpstreamError("upstream answered invalid JSON") from exc
        if not isinstance(data, dict) or not isinstance(data.get("hits"), list):
            raise UpstreamError("upstream answer has no 'hits' list")
        return data["hits"]


def extract_outcome(hits):
    """Keep hits that have both a non-empty title and url (workshop rule)."""
    outcome = []
    for hit in hits:
        if not isinstance(hit, dict):
            continue
        title, url = hit.get("title"), hit.get("url")
        if title and url:
            outcome.append({"id": hit.get("objectID"), "title": title, "url": url})
    return outcome


def _json_body(payload):
    return json.dumps(payload, separators=(",", ":")).encode()


class Reply:
    """An answer to /contents/<topic>, shared by the requests that waited
    for the same upstream call."""

    __slots__ = ("status", "body", "retry_after")

    def __init__(self, status, payload=None, body=None, retry_after=None):
        self.status = status
        self.body = body if body is not None else _json_body(payload)
        self.retry_after = retry_after

    @classmethod
    def error(cls, status, message, retry_after=None):
        return cls(status, {"error": message}, retry_after=retry_after)


class ContentService:
    """/contents/<topic> behind the cache and its renewal, the coalescing of
    identical requests, the limit on concurrent upstream calls and the
    breaker."""

    def __init__(self, client, config, clock=time.monotonic, rand=random.random):
        self.client = client
        self.clock = clock
        self.cache = TTLCache(config["CACHE_TTL_SECONDS"],
                              config["CACHE_MAX_ENTRIES"], clock=clock)
        # An answer is renewed at a random age in the first half of the time
        # between CACHE_RENEW_FRACTION of the TTL and the TTL: answers fetched
        # together (a pod's first seconds, pods started by one rollout) are
        # not all renewed together against a rate-limited upstream.
        ttl = config["CACHE_TTL_SECONDS"]
        self.renew_after = ttl * config["CACHE_RENEW_FRACTION"]
        self.renew_spread = (ttl - self.renew_after) / 2
        self.rand = rand
        # A waiting request gives up when its leader's call would have
        # timed out twice over (connect, then read).
        self.flights = SingleFlight(wait_timeout=2 * client.timeout + 1)
        self.slots = threading.BoundedSemaphore(config["UPSTREAM_MAX_CONCURRENCY"])
        # Renewals take at most half the upstream calls: the other half stays
        # for requests that find no answer at all.
        self.renewer = Renewer(self._renew,
                               workers=max(1, config["UPSTREAM_MAX_CONCURRENCY"] // 2),
                               max_pending=config["CACHE_MAX_ENTRIES"])
        self.breaker = CircuitBreaker(
            config["BREAKER_FAILURE_THRESHOLD"], config["BREAKER_OPEN_SECONDS"],
            clock=clock, on_change=self._breaker_changed)

    @staticmethod
    def _breaker_changed(state, failures):
        if state == CircuitBreaker.CLOSED:
            log.info("upstream circuit closed")
        else:
            log.warning("upstream circuit %s" % state,
                        extra={"consecutive_failures": failures})

    def get(self, topic):
        """(Reply, age in seconds of the answer)."""
        cached = self.cache.get(topic)
        if cached is not None:
            (body, renew_at), age = cached
            if age >= renew_at:
                self.renewer.ask(topic)
            return Reply(200, body=body), age
        reply = self.flights.do(
            topic, lambda: self._fetch(topic),
            on_timeout=lambda: Reply.error(504, "upstream timed out"))
        return reply, 0

    def _renew(self, topic):
        # A request that finds the answer expired meanwhile shares this call.
        # In the background nobody would see an exception, so log it.
        try:
            self.flights.do(topic, lambda: self._fetch(topic), on_timeout=lambda: None)
        except Exception:
            log.exception("cache renewal failed", extra={"topic": topic})

    def _fetch(self, topic):
        # Answered while this request waited for its turn as leader (an
        # answer due for renewal is not: renewing it is this call's job).
        cached = self.cache.get(topic)
        if cached is not None:
            (body, renew_at), age = cached
            if age < renew_at:
                return Reply(200, body=body)
        if not self.slots.acquire(blocking=False):
            return Reply.error(503, "upstream busy", retry_after=1)
        try:
            ticket = self.breaker.acquire()
            if not ticket.allowed:
                return Reply.error(503, "upstream unavailable",
                                   retry_after=ticket.retry_after)
            born = self.clock()
            try:
                hits = self.client.search(topic)
            except UpstreamTimeout:
                self.breaker.record(ticket, success=False)
                log.warning("upstream timeout", extra={
                    "topic": topic, "timeout_s": self.client.timeout})
                return Reply.error(504, "upstream timed out")
            except UpstreamError as exc:
                self.breaker.record(ticket, success=False)
                log.warning("upstream error", extra={"topic": topic, "reason": str(exc)})
                return Reply.error(502, "upstream error")
            self.breaker.record(ticket, success=True)
        finally:
            self.slots.release()
        reply = Reply(200, {"outcome": extract_outcome(hits)})
        renew_at = self.renew_after + self.rand() * self.renew_spread
        self.cache.put(topic, (reply.body, renew_at), born)
        return reply


def _error(status, message):
    resp = jsonify({"error": message})
    resp.status_code = status
    return resp


def create_app(environ=None):
    """App factory. Reads the configuration from ``environ`` (os.environ)."""
    configure_logging()
    config = load_config(environ)

    app = Flask(__name__)
    app.config.update(config)
    client = HackerNewsClient(
        config["UPSTREAM_BASE_URL"], config["UPSTREAM_TIMEOUT_SECONDS"],
        config["UPSTREAM_MAX_CONCURRENCY"],
    )
    service = ContentService(client, config)
    app.extensions["hn_client"] = client
    app.extensions["contents"] = service

    @app.after_request
    def add_cors_header(response):
        # Every answer, errors included, so the browser frontend can read it.
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    @app.errorhandler(HTTPException)
    def http_error(exc):
        # Keep werkzeug's response (status, Allow header on 405...) but
        # answer JSON like every other error of this API.
        response = exc.get_response()
        response.set_data(json.dumps({"error": exc.description or exc.name}))
        response.content_type = "application/json"
        return response

    @app.errorhandler(Exception)
    def unhandled_error(exc):
        log.exception("unhandled error")
        return _error(500, "internal server error")

    @app.get("/healthz")
    def healthz():
        return jsonify({"status": "ok"})

    @app.get("/readyz")
    def readyz():
        # Ready = configured and serving. Deliberately no upstream call and
        # no look at the breaker: an HN outage must not take every pod out
        # of the Service (the content requests answer 503 themselves).
        try:
            load_config({k: str(app.config.get(k)) for k in config})
        except (ValueError, TypeError) as exc:
            log.error("not ready: %s", exc)
            return _error(503, "not ready: invalid configuration")
        return jsonify({"status": "ready"})

    @app.get("/contents/")
    def contents_without_topic():
        return _error(400, "topic must be %d..%d characters"
                      % (TOPIC_MIN_LENGTH, TOPIC_MAX_LENGTH))

    @app.get("/contents/<topic>")
    def contents(topic):
        if not TOPIC_MIN_LENGTH <= len(topic) <= TOPIC_MAX_LENGTH or not topic.strip():
            return _error(400, "topic must be %d..%d characters"
                          % (TOPIC_MIN_LENGTH, TOPIC_MAX_LENGTH))
        reply, age = service.get(topic)
        response = app.response_class(reply.body, status=reply.status,
                                      mimetype="application/json")
        if reply.status == 200:
            response.headers["Age"] = str(int(age))
        if reply.retry_after is not None:
            response.headers["Retry-After"] = str(reply.retry_after)
        return response

    log.info("app configured", extra={k.lower(): v for k, v in config.items()})
    return app
