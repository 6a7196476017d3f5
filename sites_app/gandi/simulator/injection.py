"""Fault injection settings: latency, transient faults, operation failures, rate limit.

All off by default. Each random choice comes from a generator seeded with ``seed``, so a
run with the same seed and the same sequence of calls fails the same calls.
"""

import random
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field

FAULT_KINDS = ("fault150000", "http503", "drop", "lost")


def parse_rate_limit(value: str | tuple | None) -> tuple[int, float] | None:
    """'30/2' -> (30, 2.0): at most 30 calls per 2 seconds per key."""
    if value in (None, "", "off", "0"):
        return None
    if isinstance(value, tuple):
        calls, seconds = value
    else:
        try:
            calls_text, _, seconds_text = str(value).partition("/")
            calls, seconds = int(calls_text), float(seconds_text or 1)
        except ValueError:
            raise ValueError(f"rate limit must read N/S, e.g. 30/2, not {value!r}") from None
    if calls < 1 or seconds <= 0:
        raise ValueError("rate limit needs at least 1 call per a positive number of seconds")
    return int(calls), float(seconds)


def parse_kinds(value: str | list | tuple) -> tuple[str, ...]:
    kinds = [k.strip() for k in value.split(",")] if isinstance(value, str) else list(value)
    unknown = [k for k in kinds if k not in FAULT_KINDS]
    if unknown or not kinds:
        raise ValueError(f"fault kinds must be among {', '.join(FAULT_KINDS)}")
    return tuple(kinds)


def _rate(name: str, value: float) -> float:
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be between 0 and 1")
    return value


@dataclass
class FaultSettings:
    latency_ms: float = 0.0
    fault_rate: float = 0.0
    fault_kinds: tuple[str, ...] = FAULT_KINDS
    op_error_rate: float = 0.0
    op_support_rate: float = 0.0
    rate_limit: tuple[int, float] | None = None
    seed: int | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _call_rng: random.Random = field(default_factory=random.Random, repr=False)
    _op_rng: random.Random = field(default_factory=random.Random, repr=False)
    _windows: dict = field(default_factory=lambda: defaultdict(deque), repr=False)

    def __post_init__(self) -> None:
        self.reseed(self.seed)

    def reseed(self, seed: int | None) -> None:
        self.seed = seed
        # Two generators: injecting call faults must not shift which operations fail.
        self._call_rng = random.Random(seed)
        self._op_rng = random.Random(None if seed is None else seed + 1)

    def update(self, **flags: object) -> None:
        """Change settings by their command-line names (latency, fault_rate, ...)."""
        aliases = {"latency": "latency_ms"}
        with self._lock:
            for name, value in flags.items():
                name = aliases.get(name, name)
                if name == "latency_ms":
                    self.latency_ms = max(0.0, float(value))  # type: ignore[arg-type]
                elif name in {"fault_rate", "op_error_rate", "op_support_rate"}:
                    setattr(self, name, _rate(name, value))  # type: ignore[arg-type]
                elif name == "fault_kinds":
                    self.fault_kinds = parse_kinds(value)  # type: ignore[arg-type]
                elif name == "rate_limit":
                    self.rate_limit = parse_rate_limit(value)  # type: ignore[arg-type]
                    self._windows.clear()
                elif name == "seed":
                    self.reseed(None if value is None else int(value))  # type: ignore[arg-type]
                else:
                    raise TypeError(f"unknown fault flag {name!r}")

    def describe(self) -> dict:
        """The current flags, by their command-line names, as JSON-ready values."""
        return {
            "latency": self.latency_ms,
            "fault_rate": self.fault_rate,
            "fault_kinds": ",".join(self.fault_kinds),
            "op_error_rate": self.op_error_rate,
            "op_support_rate": self.op_support_rate,
            "rate_limit": "{}/{:g}".format(*self.rate_limit) if self.rate_limit else None,
            "seed": self.seed,
        }

    def call_fault(self) -> str | None:
        """The transient failure to inject into this call, if any."""
        with self._lock:
            if self.fault_rate <= 0:
                return None
            if self._call_rng.random() >= self.fault_rate:
                return None
            return self._call_rng.choice(self.fault_kinds)

    def operation_outcome(self) -> str:
        with self._lock:
            draw = self._op_rng.random()
            if draw < self.op_error_rate:
                return "ERROR"
            if draw < self.op_error_rate + self.op_support_rate:
                return "SUPPORT"
            return "DONE"

    def over_rate_limit(self, key_id: str) -> bool:
        """Counts this call against the key's sliding window; True when it is one too many."""
        with self._lock:
            if self.rate_limit is None:
                return False
            calls, seconds = self.rate_limit
            now = time.monotonic()
            window = self._windows[key_id]
            while window and window[0] <= now - seconds:
                window.popleft()
            if len(window) >= calls:
                return True
            window.append(now)
            return False
