"""`make run`: prepare the embedded default, then run the Procfile's processes under supervisord.

supervisord (PyPI `supervisor`) restarts a process that exits, so a killed worker is back in
seconds while the rest keep running. This script writes $VAR_DIR/supervisord.conf from the
Procfile (one [program] per line), then replaces itself with supervisord in the foreground:
one terminal, each process's output prefixed with its name (an event listener, this same
file with --log-listener), and one Ctrl-C stops everything.

Ports come from the environment, so a test can run a second stack beside `make run`:
WEB_PORT (8000), SIMULATOR_PORT (8780), DNS_PORT (8753), REDIS_PORT (6390, the private
Redis; unused when REDIS_URL is set), VAR_DIR (var/). DATABASE_URL etc. work as usual.

    python scripts/supervise.py                 # prepare, then run (what `make run` does)
    python scripts/supervise.py --config-only   # write the configuration, print its path
    .venv/bin/supervisorctl -c var/supervisord.conf status   # from another terminal
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PROCFILE_LINE = re.compile(r"^([A-Za-z0-9_-]+):\s*(.+)$")
# Started first; `priority` orders starts (and stops, in reverse).
PRIORITIES = {"redis": 10, "simulator": 20, "web": 30, "worker": 30, "beat": 40, "banner": 50}
COLOURS = [36, 33, 32, 35, 34, 31, 96, 93]


def run_environment(environ: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of every process: the caller's, plus the embedded defaults."""
    env = dict(os.environ if environ is None else environ)
    env.setdefault("VAR_DIR", str(ROOT / "var"))
    env.setdefault("DEBUG", "True")
    for name, port in (
        ("WEB_PORT", 8000),
        ("SIMULATOR_PORT", 8780),
        ("DNS_PORT", 8753),
        ("REDIS_PORT", 6390),
    ):
        env.setdefault(name, str(port))
    env.setdefault("GANDI_SIMULATOR_URL", f"http://127.0.0.1:{env['SIMULATOR_PORT']}/xmlrpc/")
    env.setdefault("DNS_RESOLVERS", f"127.0.0.1:{env['DNS_PORT']}")
    if not env.get("REDIS_URL"):
        env["PRIVATE_REDIS"] = "1"
        env["REDIS_URL"] = f"redis://127.0.0.1:{env['REDIS_PORT']}/0"
        sys.path.insert(0, str(ROOT))
        from portal.private_redis import redis_server_binary

        env["REDIS_SERVER"] = redis_server_binary()
    env["PYTHONUNBUFFERED"] = "1"  # lines reach the terminal as they are written
    return env


def procfile(path: Path) -> list[tuple[str, str]]:
    entries = []
    for line in path.read_text().splitlines():
        match = PROCFILE_LINE.match(line.strip())
        if match and not line.lstrip().startswith("#"):
            entries.append((match[1], match[2]))
    return entries


def _quote(value: str) -> str:
    # supervisord expands %(name)s in its values: a literal % is written %%.
    return value.replace("%", "%%")


