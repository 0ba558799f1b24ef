"""Cognito against real clients: pycognito signing in through real SRP and
verifying tokens against the served JWKS, TOTP MFA with pyotp codes, a
wrong SRP proof, the hosted authorization-code flow with PKCE, and
identity-pool credentials used by boto3 against a strict-auth server."""

import base64
import hashlib
import json
import os
import secrets
import urllib.parse

import boto3
import pyotp
import pytest
import requests
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError
from pycognito import Cognito
from pycognito.aws_srp import AWSSRP
from pycognito.exceptions import SoftwareTokenMFAChallengeException

from conftest import client_for

PASSWORD = "Corr3ct-Horse!"


@pytest.fixture
def endpoint_issuer_server(fresh_stratus, monkeypatch):
    """A server whose tokens carry `{endpoint}/{poolId}` as issuer, the
    form pycognito expects when given an endpoint_url."""
    monkeypatch.setenv("STRATUS_COGNITO_ISSUER", "endpoint")
    return fresh_stratus()


def make_pool(idp, **pool_args):
    pool_id = idp.create_user_pool(PoolName="compat", **pool_args)["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="app",
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    return pool_id, client_id


def make_user(idp, pool_id, username, email=None):
    attrs = [{"Name": "email", "Value": email or f"{username}@example.com"}, {"Name": "email_verified", "Value": "true"}]
    idp.admin_create_user(UserPoolId=pool_id, Username=username, UserAttributes=attrs, MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True)


def pycognito_user(server, pool_id, client_id, username):
    return Cognito(
        pool_id,
        client_id,
        username=username,
        boto3_client_kwargs={
            "endpoint_url": server.endpoint,
            "aws_access_key_id": "test",
            "aws_secret_access_key": "test",
        },
    )


def test_pycognito_srp_sign_in_verifies_tokens_against_jwks(endpoint_issuer_server):
    idp = client_for(endpoint_issuer_server.endpoint, "cognito-idp")
    pool_id, client_id = make_pool(idp)
    make_user(idp, pool_id, "alice")

    u = pycognito_user(endpoint_issuer_server, pool_id, client_id, "alice")
    u.authenticate(password=PASSWORD)  # USER_SRP_AUTH + PASSWORD_VERIFIER, then verify_token against the JWKS
    assert u.id_claims["cognito:username"] == "alice"
    assert u.id_claims["iss"] == f"{endpoint_issuer_server.endpoint}/{pool_id}"
    assert u.access_claims["token_use"] == "access"
    u.verify_tokens()

    user = u.get_user()
    assert user.email == "alice@example.com"

    # Refresh through pycognito's own renew path.
    old_access = u.access_token
    u.renew_access_token()
    assert u.access_token != old_access

    discovery = requests.get(f"{endpoint_issuer_server.endpoint}/{pool_id}/.well-known/openid-configuration").json()
    assert discovery["issuer"] == f"{endpoint_issuer_server.endpoint}/{pool_id}"
    assert discovery["jwks_uri"].endswith("/.well-known/jwks.json")


def test_wrong_srp_proof_is_rejected(stratus):
    idp = client_for(stratus.endpoint, "cognito-idp")
    pool_id, client_id = make_pool(idp)
    make_user(idp, pool_id, "bob")
    srp = AWSSRP(username="bob", password="Wrong-Passw0rd!", pool_id=pool_id, client_id=client_id, client=idp)
    with pytest.raises(ClientError) as e:
        srp.authenticate_user()
    assert e.value.response["Error"]["Code"] == "NotAuthorizedException"
    assert e.value.response["Error"]["Message"] == "Incorrect username or password."
    # The right password works through the same client.
    good = AWSSRP(username="bob", password=PASSWORD, pool_id=pool_id, client_id=client_id, client=idp)
    assert "AccessToken" in good.authenticate_user()["AuthenticationResult"]


def test_totp_mfa_sign_in_with_pyotp(stratus):
    idp = client_for(stratus.endpoint, "cognito-idp")
    pool_id, client_id = make_pool(idp)
    idp.set_user_pool_mfa_config(
        UserPoolId=pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="OPTIONAL"
    )
    make_user(idp, pool_id, "carol")
    auth = idp.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "carol", "PASSWORD": PASSWORD}
    )
    access = auth["AuthenticationResult"]["AccessToken"]
    secret = idp.associate_software_token(AccessToken=access)["SecretCode"]
    totp = pyotp.TOTP(secret)
    assert idp.verify_software_token(AccessToken=access, UserCode=totp.now())["Status"] == "SUCCESS"
    idp.set_user_mfa_preference(AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})

    srp = AWSSRP(username="carol", password=PASSWORD, pool_id=pool_id, client_id=client_id, client=idp)
    with pytest.raises(SoftwareTokenMFAChallengeException) as e:
        srp.authenticate_user()
    session = e.value.get_tokens()["Session"]
    with pytest.raises(ClientError) as bad:
        idp.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=session,
            ChallengeResponses={"USERNAME": "carol", "SOFTWARE_TOKEN_MFA_CODE": "000000" if totp.now() != "000000" else "111111"},
        )
    assert bad.value.response["Error"]["Code"] == "CodeMismatchException"
    done = idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=session,
        ChallengeResponses={"USERNAME": "carol", "SOFTWARE_TOKEN_MFA_CODE": totp.now()},
    )
    assert done["AuthenticationResult"]["TokenType"] == "Bearer"


