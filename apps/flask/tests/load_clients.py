"""Concurrent clients for the outage tests, in a process of their own so that
their threads do not slow the test's own measurements.

    python3 load_clients.py PORT CLIENTS SECONDS

Client i asks for /contents/client-i over and over, each time on a new
connection, until SECONDS have passed. Prints one JSON object: the count of
each status ("error" for a failed connection), and how many 503 answers came
without a Retry-After header.
"""

import http.client
import json
import sys
import threading
import time


def main(port, clients, seconds):
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    statuses, no_retry_after = {}, [0]

    def client(i):
        while time.monotonic() < deadline:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                conn.request("GET", "/contents/client-%d" % i)
                resp = conn.getresponse()
                resp.read()
                status, retry_after = str(resp.status), resp.getheader("Retry-After")
            except OSError:
                status, retry_after = "error", None
            finally:
                conn.close()
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                if status == "503" and not retry_after:
                    no_retry_after[0] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps({"statuses": statuses, "503_without_retry_after": no_retry_after[0]}))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]))
