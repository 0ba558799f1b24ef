# Stratus's managed runtime for Python functions: loads the handler named by
# _HANDLER from LAMBDA_TASK_ROOT and serves events from the Lambda Runtime
# API (AWS_LAMBDA_RUNTIME_API), giving handlers the event and context AWS
# gives them. Standard library only. With _STRATUS_FORK_SERVER set it runs
# as a SnapStart fork server instead (_stratus_forkserver.py).
import http.client
import importlib
import json
import os
import sys
import time
import traceback

API = os.environ.get("AWS_LAMBDA_RUNTIME_API", "")
# Set while initialising a SnapStart fork server: init errors are raised to it.
_SNAPSHOT = bool(os.environ.pop("_STRATUS_FORK_SERVER", None))
ROOT = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
sys.path.insert(0, ROOT)
# Started with -S (no site processing, which costs tens of ms): put the
# interpreter's site-packages on the path without running its .pth hooks.
if not sys.flags.no_site:
    pass
else:
    import sysconfig
    for key in ("purelib", "platlib"):
        p = sysconfig.get_paths().get(key)
        if p and os.path.isdir(p) and p not in sys.path:
            sys.path.append(p)
    for p in ("/usr/lib/python3/dist-packages", "/usr/local/lib/python%d.%d/dist-packages" % sys.version_info[:2]):
        if os.path.isdir(p) and p not in sys.path:
            sys.path.append(p)
for extra in ("/opt/python",):
    if os.path.isdir(extra):
        sys.path.append(extra)
_conn = None
_REQUEST_ID = {"id": None}


class _RequestIdFilter:
    """Adds aws_request_id to log records, as the Lambda Python runtime does."""

    def filter(self, record):
        record.aws_request_id = _REQUEST_ID["id"]
        return True


def _setup_logging():
    import logging
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s", "%Y-%m-%dT%H:%M:%S"))
    handler.formatter.converter = time.gmtime
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(os.environ.get("AWS_LAMBDA_LOG_LEVEL", "WARNING").upper() if os.environ.get("AWS_LAMBDA_LOG_LEVEL") else logging.WARNING)


_setup_logging()


def _request(method, path, body=None, headers=None):
    global _conn
    for attempt in (0, 1):
        try:
            if _conn is None:
                _conn = http.client.HTTPConnection(API)
            _conn.request(method, "/2018-06-01/runtime/" + path, body, headers or {})
            r = _conn.getresponse()
            return r, r.read()
        except (http.client.HTTPException, ConnectionError):
            if attempt:
                raise
            _conn = http.client.HTTPConnection(API)


def _error_body(e, request_id=None, error_type=None, message=None):
    body = {
        "errorMessage": message if message is not None else str(e),
        "errorType": error_type or type(e).__name__,
    }
    if request_id is not None:
        body["requestId"] = request_id
    body["stackTrace"] = traceback.format_list(traceback.extract_tb(e.__traceback__)[1:])
    return json.dumps(body)


class InitFailed(Exception):
    """An init error of a fork server, carried to Stratus instead of posted."""

    def __init__(self, body, error_type):
        super().__init__(error_type)
        self.body = body
        self.error_type = error_type


def _init_error(body, error_type):
    sys.stdout.write("[ERROR] %s\n" % body)
    sys.stdout.flush()
    if _SNAPSHOT:
        raise InitFailed(body, error_type)
    _request("POST", "init/error", body, {"Lambda-Runtime-Function-Error-Type": error_type})
    sys.exit(1)


class CognitoIdentity:
    def __init__(self, d):
        self.cognito_identity_id = d.get("cognitoIdentityId")
        self.cognito_identity_pool_id = d.get("cognitoIdentityPoolId")


class Client:
    """The mobile client of a client context, as awslambdaric gives it."""

    __slots__ = ["installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name"]

    def __init__(self, d):
        for field in self.__slots__:
            setattr(self, field, d.get(field))


class ClientContext:
    def __init__(self, d):
        client = d.get("client")
        self.client = Client(client) if isinstance(client, dict) else client
        self.custom = d.get("custom")
        self.env = d.get("env")