def test_authorization_code_flow_with_pkce(stratus):
    idp = client_for(stratus.endpoint, "cognito-idp")
    pool_id = idp.create_user_pool(PoolName="hosted")["UserPool"]["Id"]
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain="compat-hosted")
    assert idp.describe_user_pool_domain(Domain="compat-hosted")["DomainDescription"]["UserPoolId"] == pool_id
    callback = "http://localhost:3000/callback"
    client = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="spa",
        CallbackURLs=[callback],
        LogoutURLs=["http://localhost:3000/"],
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email"],
        AllowedOAuthFlowsUserPoolClient=True,
        SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]
    make_user(idp, pool_id, "dana")
    base = f"{stratus.endpoint}/_stratus/cognito/compat-hosted"

    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = {
        "response_type": "code",
        "client_id": client["ClientId"],
        "redirect_uri": callback,
        "scope": "openid email",
        "state": "xyz",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    page = requests.get(f"{base}/oauth2/authorize", params=query)
    assert page.status_code == 200 and "<form" in page.text
    bad = requests.post(f"{base}/login", data={**query, "username": "dana", "password": "nope"}, allow_redirects=False)
    assert bad.status_code == 400
    login = requests.post(f"{base}/login", data={**query, "username": "dana", "password": PASSWORD}, allow_redirects=False)
    assert login.status_code == 302
    location = urllib.parse.urlparse(login.headers["Location"])
    params = urllib.parse.parse_qs(location.query)
    assert params["state"] == ["xyz"]
    code = params["code"][0]

    wrong = requests.post(
        f"{base}/oauth2/token",
        data={"grant_type": "authorization_code", "client_id": client["ClientId"], "code": code, "redirect_uri": callback, "code_verifier": "wrong"},
    )
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    # A code is single-use: log in again for a fresh one.
    login = requests.post(f"{base}/login", data={**query, "username": "dana", "password": PASSWORD}, allow_redirects=False)
    code = urllib.parse.parse_qs(urllib.parse.urlparse(login.headers["Location"]).query)["code"][0]
    tokens = requests.post(
        f"{base}/oauth2/token",
        data={"grant_type": "authorization_code", "client_id": client["ClientId"], "code": code, "redirect_uri": callback, "code_verifier": verifier},
    )
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    assert body["token_type"] == "Bearer" and "id_token" in body and "refresh_token" in body
    claims = json.loads(base64.urlsafe_b64decode(body["access_token"].split(".")[1] + "=="))
    assert claims["scope"] == "openid email"

    info = requests.get(f"{base}/oauth2/userInfo", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert info.status_code == 200 and info.json()["email"] == "dana@example.com"
    refreshed = requests.post(
        f"{base}/oauth2/token",
        data={"grant_type": "refresh_token", "client_id": client["ClientId"], "refresh_token": body["refresh_token"]},
    )
    assert refreshed.status_code == 200 and "access_token" in refreshed.json()
    logout = requests.get(f"{base}/logout", params={"client_id": client["ClientId"], "logout_uri": "http://localhost:3000/"}, allow_redirects=False)
    assert logout.status_code == 302


def test_client_credentials_with_resource_server_scopes(stratus):
    idp = client_for(stratus.endpoint, "cognito-idp")
    pool_id = idp.create_user_pool(PoolName="m2m")["UserPool"]["Id"]
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain="compat-m2m")
    idp.create_resource_server(
        UserPoolId=pool_id, Identifier="orders", Name="Orders", Scopes=[{"ScopeName": "read", "ScopeDescription": "read"}]
    )
    with pytest.raises(ClientError) as e:
        idp.create_user_pool_client(
            UserPoolId=pool_id, ClientName="bad", GenerateSecret=True, AllowedOAuthFlows=["client_credentials"],
            AllowedOAuthScopes=["orders/write"], AllowedOAuthFlowsUserPoolClient=True,
        )
    assert e.value.response["Error"]["Code"] == "ScopeDoesNotExistException"
    client = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="svc", GenerateSecret=True, AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=["orders/read"], AllowedOAuthFlowsUserPoolClient=True,
    )["UserPoolClient"]
    resp = requests.post(
        f"{stratus.endpoint}/_stratus/cognito/compat-m2m/oauth2/token",
        data={"grant_type": "client_credentials", "scope": "orders/read"},
        auth=(client["ClientId"], client["ClientSecret"]),
    )
    assert resp.status_code == 200, resp.text
    claims = json.loads(base64.urlsafe_b64decode(resp.json()["access_token"].split(".")[1] + "=="))
    assert claims["scope"] == "orders/read" and claims["client_id"] == client["ClientId"]
    denied = requests.post(
        f"{stratus.endpoint}/_stratus/cognito/compat-m2m/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=(client["ClientId"], "wrong"),
    )
    assert denied.status_code == 401


