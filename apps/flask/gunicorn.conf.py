"""gunicorn settings for demo-flask-backend (container / Kubernetes).

Every value can be overridden from the environment:
    GUNICORN_BIND                default 0.0.0.0:$PORT (PORT default 8080)
    GUNICORN_WORKERS             default 2
    GUNICORN_WORKER_CONNECTIONS  default 1000 (open client connections per worker)
    GUNICORN_TIMEOUT             default 30  (worker silent -> killed/restarted)
    GUNICORN_GRACEFUL_TIMEOUT    default 20  (SIGTERM: finish in-flight requests)
    GUNICORN_KEEPALIVE           default 75  (> ALB idle timeout of 60 s)
    GUNICORN_WORKER_TMP_DIR      default /tmp (root filesystem is read-only)
    LOG_LEVEL                    default info
"""

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

import gc  # noqa: E402

import gevent  # noqa: E402

from jsonlog import GunicornJsonLogger  # noqa: E402


def _int_env(name, default, minimum=0):
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    value = int(raw)
    if value < minimum:
        raise ValueError("%s must be >= %d, got %r" % (name, minimum, raw))
    return value


wsgi_app = "app:create_app()"
chdir = _HERE

bind = [os.environ.get("GUNICORN_BIND") or
        "0.0.0.0:%d" % _int_env("PORT", 8080, minimum=1)]
workers = _int_env("GUNICORN_WORKERS", 2, minimum=1)
# gevent: a request waiting on the upstream holds a greenlet, not a thread,
# so /healthz and cached answers never queue behind slow upstream calls.
# The app bounds the upstream calls itself (UPSTREAM_MAX_CONCURRENCY).
worker_class = "gevent"
worker_connections = _int_env("GUNICORN_WORKER_CONNECTIONS", 1000, minimum=1)
timeout = _int_env("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int_env("GUNICORN_GRACEFUL_TIMEOUT", 20)
keepalive = _int_env("GUNICORN_KEEPALIVE", 75)

# Heartbeat files of the workers: the root filesystem is read-only, /tmp is
# an emptyDir.
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR", "/tmp")
# Nothing may be written elsewhere either: no pid file, and no control
# socket (gunicorn >= 25.1 would try $HOME/.gunicorn/gunicorn.ctl; older
# releases ignore this unknown setting).
pidfile = None
control_socket_disable = True

# Logs: JSON lines. Access log -> stdout, error log -> stderr.
logger_class = GunicornJsonLogger
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
capture_output = False

proc_name = "demo-flask-backend"


# How long a greenlet steps aside after each request (post_request).
POST_REQUEST_YIELD_SECONDS = 0.001


def post_request(worker, req, environ, resp):
    """Yield to the worker's other connections after every request.

    gevent switches greenlets only when one would block. On a keep-alive
    connection whose next request is already waiting, nothing blocks, so one
    busy client could be served again and again while the worker's other
    connections wait: under load, seconds at p99. The yield is a short timer,
    not sleep(0): sleep(0) only re-queues the greenlet as a callback, and the
    loop runs its callbacks before it polls the sockets again, so connections
    and upstream answers waiting on I/O still came after every busy
    connection (the benchmark's p99 at 0.6 s instead of 0.05 s).
    """
    gevent.sleep(POST_REQUEST_YIELD_SECONDS)


def post_worker_init(worker):
    """Leave the loaded app out of the collector's full passes.

    Everything imported and built so far lives as long as the worker. Without
    this, every full garbage collection walks all of it again and holds the
    worker's every connection for tens of milliseconds.
    """
    gc.freeze()
