"""Lambda code kept in S3: functions and layers created and updated from an
object, and AWS's error when the object cannot be read."""

import json

import botocore.exceptions
import pytest

from test_lambda import PY_APP, ROLE, name, zip_of


def test_function_and_layer_code_from_s3(client):
    s3, lam = client("s3"), client("lambda")
    bucket = name("code")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="v1.zip", Body=zip_of([("app.py", PY_APP, 0o644)]))
    v2 = PY_APP.replace("py says", "v2 says")
    s3.put_object(Bucket=bucket, Key="v2.zip", Body=zip_of([("app.py", v2, 0o644)]))

    fn = name("s3fn")
    created = lam.create_function(FunctionName=fn, Runtime="python3.12", Role=ROLE, Handler="app.handler",
                                  Code={"S3Bucket": bucket, "S3Key": "v1.zip"})
    assert created["CodeSize"] > 0
    out = lam.invoke(FunctionName=fn, Payload=b'{"n": 1}')
    assert json.loads(out["Payload"].read())["event"] == {"n": 1}

    updated = lam.update_function_code(FunctionName=fn, S3Bucket=bucket, S3Key="v2.zip")
    assert updated["CodeSha256"] != created["CodeSha256"]
    lam.get_waiter("function_updated_v2").wait(FunctionName=fn)
    out = lam.invoke(FunctionName=fn, Payload=b'{"n": 2}', LogType="Tail")
    import base64
    assert "v2 says" in base64.b64decode(out["LogResult"]).decode()

    layer = lam.publish_layer_version(LayerName=name("layer"), Content={"S3Bucket": bucket, "S3Key": "v1.zip"},
                                      CompatibleRuntimes=["python3.12"])
    assert layer["Version"] == 1 and layer["Content"]["CodeSize"] > 0

    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.create_function(FunctionName=name("s3fn"), Runtime="python3.12", Role=ROLE, Handler="app.handler",
                            Code={"S3Bucket": bucket, "S3Key": "missing.zip"})
    err = e.value.response["Error"]
    assert err["Code"] == "InvalidParameterValueException"
    assert err["Message"] == ("Error occurred while GetObject. S3 Error Code: NoSuchKey. "
                              "S3 Error Message: The specified key does not exist.")
