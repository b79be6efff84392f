"""A throwaway PostgreSQL server for the replica tests: Debian's `postgresql` package, run from a
temp dir on a free loopback port as the unprivileged `postgres` user.

When the binaries are missing and we are root with apt-get, they are installed (CI's fresh
machines); otherwise the tests fail with a message saying what to install. Nothing is skipped.
"""

from __future__ import annotations

import fcntl
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mockserver.testing import free_port

APT_PACKAGE = "postgresql"
BIN_ENV = "MOCKSERVER_PG_BIN"
SERVER_USER = "postgres"
DATABASE = "mock"
_START_TIMEOUT = 60


class PostgresUnavailable(RuntimeError):
    pass


def find_binaries() -> Path | None:
    """Where initdb, pg_ctl and postgres are: $MOCKSERVER_PG_BIN, else the newest Debian package's
    /usr/lib/postgresql/<version>/bin, else the PATH."""
    if os.environ.get(BIN_ENV):
        return Path(os.environ[BIN_ENV])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parent.parent.name))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).resolve().parent if on_path else None


def ensure_binaries() -> Path:
    binaries = find_binaries()
    if binaries is not None:
        return binaries
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise PostgresUnavailable("PostgreSQL is not installed and cannot be installed from here: "
                                  f"run `apt-get install -y {APT_PACKAGE}` (Debian/Ubuntu) as root")
    with open(Path(tempfile.gettempdir()) / "mockserver-postgres-install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # test processes started together install once
        return find_binaries() or _install()


def _install() -> Path:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-q"],
                    ["apt-get", "install", "-y", "-q", "--no-install-recommends", APT_PACKAGE]):
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            raise PostgresUnavailable(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")
    binaries = find_binaries()
    if binaries is None:
        raise PostgresUnavailable(f"installed {APT_PACKAGE} but found no /usr/lib/postgresql/*/bin/initdb")
    return binaries


@dataclass
class PostgresServer:
    """One cluster: `start`, `stop` (and `start` again, as a restart), `destroy`."""

    binaries: Path
    root: Path
    port: int
    durable: bool = False  # fsync on (the server's default); the tests run faster without it

    @property
    def url(self) -> str:
        return f"postgresql://{SERVER_USER}@127.0.0.1:{self.port}/{DATABASE}"

    @classmethod
    def create(cls, durable: bool = False) -> PostgresServer:
        binaries = ensure_binaries()
        root = Path(tempfile.mkdtemp(prefix="mock-pg-"))
        server = cls(binaries, root, free_port(), durable)
        server._as_owner()
        server._run("initdb", "-D", str(server.data), "-U", SERVER_USER, "--auth=trust", "-E", "UTF8",
                    "--no-sync")
        server.start()
        server._run("createdb", "-h", "127.0.0.1", "-p", str(server.port), "-U", SERVER_USER, DATABASE)
        return server

    @property
    def data(self) -> Path:
        return self.root / "data"

    def new_database(self, name: str) -> str:
        """A fresh, empty database on this server; its URL."""
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", SERVER_USER, name)
        return self.url.rsplit("/", 1)[0] + "/" + name

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=200"
        if not self.durable:
            options += " -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-o", options,
                  "-w", "-t", str(_START_TIMEOUT), "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self) -> str:
        log = self.root / "server.log"
        return log.read_text(errors="replace")[-3000:] if log.exists() else ""

    def _as_owner(self) -> None:
        if os.geteuid() == 0:  # postgres refuses to run as root
            account = pwd.getpwnam(SERVER_USER)
            os.chown(self.root, account.pw_uid, account.pw_gid)

    def _run(self, program: str, *args: str, check: bool = True) -> None:
        command = [str(self.binaries / program), *args]
        if os.geteuid() == 0:
            command = ["setpriv", f"--reuid={SERVER_USER}", f"--regid={SERVER_USER}", "--init-groups",
                       "--reset-env", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=_START_TIMEOUT + 30,
                                cwd=self.root)
        if check and result.returncode != 0:
            raise PostgresUnavailable(f"{program} failed ({result.returncode}):\n{result.stderr[-2000:]}\n"
                                      f"{self.log_tail()}")
