"""What keeps the upstream and this app safe from each other: a response cache
with a hard age bound, per-key request coalescing, renewal in the background
and a circuit breaker.

State is per process: every gunicorn worker has its own cache, calls in
flight and breaker. Only `threading` primitives are used; under gunicorn's
gevent worker they are monkey-patched into their greenlet versions, under
plain threads (the Flask test client) they are what they say.
"""

import math
import queue
import threading
import time
from collections import OrderedDict, namedtuple


class TTLCache:
    """Values keyed by string, served while younger than ``ttl`` seconds.

    A value's age counts from ``born``, the moment its upstream call
    started, so an answer is never older than ``ttl`` however long the call
    took. The least recently used entry goes first when ``max_entries`` is
    reached. ``ttl`` 0 turns caching off.
    """

    def __init__(self, ttl, max_entries, clock=time.monotonic):
        self.ttl = ttl
        self.max_entries = max_entries
        self._clock = clock
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        """(value, age in seconds) of a fresh entry, or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            born, value = entry
            age = self._clock() - born
            if age >= self.ttl:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return value, age

    def put(self, key, value, born):
        if self.ttl <= 0 or self._clock() - born >= self.ttl:
            return
        with self._lock:
            self._entries[key] = (born, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)


class SingleFlight:
    """Concurrent calls for the same key share one execution of ``fn``.

    The first caller (the leader) runs ``fn``; callers arriving while it
    runs wait for its result, for at most ``wait_timeout`` seconds, after
    which they get ``on_timeout()``. ``fn`` must return its outcome, not
    raise: an outcome, good or bad, is shared with the waiters of that one
    call only and is not remembered afterwards.
    """

    class _Call:
        __slots__ = ("done", "result")

        def __init__(self):
            self.done = threading.Event()
            self.result = None

    def __init__(self, wait_timeout):
        self.wait_timeout = wait_timeout
        self._calls = {}
        self._lock = threading.Lock()

    def do(self, key, fn, on_timeout):
        with self._lock:
            call = self._calls.get(key)
            leader = call is None
            if leader:
                call = self._calls[key] = self._Call()
        if not leader:
            if call.done.wait(self.wait_timeout):
                return call.result
            return on_timeout()
        return self._lead(key, call, fn)

    def _lead(self, key, call, fn):
        try:
            call.result = fn()
            return call.result
        finally:
            with self._lock:
                del self._calls[key]
            call.done.set()


class Renewer:
    """Runs ``fn(key)`` in the background, on at most ``workers`` threads.

    ``ask(key)`` never waits: it queues the key unless it is already queued
    or running, or ``max_pending`` keys are (then the key is left for a later
    ask). The threads start with the first ask, so a gunicorn worker starts
    them after forking, as greenlets. ``fn`` must handle its own errors.
    """

    def __init__(self, fn, workers, max_pending):
        self._fn = fn
        self._workers = workers
        self._max_pending = max_pending
        self._queue = queue.SimpleQueue()
        self._pending = set()
        self._started = False
        self._lock = threading.Lock()

    @property
    def pending(self):
        """How many keys are queued or running."""
        with self._lock:
            return len(self._pending)

    def ask(self, key):
        """True if ``key`` was queued."""
        with self._lock:
            if key in self._pending or len(self._pending) >= self._max_pending:
                return False
            self._pending.add(key)
            start, self._started = not self._started, True
        if start:
            for _ in range(self._workers):
                threading.Thread(target=self._work, daemon=True).start()
        self._queue.put(key)
        return True

    def _work(self):
        while True:
            key = self._queue.get()
            try:
                self._fn(key)
            finally:
                with self._lock:
                    self._pending.discard(key)


class Ticket(namedtuple("Ticket", "allowed trial retry_after")):
    """CircuitBreaker.acquire()'s answer. ``retry_after`` is a whole number of
    seconds, at least 1 when the call is refused (fit for Retry-After)."""

    __slots__ = ()


class CircuitBreaker:
    """Stops calling an upstream that keeps failing, and tries it again later.

    Closed: calls go through. After ``failure_threshold`` consecutive
    failures it opens: calls are refused for ``open_seconds``. Then it is
    half-open: one trial call goes through (the others are still refused);
    its success closes the breaker, its failure opens it again. A success
    seen at any time closes it.
    """

    CLOSED, OPEN, HALF_OPEN = "closed", "open", "half-open"

    def __init__(self, failure_threshold, open_seconds, clock=time.monotonic,
                 on_change=None):
        self.failure_threshold = failure_threshold
        self.open_seconds = open_seconds
        self._clock = clock
        self._on_change = on_change or (lambda state, failures: None)
        self._failures = 0
        self._opened_at = None
        self._trial_running = False
        self._lock = threading.Lock()

    @property
    def state(self):
        with self._lock:
            return self._state()

    def _state(self):
        if self._opened_at is None:
            return self.CLOSED
        if self._clock() - self._opened_at < self.open_seconds:
            return self.OPEN
        return self.HALF_OPEN

    def acquire(self):
        """A Ticket: may the call go now, or in how many seconds to retry."""
        with self._lock:
            state = self._state()
            if state == self.CLOSED:
                return Ticket(True, False, 0)
            if state == self.HALF_OPEN and not self._trial_running:
                self._trial_running = True
                return Ticket(True, True, 0)
            remaining = self._opened_at + self.open_seconds - self._clock()
            return Ticket(False, False, max(1, math.ceil(remaining)))

    def record(self, ticket, success):
        """Report how a call allowed by ``ticket`` ended. A failure of a call
        that began before the breaker opened changes nothing more."""
        with self._lock:
            before = self._state()
            if ticket.trial:
                self._trial_running = False
            if success:
                self._failures = 0
                self._opened_at = None
            elif ticket.trial or before == self.CLOSED:
                self._failures += 1
                if ticket.trial or self._failures >= self.failure_threshold:
                    self._opened_at = self._clock()
            after, failures = self._state(), self._failures
        if after != before:
            self._on_change(after, failures)
