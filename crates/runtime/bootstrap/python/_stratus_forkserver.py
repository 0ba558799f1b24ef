# Stratus's SnapStart fork server for Python functions. Started by the
# bootstrap with _STRATUS_FORK_SERVER set and a listening Unix socket as
# stdin, it runs the Init phase once (imports the handler module, runs the
# before-snapshot hooks), then serves Stratus over that socket:
#
# - the first connection is Stratus's watch: it gets one status line
#   ({"ready": true} or {"ready": false, "errorType": .., "body": ..}), then
#   one line per exited environment ({"pid": n, "code": c} or
#   {"pid": n, "signal": s}); when Stratus closes it, the server exits;
# - every later connection carries one fork request, a JSON line
#   {"env": {..}, "cwd": ".."}; the forked child answers {"pid": n} on it,
#   makes that connection its stdout and stderr, takes the request's
#   variables and directory, runs the after-restore hooks and enters the
#   bootstrap's invoke loop against its own Runtime API.
import json
import os
import select
import signal
import socket
import sys


def _status_line(obj):
    return (json.dumps(obj) + "\n").encode()


def _init(boot):
    """The Init phase: the handler and the before-snapshot hooks."""
    try:
        handler = boot._load()
    except boot.InitFailed as e:
        return None, {"ready": False, "errorType": e.error_type, "body": e.body}
    try:
        import snapshot_restore_py
        hooks = snapshot_restore_py.get_before_snapshot()
        while hooks:
            func, args, kwargs = hooks.pop()
            func(*args, **kwargs)
    except Exception as e:
        body = boot._error_body(e, error_type="Runtime.BeforeSnapshotError")
        sys.stdout.write("[ERROR] %s\n" % body)
        return None, {"ready": False, "errorType": "Runtime.BeforeSnapshotError", "body": body}
    return handler, {"ready": True}


def _read_request(conn):
    conn.settimeout(5)
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    conn.settimeout(None)
    try:
        return json.loads(data)
    except ValueError:
        return None


def _become_environment(boot, handler, conn, request, sockets, fds):
    """In the forked child: turn into a fresh execution environment."""
    os.setpgid(0, 0)
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    for s in sockets:
        s.close()
    for fd in fds:
        os.close(fd)
    conn.sendall(_status_line({"pid": os.getpid()}))
    os.dup2(conn.fileno(), 1)
    os.dup2(conn.fileno(), 2)
    conn.close()
    os.environ.clear()
    os.environ.update(request.get("env") or {})
    os.chdir(request.get("cwd") or "/")
    if "tempfile" in sys.modules:
        sys.modules["tempfile"].tempdir = None
    boot._SNAPSHOT = False
    boot.restored(os.environ.get("AWS_LAMBDA_RUNTIME_API", ""))
    try:
        import snapshot_restore_py
        for func, args, kwargs in list(snapshot_restore_py.get_after_restore()):
            func(*args, **kwargs)
    except Exception as e:
        boot.restore_error(boot._error_body(e, error_type="Runtime.AfterRestoreError"))
    boot.serve(handler)


def _child(boot, handler, conn, request, sockets, fds):
    """Runs the forked child to its end; it never returns to the server loop."""
    code = 1
    try:
        _become_environment(boot, handler, conn, request, sockets, fds)
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException:
        import traceback
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _reap(watch):
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if os.WIFSIGNALED(status):
            line = {"pid": pid, "signal": os.WTERMSIG(status)}
        else:
            line = {"pid": pid, "code": os.waitstatus_to_exitcode(status)}
        try:
            watch.sendall(_status_line(line))
        except OSError:
            pass


def run(boot):
    listener = socket.socket(fileno=os.dup(0))
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    handler, status = _init(boot)
    sys.stdout.flush()
    sys.stderr.flush()
    watch, _ = listener.accept()
    watch.sendall(_status_line(status))
    if handler is None:
        sys.exit(1)
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    while True:
        ready, _, _ = select.select([listener, watch, wake_r], [], [])
        if wake_r in ready:
            os.read(wake_r, 4096)
            _reap(watch)
        if watch in ready:
            if not watch.recv(4096):
                os._exit(0)
        if listener in ready:
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            request = _read_request(conn)
            if request is None:
                conn.close()
                continue
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                _child(boot, handler, conn, request, [listener, watch], [wake_r, wake_w])
            try:
                os.setpgid(pid, pid)
            except OSError:
                pass
            conn.close()
