"""demo-flask-backend: the EKS workshop's Hacker News search backend.

API (unchanged from the workshop app):
    GET /contents/<topic>  -> {"outcome": [{"id", "title", "url"}, ...]}

Added for running in a cluster:
    GET /healthz           liveness, never calls the upstream
    GET /readyz            readiness, never calls the upstream
    upstream timeout (504) and upstream failure (502) answered as JSON,
    topic length validation (400), JSON logs, gunicorn instead of the
    Flask debug server.

Configuration (environment):
    UPSTREAM_BASE_URL         default https://hn.algolia.com
    UPSTREAM_TIMEOUT_SECONDS  default 3 (connect and read timeout, seconds)
    LOG_LEVEL                 default INFO
"""

import json
import logging
import os
import threading
from urllib.parse import urlsplit

import requests
from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from jsonlog import configure_logging

DEFAULT_UPSTREAM_BASE_URL = "https://hn.algolia.com"
DEFAULT_UPSTREAM_TIMEOUT_SECONDS = 3.0
SEARCH_PATH = "/api/v1/search"
TOPIC_MIN_LENGTH = 1
TOPIC_MAX_LENGTH = 100
USER_AGENT = "demo-flask-backend/2.0"

log = logging.getLogger("demo_flask_backend")


class UpstreamError(Exception):
    """The upstream answered badly or not at all (mapped to 502)."""


class UpstreamTimeout(Exception):
    """The upstream did not answer within the timeout (mapped to 504)."""


def load_config(environ=None):
    """Read and validate the settings; raises ValueError on bad values."""
    env = os.environ if environ is None else environ

    base_url = (env.get("UPSTREAM_BASE_URL") or DEFAULT_UPSTREAM_BASE_URL).strip()
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(
            "UPSTREAM_BASE_URL must be an absolute http(s) URL, got %r" % base_url
        )

    raw_timeout = env.get("UPSTREAM_TIMEOUT_SECONDS")
    if raw_timeout is None or raw_timeout.strip() == "":
        timeout = DEFAULT_UPSTREAM_TIMEOUT_SECONDS
    else:
        try:
            timeout = float(raw_timeout)
        except ValueError:
            raise ValueError(
                "UPSTREAM_TIMEOUT_SECONDS must be a number, got %r" % raw_timeout
            ) from None
        if not 0 < timeout <= 60:
            raise ValueError(
                "UPSTREAM_TIMEOUT_SECONDS must be in (0, 60], got %r" % raw_timeout
            )

    return {
        "UPSTREAM_BASE_URL": base_url.rstrip("/"),
        "UPSTREAM_TIMEOUT_SECONDS": timeout,
    }


class HackerNewsClient:
    """Calls the HN search API. One requests.Session per thread (pooling)."""

    def __init__(self, base_url, timeout):
        self.search_url = base_url.rstrip("/") + SEARCH_PATH
        self.timeout = timeout
        self._local = threading.local()

    def _session(self):
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers.update(
                {"Accept": "application/json", "User-Agent": USER_AGENT}
            )
            self._local.session = session
        return session

    def search(self, topic):
        try:
            # params= lets requests URL-encode the topic (spaces, '&', '#'...).
            resp = self._session().get(
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
        config["UPSTREAM_BASE_URL"], config["UPSTREAM_TIMEOUT_SECONDS"]
    )
    app.extensions["hn_client"] = client

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
        # Ready = configured and serving. Deliberately no upstream call: an
        # HN outage must not take every pod out of the Service.
        try:
            load_config(
                {
                    "UPSTREAM_BASE_URL": app.config.get("UPSTREAM_BASE_URL"),
                    "UPSTREAM_TIMEOUT_SECONDS": str(
                        app.config.get("UPSTREAM_TIMEOUT_SECONDS")
                    ),
                }
            )
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
        try:
            hits = client.search(topic)
        except UpstreamTimeout:
            log.warning("upstream timeout", extra={"topic": topic,
                                                   "timeout_s": client.timeout})
            return _error(504, "upstream timed out")
        except UpstreamError as exc:
            log.warning("upstream error", extra={"topic": topic, "reason": str(exc)})
            return _error(502, "upstream error")
        return jsonify({"outcome": extract_outcome(hits)})

    log.info(
        "app configured",
        extra={"upstream_base_url": config["UPSTREAM_BASE_URL"],
               "upstream_timeout_s": config["UPSTREAM_TIMEOUT_SECONDS"]},
    )
    return app
