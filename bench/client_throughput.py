"""How fast the Gandi client talks to the simulator, and what batched polling saves.

Starts a simulator in this process (fast steps, no state file, no fault injection), then prints:
1. calls per second for a read (`site.count`), one client, one connection at a time;
2. for N operations (1,000 by default), the cost of learning their state by batched polling
   (`operations_by_id`: one `operation.list` per 500 ids) versus one `operation.info` each:
   calls made and wall time side by side, and the ratio.

The client's rate limiter is OFF by default (the portal's default, 30 calls per 2 s, would turn
this into a measurement of the limit). `--limiter` runs the read test through the real Redis
limiter instead, with its limit raised out of the way, to show the limiter's own cost.

    .venv/bin/python bench/client_throughput.py [--reads 2000] [--operations 1000]
        [--latency-ms 20] [--limiter]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sites_app.gandi.client import GandiClient  # noqa: E402
from sites_app.gandi.ratelimit import RateLimiter, limiter_redis  # noqa: E402
from sites_app.gandi.simulator import PARKING_DOMAIN, Simulator  # noqa: E402


def measure_reads(client: GandiClient, reads: int) -> tuple[float, float]:
    client.site_count()  # open the connection before timing
    started = time.perf_counter()
    for _ in range(reads):
        client.site_count()
    elapsed = time.perf_counter() - started
    return reads / elapsed, elapsed


def start_operations(client: GandiClient, count: int) -> tuple[list[int], float]:
    started = time.perf_counter()
    ids = [
        client.site_create(name=f"Bench {n}", vhosts=[f"bench-{n}.{PARKING_DOMAIN}"]).id
        for n in range(count)
    ]
    return ids, time.perf_counter() - started


def poll_batched(client: GandiClient, simulator: Simulator, ids: list[int]) -> tuple[int, float]:
    before = sum(simulator.calls().values())
    started = time.perf_counter()
    found = client.operations_by_id(ids)
    elapsed = time.perf_counter() - started
    assert len(found) == len(ids), "batched polling lost operations"
    return sum(simulator.calls().values()) - before, elapsed


def poll_one_by_one(client: GandiClient, simulator: Simulator, ids: list[int]) -> tuple[int, float]:
    before = sum(simulator.calls().values())
    started = time.perf_counter()
    found = {op_id: client.operation_info(op_id) for op_id in ids}
    elapsed = time.perf_counter() - started
    assert len(found) == len(ids)
    return sum(simulator.calls().values()) - before, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=2000, help="site.count calls to time")
    parser.add_argument("--operations", type=int, default=1000, help="operations to poll")
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        help="simulated Gandi latency per call for the polling comparison (default 0)",
    )
    parser.add_argument(
        "--limiter", action="store_true", help="read test through the Redis limiter (raised)"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as workdir:
        simulator = Simulator(port=0, step_seconds=0.05).start()
        redis_process = None
        try:
            key = simulator.add_account(credit=10_000_000.0)
            limiter = None
            if args.limiter:
                from portal import private_redis

                port = private_redis.free_port()
                redis_process = private_redis.start(port, Path(workdir) / "redis")
                limiter = RateLimiter.for_api_key(
                    key,
                    calls=1_000_000,
                    period=1.0,
                    redis_client=limiter_redis(f"redis://127.0.0.1:{port}/0"),
                )
            client = GandiClient(simulator.url, key, timeout=20, rate_limiter=limiter)
            print(f"Gandi simulator at {simulator.url} (in this process, fast steps)")
            if limiter:
                print("Rate limiter: the real Redis limiter, limit raised to 1,000,000 calls/s")
            else:
                print("Rate limiter: DISABLED (the portal default is 30 calls per 2 s)")
            print()

            rate, elapsed = measure_reads(client, args.reads)
            print(f"Reads: {args.reads} x site.count in {elapsed:.2f} s = {rate:,.0f} calls/s")
            print(f"       {1000 / rate:.2f} ms per call")

            client.rate_limiter = None  # the polling comparison counts calls, not the limiter
            ids, create_seconds = start_operations(client, args.operations)
            print(f"\nStarted {len(ids)} operations (site.create) in {create_seconds:.2f} s")
            if args.latency_ms:
                simulator.set_faults(latency=args.latency_ms)
                print(f"Simulated Gandi latency from here on: {args.latency_ms:g} ms per call")
            batched_calls, batched_seconds = poll_batched(client, simulator, ids)
            single_calls, single_seconds = poll_one_by_one(client, simulator, ids)

            print(f"\nLearning the state of {len(ids)} operations:")
            print(f"  {'method':<36}{'calls':>8}{'wall time':>12}")
            print(
                f"  {'operations_by_id (operation.list)':<36}{batched_calls:>8}"
                f"{batched_seconds * 1000:>9.0f} ms"
            )
            print(
                f"  {'operation.info one by one':<36}{single_calls:>8}"
                f"{single_seconds * 1000:>9.0f} ms"
            )
            print(
                f"  ratio (one by one / batched): {single_calls / batched_calls:.0f}x calls, "
                f"{single_seconds / batched_seconds:.1f}x wall time"
            )
            budget = 30 / 2.0
            print(f"  under the default limit of 30 calls / 2 s: batched needs "
                  f"{batched_calls / budget:.1f} s of budget, one by one "
                  f"{single_calls / budget:.0f} s")  # fmt: skip
        finally:
            simulator.stop()
            if redis_process is not None:
                redis_process.terminate()


if __name__ == "__main__":
    main()
