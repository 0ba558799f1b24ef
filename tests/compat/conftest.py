"""Fixtures for the compatibility suite: a real `stratus serve` process (the
release binary), boto3 clients and an aws CLI runner pointed at it."""

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.config import Config

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("STRATUS_BIN", os.path.join(ROOT, "target", "release", "stratus"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StratusProcess:
    """One `stratus serve` child process on a free port."""

    def __init__(self, data_dir, extra_args=(), env=None):
        self.data_dir = data_dir
        self.extra_args = list(extra_args)
        self.env = env
        self.port = free_port()
        self.proc = None
        # The server's output goes to a file (a pipe nobody reads would
        # block it once full); a failing test prints its tail.
        self.log = tempfile.NamedTemporaryFile(prefix="stratus-compat-", suffix=".log")

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        args = [BINARY, "serve", "--port", str(self.port), "--data-dir", self.data_dir, *self.extra_args]
        env = {**os.environ, **self.env} if self.env else None
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.endpoint + "/_stratus/health", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("stratus did not start: " + self.log_tail())

    def log_tail(self, size=8192):
        with open(self.log.name, "rb") as f:
            f.seek(max(0, os.path.getsize(self.log.name) - size))
            return f.read().decode(errors="replace")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=15)
        if self.proc:  # shown by pytest when the test failed
            print(f"--- stratus on port {self.port} (exit {self.proc.returncode}):\n{self.log_tail()}")

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=15)

    def restart(self):
        self.stop()
        return self.start()


@pytest.fixture(scope="session")
def stratus():
    data_dir = tempfile.mkdtemp(prefix="stratus-compat-")
    server = StratusProcess(data_dir).start()
    yield server
    server.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture
def fresh_stratus():
    """A server of the test's own, for restarts and strict auth."""
    data_dir = tempfile.mkdtemp(prefix="stratus-compat-")
    servers = []

    def make(*extra_args, env=None):
        server = StratusProcess(data_dir, extra_args, env).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


def client_for(endpoint, service, key="test", secret="test", region="us-east-1", token=None):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=token,
        config=Config(retries={"max_attempts": 1}),
    )


# The one key a `strict` server accepts (account 111111111111).
STRICT_KEY, STRICT_SECRET = "AKIASTRICTEXAMPLE01", "strict/secret/example/key/0123456789abcd"


@pytest.fixture
def strict(fresh_stratus):
    """A server of the test's own with `--auth strict` and one known key."""
    fd, path = tempfile.mkstemp(suffix=".creds")
    with os.fdopen(fd, "w") as f:
        f.write(f"# key secret account\n{STRICT_KEY} {STRICT_SECRET} 111111111111\n")
    yield fresh_stratus("--auth", "strict", "--credentials", path)
    os.unlink(path)


@pytest.fixture
def client(stratus):
    def make(service, **kwargs):
        return client_for(stratus.endpoint, service, **kwargs)

    return make


@pytest.fixture
def s3(client):
    return client("s3")


def client_error(call, **kwargs):
    """Calls `call`, which must fail: (HTTP status, the response's Error)."""
    with pytest.raises(ClientError) as e:
        call(**kwargs)
    r = e.value.response
    return r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]


def aws_cli(endpoint, *args, key="test", secret="test", check=True):
    env = dict(os.environ)
    env.update(
        AWS_ACCESS_KEY_ID=key,
        AWS_SECRET_ACCESS_KEY=secret,
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ENDPOINT_URL=endpoint,
        AWS_MAX_ATTEMPTS="1",
    )
    env.pop("AWS_SESSION_TOKEN", None)
    env.pop("AWS_PROFILE", None)
    out = subprocess.run(["aws", *args, "--output", "json"], env=env, capture_output=True, text=True, timeout=60)
    if check and out.returncode != 0:
        raise AssertionError(f"aws {' '.join(args)} failed: {out.stderr}")
    return out


@pytest.fixture
def cli(stratus):
    def run(*args, **kwargs):
        out = aws_cli(stratus.endpoint, *args, **kwargs)
        return json.loads(out.stdout) if out.returncode == 0 and out.stdout.strip() else out

    return run
