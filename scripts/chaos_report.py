"""The chaos suite's verdict: each row's final state judged against the simulator's own state.

Duplicates come from the simulator's record of the mutating calls it accepted (its
operations), grouped per request: a create by its vhosts (unique to it), a change by its
site and kind. Never by the portal's own bookkeeping.
"""

from __future__ import annotations

import math
from collections import Counter


def _p95(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _vhost_key(vhosts) -> tuple[str, ...]:
    return tuple(sorted(vhosts or ()))


def judge(run, title: str, elapsed: float, step_seconds: float) -> dict:
    from sites_app.models import OperationKind, OperationStatus

    rows = run.rows()
    state = run.harness.sim_state()
    sim_sites = state["sites"]
    sim_ops = list(state["operations"].values())
    verdict = {"correct": 0, "wrong": 0, "duplicates": 0, "person": 0, "person_needless": 0}
    problems: list[str] = []

    def wrong(op, why: str) -> None:
        verdict["wrong"] += 1
        problems.append(f"row {op.pk} ({op.kind} {op.site_name!r}, {op.status}): {why}")

    # --- creates, grouped by the vhosts they asked for ---
    groups: dict[tuple, list] = {}
    for op in rows:
        if op.kind == OperationKind.CREATE:
            groups.setdefault(_vhost_key(op.params.get("vhosts")), []).append(op)
    for key, members in groups.items():
        ops = [o for o in sim_ops if o["type"] == "sitebuilder_create"
               and _vhost_key(o["params"]["vhosts"]) == key]  # fmt: skip
        if len(ops) > len(members):
            verdict["duplicates"] += len(ops) - len(members)
            problems.append(f"{len(ops)} creates at Gandi for {len(members)} row(s) of {key}")
        made = {o["site_id"] for o in ops if o["outcome"] == "DONE" and not o["cancelled_at"]}
        linked = []
        for op in members:
            if not op.is_final:
                continue
            if op.status == OperationStatus.DONE:
                gandi_id = op.site.gandi_id if op.site else None
                if gandi_id not in made:
                    wrong(op, f"linked to Gandi site {gandi_id}, not to its own ({sorted(made)})")
                elif gandi_id in linked:
                    wrong(op, f"shares Gandi site {gandi_id} with another row")
                elif sim_sites.get(str(gandi_id), {}).get("name", op.site_name) != op.site_name:
                    wrong(op, f"Gandi site {gandi_id} has another name")
                else:
                    verdict["correct"] += 1
                linked.append(gandi_id)
        unclaimed = made - set(linked)
        for op in members:
            if op.status == OperationStatus.NEEDS_ATTENTION:
                verdict["person"] += 1
                if not unclaimed:
                    verdict["person_needless"] += 1
                verdict["correct"] += 1  # honest: it says a person must look
            elif op.status in (OperationStatus.FAILED, OperationStatus.CANCELLED):
                if unclaimed and not any(
                    m.status == OperationStatus.NEEDS_ATTENTION for m in members
                ):
                    wrong(op, f"says {op.status} but Gandi made site(s) {sorted(unclaimed)}")
                    unclaimed = set()
                else:
                    verdict["correct"] += 1

    # --- vhost changes, upgrades, deletes: one per site ---
    for op in rows:
        if op.kind == OperationKind.CREATE or not op.is_final or op.site is None:
            continue
        gandi_id = op.site.gandi_id
        want = {
            OperationKind.UPDATE_VHOSTS: ("sitebuilder_update", "vhosts"),
            OperationKind.UPGRADE: ("sitebuilder_update", "package"),
            OperationKind.DELETE: ("sitebuilder_delete", None),
        }[op.kind]
        ops = [o for o in sim_ops if o["site_id"] == gandi_id and o["type"] == want[0]
               and (want[1] is None or want[1] in o["params"])]  # fmt: skip
        if len(ops) > 1:
            verdict["duplicates"] += len(ops) - 1
            problems.append(f"{len(ops)} {op.kind} calls at Gandi for row {op.pk}")
        acted = any(o["outcome"] == "DONE" and not o["cancelled_at"] for o in ops)
        site = sim_sites.get(str(gandi_id))
        if op.status == OperationStatus.NEEDS_ATTENTION:
            verdict["person"] += 1
            verdict["person_needless"] += 0 if ops else 1
            verdict["correct"] += 1
        elif op.status == OperationStatus.DONE:
            if op.kind == OperationKind.DELETE:
                ok = site is None
            elif op.kind == OperationKind.UPGRADE:
                ok = site is not None and site["package"] == op.params["package"]
            else:
                sent = op.params.get("sent_vhosts") or op.params["vhosts"]
                ok = site is not None and set(site["vhosts"]) == set(sent)
            if ok:
                verdict["correct"] += 1
            else:
                wrong(op, "Gandi's site does not show the change")
        elif acted:
            wrong(op, f"says {op.status} but Gandi made the change")
        else:
            verdict["correct"] += 1

    finished = [op.finished_at.timestamp() for op in rows if op.is_final and op.finished_at]
    after_fault = [max(0.0, t - run.last_fault) for t in finished]
    exits = {name: count - run.exits_before[name] for name, count in run.harness.exits().items()}
    return {
        "scenario": title,
        "requested": len(rows),
        "submit_errors": len(run.submit_errors),
        "submit_error_samples": sorted(set(run.submit_errors))[:3],
        "statuses": dict(Counter(op.status for op in rows)),
        "lost": sum(1 for op in rows if not op.is_final),
        **verdict,
        "p95_after_fault": _p95(after_fault),
        "max_after_fault": max(after_fault) if after_fault else None,
        "gandi_time": 3 * step_seconds,
        "elapsed": elapsed,
        "process_exits": {k: v for k, v in exits.items() if v},
        "problems": problems[:10],
    }


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} s"


def print_table(result: dict) -> None:
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(result["statuses"].items())) or "-"
    rows = [
        ("requested (rows)", result["requested"]),
        ("submits that raised or were refused", result["submit_errors"]),
        ("final by status", statuses),
        ("lost (not final)", result["lost"]),
        ("correct / wrong final state", f"{result['correct']} / {result['wrong']}"),
        ("duplicate mutations at Gandi", result["duplicates"]),
        ("needed a person (of which Gandi did nothing)",
         f"{result['person']} ({result['person_needless']})"),
        ("last fault -> final, p95 / max",
         f"{_seconds(result['p95_after_fault'])} / {_seconds(result['max_after_fault'])}"
         f"  (Gandi's own time {result['gandi_time']:g} s)"),
        ("processes that exited by themselves", result["process_exits"] or "none"),
        ("scenario took", _seconds(result["elapsed"])),
    ]  # fmt: skip
    width = max(len(label) for label, _ in rows)
    print(f"\n== {result['scenario']}")
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")
    for sample in result["submit_error_samples"]:
        print(f"  submit: {sample[:160]}")
    for problem in result["problems"]:
        print(f"  ! {problem}")
    sys_stdout_flush()


def sys_stdout_flush() -> None:
    import sys

    sys.stdout.flush()
