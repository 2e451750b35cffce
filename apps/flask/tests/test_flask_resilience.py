"""The cache, the coalescing of identical requests, the limit on upstream
calls and the circuit breaker: through create_app() and Flask's test client
(threads) against the fake upstream on loopback, and with a fake clock.

Time is the fake clock's wherever the behaviour depends on it (ages, TTLs,
the breaker's open time): the fake upstream advances it by how long its call
takes. Nothing here waits on the real clock to show that something did not
happen; "at once" means "while the upstream call is still held".

Deliberate breakages of the app, and the test that catches each, are listed
and checked in breakages.py.
"""

import json
import threading
import time

import app as app_module
from resilience import CircuitBreaker, Renewer, TTLCache

HIT = {"objectID": "1", "title": "EKS", "url": "https://example.com/1"}


def _concurrently(n, fn):
    """Run fn(i) for i in range(n) in n threads started together; results in order."""
    results = [None] * n
    start = threading.Barrier(n)

    def run(i):
        start.wait()
        results[i] = fn(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads)
    return results


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def _eventually(condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met within %ss" % timeout
        time.sleep(0.01)


class FakeHackerNews:
    """HackerNewsClient's interface: answers or fails as told, counting calls.
    Each call takes ``took`` seconds of the fake clock."""

    timeout = 1.0

    def __init__(self, clock):
        self.clock = clock
        self.took = 0.0
        self.calls = 0
        self.title = "EKS"
        self.fail = False
        self.answering = threading.Event()  # cleared: calls wait for set()
        self.answering.set()

    def search(self, topic):
        self.calls += 1
        self.answering.wait(5)
        self.clock.now += self.took
        if self.fail:
            raise app_module.UpstreamError("upstream answered HTTP 503")
        return [dict(HIT, title=self.title)]


def _service(rand=lambda: 0.0, **settings):
    """A ContentService on a FakeClock and a FakeHackerNews; ``rand`` draws
    each answer's point of renewal (0: the earliest)."""
    clock = FakeClock()
    upstream = FakeHackerNews(clock)
    config = app_module.load_config({k: str(v) for k, v in settings.items()})
    return app_module.ContentService(upstream, config, clock=clock, rand=rand), clock, upstream


def _held(cache):
    """What the cache holds, {key: born}, expired entries included (get()
    drops those, so it cannot show them)."""
    return {key: born for key, (born, _) in cache._entries.items()}


def _title(reply):
    assert reply.status == 200, reply.body
    return json.loads(reply.body)["outcome"][0]["title"]


def test_a_cached_answer_is_served_over_http_with_its_age(fake_upstream, make_client):
    fake_upstream.respond(payload={"hits": [HIT]})
    client = make_client(fake_upstream.url)

    first = client.get("/contents/aws")
    second = client.get("/contents/aws")
    assert first.status_code == second.status_code == 200
    assert second.data == first.data
    assert fake_upstream.calls == 1, "a fresh answer must come from the cache"
    assert first.headers["Age"] == "0" and second.headers["Age"] == "0"
    client.get("/contents/other")
    assert fake_upstream.calls == 2, "each topic has its own entry"


def test_an_answer_is_served_from_the_cache_until_it_is_ttl_old():
    service, clock, upstream = _service(CACHE_TTL_SECONDS=10, CACHE_RENEW_FRACTION=1)
    service.get("aws")
    clock.now += 9.75
    reply, age = service.get("aws")
    assert _title(reply) == "EKS" and age == 9.75 and upstream.calls == 1
    clock.now += 0.25
    reply, age = service.get("aws")
    assert upstream.calls == 2 and age == 0, "an answer CACHE_TTL_SECONDS old was served"


def test_an_answer_expires_at_the_start_of_its_call_plus_the_ttl():
    service, clock, upstream = _service(CACHE_TTL_SECONDS=10, CACHE_RENEW_FRACTION=1)
    upstream.took = 4
    born = clock.now
    service.get("aws")
    assert clock.now == born + 4
    assert _held(service.cache) == {"aws": born}, "the age must count from the call's start"
    clock.now = born + 9.5
    reply, age = service.get("aws")
    assert age == 9.5 and upstream.calls == 1
    clock.now = born + 10
    service.get("aws")
    assert upstream.calls == 2, "served past born + CACHE_TTL_SECONDS"


def test_an_answer_older_than_the_ttl_on_arrival_is_not_stored():
    service, clock, upstream = _service(CACHE_TTL_SECONDS=10, CACHE_RENEW_FRACTION=1)
    upstream.took = 10
    reply, _ = service.get("late")
    assert _title(reply) == "EKS", "the request still gets its answer"
    assert _held(service.cache) == {}, "an answer CACHE_TTL_SECONDS old on arrival was stored"
    # Negative control: one that arrives a moment younger is stored.
    upstream.took = 9.75
    born = clock.now
    service.get("late")
    assert _held(service.cache) == {"late": born}


def test_ttl_0_stores_nothing():
    service, _, upstream = _service(CACHE_TTL_SECONDS=0)
    service.get("aws")
    service.get("aws")
    assert upstream.calls == 2 and _held(service.cache) == {}


def test_age_counts_from_the_start_of_the_upstream_call():
    clock = FakeClock()
    cache = TTLCache(ttl=10, max_entries=10, clock=clock)
    born = clock.now
    clock.now += 4  # the upstream took 4 s to answer
    cache.put("aws", b"answer", born)
    clock.now += 5.5
    assert cache.get("aws") == (b"answer", 9.5)
    clock.now += 0.5
    assert cache.get("aws") is None, "served at 10 s old, the TTL"

    cache.put("late", b"answer", born=clock.now - 10)
    assert "late" not in _held(cache), "an answer already TTL old must not be stored"
    off = TTLCache(ttl=0, max_entries=10, clock=clock)
    off.put("x", b"answer", clock.now)
    assert _held(off) == {}, "TTL 0 turns the cache off"


def test_the_cache_keeps_the_most_recently_used_entries():
    clock = FakeClock()
    cache = TTLCache(ttl=60, max_entries=2, clock=clock)
    cache.put("a", b"a", clock.now)
    cache.put("b", b"b", clock.now)
    assert cache.get("a") is not None  # a is now more recent than b
    cache.put("c", b"c", clock.now)
    assert cache.get("b") is None
    assert cache.get("a") is not None and cache.get("c") is not None


def test_errors_are_not_cached(fake_upstream, make_client):
    client = make_client(fake_upstream.url, timeout=0.3)

    fake_upstream.respond(status=500, body="{}")
    assert client.get("/contents/aws").status_code == 502
    fake_upstream.respond(payload={"hits": [HIT]}, delay=1)
    assert client.get("/contents/aws").status_code == 504

    fake_upstream.respond(payload={"hits": [HIT]})
    ok = client.get("/contents/aws")
    assert ok.status_code == 200, "an upstream error was served from the cache"
    assert json.loads(ok.data)["outcome"][0]["title"] == "EKS"
    assert fake_upstream.calls == 3
    # Negative control: the good answer is cached.
    assert client.get("/contents/aws").status_code == 200
    assert fake_upstream.calls == 3


def test_concurrent_identical_requests_share_one_upstream_call(fake_upstream, make_client):
    # The cache is off: only coalescing can explain a single call.
    fake_upstream.respond(payload={"hits": [HIT]}, delay=0.5)
    app = make_client(fake_upstream.url, CACHE_TTL_SECONDS=0).application

    answers = _concurrently(16, lambda i: app.test_client().get("/contents/aws"))
    assert [a.status_code for a in answers] == [200] * 16
    assert len({a.data for a in answers}) == 1
    assert fake_upstream.calls == 1

    # Negative controls: distinct topics are separate calls, and once the
    # shared call is over, the next request calls again.
    _concurrently(4, lambda i: app.test_client().get("/contents/topic-%d" % i))
    assert fake_upstream.calls == 1 + 4
    assert app.test_client().get("/contents/aws").status_code == 200
    assert fake_upstream.calls == 1 + 4 + 1


def test_a_shared_error_reaches_every_waiting_request_and_is_not_kept(fake_upstream, make_client):
    fake_upstream.respond(status=503, body="{}", delay=0.5)
    app = make_client(fake_upstream.url).application

    answers = _concurrently(8, lambda i: app.test_client().get("/contents/aws"))
    assert [a.status_code for a in answers] == [502] * 8
    assert fake_upstream.calls == 1

    fake_upstream.respond(payload={"hits": [HIT]})
    assert app.test_client().get("/contents/aws").status_code == 200
    assert fake_upstream.calls == 2


def test_saturated_upstream_calls_answer_503_at_once(fake_upstream, make_client):
    fake_upstream.respond(payload={"hits": [HIT]})
    fake_upstream.hang()
    app = make_client(fake_upstream.url, UPSTREAM_MAX_CONCURRENCY=2).application

    busy = [threading.Thread(target=app.test_client().get, args=("/contents/slow-%d" % i,))
            for i in range(2)]
    for t in busy:
        t.start()
    deadline = time.monotonic() + 5
    while fake_upstream.calls < 2 and time.monotonic() < deadline:
        time.sleep(0.01)

    refused = app.test_client().get("/contents/third")
    # At once: both calls still hang, so a request that waited for a slot
    # could not have been answered yet.
    assert all(t.is_alive() for t in busy) and fake_upstream.calls == 2
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "1"
    assert refused.headers["Access-Control-Allow-Origin"] == "*"
    assert json.loads(refused.data) == {"error": "upstream busy"}

    fake_upstream.respond(payload={"hits": [HIT]})
    for t in busy:
        t.join(timeout=10)
    # Negative control: with the slots free again, the same request goes through.
    assert app.test_client().get("/contents/third").status_code == 200
    assert fake_upstream.calls == 3


def test_an_open_breaker_answers_503_with_retry_after_without_calling(fake_upstream, make_client):
    fake_upstream.respond(status=500, body="{}")
    client = make_client(fake_upstream.url, BREAKER_FAILURE_THRESHOLD=3,
                         BREAKER_OPEN_SECONDS=300, CACHE_TTL_SECONDS=0)

    assert [client.get("/contents/t%d" % i).status_code for i in range(3)] == [502] * 3
    opened = client.get("/contents/t3")
    assert opened.status_code == 503
    assert 299 <= int(opened.headers["Retry-After"]) <= 300
    assert opened.headers["Access-Control-Allow-Origin"] == "*"
    assert json.loads(opened.data) == {"error": "upstream unavailable"}
    assert fake_upstream.calls == 3, "an open breaker must not call the upstream"


def test_the_breaker_lets_one_trial_through_after_its_open_time():
    service, clock, upstream = _service(BREAKER_FAILURE_THRESHOLD=3, BREAKER_OPEN_SECONDS=10,
                                        CACHE_TTL_SECONDS=0)
    upstream.fail = True
    assert [service.get("t%d" % i)[0].status for i in range(3)] == [502] * 3
    refused = service.get("t3")[0]
    assert (refused.status, refused.retry_after, upstream.calls) == (503, 10, 3)

    upstream.fail = False
    clock.now += 9.75
    refused = service.get("t4")[0]
    assert (refused.status, refused.retry_after) == (503, 1), "closed before its open time"
    clock.now += 0.25
    assert service.get("t5")[0].status == 200, "the trial call at the open time"
    assert service.get("t6")[0].status == 200, "a successful trial closes the breaker"
    assert upstream.calls == 5


def test_only_consecutive_failures_open_the_breaker(fake_upstream, make_client):
    client = make_client(fake_upstream.url, BREAKER_FAILURE_THRESHOLD=3, CACHE_TTL_SECONDS=0)
    for status in (500, 500, 200, 500, 500, 200):
        fake_upstream.respond(status=status, payload={"hits": []})
        assert client.get("/contents/aws").status_code == (200 if status == 200 else 502)
    assert fake_upstream.calls == 6


def test_a_half_open_breaker_lets_one_trial_through():
    clock = FakeClock()
    changes = []
    breaker = CircuitBreaker(2, 10, clock=clock, on_change=lambda s, f: changes.append(s))
    for _ in range(2):
        ticket = breaker.acquire()
        assert ticket.allowed
        breaker.record(ticket, success=False)
    assert breaker.state == "open" and changes == ["open"]
    clock.now += 2.5
    assert breaker.acquire() == (False, False, 8), "Retry-After rounds the 7.5 s left up"

    clock.now += 7.5
    trial = breaker.acquire()
    assert trial.allowed and trial.trial
    assert not breaker.acquire().allowed, "a second call while the trial runs"
    breaker.record(trial, success=False)
    assert breaker.state == "open", "a failed trial opens it again"
    assert breaker.acquire().retry_after == 10

    clock.now += 10
    trial = breaker.acquire()
    breaker.record(trial, success=True)
    assert breaker.state == "closed" and changes == ["open", "open", "closed"]
    assert breaker.acquire().allowed


def test_a_late_failure_from_before_the_opening_changes_nothing():
    clock = FakeClock()
    breaker = CircuitBreaker(1, 10, clock=clock)
    early, failing = breaker.acquire(), breaker.acquire()
    breaker.record(failing, success=False)
    clock.now += 10
    trial = breaker.acquire()
    breaker.record(early, success=False)  # began while closed, ends now
    assert not breaker.acquire().allowed, "the trial is still the only call"
    breaker.record(trial, success=True)
    assert breaker.state == "closed"


def test_an_answer_due_for_renewal_is_served_while_one_background_call_renews_it():
    service, clock, upstream = _service(CACHE_TTL_SECONDS=60, CACHE_RENEW_FRACTION=0.75)
    assert _title(service.get("aws")[0]) == "EKS"
    upstream.title = "EKS 2"

    clock.now += 44
    assert _title(service.get("aws")[0]) == "EKS"
    assert upstream.calls == 1, "renewed before CACHE_RENEW_FRACTION of the TTL"

    clock.now += 1  # 45 s old: due
    upstream.answering.clear()
    for _ in range(5):
        reply, age = service.get("aws")
        assert _title(reply) == "EKS" and age == 45
    _eventually(lambda: upstream.calls == 2)
    upstream.answering.set()
    _eventually(lambda: service.renewer.pending == 0)
    assert upstream.calls == 2, "five requests on a due answer make one renewal"

    # The renewed answer counts from its own call: at 70 s, past the first
    # answer's TTL, it is served without a call.
    clock.now += 25
    reply, age = service.get("aws")
    assert _title(reply) == "EKS 2" and age == 25
    assert upstream.calls == 2


def test_answers_fetched_together_are_renewed_at_spread_out_ages():
    # rand 1: the latest point, half-way from 45 s (0.75 of 60) to the TTL.
    service, clock, upstream = _service(rand=lambda: 1.0, CACHE_TTL_SECONDS=60,
                                        CACHE_RENEW_FRACTION=0.75)
    service.get("aws")
    clock.now += 52
    service.get("aws")
    # ask() queues at once: nothing pending means nothing was asked.
    assert service.renewer.pending == 0 and upstream.calls == 1, "renewed before its drawn age"
    clock.now += 0.5
    service.get("aws")
    _eventually(lambda: upstream.calls == 2)


def test_without_renewal_an_expired_answer_makes_the_request_wait():
    # Negative control of the renewal: CACHE_RENEW_FRACTION 1 turns it off.
    service, clock, upstream = _service(CACHE_TTL_SECONDS=60, CACHE_RENEW_FRACTION=1)
    service.get("aws")
    clock.now += 59
    assert _title(service.get("aws")[0]) == "EKS"
    assert service.renewer.pending == 0 and upstream.calls == 1
    clock.now += 1
    reply, age = service.get("aws")
    assert upstream.calls == 2 and age == 0, "the expired answer was not fetched again in the request"


def test_a_failed_renewal_keeps_the_answer_until_its_ttl_and_is_not_cached():
    service, clock, upstream = _service(CACHE_TTL_SECONDS=60, CACHE_RENEW_FRACTION=0.75)
    service.get("aws")
    upstream.fail = True
    clock.now += 50
    assert _title(service.get("aws")[0]) == "EKS"
    _eventually(lambda: upstream.calls == 2 and service.renewer.pending == 0)
    assert _title(service.get("aws")[0]) == "EKS", "a failed renewal replaced the answer"
    _eventually(lambda: upstream.calls == 3 and service.renewer.pending == 0)

    clock.now += 10  # 60 s: the answer is gone, the error is not served from the cache
    reply, _ = service.get("aws")
    assert reply.status == 502
    upstream.fail = False
    assert _title(service.get("aws")[0]) == "EKS"


def test_the_renewer_runs_each_key_once_at_a_time_on_at_most_its_workers(monkeypatch):
    started = []

    class CountedThread(threading.Thread):
        def start(self):
            started.append(self)
            super().start()

    monkeypatch.setattr(threading, "Thread", CountedThread)
    running, most, done = [], [0], threading.Event()
    lock = threading.Lock()

    def renew(key):
        with lock:
            running.append(key)
            most[0] = max(most[0], len(running))
        done.wait(5)
        with lock:
            running.remove(key)

    renewer = Renewer(renew, workers=2, max_pending=3)
    assert renewer.ask("a") and renewer.ask("b") and renewer.ask("c")
    assert not renewer.ask("a"), "a key queued twice"
    assert not renewer.ask("d"), "more than max_pending keys queued"
    _eventually(lambda: len(running) == 2)
    assert len(started) == 2, "more threads than workers"
    assert renewer.pending == 3, "the third key waits for a worker"
    done.set()
    _eventually(lambda: renewer.pending == 0)
    assert renewer.ask("a") and renewer.ask("d"), "finished keys can be asked again"
    _eventually(lambda: renewer.pending == 0)
    assert most[0] == 2 and len(started) == 2


def test_renewal_does_not_delay_requests_against_a_slow_upstream():
    service, clock, upstream = _service(rand=lambda: 1.0, CACHE_TTL_SECONDS=2,
                                        CACHE_RENEW_FRACTION=0.5)
    service.get("aws")
    clock.now += 1.75  # past the latest renewal point (1.5 s), before the TTL
    upstream.answering.clear()  # the renewal's call is held
    answers = _concurrently(8, lambda i: service.get("aws"))
    assert [(_title(reply), age) for reply, age in answers] == [("EKS", 1.75)] * 8
    _eventually(lambda: upstream.calls == 2)
    # Every request was answered while the renewal still hangs.
    assert service.renewer.pending == 1, "a request waited for the upstream"
    upstream.answering.set()
    _eventually(lambda: service.renewer.pending == 0)
