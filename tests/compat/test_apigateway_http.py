"""HTTP_PROXY and HTTP integrations of REST APIs: requests forwarded to a
local endpoint with path parameters and stage variables substituted in the
URI; HTTP_PROXY passes the request and the endpoint's answer through, HTTP
sends only mapped parameters, the mapped body and the template's request
overrides, and maps the answer through the integration response its status
code selects."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import requests

from apigateway_support import apigw  # noqa: F401 (a fixture)


class Echo(BaseHTTPRequestHandler):
    def handle_one(self):
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        status = 404 if "missing" in self.path else 200
        out = json.dumps({"method": self.command, "path": self.path, "body": body,
                          "header": self.headers.get("x-custom")}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Upstream", "echo")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    do_GET = do_POST = do_DELETE = handle_one

    def log_message(self, *args):
        pass


@pytest.fixture
def echo():
    server = HTTPServer(("127.0.0.1", 0), Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_http_proxy_and_http_integrations(stratus, apigw, echo):
    api_id = apigw.create_rest_api(name="http")["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    proxy = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="{proxy+}")
    kw = dict(restApiId=api_id, resourceId=proxy["id"], httpMethod="ANY")
    apigw.put_method(authorizationType="NONE", **kw)
    apigw.put_integration(type="HTTP_PROXY", integrationHttpMethod="ANY", uri="http://${stageVariables.host}/up/{proxy}",
                          requestParameters={"integration.request.path.proxy": "method.request.path.proxy"}, **kw)
    mapped = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="mapped")
    kw = dict(restApiId=api_id, resourceId=mapped["id"], httpMethod="GET")
    apigw.put_method(authorizationType="NONE", **kw)
    apigw.put_integration(type="HTTP", integrationHttpMethod="GET", uri=f"{echo}/missing", **kw)
    apigw.put_integration_response(statusCode="200", responseTemplates={"application/json": '{"fine": true}'}, **kw)
    apigw.put_integration_response(statusCode="404", selectionPattern="4\\d{2}",
                                   responseTemplates={"application/json": '{"mapped": "not found"}'},
                                   responseParameters={"method.response.header.X-From": "integration.response.header.X-Upstream"},
                                   **kw)
    plain = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="plain")
    kw = dict(restApiId=api_id, resourceId=plain["id"], httpMethod="POST")
    apigw.put_method(authorizationType="NONE", requestParameters={"method.request.querystring.who": False}, **kw)
    apigw.put_integration(type="HTTP", integrationHttpMethod="POST", uri=f"{echo}/echo",
                          requestParameters={"integration.request.querystring.q": "method.request.querystring.who",
                                             "integration.request.header.x-custom": "'fixed'"},
                          requestTemplates={"application/json": (
                              '#set($context.requestOverride.querystring.extra = "yes")'
                              '{"got": $input.json(\'$.n\')}')}, **kw)
    apigw.put_integration_response(statusCode="200", **kw)
    apigw.create_deployment(restApiId=api_id, stageName="dev", variables={"host": echo.removeprefix("http://")})

    base = f"{stratus.endpoint}/_aws/execute-api/{api_id}/dev"
    r = requests.post(f"{base}/a/b?x=1", data="hello", headers={"X-Custom": "c"})
    assert r.status_code == 200
    assert r.json() == {"method": "POST", "path": "/up/a/b?x=1", "body": "hello", "header": "c"}
    assert r.headers["X-Upstream"] == "echo"
    r = requests.get(f"{base}/missing")
    assert (r.status_code, r.headers["X-Upstream"]) == (404, "echo")

    r = requests.post(f"{base}/plain?who=me&dropped=1", json={"n": 5}, headers={"X-Custom": "not forwarded"})
    assert r.status_code == 200
    assert r.json() == {"method": "POST", "path": "/echo?q=me&extra=yes", "body": '{"got": 5}', "header": "fixed"}

    r = requests.get(f"{base}/mapped")
    assert (r.status_code, r.json(), r.headers["X-From"]) == (404, {"mapped": "not found"}, "echo")
