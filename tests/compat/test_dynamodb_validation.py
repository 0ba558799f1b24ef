"""Every ValidationException (and the other 400 errors) DynamoDB and
DynamoDB Streams answer with, asserted to the exact text through boto3.

The table below is one row per path in crates/services/dynamodb that a
client can reach, plus the model validation (crates/protocol) as it applies
to DynamoDB. Texts recorded from real AWS (../shared/aws-reference, LocalStack's
snapshots) are marked `# AWS-recorded`; the rest pin Stratus's text.

The client is built with botocore's parameter validation off, so requests
botocore would refuse locally (empty strings, empty maps, missing members)
reach the server as written.

Paths no client can reach (checked and left out):
- the service's own `Value at 'statements'` (BatchExecuteStatement over 25),
  `at 'transactItems'` (TransactWriteItems over 100), `KeySchema must not be
  empty`, `Too many KeySchemaElements`, the index-name checks of CreateTable,
  `TransactItems can only contain Get`, `The ConditionCheck request must
  contain a ConditionExpression`, `Unsupported ComparisonOperator`,
  `Unsupported Action` and `Invalid ShardIteratorType`: the model validation
  answers first (rows for those model messages are below);
- `Invalid attribute value` (an attribute value of the wrong JSON type): the
  protocol layer answers SerializationException first;
- `not a SELECT` / `not a write` (PartiQL) and `key` (CreateTable key
  schema): internal invariants, guarded by earlier checks;
- `UnknownOperationException` from the DynamoDB and Streams dispatchers: the
  router answers an operation Stratus lacks with 501 NotImplemented first;
- `TransactionConflictException` / `TransactionConflict`: needs a transaction
  in flight on the same item at the same moment (concurrency, not validation);
- `ExpiredIteratorException`: needs a stream iterator older than 15 minutes;
- `ProvisionedThroughputExceededException`: timing-dependent throttling;
- `An operand in the update expression has an incorrect data type` from
  `size()` in an UpdateExpression: refused earlier by the parser.
"""

import base64
import json
import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

ACCOUNT = "000000000000"
REGION = "us-east-1"
UID = uuid.uuid4().hex[:8]
T = {
    "$HS": f"val-hs-{UID}",  # pk S, sk N; GSI gsi (g S, KEYS_ONLY), LSI lsi (lr N); stream; TTL on
    "$HSS": f"val-hss-{UID}",  # pk S, sk S
    "$H": f"val-h-{UID}",  # pk S
    "$PROT": f"val-prot-{UID}",  # deletion protection on
}


def fill(obj, ctx):
    """Replaces the `$NAME` placeholders of `ctx` in every string of `obj`."""
    if isinstance(obj, str):
        if "$" not in obj:
            return obj
        for k in sorted(ctx, key=len, reverse=True):
            obj = obj.replace(k, ctx[k])
        return obj
    if isinstance(obj, dict):
        return {fill(k, ctx): fill(v, ctx) for k, v in obj.items()}
    if isinstance(obj, list):
        return [fill(v, ctx) for v in obj]
    return obj


def make_client(stratus, service):
    return boto3.client(
        service,
        endpoint_url=stratus.endpoint,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, parameter_validation=False),
    )


@pytest.fixture(scope="module")
def ddb(stratus):
    return make_client(stratus, "dynamodb")


