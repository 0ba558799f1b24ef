# Shared helpers for the Stratus-vs-moto benchmarks (stdlib only): how to
# spawn each server, the one signed STS GetCallerIdentity request every
# benchmark sends, a raw-socket client for it, and process-tree RSS.

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

BODY = b"Action=GetCallerIdentity&Version=2011-06-15"
AUTH = (
    "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/sts/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=00"
)


def request_bytes(port):
    return (
        "POST / HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        "Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n"
        "X-Amz-Date: 20250101T000000Z\r\n"
        f"Authorization: {AUTH}\r\n"
        f"Content-Length: {len(BODY)}\r\n"
        "Connection: close\r\n"
        "\r\n"
    ).encode() + BODY


def accept_statuses():
    # BENCH_ACCEPT_501=1 lets the harness run while STS is not wired in yet:
    # a 501 NotImplemented still crosses the whole request path.
    return (200, 501) if os.environ.get("BENCH_ACCEPT_501") == "1" else (200,)


def is_expected(status, body):
    if status == 200:
        return b"<GetCallerIdentityResult>" in body and b"<Account>" in body
    return status == 501 and status in accept_statuses() and b"NotImplemented" in body


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stratus_bin():
    return os.environ.get("STRATUS_BIN", os.path.join(ROOT, "target", "release", "stratus"))


def venv_dir():
    return os.environ.get("BENCH_VENV", os.path.join(HERE, ".venv"))


def server_cmd(target, port, data_dir=None):
    """argv for one server. target: stratus-mem | stratus-disk | moto."""
    if target == "stratus-mem":
        return [stratus_bin(), "serve", "--host", "127.0.0.1", "--port", str(port), "--in-memory"]
    if target == "stratus-disk":
        return [stratus_bin(), "serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir", data_dir]
    if target == "moto":
        cli = os.path.join(venv_dir(), "bin", "moto_server")
        if os.path.exists(cli):
            return [cli, "-H", "127.0.0.1", "-p", str(port)]
        # No CLI: the library's ThreadedMotoServer in a python that sleeps.
        py = os.path.join(venv_dir(), "bin", "python")
        code = (
            "import time\n"
            "from moto.server import ThreadedMotoServer\n"
            f"ThreadedMotoServer(ip_address='127.0.0.1', port={port}, verbose=False).start()\n"
            "while True: time.sleep(3600)\n"
        )
        return [py, "-c", code]
    raise ValueError(target)


class Server:
    """One spawned server; call stop() (or use as a context manager)."""

    def __init__(self, target):
        self.target = target
        self.port = free_port()
        self.data_dir = tempfile.mkdtemp(prefix="stratus-bench-") if target == "stratus-disk" else None
        self.argv = server_cmd(target, self.port, self.data_dir)
        self.proc = None
        self.t0 = None

    def spawn(self):
        self.t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            self.argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        return self.t0

    def stop(self):
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if self.data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def call_once(port, timeout=10.0):
    """One GetCallerIdentity on a fresh connection: (status, body), or None if
    the connection was refused or closed before an answer."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.settimeout(timeout)
    try:
        s.connect(("127.0.0.1", port))
        s.sendall(request_bytes(port))
        chunks = []
        while True:
            b = s.recv(65536)
            if not b:
                break
            chunks.append(b)
    except (ConnectionRefusedError, ConnectionResetError, BrokenPipeError):
        return None
    finally:
        s.close()
    raw = b"".join(chunks)
    if not raw.startswith(b"HTTP/1."):
        return None
    head, _, body = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, body


def wait_first_success(server, deadline_s=60.0):
    """Tight retry loop from spawn until an expected answer arrives.
    Returns (seconds to first accepted connection, seconds to success)."""
    t_conn = None
    end = server.t0 + deadline_s
    while True:
        now = time.perf_counter()
        if now > end:
            raise TimeoutError(f"{server.target}: no answer within {deadline_s}s")
        if server.proc.poll() is not None:
            raise RuntimeError(f"{server.target} exited with {server.proc.returncode}: {' '.join(server.argv)}")
        r = call_once(server.port)
        if r is None:
            time.sleep(0.0005)
            continue
        if t_conn is None:
            t_conn = time.perf_counter() - server.t0
        status, body = r
        if is_expected(status, body):
            return t_conn, time.perf_counter() - server.t0
        if status == 501:
            raise RuntimeError(f"{server.target}: 501 NotImplemented (set BENCH_ACCEPT_501=1 to benchmark it anyway)")
        # Anything else (e.g. a 5xx while a lazy backend loads): retry.
        time.sleep(0.0005)


def _children():
    kids = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(pid))
    return kids


def tree_pids(root):
    kids = _children()
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def status_kb(pid, fields=("VmRSS", "RssAnon", "RssFile", "RssShmem", "Threads")):
    vals = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in fields:
                    vals[k] = int(v.split()[0])
    except OSError:
        pass
    return vals


def tree_status(root):
    """Summed /proc/PID/status fields over the process tree rooted at root."""
    total = {}
    pids = tree_pids(root)
    for p in pids:
        for k, v in status_kb(p).items():
            total[k] = total.get(k, 0) + v
    total["processes"] = len(pids)
    return total


def median(xs):
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def log(*a):
    print(*a, file=sys.stderr, flush=True)
