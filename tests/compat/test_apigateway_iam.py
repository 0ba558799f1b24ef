"""IAM authorization of invoke requests: a REST method and an HTTP API
route with authorization type AWS_IAM admit a SigV4 request signed for
`execute-api` (verified in strict mode) and pass the signer on
(`requestContext.identity` / `authorizer.iam`); unsigned, unknown-key and
wrong-secret requests get AWS's 403 answers."""

import requests

from apigateway_support import python_function
from conftest import STRICT_KEY, STRICT_SECRET, client_for
from test_apigateway_authorizers import lambda_uri
from test_lambda_urls import signed

CONTEXT = """
import json
def handler(event, context):
    rc = event["requestContext"]
    return {"statusCode": 200, "body": json.dumps({"identity": rc.get("identity"), "authorizer": rc.get("authorizer")})}
"""

MISMATCH = ("The request signature we calculated does not match the signature you provided. Check your AWS "
            "Secret Access Key and signing method. Consult the service documentation for details.")


def test_iam_authorization_on_rest_and_http_apis(strict):
    client = lambda service: client_for(strict.endpoint, service, key=STRICT_KEY, secret=STRICT_SECRET)  # noqa: E731
    fn = python_function(client("lambda"), "iam", CONTEXT)
    apigw = client("apigateway")
    api_id = apigw.create_rest_api(name="iam")["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    kw = dict(restApiId=api_id, resourceId=root, httpMethod="POST")
    apigw.put_method(authorizationType="AWS_IAM", **kw)
    apigw.put_integration(type="AWS_PROXY", integrationHttpMethod="POST", uri=lambda_uri(fn), **kw)
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    url = f"{strict.endpoint}/_aws/execute-api/{api_id}/dev/"

    ok = signed("POST", url, STRICT_KEY, STRICT_SECRET, service="execute-api", body=b'{"a":1}')
    assert ok.status_code == 200, ok.text
    identity = ok.json()["identity"]
    assert (identity["accessKey"], identity["accountId"]) == (STRICT_KEY, "111111111111")

    unsigned = requests.post(url, data=b"{}")
    assert (unsigned.status_code, unsigned.json()) == (403, {"message": "Missing Authentication Token"})
    assert unsigned.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    unknown = signed("POST", url, "AKIAUNKNOWNKEY000001", STRICT_SECRET, service="execute-api")
    assert (unknown.status_code, unknown.json()) == (
        403, {"message": "The security token included in the request is invalid."})
    wrong = signed("POST", url, STRICT_KEY, "not-the-secret", service="execute-api")
    assert (wrong.status_code, wrong.json()) == (403, {"message": MISMATCH})

    v2 = client("apigatewayv2")
    http_id = v2.create_api(Name="iam", ProtocolType="HTTP", Target=fn)["ApiId"]
    [route] = v2.get_routes(ApiId=http_id)["Items"]
    v2.update_route(ApiId=http_id, RouteId=route["RouteId"], AuthorizationType="AWS_IAM")
    url = f"{strict.endpoint}/_aws/execute-api/{http_id}/anything"
    ok = signed("GET", url, STRICT_KEY, STRICT_SECRET, service="execute-api")
    assert ok.status_code == 200, ok.text
    iam = ok.json()["authorizer"]["iam"]
    assert (iam["accessKey"], iam["accountId"]) == (STRICT_KEY, "111111111111")
    unsigned = requests.get(url)
    assert (unsigned.status_code, unsigned.json()) == (403, {"message": "Forbidden"})
    wrong = signed("GET", url, STRICT_KEY, "not-the-secret", service="execute-api")
    assert (wrong.status_code, wrong.json()) == (403, {"message": MISMATCH})