@pytest.fixture(scope="module")
def ctx(stratus, ddb):
    """Creates the tables the rows use; returns the placeholder values."""
    ddb.create_table(
        TableName=T["$HS"],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
            {"AttributeName": "g", "AttributeType": "S"},
            {"AttributeName": "lr", "AttributeType": "N"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "gsi",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "lsi",
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "lr", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
        BillingMode="PAY_PER_REQUEST",
    )
    ddb.create_table(
        TableName=T["$HSS"],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        BillingMode="PAY_PER_REQUEST",
    )
    ddb.create_table(
        TableName=T["$H"],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    ddb.create_table(
        TableName=T["$PROT"],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        DeletionProtectionEnabled=True,
    )
    ddb.update_time_to_live(TableName=T["$HS"], TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"})
    seed = {
        "s": {"S": "str"},
        "n": {"N": "5"},
        "big": {"N": "9E+125"},
        "l": {"L": [{"N": "1"}]},
        "m": {"M": {"a": {"N": "1"}}},
        "ss": {"SS": ["a", "b"]},
    }
    ddb.put_item(TableName=T["$H"], Item={"pk": {"S": "x"}, **seed})
    ddb.put_item(TableName=T["$HS"], Item={"pk": {"S": "x"}, "sk": {"N": "1"}, **seed})
    stream_arn = ddb.describe_table(TableName=T["$HS"])["Table"]["LatestStreamArn"]
    streams = make_client(stratus, "dynamodbstreams")
    shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]["ShardId"]
    return {
        **T,
        "$STREAM": stream_arn,
        "$SHARD": shard,
        "$ARN_H": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{T['$H']}",
    }


S = lambda v: {"S": v}  # noqa: E731
N = lambda v: {"N": str(v)}  # noqa: E731
KEY_H = {"pk": S("x")}
KEY_HS = {"pk": S("x"), "sk": N(1)}
BIG = "x" * (400 * 1024)  # with its name, more than an item may hold
NEAR_MAX = "x" * (390 * 1024)


def upd(expr, values=None, names=None, table="$H", key=None, **extra):
    p = {"TableName": table, "Key": key or KEY_H, "UpdateExpression": expr, **extra}
    if values is not None:
        p["ExpressionAttributeValues"] = values
    if names is not None:
        p["ExpressionAttributeNames"] = names
    return p


def cond_put(expr, values=None, names=None):
    p = {"TableName": "$H", "Item": {"pk": S("new")}, "ConditionExpression": expr}
    if values is not None:
        p["ExpressionAttributeValues"] = values
    if names is not None:
        p["ExpressionAttributeNames"] = names
    return p


def query(kce, values, table="$HS", **extra):
    return {"TableName": table, "KeyConditionExpression": kce, "ExpressionAttributeValues": values, **extra}


def stmt(statement, **extra):
    return {"Statement": statement, **extra}


def table_def(**extra):
    p = {
        "TableName": "val-new-" + UID,
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
    }
    p.update(extra)
    return p


ATTRS_PK_SK = [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}]
KS_PK_SK = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
INVALID = "One or more parameter values were invalid: "


def case(id_, op, params, message, code="ValidationException", service="dynamodb"):
    return pytest.param(service, op, params, message, code, id=id_)


CASES = [
    # ---- expressions: parser (expr/parser.rs) ----
    case("empty-condition", "put_item", cond_put(""), "Invalid ConditionExpression: The expression can not be empty;"),
    case("empty-update", "update_item", upd(""), "Invalid UpdateExpression: The expression can not be empty;"),
    case(
        "empty-projection",
        "get_item",
        {"TableName": "$H", "Key": KEY_H, "ProjectionExpression": ""},
        "Invalid ProjectionExpression: The expression can not be empty;",
    ),
    case(
        "empty-filter",
        "scan",
        {"TableName": "$H", "FilterExpression": " "},
        "Invalid FilterExpression: The expression can not be empty;",
    ),
    case(
        "empty-key-condition",
        "query",
        {"TableName": "$H", "KeyConditionExpression": ""},
        "Invalid KeyConditionExpression: The expression can not be empty;",
    ),
    case(
        "expression-too-long",
        "scan",
        {"TableName": "$H", "FilterExpression": "a" * 4092 + " = :v", "ExpressionAttributeValues": {":v": S("x")}},
        "Invalid FilterExpression: Expression size has exceeded the maximum allowed size; expression size: 4097",
    ),
    case(
        "syntax-eof",
        "put_item",
        cond_put("a =", {":v": S("x")}),
        'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "="',
    ),
    case(
        "syntax-extra-token",
        "update_item",
        upd("SET a = :v :w", {":v": S("x"), ":w": S("y")}),
        'Invalid UpdateExpression: Syntax error; token: ":w", near: ":v :w"',
    ),
    case(
        "syntax-unknown-section",
        "update_item",
        upd("PUT a = :v", {":v": S("x")}),
        'Invalid UpdateExpression: Syntax error; token: "PUT", near: "PUT"',
    ),
    case(
        "syntax-bad-character",
        "scan",
        {"TableName": "$H", "FilterExpression": "a = :v $", "ExpressionAttributeValues": {":v": S("x")}},
        'Invalid FilterExpression: Syntax error; token: "$", near: ":v $"',
    ),
    case(
        "syntax-list-index",
        "get_item",
        {"TableName": "$H", "Key": KEY_H, "ProjectionExpression": "l[x]"},
        'Invalid ProjectionExpression: Syntax error; token: "x", near: "[x"',
    ),
    case(
        "syntax-add-needs-value",
        "update_item",
        upd("ADD n n"),
        'Invalid UpdateExpression: Syntax error; token: "n", near: "n n"',
    ),
    case(
        "reserved-keyword",
        "put_item",
        cond_put("attribute_exists(name)"),
        "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: name",
    ),
    case(
        "undefined-name",
        "get_item",
        {"TableName": "$H", "Key": KEY_H, "ProjectionExpression": "#n"},
        "Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; attribute name: #n",
    ),
    case(
        "undefined-value",
        "scan",
        {"TableName": "$H", "FilterExpression": "a = :v"},
        "Invalid FilterExpression: An expression attribute value used in expression is not defined; attribute value: :v",
    ),
    case(
        "function-as-operand",
        "put_item",
        cond_put("a = attribute_exists(b)"),
        "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: attribute_exists",
    ),
    case(
        "update-function-as-condition",
        "put_item",
        cond_put("if_not_exists(a, :v)", {":v": S("x")}),
        "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: if_not_exists",
    ),
    case(
        "condition-function-in-update",
        "update_item",
        upd("SET a = begins_with(b, :v)", {":v": S("x")}),
        "Invalid UpdateExpression: The function is not allowed to be used this way in an expression; function: begins_with",
    ),
    case(
        "unknown-function",
        "put_item",
        cond_put("foo(a)"),
        "Invalid ConditionExpression: Invalid function name; function: foo",
    ),
    case(
        "unknown-function-as-operand",
        "put_item",
        cond_put("a = bar(b)"),
        "Invalid ConditionExpression: Invalid function name; function: bar",
    ),
    case(
        "size-in-update",
        "update_item",
        upd("SET a = size(b)"),
        "Invalid UpdateExpression: The function is not allowed in an update expression; function: size",
    ),
    case(
        "nesting-parentheses",
        "put_item",
        cond_put("(" * 250 + "a = :v" + ")" * 250, {":v": S("x")}),
        "Invalid ConditionExpression: The expression has too many levels of nesting",
    ),
    case(
        "nesting-not",
        "put_item",
        cond_put("NOT " * 250 + "a = :v", {":v": S("x")}),
        "Invalid ConditionExpression: The expression has too many levels of nesting",
    ),
    case(
        "in-too-many-operands",
        "scan",
        {"TableName": "$H", "FilterExpression": "a IN (" + ", ".join([":v"] * 101) + ")", "ExpressionAttributeValues": {":v": S("x")}},
        "Invalid FilterExpression: The IN operator is provided with too many operands; number of operands: 101",
    ),
    case(
        "attribute-type-name",
        "put_item",
        cond_put("attribute_type(a, :t)", {":t": S("X")}),
        "Invalid ConditionExpression: Invalid attribute type name found; type: X, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}",
    ),
    case(
        "section-twice",
        "update_item",
        upd("SET a = :v SET b = :v", {":v": S("x")}),
        'Invalid UpdateExpression: The "SET" section can only be used once in an update expression;',
    ),
    case(
        "overlapping-paths",
        "update_item",
        upd("SET a.b = :v, a = :v", {":v": S("x")}),
        "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a]",
    ),
    case(
        "overlapping-paths-same",
        "update_item",
        upd("SET a = :v REMOVE a", {":v": S("x")}),
        "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]",
    ),
    # ---- substitutions (expr/names.rs) ----
    case(
        "names-empty",
        "get_item",
        {"TableName": "$H", "Key": KEY_H, "ProjectionExpression": "a", "ExpressionAttributeNames": {}},
        "ExpressionAttributeNames must not be empty",
    ),
    case(
        "names-invalid-key",
        "get_item",
        {"TableName": "$H", "Key": KEY_H, "ProjectionExpression": "a", "ExpressionAttributeNames": {"n": "a"}},
        'ExpressionAttributeNames contains invalid key: Syntax error; key: "n"',
    ),
    case(
        "values-empty",
        "scan",
        {"TableName": "$H", "FilterExpression": "attribute_exists(a)", "ExpressionAttributeValues": {}},
        "ExpressionAttributeValues must not be empty",
    ),
    case(
        "values-invalid-key",
        "scan",
        {"TableName": "$H", "FilterExpression": "a = :v", "ExpressionAttributeValues": {"v": S("x")}},
        'ExpressionAttributeValues contains invalid key: Syntax error; key: "v"',
    ),
    case(
        "values-invalid-value",
        "scan",
        {"TableName": "$H", "FilterExpression": "a = :v", "ExpressionAttributeValues": {":v": {}}},
        "ExpressionAttributeValues contains invalid value: Supplied AttributeValue is empty, must contain exactly one of the supported datatypes for key :v",
    ),
    case(
        "names-unused",
        "get_item",
        {"TableName": "$H", "Key": KEY_H, "ProjectionExpression": "a", "ExpressionAttributeNames": {"#b": "b", "#a": "a"}},
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a, #b}",
    ),
    case(
        "values-unused",
        "scan",
        {"TableName": "$H", "FilterExpression": "a = :v", "ExpressionAttributeValues": {":v": S("x"), ":w": S("y")}},
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}",
    ),
    # ---- applying an UpdateExpression (expr/update.rs) ----
    case(
        "add-number-to-string",
        "update_item",
        upd("ADD s :n", {":n": N(1)}),
        "An operand in the update expression has an incorrect data type",
    ),
    case(
        "delete-other-set-type",
        "update_item",
        upd("DELETE ss :ns", {":ns": {"NS": ["1"]}}),
        "An operand in the update expression has an incorrect data type",
    ),
    case(
        "operand-missing",
        "update_item",
        upd("SET a = nope + :n", {":n": N(1)}),
        "The provided expression refers to an attribute that does not exist in the item",
    ),
    case(
        "path-under-missing-map",
        "update_item",
        upd("SET nope.x = :n", {":n": N(1)}),
        "The document path provided in the update expression is invalid for update",
    ),
    case(
        "index-into-string",
        "update_item",
        upd("SET s[0] = :n", {":n": N(1)}),
        "The document path provided in the update expression is invalid for update",
    ),
    case(
        "list-append-number",
        "update_item",
        upd("SET l = list_append(l, :n)", {":n": N(1)}),
        "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: N",
    ),
    case(
        "plus-string",
        "update_item",
        upd("SET n = n + :s", {":s": S("a")}),
        "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, operand type: S",
    ),
    case(
        "minus-map",
        "update_item",
        upd("SET n = m - :n", {":n": N(1)}),
        "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: -, operand type: M",
    ),
    case(
        "add-string",
        "update_item",
        upd("ADD a :s", {":s": S("a")}),
        "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING",
    ),
    case(
        "delete-string",
        "update_item",
        upd("DELETE ss :s", {":s": S("a")}),
        "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: STRING",
    ),
    case(
        "plus-overflow",
        "update_item",
        upd("SET n = big + big"),
        "Number overflow. Attempting to store a number with magnitude larger than supported range",
    ),
    case(
        "add-overflow",
        "update_item",
        upd("ADD big :b", {":b": N("9E+125")}),
        "Number overflow. Attempting to store a number with magnitude larger than supported range",
    ),
    case(
        "update-item-too-big",
        "update_item",
        upd("SET a = :b", {":b": S(BIG)}),
        "Item size to update has exceeded the maximum allowed size",
    ),
    case(
        "update-key-attribute",
        "update_item",
        upd("SET pk = :s", {":s": S("y")}),
        INVALID + "Cannot update attribute pk. This attribute is part of the key",
    ),
    case(
        "update-key-attribute-legacy",
        "update_item",
        {"TableName": "$H", "Key": KEY_H, "AttributeUpdates": {"pk": {"Value": S("y"), "Action": "PUT"}}},
        INVALID + "Cannot update attribute pk. This attribute is part of the key",
    ),
    # ---- expression and legacy parameters (ops/common.rs, ops/legacy.rs) ----
    case(
        "mixing-expression-and-legacy",
        "put_item",
        {**cond_put("attribute_not_exists(pk)"), "Expected": {"pk": {"Exists": False}}},
        "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}",
    ),
    case(
        "mixing-several",
        "scan",
        {"TableName": "$H", "FilterExpression": "attribute_exists(a)", "ProjectionExpression": "a", "ScanFilter": {"a": {"ComparisonOperator": "NOT_NULL"}}, "AttributesToGet": ["a"]},
        "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet, ScanFilter} Expression parameters: {ProjectionExpression, FilterExpression}",
    ),
    case(
        "names-without-expressions",
        "get_item",
        {"TableName": "$H", "Key": KEY_H, "ExpressionAttributeNames": {"#a": "a"}},
        "ExpressionAttributeNames can only be specified when using expressions",
    ),
    case(
        "values-without-expressions",
        "delete_item",
        {"TableName": "$H", "Key": {"pk": S("none")}, "ExpressionAttributeValues": {":v": S("a")}},
        "ExpressionAttributeValues can only be specified when using expressions",
    ),
    case(
        "expected-eq-without-value",
        "put_item",
        {"TableName": "$H", "Item": {"pk": S("new")}, "Expected": {"a": {"ComparisonOperator": "EQ"}}},
        INVALID + "Invalid number of argument(s) for the EQ ComparisonOperator",
    ),
    case(
        "expected-in-without-values",
        "put_item",
        {"TableName": "$H", "Item": {"pk": S("new")}, "Expected": {"a": {"ComparisonOperator": "IN", "AttributeValueList": []}}},
        INVALID + "Invalid number of argument(s) for the IN ComparisonOperator",
    ),
    case(
        "scan-filter-between-one-value",
        "scan",
        {"TableName": "$H", "ScanFilter": {"a": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [N(1)]}}},
        INVALID + "Invalid number of argument(s) for the BETWEEN ComparisonOperator",
    ),
    case(
        "key-conditions-null-with-value",
        "query",
        {"TableName": "$H", "KeyConditions": {"pk": {"ComparisonOperator": "NULL", "AttributeValueList": [S("x")]}}},
        INVALID + "Invalid number of argument(s) for the NULL ComparisonOperator",
    ),
    case(
        "expected-value-and-not-exists",
        "put_item",
        {"TableName": "$H", "Item": {"pk": S("new")}, "Expected": {"a": {"Value": S("x"), "Exists": False}}},
        INVALID + "Cannot expect an attribute to have a specified value while expecting it to not exist",
    ),
    case(
        "expected-exists-without-value",
        "put_item",
        {"TableName": "$H", "Item": {"pk": S("new")}, "Expected": {"a": {"Exists": True}}},
        INVALID + "Value must be provided when Exists is true for Attribute: a",
    ),
    case(
        "attribute-updates-put-without-value",
        "update_item",
        {"TableName": "$H", "Key": KEY_H, "AttributeUpdates": {"a": {"Action": "PUT"}}},
        INVALID + "Only DELETE action is allowed when no attribute value is specified",
    ),
    # ---- single items (ops/items.rs, table.rs, types.rs, number.rs) ----
    case(
        "return-values-put",
        "put_item",
        {"TableName": "$H", "Item": {"pk": S("new")}, "ReturnValues": "ALL_NEW"},
        "Return values set to invalid value",
    ),
    case(
        "return-values-delete",
        "delete_item",
        {"TableName": "$H", "Key": {"pk": S("none")}, "ReturnValues": "UPDATED_NEW"},
        "Return values set to invalid value",
    ),
    case(
        "item-too-big",
        "put_item",
        {"TableName": "$H", "Item": {"pk": S("big"), "a": S(BIG)}},
        "Item size has exceeded the maximum allowed size",
    ),
    case(
        "get-key-missing-range",
        "get_item",
        {"TableName": "$HS", "Key": {"pk": S("x")}},
        "The provided key element does not match the schema",
    ),
    case(
        "get-key-extra-attribute",
        "get_item",
        {"TableName": "$H", "Key": {"pk": S("x"), "a": S("y")}},
        "The provided key element does not match the schema",
    ),
    case(
        "delete-key-wrong-type",
        "delete_item",
        {"TableName": "$H", "Key": {"pk": N(1)}},
        "The provided key element does not match the schema",
    ),
    case(
        "put-missing-key",
        "put_item",
        {"TableName": "$HS", "Item": {"pk": S("x")}},
        INVALID + "Missing the key sk in the item",
    ),
    case(
        "put-key-type-mismatch",
        "put_item",
        {"TableName": "$H", "Item": {"pk": N(1)}},
        INVALID + "Type mismatch for key pk expected: S actual: N",
    ),
    case(
        "put-index-key-type-mismatch",
        "put_item",
        {"TableName": "$HS", "Item": {"pk": S("x"), "sk": N(2), "g": N(1)}},
        INVALID + "Type mismatch for Index Key g Expected: S Actual: N IndexName: gsi",
    ),
    case(
        "put-index-key-empty",
        "put_item",
        {"TableName": "$HS", "Item": {"pk": S("x"), "sk": N(2), "g": S("")}},
        INVALID + "Index key attribute g in the item cannot be empty: IndexName: gsi",
    ),
    case(
        "put-key-empty-string",
        "put_item",
        {"TableName": "$H", "Item": {"pk": S("")}},
        "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk",
    ),
    case(
        "get-key-empty-binary",
        "put_item",
        {"TableName": "$HSS", "Item": {"pk": S("x"), "sk": S("")}},
        "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: sk",
    ),
    case(
        "hash-key-too-big",
        "put_item",
        {"TableName": "$H", "Item": {"pk": S("k" * 2049)}},
        INVALID + "Size of hashkey has exceeded the maximum size limit of2048 bytes",
    ),
    case(
        "range-key-too-big",
        "get_item",
        {"TableName": "$HSS", "Key": {"pk": S("x"), "sk": S("k" * 1025)}},
        INVALID + "Aggregated size of all range keys has exceeded the size limit of 1024 bytes",
    ),
    case(
        "nesting-too-deep",
        "put_item",
        {"TableName": "$H", "Item": {"pk": S("deep"), "a": json.loads('{"L": [' * 40 + "]}" * 40)}},
        "Nesting Levels have exceeded supported limits",
    ),
    case(
        "attribute-value-empty",
        "put_item",
        {"TableName": "$H", "Item": {"pk": S("x"), "a": {}}},
        "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
    ),
    case(
        "attribute-value-two-types",
        "put_item",
        {"TableName": "$H", "Item": {"pk": S("x"), "a": {"S": "a", "N": "1"}}},
        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes",
    ),
    case(
        "null-false",
        "put_item",
        {"TableName": "$H", "Item": {"pk": S("x"), "a": {"NULL": False}}},
        INVALID + "Null attribute value types must have the value of true",
    ),
    case(
        "empty-string-set",
        "put_item",
        {"TableName": "$H", "Item": {"pk": S("x"), "a": {"SS": []}}},
        INVALID + "An string set  may not be empty",
    ),
    case(
        "empty-number-set",
        "put_item",
        {"TableName": "$H", "Item": {"pk": S("x"), "a": {"NS": []}}},
        INVALID + "An number set  may not be empty",
    ),
    case(
        "empty-binary-set",
        "put_item",
        {"TableName": "$H", "Item": {"pk": S("x"), "a": {"BS": []}}},
        INVALID + "An binary set  may not be empty",
    ),
    case(
        "set-duplicates",
        "put_item",
        {"TableName": "$H", "Item": {"pk": S("x"), "a": {"NS": ["1", "1.0"]}}},
        "Input collection contains duplicates",
    ),
    case(
        "number-not-numeric",
        "put_item",
        {"TableName": "$H", "Item": {"pk": S("x"), "a": {"N": "abc"}}},
        "The parameter cannot be converted to a numeric value: abc",
    ),
    case(
        "number-precision",
        "put_item",
        {"TableName": "$H", "Item": {"pk": S("x"), "a": {"N": "1" * 39}}},
        "Attempting to store more than 38 significant digits in a Number",
    ),
    case(
        "number-overflow",
        "put_item",
        {"TableName": "$H", "Item": {"pk": S("x"), "a": {"N": "1E+126"}}},
        "Number overflow. Attempting to store a number with magnitude larger than supported range",
    ),
    case(
        "number-underflow",
        "put_item",
        {"TableName": "$H", "Item": {"pk": S("x"), "a": {"N": "1E-131"}}},
        "Number underflow. Attempting to store a number with magnitude smaller than supported range",
    ),
    # ---- Query and Scan (ops/read.rs) ----
    case(
        "query-unknown-index",
        "query",
        query("pk = :a", {":a": S("x")}, IndexName="nope"),
        "The table does not have the specified index: nope",
    ),
    case(
        "scan-unknown-index",
        "scan",
        {"TableName": "$HS", "IndexName": "nope"},
        "The table does not have the specified index: nope",
    ),
    case(
        "query-hash-type",
        "query",
        query("pk = :a", {":a": N(1)}),
        INVALID + "Condition parameter type does not match schema type",
    ),
    case(
        "query-range-type",
        "query",
        query("pk = :a AND sk > :b", {":a": S("x"), ":b": S("y")}),
        INVALID + "Condition parameter type does not match schema type",
    ),
    case(
        "query-three-conditions",
        "query",
        query("pk = :a AND sk > :n AND sk < :n", {":a": S("x"), ":n": N(1)}),
        "Conditions can be of length 1 or 2 only",
    ),
    case(
        "query-function-on-key",
        "query",
        query("attribute_exists(pk) AND sk = :n", {":n": N(1)}),
        "Query key condition not supported",
    ),
    case(
        "query-hash-not-equality",
        "query",
        query("pk > :a", {":a": S("x")}),
        "Query key condition not supported",
    ),
    case(
        "query-range-against-path",
        "query",
        query("pk = :a AND sk = n", {":a": S("x")}),
        "Query key condition not supported",
    ),
    case(
        "query-missing-hash",
        "query",
        query("sk = :n", {":n": N(1)}),
        "Query condition missed key schema element: pk",
    ),
    case(
        "query-non-key-attribute",
        "query",
        query("pk = :a AND x = :a", {":a": S("x")}),
        "Query condition missed key schema element: sk",
    ),
    case(
        "query-not-equal",
        "query",
        query("pk = :a AND sk <> :n", {":a": S("x"), ":n": N(1)}),
        "Unsupported operator on KeyCondition: <>",
    ),
    case(
        "query-between-reversed",
        "query",
        query("pk = :a AND sk BETWEEN :hi AND :lo", {":a": S("x"), ":hi": N(5), ":lo": N(1)}),
        "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}",
    ),
    case(
        "query-begins-with-number",
        "query",
        query("pk = :a AND begins_with(sk, :n)", {":a": S("x"), ":n": N(1)}),
        "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N",
    ),
    case(
        "query-select-all-on-keys-only-gsi",
        "query",
        query("g = :a", {":a": S("x")}, IndexName="gsi", Select="ALL_ATTRIBUTES"),
        INVALID + "Select type ALL_ATTRIBUTES is not supported for global secondary index gsi because its projection type is not ALL",
    ),
    case(
        "scan-specific-without-projection",
        "scan",
        {"TableName": "$H", "Select": "SPECIFIC_ATTRIBUTES"},
        INVALID + "Select type SPECIFIC_ATTRIBUTES requires a ProjectionExpression or AttributesToGet",
    ),
    case(
        "scan-select-and-projection",
        "scan",
        {"TableName": "$H", "Select": "COUNT", "AttributesToGet": ["a"]},
        INVALID + "Can not use both Select and ProjectionExpression/AttributesToGet unless Select is SPECIFIC_ATTRIBUTES",
    ),
    case(
        "scan-bad-start-key",
        "scan",
        {"TableName": "$HS", "ExclusiveStartKey": {"pk": S("x")}},
        "The provided starting key is invalid: The provided key element does not match the schema",
    ),
    case(
        "scan-index-bad-start-key",
        "scan",
        {"TableName": "$HS", "IndexName": "gsi", "ExclusiveStartKey": KEY_HS},
        "The provided starting key is invalid: The provided key element does not match the schema",
    ),
    case(
        "query-consistent-gsi",
        "query",
        query("g = :a", {":a": S("x")}, IndexName="gsi", ConsistentRead=True),
        "Consistent reads are not supported on global secondary indexes",
    ),
    case(
        "query-without-key-condition",
        "query",
        {"TableName": "$HS"},
        "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.",
    ),
    case(
        "scan-segment-too-big",
        "scan",
        {"TableName": "$H", "Segment": 2, "TotalSegments": 2},
        "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 2 is not less than TotalSegments: 2",
    ),
    case(
        "scan-segment-alone",
        "scan",
        {"TableName": "$H", "Segment": 0},
        "The TotalSegments parameter is required but was not present in the request when Segment parameter is present",
    ),
    case(
        "scan-total-segments-alone",
        "scan",
        {"TableName": "$H", "TotalSegments": 2},
        "The Segment parameter is required but was not present in the request when parameter TotalSegments is present",
    ),
    # ---- batches (ops/batch.rs) ----
    case(
        "batch-get-over-100",
        "batch_get_item",
        {"RequestItems": {"$H": {"Keys": [{"pk": S(f"k{i}")} for i in range(60)]}, "$HSS": {"Keys": [{"pk": S("k"), "sk": S(f"{i}")} for i in range(41)]}}},
        "Too many items requested for the BatchGetItem call",
    ),
    case(
        "batch-get-duplicates",
        "batch_get_item",
        {"RequestItems": {"$H": {"Keys": [KEY_H, KEY_H]}}},
        "Provided list of item keys contains duplicates",
    ),
    case(
        "batch-get-key-mismatch",
        "batch_get_item",
        {"RequestItems": {"$HS": {"Keys": [KEY_H]}}},
        "The provided key element does not match the schema",
    ),
    case(
        "batch-write-over-25",
        "batch_write_item",
        {"RequestItems": {"$H": [{"PutRequest": {"Item": {"pk": S(f"k{i}")}}} for i in range(13)], "$HSS": [{"PutRequest": {"Item": {"pk": S("k"), "sk": S(f"{i}")}}} for i in range(13)]}},
        "Too many items requested for the BatchWriteItem call",
    ),
    case(
        "batch-write-item-too-big",
        "batch_write_item",
        {"RequestItems": {"$H": [{"PutRequest": {"Item": {"pk": S("big"), "a": S(BIG)}}}]}},
        "Item size has exceeded the maximum allowed size",
    ),
    case(  # AWS-recorded: test_batch_write_not_matching_schema
        "batch-write-item-without-key",
        "batch_write_item",
        {"RequestItems": {"$HSS": [{"PutRequest": {"Item": {"nonKey": S("hello")}}}]}},
        "The provided key element does not match the schema",
    ),
    case(
        "batch-write-key-type",
        "batch_write_item",
        {"RequestItems": {"$H": [{"PutRequest": {"Item": {"pk": N(1)}}}]}},
        "The provided key element does not match the schema",
    ),
    case(
        "batch-write-index-key-type",
        "batch_write_item",
        {"RequestItems": {"$HS": [{"PutRequest": {"Item": {"pk": S("x"), "sk": N(3), "g": N(1)}}}]}},
        INVALID + "Type mismatch for Index Key g Expected: S Actual: N IndexName: gsi",
    ),
    case(
        "batch-write-delete-key",
        "batch_write_item",
        {"RequestItems": {"$HS": [{"DeleteRequest": {"Key": KEY_H}}]}},
        "The provided key element does not match the schema",
    ),
    case(
        "batch-write-empty-request",
        "batch_write_item",
        {"RequestItems": {"$H": [{}]}},
        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes",
    ),
    case(
        "batch-write-duplicates",
        "batch_write_item",
        {"RequestItems": {"$H": [{"PutRequest": {"Item": {"pk": S("d")}}}, {"DeleteRequest": {"Key": {"pk": S("d")}}}]}},
        "Provided list of item keys contains duplicates",
    ),
    case(  # AWS-recorded: test_batch_write_not_existing_table
        "batch-write-missing-table",
        "batch_write_item",
        {"RequestItems": {"nope-" + UID: [{"PutRequest": {"Item": {"pk": S("d")}}}]}},
        "Requested resource not found",
        code="ResourceNotFoundException",
    ),
    # ---- transactions (ops/transact.rs) ----
    case(
        "transact-empty-entry",
        "transact_write_items",
        {"TransactItems": [{}]},
        "TransactItems can only contain one of Check, Put, Update or Delete",
    ),
    case(
        "transact-item-too-big",
        "transact_write_items",
        {"TransactItems": [{"Put": {"TableName": "$H", "Item": {"pk": S("big"), "a": S(BIG)}}}]},
        "Item size has exceeded the maximum allowed size",
    ),
    case(
        "transact-put-missing-key",
        "transact_write_items",
        {"TransactItems": [{"Put": {"TableName": "$HS", "Item": {"pk": S("x")}}}]},
        INVALID + "Missing the key sk in the item",
    ),
    case(
        "transact-update-key",
        "transact_write_items",
        {"TransactItems": [{"Update": {"TableName": "$H", "Key": KEY_H, "UpdateExpression": "SET pk = :v", "ExpressionAttributeValues": {":v": S("y")}}}]},
        INVALID + "Cannot update attribute pk. This attribute is part of the key",
    ),
    case(
        "transact-check-empty-condition",
        "transact_write_items",
        {"TransactItems": [{"ConditionCheck": {"TableName": "$H", "Key": KEY_H, "ConditionExpression": ""}}]},
        "Invalid ConditionExpression: The expression can not be empty;",
    ),
    case(
        "transact-delete-key-mismatch",
        "transact_write_items",
        {"TransactItems": [{"Delete": {"TableName": "$HS", "Key": KEY_H}}]},
        "The provided key element does not match the schema",
    ),
    case(
        "transact-too-large",
        "transact_write_items",
        {"TransactItems": [{"Put": {"TableName": "$H", "Item": {"pk": S(f"t{i}"), "a": S(NEAR_MAX)}}} for i in range(11)]},
        "Transaction request cannot be larger than 4 MB",
    ),
    case(
        "transact-same-item-twice",
        "transact_write_items",
        {"TransactItems": [{"Put": {"TableName": "$H", "Item": {"pk": S("t")}}}, {"Delete": {"TableName": "$H", "Key": {"pk": S("t")}}}]},
        "Transaction request cannot include multiple operations on one item",
    ),
    case(
        "transact-update-fails",
        "transact_write_items",
        {"TransactItems": [{"Update": {"TableName": "$H", "Key": KEY_H, "UpdateExpression": "SET a = nope + :n", "ExpressionAttributeValues": {":n": N(1)}}}]},
        "Transaction cancelled, please refer cancellation reasons for specific reasons [ValidationError]",
        code="TransactionCanceledException",
    ),
    case(  # AWS-recorded: exc-not-found-transact-write-items
        "transact-missing-table",
        "transact_write_items",
        {"TransactItems": [{"Put": {"TableName": "nope-" + UID, "Item": {"pk": S("t")}}}]},
        "Requested resource not found",
        code="ResourceNotFoundException",
    ),
    case(
        "transact-get-key-mismatch",
        "transact_get_items",
        {"TransactItems": [{"Get": {"TableName": "$HS", "Key": KEY_H}}]},
        "The provided key element does not match the schema",
    ),
    case(
        "transact-get-undefined-name",
        "transact_get_items",
        {"TransactItems": [{"Get": {"TableName": "$H", "Key": KEY_H, "ProjectionExpression": "#a"}}]},
        "Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; attribute name: #a",
    ),
    # ---- PartiQL (partiql.rs, ops/partiql.rs) ----
    case(
        "partiql-update-without-full-key",
        "execute_statement",
        stmt("UPDATE \"$HS\" SET a = 1 WHERE pk = 'x'"),
        "Where clause does not contain a mandatory equality on all key attributes",
    ),
    case(
        "partiql-delete-key-type",
        "execute_statement",
        stmt("DELETE FROM \"$H\" WHERE pk = 1"),
        INVALID + "Type mismatch for key pk expected: S actual: N",
    ),
    case(
        "partiql-unknown-index",
        "execute_statement",
        stmt('SELECT * FROM "$HS"."nope"'),
        "The table does not have the specified index: nope",
    ),
    case(
        "partiql-next-token-not-hex",
        "execute_statement",
        stmt('SELECT * FROM "$H"', NextToken="zz"),
        "Invalid NextToken",
    ),
    case(
        "partiql-insert-too-big",
        "execute_statement",
        stmt("INSERT INTO \"$H\" VALUE {'pk': 'big', 'a': ?}", Parameters=[S(BIG)]),
        "Item size has exceeded the maximum allowed size",
    ),
    case(
        "partiql-insert-missing-key",
        "execute_statement",
        stmt("INSERT INTO \"$H\" VALUE {'a': 1}"),
        INVALID + "Missing the key pk in the item",
    ),
    case(
        "partiql-update-key",
        "execute_statement",
        stmt("UPDATE \"$H\" SET pk = 'y' WHERE pk = 'x'"),
        INVALID + "Cannot update attribute pk. This attribute is part of the key",
    ),
    case(
        "partiql-update-type-error",
        "execute_statement",
        stmt("UPDATE \"$H\" SET n = n + 'a' WHERE pk = 'x'"),
        "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, operand type: S",
    ),
    case(
        "partiql-insert-duplicate",
        "execute_statement",
        stmt("INSERT INTO \"$H\" VALUE {'pk': 'x'}"),
        "Duplicate primary key exists in table",
        code="DuplicateItemException",
    ),
    case(
        "partiql-missing-table",
        "execute_statement",
        stmt("SELECT * FROM \"nope-$H\""),
        "Requested resource not found",
        code="ResourceNotFoundException",
    ),
    case(
        "partiql-unterminated",
        "execute_statement",
        stmt("SELECT * FROM 't"),
        "Statement wasn't well formed, can't be processed: Unterminated literal",
    ),
    case(
        "partiql-unexpected-character",
        "execute_statement",
        stmt("SELECT * FROM t WHERE a = `x`"),
        "Statement wasn't well formed, can't be processed: Unexpected character: `",
    ),
    case(
        "partiql-unexpected-token",
        "execute_statement",
        stmt("SELEC * FROM t"),
        "Statement wasn't well formed, can't be processed: Unexpected token: SELEC",
    ),
    case(
        "partiql-unexpected-end",
        "execute_statement",
        stmt("SELECT * FROM"),
        "Statement wasn't well formed, can't be processed: Unexpected end of statement",
    ),
    case(
        "partiql-trailing-token",
        "execute_statement",
        stmt("SELECT * FROM t WHERE a = 1 'b'"),
        "Statement wasn't well formed, can't be processed: Unexpected token: 'b'",
    ),
    case(
        "partiql-invalid-index",
        "execute_statement",
        stmt("SELECT a[99999999999999999999999] FROM t"),
        "Statement wasn't well formed, can't be processed: Invalid index",
    ),
    case(
        "partiql-nesting",
        "execute_statement",
        stmt("INSERT INTO t VALUE " + "[" * 100),
        "Statement wasn't well formed, can't be processed: Statement nesting is too deep",
    ),
    case(
        "partiql-map-key",
        "execute_statement",
        stmt("INSERT INTO t VALUE {1: 2}"),
        "Statement wasn't well formed, can't be processed: Map keys must be strings",
    ),
    case(
        "partiql-attribute-type-value",
        "execute_statement",
        stmt("SELECT * FROM t WHERE attribute_type('a', 'S')"),
        "Statement wasn't well formed, can't be processed: attribute_type expects a path",
    ),
    case(
        "partiql-exists-value",
        "execute_statement",
        stmt("SELECT * FROM t WHERE exists('a')"),
        "Statement wasn't well formed, can't be processed: exists expects a path",
    ),
    case(
        "partiql-not-exists-value",
        "execute_statement",
        stmt("SELECT * FROM t WHERE attribute_not_exists(1)"),
        "Statement wasn't well formed, can't be processed: attribute_not_exists expects a path",
    ),
    case(
        "partiql-unknown-function",
        "execute_statement",
        stmt("SELECT * FROM t WHERE foo(a)"),
        "Statement wasn't well formed, can't be processed: Unsupported function: foo",
    ),
    case(
        "partiql-is-value",
        "execute_statement",
        stmt("SELECT * FROM t WHERE 'a' IS MISSING"),
        "Statement wasn't well formed, can't be processed: IS expects a path",
    ),
    case(
        "partiql-insert-not-tuple",
        "execute_statement",
        stmt("INSERT INTO t VALUE 'a'"),
        "Statement wasn't well formed, can't be processed: INSERT VALUE must be a tuple",
    ),
    case(
        "partiql-set-of-booleans",
        "execute_statement",
        stmt("INSERT INTO t VALUE {'a': <<true>>}"),
        "Statement wasn't well formed, can't be processed: Sets may contain only strings, numbers or binaries",
    ),
    case(
        "partiql-mixed-set",
        "execute_statement",
        stmt("INSERT INTO t VALUE {'a': <<'x', 1>>}"),
        "Statement wasn't well formed, can't be processed: Sets must contain values of one type",
    ),
    case(
        "partiql-number-precision",
        "execute_statement",
        stmt("INSERT INTO t VALUE {'a': " + "1" * 39 + "}"),
        "Attempting to store more than 38 significant digits in a Number",
    ),
    case(
        "partiql-too-few-parameters",
        "execute_statement",
        stmt("SELECT * FROM t WHERE pk = ?"),
        "Number of parameters in request and statement don't match.",
    ),
    case(
        "partiql-too-many-parameters",
        "execute_statement",
        stmt("SELECT * FROM t WHERE pk = 'a'", Parameters=[S("x")]),
        "Number of parameters in request and statement don't match.",
    ),
    case(
        "partiql-parameter-invalid",
        "execute_statement",
        stmt("SELECT * FROM t WHERE pk = ?", Parameters=[{"NULL": False}]),
        INVALID + "Null attribute value types must have the value of true",
    ),
    case(  # AWS-recorded: test_dynamodb_execute_statement_empy_parameter
        "partiql-empty-parameters",
        "execute_statement",
        stmt("SELECT * FROM t WHERE pk = ?", Parameters=[]),
        "1 validation error detected: Value '[]' at 'parameters' failed to satisfy constraint: Member must have length greater than or equal to 1",
    ),
    case(
        "partiql-transaction-reads-and-writes",
        "execute_transaction",
        {"TransactStatements": [{"Statement": "SELECT * FROM \"$H\" WHERE pk = 'x'"}, {"Statement": "DELETE FROM \"$H\" WHERE pk = 'y'"}]},
        "Transaction must contain either only reads or only writes",
    ),
    case(
        "partiql-transaction-select-without-where",
        "execute_transaction",
        {"TransactStatements": [{"Statement": 'SELECT * FROM "$H"'}]},
        "Where clause does not contain a mandatory equality on all key attributes",
    ),
    case(
        "partiql-transaction-syntax",
        "execute_transaction",
        {"TransactStatements": [{"Statement": "SELEC 1"}]},
        "Statement wasn't well formed, can't be processed: Unexpected token: SELEC",
    ),
    case(
        "partiql-transaction-same-item",
        "execute_transaction",
        {"TransactStatements": [{"Statement": "DELETE FROM \"$H\" WHERE pk = 'y'"}, {"Statement": "DELETE FROM \"$H\" WHERE pk = 'y'"}]},
        "Transaction request cannot include multiple operations on one item",
    ),
    # ---- tables (ops/tables.rs) ----
    case(
        "create-first-not-hash",
        "create_table",
        table_def(AttributeDefinitions=ATTRS_PK_SK, KeySchema=[{"AttributeName": "pk", "KeyType": "RANGE"}, {"AttributeName": "sk", "KeyType": "HASH"}]),
        "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
    ),
    case(
        "create-second-not-range",
        "create_table",
        table_def(AttributeDefinitions=ATTRS_PK_SK, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "HASH"}]),
        "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type",
    ),
    case(
        "create-same-key-names",
        "create_table",
        table_def(KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "pk", "KeyType": "RANGE"}]),
        "Invalid KeySchema: Both the Hash Key and the Range Key element in the KeySchema have the same name",
    ),
    case(
        "create-key-not-defined",
        "create_table",
        table_def(KeySchema=KS_PK_SK),
        INVALID + "Some index key attributes are not defined in AttributeDefinitions. Keys: [pk, sk], AttributeDefinitions: [pk]",
    ),
    case(
        "create-duplicate-attribute",
        "create_table",
        table_def(AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "pk", "AttributeType": "N"}]),
        INVALID + "Duplicate AttributeName in AttributeDefinitions",
    ),
    case(
        "create-provisioned-without-throughput",
        "create_table",
        table_def(BillingMode="PROVISIONED"),
        INVALID + "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED",
    ),
    case(  # AWS-recorded (CloudFormation snapshot)
        "create-on-demand-with-throughput",
        "create_table",
        table_def(ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}),
        INVALID + "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
    ),
    case(
        "create-gsi-without-throughput",
        "create_table",
        table_def(
            BillingMode="PROVISIONED",
            ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
            AttributeDefinitions=ATTRS_PK_SK,
            GlobalSecondaryIndexes=[{"IndexName": "gsi", "KeySchema": [{"AttributeName": "sk", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}],
        ),
        INVALID + "ProvisionedThroughput is not specified for index: gsi",
    ),
    case(
        "create-non-key-attributes-not-include",
        "create_table",
        table_def(
            AttributeDefinitions=ATTRS_PK_SK,
            GlobalSecondaryIndexes=[{"IndexName": "gsi", "KeySchema": [{"AttributeName": "sk", "KeyType": "HASH"}], "Projection": {"ProjectionType": "KEYS_ONLY", "NonKeyAttributes": ["a"]}}],
        ),
        INVALID + "ProjectionType is KEYS_ONLY, but NonKeyAttributes is specified",
    ),
    case(
        "create-gsi-first-not-hash",
        "create_table",
        table_def(
            AttributeDefinitions=ATTRS_PK_SK,
            GlobalSecondaryIndexes=[{"IndexName": "gsi", "KeySchema": [{"AttributeName": "sk", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}],
        ),
        "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
    ),
    case(
        "create-lsi-without-range",
        "create_table",
        table_def(
            AttributeDefinitions=ATTRS_PK_SK,
            LocalSecondaryIndexes=[{"IndexName": "lsi", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}],
        ),
        INVALID + "Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex",
    ),
    case(
        "create-lsi-other-hash",
        "create_table",
        table_def(
            AttributeDefinitions=ATTRS_PK_SK + [{"AttributeName": "x", "AttributeType": "S"}],
            KeySchema=KS_PK_SK,
            LocalSecondaryIndexes=[{"IndexName": "lsi", "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}],
        ),
        INVALID + "Index KeySchema does not have the same leading hash key as table KeySchema for index: lsi. index hash key: x, table hash key: pk",
    ),
    case(
        "create-duplicate-index-name",
        "create_table",
        table_def(
            AttributeDefinitions=ATTRS_PK_SK,
            KeySchema=KS_PK_SK,
            GlobalSecondaryIndexes=[{"IndexName": "idx", "KeySchema": [{"AttributeName": "sk", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}],
            LocalSecondaryIndexes=[{"IndexName": "idx", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}],
        ),
        INVALID + "Duplicate index name: idx",
    ),
    case(
        "create-unused-attribute",
        "create_table",
        table_def(AttributeDefinitions=ATTRS_PK_SK),
        INVALID + "Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions",
    ),
    case(
        "create-stream-without-view-type",
        "create_table",
        table_def(StreamSpecification={"StreamEnabled": True}),
        "StreamSpecification: StreamViewType is required when StreamEnabled is true",
    ),
    case(
        "create-name-too-short",
        "create_table",
        table_def(TableName="ab"),
        "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3",
    ),
    case(
        "create-name-too-long",
        "create_table",
        table_def(TableName="a" * 256),
        "1 validation error detected: Value '" + "a" * 256 + "' at 'tableName' failed to satisfy constraint: Member must have length less than or equal to 255",
    ),
    case(
        "create-name-pattern",
        "create_table",
        table_def(TableName="bad/name"),
        "1 validation error detected: Value 'bad/name' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
    ),
    case(
        "create-existing",
        "create_table",
        table_def(TableName="$H"),
        "Table already exists: $H",
        code="ResourceInUseException",
    ),
    case(
        "update-two-index-changes",
        "update_table",
        {
            "TableName": "$HS",
            "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}],
            "GlobalSecondaryIndexUpdates": [
                {"Create": {"IndexName": "gsi2", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}},
                {"Delete": {"IndexName": "gsi"}},
            ],
        },
        "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table",
        code="LimitExceededException",
    ),
    case(
        "update-existing-index",
        "update_table",
        {
            "TableName": "$HS",
            "GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "gsi", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}}],
        },
        "Attempting to create an index which already exists: gsi",
    ),
    case(
        "update-delete-unknown-index",
        "update_table",
        {"TableName": "$HS", "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "nope"}}]},
        "Requested resource not found",
        code="ResourceNotFoundException",
    ),
    case(
        "update-throughput-of-unknown-index",
        "update_table",
        {"TableName": "$HS", "GlobalSecondaryIndexUpdates": [{"Update": {"IndexName": "nope", "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}}]},
        "Requested resource not found",
        code="ResourceNotFoundException",
    ),
    case(
        "update-stream-already-enabled",
        "update_table",
        {"TableName": "$HS", "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}},
        "Table already has an enabled stream: TableName: $HS",
    ),
    case(
        "update-stream-already-disabled",
        "update_table",
        {"TableName": "$H", "StreamSpecification": {"StreamEnabled": False}},
        "Table already has no stream enabled: TableName: $H",
    ),
    case(  # AWS-recorded: test_table_crud (DeleteTable)
        "update-missing-table",
        "update_table",
        {"TableName": "nope-" + UID, "BillingMode": "PAY_PER_REQUEST"},
        "Requested resource not found: Table: nope-" + UID + " not found",
        code="ResourceNotFoundException",
    ),
    case(  # AWS-recorded: test_table_crud
        "delete-missing-table",
        "delete_table",
        {"TableName": "nope-" + UID},
        "Requested resource not found: Table: nope-" + UID + " not found",
        code="ResourceNotFoundException",
    ),
    case(
        "describe-missing-table",
        "describe_table",
        {"TableName": "nope-" + UID},
        "Requested resource not found: Table: nope-" + UID + " not found",
        code="ResourceNotFoundException",
    ),
    case(
        "delete-protected",
        "delete_table",
        {"TableName": "$PROT"},
        "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.",
    ),
    case(
        "item-missing-table",
        "put_item",
        {"TableName": "nope-" + UID, "Item": {"pk": S("x")}},
        "Cannot do operations on a non-existent table",
        code="ResourceNotFoundException",
    ),
    case(  # AWS-recorded (Step Functions snapshot test_task_service_dynamodb: PutItem on "/<table>")
        "item-table-name-pattern",
        "put_item",
        {"TableName": "/$H", "Item": {"pk": S("x")}},
        "1 validation error detected: Value '/$H' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
    ),
    case(
        "query-table-name-length",
        "query",
        query("pk = :a", {":a": S("x")}, table="ab"),
        "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3",
    ),
    case(
        "get-table-arn-missing",
        "get_item",
        {"TableName": "$ARN_H-nope", "Key": KEY_H},
        "Cannot do operations on a non-existent table",
        code="ResourceNotFoundException",
    ),
    case(
        "tag-invalid-arn",
        "tag_resource",
        {"ResourceArn": "arn:aws:dynamodb:us-east-1:000000000000:nope", "Tags": [{"Key": "a", "Value": "b"}]},
        "Invalid TableArn: Invalid ResourceArn provided as input arn:aws:dynamodb:us-east-1:000000000000:nope",
    ),
    case(
        "tag-missing-table",
        "tag_resource",
        {"ResourceArn": "$ARN_H-nope", "Tags": [{"Key": "a", "Value": "b"}]},
        "Requested resource not found",
        code="ResourceNotFoundException",
    ),
    case(
        "list-tags-missing-table",
        "list_tags_of_resource",
        {"ResourceArn": "$ARN_H-nope"},
        "Requested resource not found",
        code="ResourceNotFoundException",
    ),
    case(
        "untag-invalid-arn",
        "untag_resource",
        {"ResourceArn": "arn:aws:dynamodb:us-east-1:000000000000:table/a/b", "TagKeys": ["a"]},
        "Invalid TableArn: Invalid ResourceArn provided as input arn:aws:dynamodb:us-east-1:000000000000:table/a/b",
    ),
    case(
        "tag-too-many",
        "tag_resource",
        {"ResourceArn": "$ARN_H", "Tags": [{"Key": f"k{i}", "Value": "v"} for i in range(51)]},
        "Too many tags",
        code="LimitExceededException",
    ),
    case(
        "ttl-already-enabled",
        "update_time_to_live",
        {"TableName": "$HS", "TimeToLiveSpecification": {"Enabled": True, "AttributeName": "ttl"}},
        "TimeToLive is already enabled",
    ),
    case(
        "ttl-already-disabled",
        "update_time_to_live",
        {"TableName": "$H", "TimeToLiveSpecification": {"Enabled": False, "AttributeName": "ttl"}},
        "TimeToLive is already disabled",
    ),
    case(
        "ttl-missing-table",
        "update_time_to_live",
        {"TableName": "nope-" + UID, "TimeToLiveSpecification": {"Enabled": True, "AttributeName": "ttl"}},
        "Cannot do operations on a non-existent table",
        code="ResourceNotFoundException",
    ),
    # ---- model validation (crates/protocol) as DynamoDB applies it ----
    case(
        "model-table-name-required",
        "describe_table",
        {},
        "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null",
    ),
    case(  # AWS-recorded (Step Functions snapshot, PutItem without Item)
        "model-item-required",
        "put_item",
        {"TableName": "$H"},
        "1 validation error detected: Value null at 'item' failed to satisfy constraint: Member must not be null",
    ),
    case(
        "model-two-errors",
        "get_item",
        {"Key": KEY_H, "ReturnConsumedCapacity": "ALL"},
        "2 validation errors detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null; Value 'ALL' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]",
    ),
    case(
        "model-limit-minimum",
        "scan",
        {"TableName": "$H", "Limit": 0},
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
    ),
    case(
        "model-index-name-pattern",
        "query",
        query("pk = :a", {":a": S("x")}, IndexName="bad!"),
        "1 validation error detected: Value 'bad!' at 'indexName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
    ),
    case(
        "model-return-values-enum",
        "update_item",
        upd("SET a = :v", {":v": S("x")}, ReturnValues="EVERYTHING"),
        "1 validation error detected: Value 'EVERYTHING' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [NONE, ALL_OLD, UPDATED_OLD, ALL_NEW, UPDATED_NEW]",
    ),
    case(
        "model-comparison-operator-enum",
        "scan",
        {"TableName": "$H", "ScanFilter": {"a": {"ComparisonOperator": "LIKE", "AttributeValueList": [S("x")]}}},
        "1 validation error detected: Value 'LIKE' at 'scanFilter.a.member.comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: [EQ, NE, IN, LE, LT, GE, GT, BETWEEN, NOT_NULL, NULL, CONTAINS, NOT_CONTAINS, BEGINS_WITH]",
    ),
    case(
        "model-key-schema-empty",
        "create_table",
        table_def(KeySchema=[]),
        "1 validation error detected: Value '[]' at 'keySchema' failed to satisfy constraint: Member must have length greater than or equal to 1",
    ),
    case(
        "model-condition-check-needs-expression",
        "transact_write_items",
        {"TransactItems": [{"ConditionCheck": {"TableName": "$H", "Key": KEY_H}}]},
        "1 validation error detected: Value null at 'transactItems.1.member.conditionCheck.conditionExpression' failed to satisfy constraint: Member must not be null",
    ),
    case(
        "model-batch-write-table-over-25",
        "batch_write_item",
        {"RequestItems": {"$H": [{"DeleteRequest": {"Key": {"pk": S(f"k{i}")}}} for i in range(26)]}},
        None,  # the message renders the 26 requests; checked by prefix below
    ),
    case(
        "model-segment-range",
        "scan",
        {"TableName": "$H", "Segment": 1000000, "TotalSegments": 2},
        "1 validation error detected: Value '1000000' at 'segment' failed to satisfy constraint: Member must have value less than or equal to 999999",
    ),
    # ---- DynamoDB Streams (ops/streams.rs) ----
    case(
        "streams-invalid-arn",
        "describe_stream",
        {"StreamArn": "arn:aws:kinesis:us-east-1:000000000000:stream/some-stream"},
        "Invalid StreamArn: arn:aws:kinesis:us-east-1:000000000000:stream/some-stream",
        service="dynamodbstreams",
    ),
    case(  # AWS-recorded format (dynamodbstreams snapshot)
        "streams-unknown-stream",
        "describe_stream",
        {"StreamArn": "$ARN_H/stream/2024-11-18T14:36:44.149"},
        "Requested resource not found: Stream: $ARN_H/stream/2024-11-18T14:36:44.149 not found",
        code="ResourceNotFoundException",
        service="dynamodbstreams",
    ),
    case(
        "streams-unknown-shard",
        "get_shard_iterator",
        {"StreamArn": "$STREAM", "ShardId": "shardId-00000000000000000000-00000000", "ShardIteratorType": "TRIM_HORIZON"},
        "Requested resource not found: Shard: shardId-00000000000000000000-00000000 in Stream: $STREAM not found",
        code="ResourceNotFoundException",
        service="dynamodbstreams",
    ),
    case(
        "streams-sequence-number-required",
        "get_shard_iterator",
        {"StreamArn": "$STREAM", "ShardId": "$SHARD", "ShardIteratorType": "AT_SEQUENCE_NUMBER"},
        "Invalid SequenceNumber: a sequence number is required for this ShardIteratorType",
        service="dynamodbstreams",
    ),
    case(
        "streams-iterator-type-enum",
        "get_shard_iterator",
        {"StreamArn": "$STREAM", "ShardId": "$SHARD", "ShardIteratorType": "NEWEST"},
        "1 validation error detected: Value 'NEWEST' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, AT_TIMESTAMP]",
        service="dynamodbstreams",
    ),
    case(
        "streams-invalid-iterator",
        "get_records",
        {"ShardIterator": "not-an-iterator"},
        "Invalid ShardIterator",
        service="dynamodbstreams",
    ),
    case(
        "streams-iterator-not-json",
        "get_records",
        {"ShardIterator": base64.b64encode(b"[1, 2]").decode()},
        "Invalid ShardIterator",
        service="dynamodbstreams",
    ),
]


@pytest.fixture(scope="module")
def clients(stratus):
    return {"dynamodb": make_client(stratus, "dynamodb"), "dynamodbstreams": make_client(stratus, "dynamodbstreams")}


@pytest.mark.parametrize("service,op,params,message,code", CASES)
def test_error_message(clients, ctx, service, op, params, message, code):
    call = getattr(clients[service], op)
    with pytest.raises(ClientError) as e:
        call(**fill(params, ctx))
    err = e.value.response["Error"]
    got = (err["Code"], err["Message"], e.value.response["ResponseMetadata"]["HTTPStatusCode"])
    if message is None:
        assert got[0] == code and got[2] == 400, got
        assert got[1].startswith("1 validation error detected: Value '["), got[1][:200]
        assert got[1].endswith("failed to satisfy constraint: Member must have length less than or equal to 25"), got[1][-200:]
        return
    assert got == (code, fill(message, ctx), 400)


def test_idempotent_parameter_mismatch(clients, ctx):
    ddb = clients["dynamodb"]
    token = "tok-" + UID
    ddb.transact_write_items(ClientRequestToken=token, TransactItems=[{"Put": {"TableName": ctx["$H"], "Item": {"pk": S("idem")}}}])
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(ClientRequestToken=token, TransactItems=[{"Put": {"TableName": ctx["$H"], "Item": {"pk": S("other")}}}])
    err = e.value.response["Error"]
    assert (err["Code"], err["Message"]) == ("IdempotentParameterMismatchException", "Request token parameters do not match the original request")


def test_transaction_cancellation_reason_carries_the_validation_message(clients, ctx):
    ddb = clients["dynamodb"]
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(
            TransactItems=[
                {"ConditionCheck": {"TableName": ctx["$H"], "Key": KEY_H, "ConditionExpression": "attribute_exists(pk)"}},
                {"Update": {"TableName": ctx["$HS"], "Key": KEY_HS, "UpdateExpression": "SET l = list_append(l, :n)", "ExpressionAttributeValues": {":n": N(1)}}},
            ]
        )
    r = e.value.response
    assert r["Error"]["Message"] == "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ValidationError]"
    assert r["CancellationReasons"][1] == {
        "Code": "ValidationError",
        "Message": "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: N",
    }


@pytest.mark.parametrize(
    "statement,error",
    [
        (
            'SELECT * FROM "$HS"."gsi" WHERE g = \'x\'',
            {"Code": "ValidationError", "Message": "Batch read statements cannot target an index"},
        ),
        ('SELECT * FROM "$H"', {"Code": "ValidationError", "Message": "Where clause does not contain a mandatory equality on all key attributes"}),
        ("SELECT * FROM \"$HS\" WHERE pk = 'x'", {"Code": "ValidationError", "Message": "Where clause does not contain a mandatory equality on all key attributes"}),
        ("SELEC 1", {"Code": "ValidationError", "Message": "Statement wasn't well formed, can't be processed: Unexpected token: SELEC"}),
        ("DELETE FROM \"$H\" WHERE pk = 1", {"Code": "ValidationError", "Message": INVALID + "Type mismatch for key pk expected: S actual: N"}),
        ("INSERT INTO \"$H\" VALUE {'pk': 'x'}", {"Code": "DuplicateItem", "Message": "Duplicate primary key exists in table"}),
        ("UPDATE \"$H\" SET a = 1 WHERE pk = 'x' AND a = 2", {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}),
        ("SELECT * FROM \"nope-$H\" WHERE pk = 'x'", {"Code": "ResourceNotFound", "Message": "Requested resource not found"}),
    ],
    ids=["index", "no-where", "partial-key", "syntax", "key-type", "duplicate", "condition", "missing-table"],
)
def test_batch_execute_statement_errors(clients, ctx, statement, error):
    out = clients["dynamodb"].batch_execute_statement(Statements=[{"Statement": fill(statement, ctx)}])
    assert out["Responses"][0]["Error"] == error
