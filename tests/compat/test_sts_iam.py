"""STS and IAM through boto3 and the aws CLI, including persistence across a restart."""

import pytest
from botocore.exceptions import ClientError

from conftest import client_for


def test_cli_get_caller_identity(cli):
    out = cli("sts", "get-caller-identity")
    assert out == {"UserId": "000000000000", "Account": "000000000000", "Arn": "arn:aws:iam::000000000000:root"}


def test_boto3_get_caller_identity(client):
    ident = client("sts").get_caller_identity()
    assert ident["Account"] == "000000000000"
    assert ident["Arn"] == "arn:aws:iam::000000000000:root"
    assert ident["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert ident["ResponseMetadata"]["RequestId"]


def test_twelve_digit_access_key_selects_account(client):
    ident = client("sts", key="111122223333").get_caller_identity()
    assert ident["Account"] == "111122223333"


def test_role_survives_restart(fresh_stratus):
    server = fresh_stratus()
    iam = client_for(server.endpoint, "iam")
    doc = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
    created = iam.create_role(RoleName="keeper", AssumeRolePolicyDocument=doc, Path="/svc/")["Role"]
    assert created["Arn"] == "arn:aws:iam::000000000000:role/svc/keeper"
    server.restart()
    iam = client_for(server.endpoint, "iam")
    role = iam.get_role(RoleName="keeper")["Role"]
    assert role["RoleId"] == created["RoleId"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}


def test_role_survives_kill_9(fresh_stratus):
    server = fresh_stratus()
    iam = client_for(server.endpoint, "iam")
    doc = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}'
    iam.create_role(RoleName="durable", AssumeRolePolicyDocument=doc)
    server.kill()
    server.start()
    assert client_for(server.endpoint, "iam").get_role(RoleName="durable")["Role"]["RoleName"] == "durable"


def test_no_such_entity(client):
    with pytest.raises(ClientError) as e:
        client("iam").get_role(RoleName="missing-role")
    err = e.value.response
    assert err["Error"]["Code"] == "NoSuchEntity"
    assert err["Error"]["Message"] == "The role with name missing-role cannot be found."
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_assume_role_and_use_session(client):
    iam = client("iam")
    doc = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}'
    iam.create_role(RoleName="assumable", AssumeRolePolicyDocument=doc)
    creds = client("sts").assume_role(
        RoleArn="arn:aws:iam::000000000000:role/assumable", RoleSessionName="sess"
    )["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    sts = client("sts", key=creds["AccessKeyId"], secret=creds["SecretAccessKey"], token=creds["SessionToken"])
    ident = sts.get_caller_identity()
    assert ident["Arn"] == "arn:aws:sts::000000000000:assumed-role/assumable/sess"