def supervisord_conf(env: dict[str, str], entries: list[tuple[str, str]], colour: bool) -> str:
    var = Path(env["VAR_DIR"])
    names = [name for name, _ in entries]
    width = max(len(name) for name in names)
    listener = [str(BIN / "python"), str(Path(__file__).resolve()), "--log-listener"]
    listener += ["--width", str(width)] + (["--colour"] if colour else [])
    lines = [
        "; Written by scripts/supervise.py from the Procfile on every `make run`: edit those.",
        "[supervisord]",
        "nodaemon=true",
        f"logfile={var / 'log' / 'supervisord.log'}",
        "logfile_maxbytes=5MB",
        "logfile_backups=1",
        f"pidfile={var / 'supervisord.pid'}",
        f"childlogdir={var / 'log'}",
        f"directory={ROOT}",
        "",
        "[unix_http_server]",
        f"file={var / 'supervisor.sock'}",
        "chmod=0700",
        "",
        "[rpcinterface:supervisor]",
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
        "",
        "[supervisorctl]",
        f"serverurl=unix://{var / 'supervisor.sock'}",
        "",
        "[eventlistener:logs]",
        f"command={_quote(' '.join(listener))}",
        "events=PROCESS_LOG",
        "buffer_size=10000",
        "priority=1",
        "autorestart=true",
        "stderr_logfile=/dev/stdout",  # the listener prints the prefixed lines on stderr
        "stderr_logfile_maxbytes=0",
        "",
    ]
    for name, command in entries:
        if name == "redis" and not env.get("PRIVATE_REDIS"):
            continue  # REDIS_URL names a Redis of the operator's
        lines += [
            f"[program:{name}]",
            f"command=/bin/sh -c {_quote(_sh_quote(command))}",
            f"directory={ROOT}",
            f"priority={PRIORITIES.get(name, 30)}",
            "autostart=true",
            "autorestart=true",
            "startsecs=1",
            "startretries=1000",
            "stopasgroup=true",
            "killasgroup=true",
            "stopwaitsecs=15",
            "redirect_stderr=true",
            "stdout_events_enabled=true",
            f"stdout_logfile={var / 'log' / (name + '.log')}",
            "stdout_logfile_maxbytes=5MB",
            "stdout_logfile_backups=1",
            "",
        ]
    return "\n".join(lines)


def _sh_quote(command: str) -> str:
    return "'" + command.replace("'", "'\"'\"'") + "'"


def write_config(env: dict[str, str], colour: bool = False) -> Path:
    var = Path(env["VAR_DIR"])
    for folder in (var, var / "log", var / "redis"):
        folder.mkdir(parents=True, exist_ok=True)
    path = var / "supervisord.conf"
    path.write_text(supervisord_conf(env, procfile(ROOT / "Procfile"), colour))
    return path


def prepare(env: dict[str, str]) -> None:
    """What the portal needs before its processes start: tables, static files, the demo."""
    manage = [str(BIN / "python"), str(ROOT / "manage.py")]
    for args in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run(manage + args, env=env, cwd=ROOT, check=True)
    subprocess.run([*manage, "seed_demo"], env=env, cwd=ROOT, check=True)


def log_listener(width: int, colour: bool) -> None:
    """supervisord's PROCESS_LOG listener: print each process's lines, prefixed by its name."""
    # supervisord counts `len` in characters of the UTF-8 text it writes, so read text.
    stdin = open(sys.stdin.fileno(), encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
    stdout, out = sys.stdout.buffer, sys.stderr.buffer
    partial: dict[str, str] = {}
    names: dict[str, int] = {}
    while True:
        stdout.write(b"READY\n")
        stdout.flush()
        header = dict(word.split(":", 1) for word in stdin.readline().split())
        payload = stdin.read(int(header["len"]))
        info, _, data = payload.partition("\n")
        fields = dict(word.split(":", 1) for word in info.split())
        name = fields.get("processname", "?")
        text = partial.pop(name, "") + data
        *complete, rest = text.split("\n")
        if rest:
            partial[name] = rest
        number = names.setdefault(name, len(names))
        prefix = f"{time.strftime('%H:%M:%S')} {name:<{width}} | "
        if colour:
            prefix = f"\033[{COLOURS[number % len(COLOURS)]}m{prefix}\033[0m"
        for line in complete:
            out.write(f"{prefix}{line}\n".encode(errors="replace"))
        out.flush()
        stdout.write(b"RESULT 2\nOK")
        stdout.flush()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config-only", action="store_true", help="write the config and stop")
    parser.add_argument("--no-prepare", action="store_true", help="skip migrate and seed_demo")
    parser.add_argument("--log-listener", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--width", type=int, default=9, help=argparse.SUPPRESS)
    parser.add_argument("--colour", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.log_listener:
        log_listener(options.width, options.colour)
        return
    env = run_environment()
    config = write_config(env, colour=sys.stdout.isatty())
    if options.config_only:
        print(config)
        return
    if not options.no_prepare:
        prepare(env)
    supervisord = str(BIN / "supervisord")
    os.execve(supervisord, [supervisord, "-c", str(config)], env)


if __name__ == "__main__":
    main()
