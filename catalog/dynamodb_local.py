"""Run AWS's own DynamoDB Local emulator (from Maven Central) as a background process.

We start the real emulator rather than a Python fake because our bugs will be in conditional writes and
transactions, which only the real engine enforces the way AWS does.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from catalog.errors import VoiceshopError

DYNAMODB_LOCAL = "com.amazonaws:DynamoDBLocal:2.6.1"
MAIN_CLASS = "com.amazonaws.services.dynamodbv2.local.main.ServerRunner"
_POM = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>voiceshop</groupId><artifactId>dynamodb-local-fetch</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies><dependency>
    <groupId>{group}</groupId><artifactId>{artifact}</artifactId><version>{version}</version>
  </dependency></dependencies>
</project>
"""


@dataclass
class DynamoDBLocalError(VoiceshopError):
    """DynamoDB Local could not be fetched or started; `message` says what to install or do."""

    message: str

    def __str__(self) -> str:
        """Show the actionable message, not the dataclass repr."""
        return self.message


def lib_dir(data_dir: Path) -> Path:
    """Where the jars and sqlite4java natives live."""
    return data_dir / "dynamodb-local" / "lib"


def _require(tool: str, package: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise DynamoDBLocalError(f"'{tool}' was not found. Install {package} (Debian: apt-get install {package}).")
    return path


Progress = Callable[[str], None]
"""Where a long fetch reports how it is getting on (setup prints it; None keeps a fetch silent)."""

_DOWNLOADED = re.compile(r"^Downloaded from \S+: \S+ \((\d+(?:\.\d+)?) (B|kB|KB|MB|GB)")
_UNITS = {"B": 1, "kB": 1e3, "KB": 1e3, "MB": 1e6, "GB": 1e9}


def run_maven(command: list[str], progress: Progress | None = None, every_seconds: float = 15.0) -> tuple[int, str]:
    """Run `mvn -B ...` (never -q), reporting the files and megabytes downloaded so far every few seconds.

    Quiet Maven says nothing for the minutes a fresh machine spends downloading; its batch-mode log, on
    the other hand, is a line per file (hundreds). So the log is read here, counted, and summed up in one
    line every `every_seconds` while Maven runs, and once at the end. Returns the exit code and the log's
    tail (for the error message).
    """
    counted = {"files": 0, "bytes": 0.0}
    tail: deque[str] = deque(maxlen=40)
    started = time.monotonic()
    done = threading.Event()

    def summary(state: str) -> str:
        seconds = time.monotonic() - started
        return f"  {state}: {counted['files']} files, {counted['bytes'] / 1e6:.1f} MB ({seconds:.0f} s)"

    def tick() -> None:
        while not done.wait(every_seconds):
            if progress is not None:
                progress(summary("still downloading"))

    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    ticker = threading.Thread(target=tick, daemon=True)
    ticker.start()
    try:
        for line in process.stdout or ():
            tail.append(line)
            match = _DOWNLOADED.match(line.removeprefix("[INFO] "))
            if match:
                counted["files"] += 1
                counted["bytes"] += float(match.group(1)) * _UNITS[match.group(2)]
        code = process.wait()
    finally:
        done.set()
        ticker.join()
    if progress is not None and counted["files"]:
        progress(summary("downloaded"))
    return code, "".join(tail)


def ensure_jars(data_dir: Path, progress: Progress | None = None) -> Path:
    """Fetch DynamoDB Local and its natives with Maven once; later calls are a directory check."""
    target = lib_dir(data_dir)
    if any(target.glob("DynamoDBLocal-*.jar")) and any(target.glob("libsqlite4java-linux-*.so")):
        return target
    mvn = _require("mvn", "maven")
    _require("java", "openjdk-17-jre-headless")
    group, artifact, version = DYNAMODB_LOCAL.split(":")
    if progress is not None:
        progress(f"setup: fetching DynamoDB Local {version} from Maven Central (about 55 MB with its jars, once)")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        pom = Path(work) / "pom.xml"
        pom.write_text(_POM.format(group=group, artifact=artifact, version=version))
        staging = Path(work) / "lib"
        code, log = run_maven(
            [mvn, "-B", "-f", str(pom), "dependency:copy-dependencies", f"-DoutputDirectory={staging}"], progress
        )
        if code != 0:
            raise DynamoDBLocalError(f"Maven could not fetch {DYNAMODB_LOCAL} (exit {code}):\n{log[-2000:]}")
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    return target


def free_port() -> int:
    """Ask the OS for an unused loopback port, so parallel test runs never collide."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something accepts connections on the port."""
    with socket.socket() as sock:
        sock.settimeout(0.3)
        return sock.connect_ex((host, port)) == 0


@dataclass
class DynamoDBLocal:
    """One emulator process with its data on disk (`-sharedDb -dbPath`), tracked by a pid file."""

    data_dir: Path
    port: int = 8000
    jars_dir: Path | None = None
    _process: subprocess.Popen[bytes] | None = None

    @property
    def db_path(self) -> Path:
        """The folder the emulator persists tables in."""
        return self.data_dir / "dynamodb-local" / "db"

    @property
    def pid_file(self) -> Path:
        """Pid of the running emulator, so `db stop` works from another shell."""
        return self.data_dir / "dynamodb-local" / f"server-{self.port}.pid"

    @property
    def log_file(self) -> Path:
        """The emulator's own output, for when it refuses to start."""
        return self.data_dir / "dynamodb-local" / f"server-{self.port}.log"

    @property
    def endpoint(self) -> str:
        """The URL boto3 should talk to."""
        return f"http://127.0.0.1:{self.port}"

    def pid(self) -> int | None:
        """The running server's pid, or None if it is not running."""
        try:
            pid = int(self.pid_file.read_text().strip())
            os.kill(pid, 0)
        except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
            return None
        return pid

    def running(self) -> bool:
        """Whether our server is up and accepting connections."""
        return self.pid() is not None and port_open(self.port)

    def start(self, timeout: float = 30.0) -> None:
        """Start in the background (idempotent) and wait until it accepts connections."""
        if self.running():
            return
        if port_open(self.port):
            raise DynamoDBLocalError(f"Port {self.port} is already taken by another program; pick another port.")
        java = _require("java", "openjdk-17-jre-headless")
        libs = ensure_jars(self.jars_dir or self.data_dir)
        self.db_path.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as log:
            process = subprocess.Popen(
                [
                    java,
                    f"-Djava.library.path={libs}",
                    f"-Dsqlite4java.library.path={libs}",
                    "-cp",
                    f"{libs}/*",
                    MAIN_CLASS,
                    "-sharedDb",
                    "-dbPath",
                    str(self.db_path),
                    "-port",
                    str(self.port),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self._process = process
        self.pid_file.write_text(str(process.pid))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise DynamoDBLocalError(f"DynamoDB Local exited at start; see {self.log_file}")
            if port_open(self.port):
                return
            time.sleep(0.1)
        self.stop()
        raise DynamoDBLocalError(f"DynamoDB Local did not open port {self.port} within {timeout:.0f} s")

    def stop(self, timeout: float = 10.0) -> bool:
        """Stop the server if we started it; True when something was stopped."""
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        if self._process is not None and self._process.pid == pid:
            try:
                self._process.wait(timeout)  # our own child: reap it, or it lingers as a zombie
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None
            self.pid_file.unlink(missing_ok=True)
            return True
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return True
