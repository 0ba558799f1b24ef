"""Cognito user-pool authorizers on REST APIs, with tokens of a Stratus
user pool signed in through USER_PASSWORD_AUTH: an ID token is admitted
and its claims (strings, `exp`/`iat` as dates) reach the Lambda proxy as
`requestContext.authorizer.claims`; with `authorizationScopes` only an
access token carrying one of them is; missing, forged, foreign-pool and
wrong-kind tokens get AWS's 401 `Unauthorized`."""

import re

import requests

from apigateway_support import apigw, python_function  # noqa: F401 (apigw is a fixture)
from test_apigateway_authorizers import BACKEND, lambda_uri

PASSWORD = "Passw0rd!Strong"
DATE = re.compile(r"^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}$")


def signed_in(idp, name):
    """A new pool, and the ID and access tokens of a user signed in to it."""
    pool = idp.create_user_pool(PoolName=name)["UserPool"]
    client_id = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="app",
                                            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH",
                                                               "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool["Id"], Username="ann", MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": "ann@example.com"}])
    idp.admin_set_user_password(UserPoolId=pool["Id"], Username="ann", Password=PASSWORD, Permanent=True)
    auth = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": "ann", "PASSWORD": PASSWORD})["AuthenticationResult"]
    return pool, client_id, auth["IdToken"], auth["AccessToken"]


def test_user_pool_authorizer_on_a_rest_api(stratus, apigw, client):
    idp = client("cognito-idp")
    pool, client_id, id_token, access_token = signed_in(idp, "rest-auth")
    _, _, foreign_token, _ = signed_in(idp, "other-pool")
    backend = python_function(client("lambda"), "claims", BACKEND)

    api_id = apigw.create_rest_api(name="cognito")["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    a = apigw.create_authorizer(restApiId=api_id, name="pool", type="COGNITO_USER_POOLS",
                                providerARNs=[pool["Arn"]], identitySource="method.request.header.Authorization")
    assert (a["type"], a["providerARNs"]) == ("COGNITO_USER_POOLS", [pool["Arn"]])
    for part, scopes in (("profile", []), ("admin", ["aws.cognito.signin.user.admin"])):
        res = apigw.create_resource(restApiId=api_id, parentId=root, pathPart=part)
        kw = dict(restApiId=api_id, resourceId=res["id"], httpMethod="GET")
        apigw.put_method(authorizationType="COGNITO_USER_POOLS", authorizerId=a["id"],
                         authorizationScopes=scopes, **kw)
        apigw.put_integration(type="AWS_PROXY", integrationHttpMethod="POST", uri=lambda_uri(backend), **kw)
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    base = f"{stratus.endpoint}/_aws/execute-api/{api_id}/dev"

    ok = requests.get(f"{base}/profile", headers={"Authorization": id_token})
    assert ok.status_code == 200, ok.text
    claims = ok.json()["claims"]
    assert (claims["cognito:username"], claims["email"], claims["token_use"], claims["aud"]) == (
        "ann", "ann@example.com", "id", client_id)
    assert claims["iss"].endswith("/" + pool["Id"])
    assert DATE.match(claims["exp"]) and DATE.match(claims["iat"]), claims
    assert claims["auth_time"].isdigit()
    assert requests.get(f"{base}/profile", headers={"Authorization": f"Bearer {id_token}"}).status_code == 200

    unauthorized = (401, {"message": "Unauthorized"})
    for headers in ({}, {"Authorization": "not-a-jwt"}, {"Authorization": foreign_token},
                    {"Authorization": access_token}):  # no scopes on the method: an ID token is required
        r = requests.get(f"{base}/profile", headers=headers)
        assert (r.status_code, r.json()) == unauthorized, headers
    head, body, sig = id_token.split(".")
    forged = ".".join([head, body, sig[:-4] + ("AAAA" if not sig.endswith("AAAA") else "BBBB")])
    r = requests.get(f"{base}/profile", headers={"Authorization": forged})
    assert (r.status_code, r.json()) == unauthorized

    scoped = requests.get(f"{base}/admin", headers={"Authorization": access_token})
    assert scoped.status_code == 200, scoped.text
    assert scoped.json()["claims"]["scope"] == "aws.cognito.signin.user.admin"
    assert scoped.json()["claims"]["token_use"] == "access"
    r = requests.get(f"{base}/admin", headers={"Authorization": id_token})
    assert (r.status_code, r.json()) == unauthorized
