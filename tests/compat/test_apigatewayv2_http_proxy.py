"""HTTP_PROXY integrations of HTTP APIs: the request passed to a local
endpoint with the route's greedy path variable and a stage variable
substituted in the URI, its query string and headers forwarded and
amended by the integration's request parameters; the endpoint's status,
headers and body passed back."""

import requests

from test_apigateway_http import echo  # noqa: F401 (a fixture)


def test_http_proxy_integration(stratus, client, echo):  # noqa: F811
    v2 = client("apigatewayv2")
    api_id = v2.create_api(Name="proxy", ProtocolType="HTTP")["ApiId"]
    host = echo.split("//", 1)[1]
    integration = v2.create_integration(
        ApiId=api_id, IntegrationType="HTTP_PROXY", IntegrationMethod="ANY", PayloadFormatVersion="1.0",
        IntegrationUri="http://${stageVariables.host}/up/{proxy}",
        RequestParameters={"overwrite:header.x-custom": "$request.querystring.tag",
                           "append:querystring.extra": "yes"})
    assert (integration["IntegrationType"], integration["IntegrationMethod"]) == ("HTTP_PROXY", "ANY")
    v2.create_route(ApiId=api_id, RouteKey="ANY /things/{proxy+}",
                    Target=f"integrations/{integration['IntegrationId']}")
    v2.create_stage(ApiId=api_id, StageName="dev", AutoDeploy=True, StageVariables={"host": host})
    base = f"{stratus.endpoint}/_aws/execute-api/{api_id}/dev"

    r = requests.post(f"{base}/things/a/b c", params={"tag": "t1"}, data="hello")
    assert r.status_code == 200, r.text
    assert r.headers["X-Upstream"] == "echo"
    got = r.json()
    assert got["method"] == "POST"
    assert got["path"] == "/up/a/b%20c?tag=t1&extra=yes"
    assert (got["body"], got["header"]) == ("hello", "t1")

    missing = requests.get(f"{base}/things/missing")
    assert missing.status_code == 404  # the endpoint's own answer, passed through
    assert requests.get(f"{base}/elsewhere").json() == {"message": "Not Found"}