class LambdaContext:
    def __init__(self, headers):
        self.aws_request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        self.invoked_function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn")
        self._deadline_ms = int(headers.get("Lambda-Runtime-Deadline-Ms") or 0)
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.tenant_id = headers.get("Lambda-Runtime-Aws-Tenant-Id")
        cc = headers.get("Lambda-Runtime-Client-Context")
        ci = headers.get("Lambda-Runtime-Cognito-Identity")
        self.client_context = ClientContext(json.loads(cc)) if cc else None
        self.identity = CognitoIdentity(json.loads(ci)) if ci else None

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)


def _load():
    name = os.environ.get("_HANDLER", "")
    try:
        modname, fn = name.rsplit(".", 1)
    except ValueError as e:
        _init_error(_error_body(e, error_type="Runtime.MalformedHandlerName",
                                message="Bad handler '%s': %s" % (name, e)), "Runtime.MalformedHandlerName")
    try:
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        _init_error(_error_body(e, error_type="Runtime.ImportModuleError",
                                message="Unable to import module '%s': %s" % (modname, e)), "Runtime.ImportModuleError")
    except SyntaxError as e:
        _init_error(_error_body(e, error_type="Runtime.UserCodeSyntaxError",
                                message="Syntax error in module '%s': %s" % (modname, e)), "Runtime.UserCodeSyntaxError")
    except Exception as e:
        _init_error(_error_body(e), "Runtime.Unknown")
    handler = getattr(module, fn, None)
    if handler is None:
        _init_error(json.dumps({"errorMessage": "Handler '%s' missing on module '%s'" % (fn, modname),
                                "errorType": "Runtime.HandlerNotFound", "stackTrace": []}),
                    "Runtime.HandlerNotFound")
    return handler


def restored(api):
    """In a forked environment: talk to its own Runtime API from now on."""
    global API, _conn
    API = api
    _conn = None


def restore_error(body):
    """Reports a failed after-restore hook; the environment then ends."""
    sys.stdout.write("[ERROR] %s\n" % body)
    sys.stdout.flush()
    _request("POST", "restore/error", body, {"Lambda-Runtime-Function-Error-Type": "Runtime.AfterRestoreError"})
    os._exit(1)


def main():
    if _SNAPSHOT:
        import _stratus_forkserver
        _stratus_forkserver.run(sys.modules[__name__])
        return
    serve(_load())


def serve(handler):
    while True:
        r, body = _request("GET", "invocation/next")
        headers = r.headers
        ctx = LambdaContext(headers)
        rid = ctx.aws_request_id
        _REQUEST_ID["id"] = rid
        trace = headers.get("Lambda-Runtime-Trace-Id")
        if trace:
            os.environ["_X_AMZN_TRACE_ID"] = trace
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        try:
            event = json.loads(body) if body else {}
        except ValueError as e:
            err = json.dumps({"errorMessage": "Unable to unmarshal input: %s" % e,
                              "errorType": "Runtime.UnmarshalError", "requestId": rid, "stackTrace": []})
            _request("POST", "invocation/%s/error" % rid, err,
                     {"Lambda-Runtime-Function-Error-Type": "Runtime.UnmarshalError"})
            continue
        try:
            result = handler(event, ctx)
        except Exception as e:
            err = _error_body(e, request_id=rid)
            sys.stdout.write("[ERROR] %s: %s\n" % (type(e).__name__, e))
            sys.stdout.write("".join(traceback.format_exception(type(e), e, e.__traceback__)))
            sys.stdout.flush()
            _request("POST", "invocation/%s/error" % rid, err, {"Lambda-Runtime-Function-Error-Type": "Unhandled"})
            continue
        try:
            out = json.dumps(result)
        except (TypeError, ValueError) as e:
            err = json.dumps({"errorMessage": "Unable to marshal response: %s" % e,
                              "errorType": "Runtime.MarshalError", "requestId": rid, "stackTrace": []})
            _request("POST", "invocation/%s/error" % rid, err,
                     {"Lambda-Runtime-Function-Error-Type": "Runtime.MarshalError"})
            continue
        sys.stdout.flush()
        sys.stderr.flush()
        _request("POST", "invocation/%s/response" % rid, out, {"Content-Type": "application/json"})


if __name__ == "__main__":
    main()
