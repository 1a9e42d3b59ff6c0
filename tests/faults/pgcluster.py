"""A private, throwaway PostgreSQL cluster on a free loopback port, so that a
test can stop and restart a database server without touching the machine's
shared cluster (which other tests and workers use)."""

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def binaries() -> Path | None:
    """The newest PostgreSQL server binaries' folder (initdb, pg_ctl), if any."""
    for directory in BIN_DIRS:
        if (directory / "initdb").exists() and (directory / "pg_ctl").exists():
            return directory
    return None


class PrivateCluster:
    """initdb + pg_ctl in a temporary folder, trust authentication, user postgres.

    initdb and the server refuse to run as root: as root, they run as the
    ``postgres`` OS user over a folder it owns."""

    def __init__(self, bin_dir: Path, port: int):
        self.bin_dir = bin_dir
        self.port = port
        # Not under pytest's tmp_path: that is private to root (0700), and the
        # server may run as another user.
        self.root = Path(tempfile.mkdtemp(prefix="thinktank-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self._as_root = os.geteuid() == 0
        if self._as_root:
            shutil.chown(self.root, user="postgres")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin_dir / tool), *args]
        if self._as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(
                f"{tool} failed ({result.returncode}): {result.stderr}{self.server_log()}"
            )

    def server_log(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def init(self) -> None:
        # -N: no fsync of the new files; the cluster lives for one test.
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--locale=C.UTF-8", "-N")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"port = {self.port}\n"
                "listen_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.root}'\n"
                # Durability against a machine crash is not what is tested; a
                # fast shutdown still writes every committed row.
                "fsync = off\n"
            )

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30", "start")

    def stop(self) -> None:
        """A fast shutdown: open transactions are rolled back, sessions cut off."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "30", "stop")

    def restart(self) -> float:
        """``pg_ctl restart -m fast``; returns how long it took (seconds)."""
        started = time.monotonic()
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-m", "fast", "-w",
                  "-t", "30", "restart")
        return time.monotonic() - started

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
