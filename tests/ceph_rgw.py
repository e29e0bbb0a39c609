"""A real S3 server for the tests: Ceph's radosgw from Debian on loopback, over a one-node cluster (one monitor,
one memstore OSD) made in a temporary folder. It checks signatures and expiry as any S3 store does, which is
the point: a mock would accept a tampered or expired URL.

Starting it takes about 15 s, so one server serves the whole session; each test gets a bucket of its own.
Its access log (beast's, in the rgw log) is how tests count what reached the store.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

DAEMONS = ("ceph-mon", "ceph-osd", "radosgw", "radosgw-admin", "monmaptool", "ceph")
ACCESS_KEY, SECRET_KEY = "PIPELINETESTKEY", "pipeline-test-secret-not-a-real-key"
START_TIMEOUT_S = 60  # a try that hangs gives way to the next within a minute


def missing() -> str | None:
    """Why the server cannot run here, or None."""
    absent = [name for name in DAEMONS if shutil.which(name) is None]
    if absent:
        return (f"no {', '.join(absent)} on this machine: apt-get install --no-install-recommends radosgw ceph-mon "
                "ceph-osd (.ci/run does)")
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RadosGateway:
    endpoint: str
    folder: Path
    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY

    @property
    def log(self) -> Path:
        return self.folder / "log" / "client.rgw.log"

    def requests(self, method: str, bucket: str) -> list[str]:
        """The paths of the `method` requests the store answered for `bucket`, from its access log."""
        pattern = re.compile(rf'"{method} (/{re.escape(bucket)}/[^ ?"]*)')
        # radosgw writes its log from a buffer: under load a request's line came seconds after its answer.
        subprocess.run(["ceph", "--admin-daemon", str(self.folder / "run" / "client.rgw.asok"), "log", "flush"],
                       check=True, capture_output=True, timeout=30)
        text = self.log.read_text(errors="replace") if self.log.is_file() else ""
        return pattern.findall(text)

    def another_user(self, uid: str) -> tuple[str, str]:
        """A second account's access key and secret: it owns none of the first's buckets."""
        access, secret = f"{uid.upper()}KEY", f"{uid}-secret-not-a-real-key"
        subprocess.run(["radosgw-admin", "-c", str(self.folder / "ceph.conf"), "user", "create", f"--uid={uid}",
                        f"--display-name={uid}", f"--access-key={access}", f"--secret-key={secret}"],
                       check=True, capture_output=True, timeout=60)
        return access, secret

    def env(self) -> dict[str, str]:
        """The standard AWS settings that point any S3 client here."""
        return {"AWS_ENDPOINT_URL_S3": self.endpoint, "AWS_ACCESS_KEY_ID": self.access_key,
                "AWS_SECRET_ACCESS_KEY": self.secret_key, "AWS_DEFAULT_REGION": "us-east-1"}


CONF = """\
[global]
fsid = {fsid}
mon host = v1:127.0.0.1:{mon_port}
auth cluster required = none
auth service required = none
auth client required = none
run dir = {dir}/run
log file = {dir}/log/$name.log
admin socket = {dir}/run/$name.asok
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
mon allow pool size one = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
mon data avail warn = 1
mon data avail crit = 0
osd objectstore = memstore
osd class update on start = false
osd crush update on start = false
memstore device bytes = 536870912
ms bind ipv6 = false
[mon.a]
mon data = {dir}/mon
[osd.0]
osd data = {dir}/osd0
[client.rgw]
rgw data = {dir}/rgw
rgw frontends = beast endpoint=127.0.0.1:{rgw_port}
debug rgw = 1
"""


@contextlib.contextmanager
def running(folder: Path, attempts: int = 4) -> Iterator[RadosGateway]:
    """A monitor, an OSD and radosgw, stopped (and their folder removed) when the block ends. A start that
    fails is tried again from scratch on new ports, a moment later (a daemon now and then meets a monitor
    that is not ready); giving up names every try's failure, as CI shows only what the error says."""
    failures: list[str] = []
    for attempt in range(1, attempts + 1):
        try:
            started = _started(folder / f"try{attempt}")
            gateway = started.__enter__()
        except RuntimeError as exc:
            failures.append(f"try {attempt}: {exc}")
            if attempt == attempts:
                raise RuntimeError("\n\n".join(failures)) from exc
            time.sleep(2.0 * attempt)
            continue
        try:
            yield gateway
        finally:
            started.__exit__(None, None, None)
        return


