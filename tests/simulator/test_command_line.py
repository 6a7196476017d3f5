"""The command line: ``python -m sites_app.gandi.simulator`` and ``manage.py gandi_simulator``."""

import os
import signal
import socket
import subprocess
import sys
import xmlrpc.client
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
KEY = "CliTestKey0123456789abcd"


def free_port(kind=socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def running_command(tmp_path):
    port, dns_port = free_port(), free_port(socket.SOCK_DGRAM)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sites_app.gandi.simulator",
            "--port",
            str(port),
            "--state",
            str(tmp_path / "state.json"),
            "--api-key",
            KEY,
            "--credit",
            "20",
            "--gandi-domain",
            "cli.example",
            "--zone-file",
            str(tmp_path / "zone"),
            "--serve-dns",
            str(dns_port),
            "--step-seconds",
            "0.05",
            "--seed",
            "3",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    banner = process.stdout.readline()
    yield process, banner, port, dns_port
    if process.poll() is None:
        process.kill()
        process.wait(10)


def test_the_module_prints_a_banner_without_the_full_key_and_serves(running_command):
    _process, banner, port, dns_port = running_command

    assert f"http://127.0.0.1:{port}/xmlrpc/" in banner
    assert f"127.0.0.1:{dns_port}" in banner
    assert "…abcd" in banner and KEY not in banner
    api = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}/xmlrpc/", allow_none=True)
    assert (
        api.site.create(KEY, {"name": "S", "vhosts": ["www.cli.example"], "--dry-run": True}) == []
    )


def test_sigterm_stops_it_cleanly_and_the_state_file_remains(running_command, tmp_path):
    process, *_ = running_command

    process.send_signal(signal.SIGTERM)

    assert process.wait(10) == 0
    assert KEY in (tmp_path / "state.json").read_text()


def test_the_management_command_documents_every_flag(capsys):
    with pytest.raises(SystemExit):
        call_command("gandi_simulator", "--help")

    text = capsys.readouterr().out
    for flag in [
        "--host",
        "--port",
        "--state",
        "--api-key",
        "--credit",
        "--gandi-domain",
        "--seed-sites",
        "--step-seconds",
        "--dns-host",
        "--dns-port",
        "--zone-file",
        "--serve-dns",
        "--latency",
        "--fault-rate",
        "--fault-kinds",
        "--op-error-rate",
        "--op-support-rate",
        "--rate-limit",
        "--seed",
    ]:
        assert flag in text


def test_a_malformed_key_on_the_command_line_is_refused():
    result = subprocess.run(
        [sys.executable, "-m", "sites_app.gandi.simulator", "--api-key", "short"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )

    assert result.returncode == 2
    assert "24 letters or digits" in result.stderr


def test_the_simulator_is_standalone_it_never_imports_django():
    check = "import sys, sites_app.gandi.simulator.cli; sys.exit('django' in sys.modules)"

    result = subprocess.run(
        [sys.executable, "-c", check],
        cwd=ROOT,
        timeout=30,
        env={"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT)},
    )

    assert result.returncode == 0


def run_module(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sites_app.gandi.simulator", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_a_corrupt_state_file_is_a_clear_message_not_a_traceback(tmp_path):
    (tmp_path / "state.json").write_text("{not json")

    result = run_module("--port", str(free_port()), "--state", str(tmp_path / "state.json"))

    assert result.returncode == 1
    assert "cannot start the simulator" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_taken_port_is_a_clear_message(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = run_module(
            "--port", str(taken.getsockname()[1]), "--state", str(tmp_path / "state.json")
        )

    assert result.returncode == 1
    assert "cannot start the simulator" in result.stderr