def test_sign_up_codes_are_readable(stratus):
    idp = client_for(stratus.endpoint, "cognito-idp")
    pool_id, client_id = make_pool(idp, AutoVerifiedAttributes=["email"])
    unsigned = boto3.client("cognito-idp", endpoint_url=stratus.endpoint, region_name="us-east-1", config=Config(signature_version=UNSIGNED))
    out = unsigned.sign_up(ClientId=client_id, Username="erin", Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": "erin@example.com"}])
    assert out["UserConfirmed"] is False
    codes = requests.get(f"{stratus.endpoint}/_stratus/cognito/codes", params={"userPoolId": pool_id, "username": "erin"}).json()["codes"]
    unsigned.confirm_sign_up(ClientId=client_id, Username="erin", ConfirmationCode=codes[-1]["code"])
    user = idp.admin_get_user(UserPoolId=pool_id, Username="erin")
    assert user["UserStatus"] == "CONFIRMED"
    assert {"Name": "email_verified", "Value": "true"} in user["UserAttributes"]


def test_identity_pool_credentials_call_other_services_in_strict_mode(fresh_stratus):
    server = fresh_stratus("--auth", "strict")
    idp = client_for(server.endpoint, "cognito-idp")
    pool_id, client_id = make_pool(idp)
    make_user(idp, pool_id, "frank")
    unsigned_cfg = Config(signature_version=UNSIGNED, retries={"max_attempts": 1})
    user_idp = boto3.client("cognito-idp", endpoint_url=server.endpoint, region_name="us-east-1", config=unsigned_cfg)
    id_token = user_idp.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "frank", "PASSWORD": PASSWORD}
    )["AuthenticationResult"]["IdToken"]

    identity = client_for(server.endpoint, "cognito-identity")
    provider = f"cognito-idp.us-east-1.amazonaws.com/{pool_id}"
    ipid = identity.create_identity_pool(
        IdentityPoolName="compat",
        AllowUnauthenticatedIdentities=False,
        CognitoIdentityProviders=[{"ProviderName": provider, "ClientId": client_id}],
    )["IdentityPoolId"]
    identity.set_identity_pool_roles(IdentityPoolId=ipid, Roles={"authenticated": "arn:aws:iam::000000000000:role/app-user"})

    anon = boto3.client("cognito-identity", endpoint_url=server.endpoint, region_name="us-east-1", config=unsigned_cfg)
    identity_id = anon.get_id(IdentityPoolId=ipid, Logins={provider: id_token})["IdentityId"]
    creds = anon.get_credentials_for_identity(IdentityId=identity_id, Logins={provider: id_token})["Credentials"]

    sts = client_for(server.endpoint, "sts", key=creds["AccessKeyId"], secret=creds["SecretKey"], token=creds["SessionToken"])
    who = sts.get_caller_identity()
    assert who["Arn"] == "arn:aws:sts::000000000000:assumed-role/app-user/CognitoIdentityCredentials"
    s3 = client_for(server.endpoint, "s3", key=creds["AccessKeyId"], secret=creds["SecretKey"], token=creds["SessionToken"])
    s3.list_buckets()

    # A forged secret is refused by strict SigV4.
    forged = client_for(server.endpoint, "sts", key=creds["AccessKeyId"], secret="x" * 40, token=creds["SessionToken"])
    with pytest.raises(ClientError):
        forged.get_caller_identity()
