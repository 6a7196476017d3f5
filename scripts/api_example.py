#!/usr/bin/env python3
"""Create a site through the portal's REST API, follow its operation to DONE, delete it.

    PORTAL_URL=http://127.0.0.1:8000 PORTAL_TOKEN=gsp_... python3 scripts/api_example.py

Only the standard library. The token is a read-write one (Profile → API tokens) of a person
who may spend (billing, admin or owner). Exits 0 when the site was created and deleted.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.request
import uuid


def call(base: str, token: str, method: str, path: str, body=None, key: str = "", problem=""):
    """One request -> (status, JSON, headers); a problem other than `problem` ends the run."""
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if key:
        headers["Idempotency-Key"] = key  # re-sending the same request returns the same op
    url = path if path.startswith("http") else base.rstrip("/") + path
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null"), response.headers
    except urllib.error.HTTPError as error:  # a problem (RFC 9457): say what it says
        answer = json.loads(error.read() or b"{}")
        if problem and answer.get("code") == problem:
            return error.code, answer, error.headers
        sys.exit(f"{method} {path}: {error.code} {answer.get('detail')} {answer.get('errors', '')}")


def follow(base: str, token: str, url: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        _, op, _ = call(base, token, "GET", url)
        print(f"  operation {op['id']}: {op['status']} {op['gandi_step']} {op['progress']}%")
        if op["status"] in ("done", "failed", "cancelled", "needs_attention"):
            return op
        if time.monotonic() > deadline:
            sys.exit("the operation did not end in time")
        time.sleep(1)


def main(base: str, token: str, name: str = "", vhost: str = "") -> int:
    _, accounts, _ = call(base, token, "GET", "/api/v1/accounts/")
    name = name or f"API demo {uuid.uuid4().hex[:6]}"
    vhost = vhost or f"api-{uuid.uuid4().hex[:8]}.basekit-site.example"
    body = {"account": accounts[0]["id"], "name": name, "package": "personal",
            "duration": "1m", "vhosts": [vhost]}  # fmt: skip
    # Creating spends money: the first answer is the price (409 price_required), sent back to
    # confirm it, as the create page asks to.
    _, asked, _ = call(base, token, "POST", "/api/v1/sites/", body, problem="price_required")
    print(f"price: {asked['quote']['price']:.2f} {asked['quote']['currency']}")
    body.update(quoted_price=asked["quote"]["price"], quoted_currency=asked["quote"]["currency"])
    status, _answer, headers = call(
        base, token, "POST", "/api/v1/sites/", body, key=str(uuid.uuid4())
    )
    print(f"create: {status}, operation at {headers['Location']}")
    op = follow(base, token, headers["Location"])
    if op["status"] != "done":
        sys.exit(f"create ended {op['status']}: {op['last_error']}")
    site = op["site"]
    _, detail, _ = call(base, token, "GET", f"/api/v1/sites/{site}/")
    print(f"site {detail['id']} {detail['name']!r}: {[v['name'] for v in detail['vhosts']]}")
    status, _, headers = call(
        base, token, "DELETE", f"/api/v1/sites/{site}/", {"confirm_name": detail["name"]},
        key=str(uuid.uuid4()),
    )  # fmt: skip
    print(f"delete: {status}, operation at {headers['Location']}")
    op = follow(base, token, headers["Location"])
    return 0 if op["status"] == "done" else 1


if __name__ == "__main__":
    sys.exit(
        main(os.environ.get("PORTAL_URL", "http://127.0.0.1:8000"), os.environ["PORTAL_TOKEN"])
    )
