"""JWT authorizers on HTTP APIs with tokens of a Stratus Cognito user pool:
an ID token from USER_PASSWORD_AUTH is admitted and its claims reach the
function; a missing, forged or foreign-audience token gets 401. And an
OpenID issuer outside Stratus, whose keys are fetched by discovery."""

import base64
import json

import requests

from apigateway_support import answer_json, python_function

PASSWORD = "Passw0rd!Strong"

CLAIMS = """
import json
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps(event["requestContext"].get("authorizer"))}
"""


def user_pool_token(idp):
    pool_id = idp.create_user_pool(PoolName="jwt")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app",
                                            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH",
                                                               "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool_id, Username="ann", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool_id, Username="ann", Password=PASSWORD, Permanent=True)
    auth = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": "ann", "PASSWORD": PASSWORD})["AuthenticationResult"]
    return pool_id, client_id, auth["IdToken"]


def issuer_of(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["iss"]


def test_jwt_authorizer_with_cognito_tokens(client, stratus):
    pool_id, client_id, token = user_pool_token(client("cognito-idp"))
    fn = python_function(client("lambda"), "v2jwt", CLAIMS)
    v2 = client("apigatewayv2")
    api_id = v2.create_api(Name="jwt", ProtocolType="HTTP", Target=fn)["ApiId"]
    issuer = issuer_of(token)
    assert issuer.endswith(f"/{pool_id}")
    auth = v2.create_authorizer(ApiId=api_id, Name="pool", AuthorizerType="JWT",
                                IdentitySource=["$request.header.Authorization"],
                                JwtConfiguration={"Issuer": issuer, "Audience": [client_id]})["AuthorizerId"]
    other = v2.create_authorizer(ApiId=api_id, Name="other", AuthorizerType="JWT",
                                 IdentitySource=["$request.header.Authorization"],
                                 JwtConfiguration={"Issuer": issuer, "Audience": ["someone-else"]})["AuthorizerId"]
    [route] = v2.get_routes(ApiId=api_id)["Items"]
    v2.update_route(ApiId=api_id, RouteId=route["RouteId"], AuthorizationType="JWT", AuthorizerId=auth)
    url = f"{stratus.endpoint}/_aws/execute-api/{api_id}/anything"

    r = requests.get(url, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    claims = r.json()["jwt"]["claims"]
    assert (claims["iss"], claims["aud"], claims["cognito:username"]) == (issuer, client_id, "ann")

    r = requests.get(url)
    assert (r.status_code, r.json()) == (401, {"message": "Unauthorized"})
    head, body, sig = token.split(".")
    forged = ".".join([head, body, sig[:-4] + ("AAAA" if not sig.endswith("AAAA") else "BBBB")])
    assert requests.get(url, headers={"Authorization": forged}).status_code == 401

    v2.update_route(ApiId=api_id, RouteId=route["RouteId"], AuthorizerId=other)
    assert requests.get(url, headers={"Authorization": token}).status_code == 401


def test_jwt_authorizer_with_an_external_openid_issuer(client, stratus):
    """An issuer outside Stratus: its discovery document and key set are
    fetched over HTTP; a token it signed is admitted, one signed by
    another key is not."""
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, HTTPServer

    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa
    from jwt.algorithms import RSAAlgorithm

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update(kid="k1", alg="RS256", use="sig")
    docs = {}

    class Issuer(BaseHTTPRequestHandler):
        def do_GET(self):
            answer_json(self, 200 if self.path in docs else 404, docs.get(self.path, {}))

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Issuer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    issuer = f"http://127.0.0.1:{server.server_address[1]}/realm"
    docs["/realm/.well-known/openid-configuration"] = {"issuer": issuer, "jwks_uri": f"{issuer}/certs"}
    docs["/realm/certs"] = {"keys": [jwk]}
    try:
        fn = python_function(client("lambda"), "v2ext", CLAIMS)
        v2 = client("apigatewayv2")
        api_id = v2.create_api(Name="ext", ProtocolType="HTTP", Target=fn)["ApiId"]
        auth = v2.create_authorizer(ApiId=api_id, Name="ext", AuthorizerType="JWT",
                                    IdentitySource=["$request.header.Authorization"],
                                    JwtConfiguration={"Issuer": issuer, "Audience": ["my-api"]})["AuthorizerId"]
        [route] = v2.get_routes(ApiId=api_id)["Items"]
        v2.update_route(ApiId=api_id, RouteId=route["RouteId"], AuthorizationType="JWT", AuthorizerId=auth)
        url = f"{stratus.endpoint}/_aws/execute-api/{api_id}/x"
        claims = {"iss": issuer, "aud": "my-api", "sub": "u-1", "exp": int(time.time()) + 300}
        good = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})
        r = requests.get(url, headers={"Authorization": f"Bearer {good}"})
        assert r.status_code == 200, r.text
        assert r.json()["jwt"]["claims"]["sub"] == "u-1"
        forged = jwt.encode(claims, other, algorithm="RS256", headers={"kid": "k1"})
        r = requests.get(url, headers={"Authorization": f"Bearer {forged}"})
        assert (r.status_code, r.json()) == (401, {"message": "Unauthorized"})
    finally:
        server.shutdown()
