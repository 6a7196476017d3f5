"""A separate process that takes rate-limiter slots for one API key as fast as it can.

Run by test_ratelimit.py several times at once: `python -m tests.gandi.hammer --redis URL
--key KEY --times N --calls C --period P [--url GANDI_URL] [--no-limiter]`. With --url each slot
is spent on a real `site.count` call; prints one JSON line: when each slot was granted (by
Redis's clock, the one the window is kept in) and the errors seen, by class name.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter

import redis

from sites_app.gandi.client import GandiClient
from sites_app.gandi.errors import GandiError
from sites_app.gandi.ratelimit import RateLimiter


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--redis", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--times", type=int, required=True)
    parser.add_argument("--calls", type=int, required=True)
    parser.add_argument("--period", type=float, required=True)
    parser.add_argument("--url")
    parser.add_argument("--no-limiter", action="store_true")
    parser.add_argument("--start-at", type=float, default=0.0)
    args = parser.parse_args(argv)

    limiter = RateLimiter.for_api_key(
        args.key,
        calls=args.calls,
        period=args.period,
        max_wait=60,
        redis_client=redis.Redis.from_url(args.redis),
    )
    client = None
    if args.url:
        client = GandiClient(
            args.url, args.key, rate_limiter=None if args.no_limiter else limiter, read_retries=0
        )
    # Start together, so the processes really compete for the same window.
    time.sleep(max(0.0, args.start_at - time.time()))
    granted: list[float] = []
    failures: Counter = Counter()
    for _ in range(args.times):
        if client is None:
            limiter.acquire()
            granted.append(limiter.last_granted_at)
            continue
        try:
            client.site_count()
            granted.append(limiter.last_granted_at or time.time())
        except GandiError as exc:
            failures[type(exc).__name__] += 1
    print(json.dumps({"granted": granted, "failures": failures}))


if __name__ == "__main__":
    main(sys.argv[1:])
