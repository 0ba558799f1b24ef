"""Helpers the API Gateway compat tests share: the error triple of a
failing boto3 call and an `apigateway` client fixture."""

import botocore.exceptions
import pytest


def error_of(call):
    """(code, message, HTTP status) of the ClientError `call` raises."""
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call()
    err = e.value.response
    return err["Error"]["Code"], err["Error"]["Message"], err["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture
def apigw(client):
    return client("apigateway")