@contextlib.contextmanager
def _started(folder: Path) -> Iterator[RadosGateway]:
    folder.mkdir(parents=True, exist_ok=True)
    for sub in ("run", "log", "mon", "osd0", "rgw"):
        (folder / sub).mkdir(exist_ok=True)
    fsid, mon_port, rgw_port = str(uuid.uuid4()), free_port(), free_port()
    conf = folder / "ceph.conf"
    conf.write_text(CONF.format(fsid=fsid, mon_port=mon_port, rgw_port=rgw_port, dir=folder))
    c = ["-c", str(conf)]

    def step(*cmd: str, timeout: float = 30) -> str:
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as exc:  # a tool that waits on a monitor not ready: start again
            raise RuntimeError(f"{' '.join(cmd)} did not finish within {timeout:.0f} s{_logs(folder)}") from exc
        if done.returncode:
            raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr[-2000:]}{_logs(folder)}")
        return done.stdout

    try:
        # A v1 address: with a v2 one the command-line tools hang looking for the monitor.
        step("monmaptool", "--create", "--clobber", "--fsid", fsid, "--addv", "a", f"[v1:127.0.0.1:{mon_port}]",
             str(folder / "monmap"))
        step("ceph-mon", *c, "--mkfs", "-i", "a", "--monmap", str(folder / "monmap"))
        step("ceph-mon", *c, "-i", "a", "--pid-file", str(folder / "run" / "mon.pid"))
        osd = str(uuid.uuid4())
        step("ceph", *c, "osd", "new", osd)
        # Placed in the map here, not by the OSD at its start: its own request can leave before it knows the
        # cluster's fsid, and the monitor refuses it ('wrong fsid', seen three tries in a row under load).
        step("ceph", *c, "osd", "crush", "add", "osd.0", "1.0", "root=default", "host=localhost")
        step("ceph-osd", *c, "-i", "0", "--mkfs", "--osd-uuid", osd)
        step("ceph-osd", *c, "-i", "0", "--pid-file", str(folder / "run" / "osd.pid"))
        step("radosgw", *c, "-n", "client.rgw", "--pid-file", str(folder / "run" / "rgw.pid"))
        endpoint = f"http://127.0.0.1:{rgw_port}"
        _wait_for(endpoint, folder)
        step("radosgw-admin", *c, "user", "create", "--uid=pipeline-tests", "--display-name=pipeline tests",
             f"--access-key={ACCESS_KEY}", f"--secret-key={SECRET_KEY}")
        yield RadosGateway(endpoint=endpoint, folder=folder)
    finally:
        # Every daemon that wrote a pid file, started or not by its step's word: a start that failed after
        # its fork left a daemon that would meet the next try on a port given out again.
        for pid_file in [folder / "run" / f"{name}.pid" for name in ("rgw", "osd", "mon")]:
            _stop(pid_file)
        shutil.rmtree(folder, ignore_errors=True)


def _logs(folder: Path) -> str:
    """The end of each daemon's log, for a start that failed: CI shows only what the error says."""
    logs = sorted((folder / "log").glob("*.log"))
    return "".join(f"\n--- {log.name}:\n{log.read_text(errors='replace')[-1500:]}" for log in logs)


def _wait_for(endpoint: str, folder: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            if httpx.get(endpoint + "/", timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"radosgw did not answer on {endpoint} within {START_TIMEOUT_S} s{_logs(folder)}")
        time.sleep(0.25)


def _stop(pid_file: Path) -> None:
    """SIGTERM, then SIGKILL: a memstore OSD keeps nothing worth a clean shutdown."""
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
        for _ in range(20):
            os.kill(pid, 0)
            time.sleep(0.1)
        os.kill(pid, signal.SIGKILL)
