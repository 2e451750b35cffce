"""The workshop's original demo-flask-backend, run the workshop's way: the
baseline of the benchmark (run.py). Not part of any image.

Origin: app.py of github.com/joozero/amazon-eks-flask, the repository the
workshop clones (seed 000: `git clone https://github.com/joozero/amazon-eks-flask.git`;
summarised in shared/workshop-reference.md). Written here to do exactly what
it does, since this repository takes in no code fetched from elsewhere:
  - Flask's development server, debug=True (debugger and reloader on,
    threaded as Flask's run() is by default), on 0.0.0.0:8080;
  - per request, a bare requests.get of the search URL with the topic
    appended unencoded: no timeout, no session, so a new connection each time;
  - hits with both a title and a url, as {"id", "title", "url"}, in
    {"outcome": [...]} with Access-Control-Allow-Origin: *, and an empty
    outcome when the upstream answers other than 200.
Differences, none of them slowing it down: the upstream base URL and the
listening address come from the environment for the benchmark
(WORKSHOP_UPSTREAM_BASE_URL, WORKSHOP_HOST, WORKSHOP_PORT; defaults as in
the original), and a plain Flask route replaces the original's Flask-RESTful
Resource, which only adds per-request work.
"""

import json
import os

import requests
from flask import Flask, jsonify

UPSTREAM_BASE_URL = os.environ.get("WORKSHOP_UPSTREAM_BASE_URL", "https://hn.algolia.com")

app = Flask(__name__)


@app.route("/contents/<string:topic>")
def search_contents(topic):
    url = UPSTREAM_BASE_URL + "/api/v1/search?query=" + topic
    response = requests.get(url)
    data = []
    if response.status_code == 200:
        raw_data = json.loads(response.text)
        for index in raw_data["hits"]:
            if index["title"] and index["url"]:
                data.append({"id": index["objectID"], "title": index["title"], "url": index["url"]})
    response = jsonify(outcome=data)
    response.headers.add("Access-Control-Allow-Origin", "*")
    return response


if __name__ == "__main__":
    app.run(debug=True, host=os.environ.get("WORKSHOP_HOST", "0.0.0.0"),
            port=int(os.environ.get("WORKSHOP_PORT", "8080")))
