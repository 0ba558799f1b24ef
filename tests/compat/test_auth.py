"""Strict authentication (`--auth strict`): real clients with the right key
pass; a wrong secret, an unknown key, an expired date and a missing
signature each get AWS's error for the protocol."""

import datetime
import urllib.error
import urllib.request

import botocore.auth
import pytest
from botocore.exceptions import ClientError

from conftest import STRICT_KEY, STRICT_SECRET, aws_cli, client_for

KEY, SECRET = STRICT_KEY, STRICT_SECRET


def test_correct_signature_passes_boto3(strict):
    assert client_for(strict.endpoint, "sts", key=KEY, secret=SECRET).get_caller_identity()["Account"] == "111111111111"
    assert client_for(strict.endpoint, "iam", key=KEY, secret=SECRET).list_roles()["Roles"] == []
    assert client_for(strict.endpoint, "logs", key=KEY, secret=SECRET).describe_log_groups()["logGroups"] == []


def test_correct_signature_passes_cli(strict):
    out = aws_cli(strict.endpoint, "sts", "get-caller-identity", key=KEY, secret=SECRET)
    assert '"Account": "111111111111"' in out.stdout


def test_wrong_secret_query(strict):
    with pytest.raises(ClientError) as e:
        client_for(strict.endpoint, "iam", key=KEY, secret="wrong").list_roles()
    err = e.value.response
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert err["Error"]["Code"] == "SignatureDoesNotMatch"
    assert err["Error"]["Message"].startswith(
        "The request signature we calculated does not match the signature you provided. "
        "Check your AWS Secret Access Key and signing method.")


def test_wrong_secret_json(strict):
    with pytest.raises(ClientError) as e:
        client_for(strict.endpoint, "logs", key=KEY, secret="wrong").describe_log_groups()
    err = e.value.response
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert err["Error"]["Code"] == "InvalidSignatureException"


def test_wrong_secret_cli(strict):
    out = aws_cli(strict.endpoint, "sts", "get-caller-identity", key=KEY, secret="wrong", check=False)
    assert out.returncode != 0
    assert "SignatureDoesNotMatch" in out.stderr


def test_unknown_key(strict):
    with pytest.raises(ClientError) as e:
        client_for(strict.endpoint, "sts", key="AKIANOBODYKNOWS00000", secret="x").get_caller_identity()
    assert e.value.response["Error"]["Code"] == "InvalidClientTokenId"
    assert e.value.response["Error"]["Message"] == "The security token included in the request is invalid."


def test_expired_date(strict, monkeypatch):
    past = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(minutes=20)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: past)
    with pytest.raises(ClientError) as e:
        client_for(strict.endpoint, "sts", key=KEY, secret=SECRET).get_caller_identity()
    err = e.value.response["Error"]
    assert err["Code"] == "SignatureDoesNotMatch"
    assert err["Message"].startswith("Signature expired: ")
    assert err["Message"].endswith(" - 15 min.)")


def test_missing_signature(strict):
    req = urllib.request.Request(strict.endpoint + "/", data=b"Action=GetCallerIdentity&Version=2011-06-15", method="POST")
    req.add_header("Content-Type", "application/x-www-form-urlencoded")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req)
    assert e.value.code == 403
    body = e.value.read().decode()
    assert "<Code>MissingAuthenticationToken</Code>" in body
    assert "<Message>Request is missing Authentication Token</Message>" in body


def test_temporary_credentials_accepted(strict):
    sts = client_for(strict.endpoint, "sts", key=KEY, secret=SECRET)
    creds = sts.get_session_token()["Credentials"]
    temp = client_for(strict.endpoint, "sts", key=creds["AccessKeyId"], secret=creds["SecretAccessKey"], token=creds["SessionToken"])
    assert temp.get_caller_identity()["Account"] == "111111111111"
    bad = client_for(strict.endpoint, "sts", key=creds["AccessKeyId"], secret=creds["SecretAccessKey"], token="forged")
    with pytest.raises(ClientError) as e:
        bad.get_caller_identity()
    assert e.value.response["Error"]["Code"] == "InvalidClientTokenId"
