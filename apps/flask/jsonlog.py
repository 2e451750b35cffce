"""JSON logging shared by the Flask app and gunicorn.

Every record becomes one JSON object on one line, so the cluster's log
pipeline (CloudWatch / Fluent Bit) can parse fields without regexes.

Kept free of any Flask import so that gunicorn.conf.py can load it in the
master process before the application is imported.
"""

import datetime
import json
import logging
import os
import sys

# Attributes every LogRecord has; anything else on a record came from
# ``extra=`` and is copied into the JSON object.
_STANDARD_ATTRS = frozenset(
    vars(logging.LogRecord("", logging.INFO, "", 0, "", (), None)).keys()
) | {"message", "asctime", "taskName"}

_HANDLER_MARK = "_demo_json_handler"


def _utc_timestamp(created):
    ts = datetime.datetime.fromtimestamp(created, tz=datetime.timezone.utc)
    return ts.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(logging.Formatter):
    """Format a LogRecord as a single-line JSON object."""

    def format(self, record):
        payload = {
            "time": _utc_timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            payload["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(payload, default=str, separators=(",", ":"))


class _StdoutHandler(logging.StreamHandler):
    """StreamHandler that always writes to the *current* sys.stdout."""

    def __init__(self):
        super().__init__(sys.stdout)

    @property
    def stream(self):
        return sys.stdout

    @stream.setter
    def stream(self, _value):
        # logging.StreamHandler assigns self.stream in __init__/setStream;
        # the property above always follows sys.stdout instead.
        pass


def configure_logging(level=None):
    """Send root-logger records to stdout as JSON. Safe to call repeatedly."""
    level_name = (level or os.environ.get("LOG_LEVEL") or "INFO").upper()
    root = logging.getLogger()
    if not any(getattr(h, _HANDLER_MARK, False) for h in root.handlers):
        handler = _StdoutHandler()
        handler.setFormatter(JsonFormatter())
        setattr(handler, _HANDLER_MARK, True)
        root.addHandler(handler)
    root.setLevel(getattr(logging, level_name, logging.INFO))
    return root


def _gunicorn_logger_base():
    try:
        from gunicorn.glogging import Logger
    except ImportError:  # gunicorn not installed (plain unit tests)
        return None
    return Logger


_GunicornLogger = _gunicorn_logger_base()

if _GunicornLogger is not None:

    class GunicornJsonLogger(_GunicornLogger):
        """gunicorn logger: JSON error log (stderr) and JSON access log (stdout).

        Works with gunicorn 20.1 (Debian bookworm) and current releases: it
        only relies on ``setup``/``access`` and the ``_gunicorn`` handler mark,
        which all of them share.
        """

        def setup(self, cfg):
            super().setup(cfg)
            formatter = JsonFormatter()
            for logger in (self.error_log, self.access_log):
                for handler in logger.handlers:
                    if getattr(handler, "_gunicorn", False):
                        handler.setFormatter(formatter)

        def _access_enabled(self):
            enabled = getattr(self, "access_log_enabled", None)  # gunicorn >= 24
            if enabled is None:
                enabled = bool(self.cfg.accesslog or self.cfg.logconfig
                               or self.cfg.logconfig_dict)
            return enabled

        def access(self, resp, req, environ, request_time):
            if not self._access_enabled():
                return
            status = resp.status
            if isinstance(status, bytes):
                status = status.decode("utf-8", "replace")
            if isinstance(status, str):
                status = status.split(None, 1)[0]
            try:
                status = int(status)
            except (TypeError, ValueError):
                pass
            duration_ms = round(request_time.total_seconds() * 1000.0, 3)
            self.access_log.info(
                "access",
                extra={
                    "type": "access",
                    "method": environ.get("REQUEST_METHOD"),
                    "path": environ.get("PATH_INFO"),
                    "query": environ.get("QUERY_STRING") or None,
                    "status": status,
                    "duration_ms": duration_ms,
                    "bytes": getattr(resp, "sent", None),
                    "remote_addr": environ.get("REMOTE_ADDR"),
                    "forwarded_for": environ.get("HTTP_X_FORWARDED_FOR"),
                    "user_agent": environ.get("HTTP_USER_AGENT"),
                    "protocol": environ.get("SERVER_PROTOCOL"),
                },
            )
