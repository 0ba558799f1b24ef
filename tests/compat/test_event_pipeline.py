"""The end-to-end event pipeline through real clients: an object put in a
bucket notifies a queue; a function reading the queue through an event
source mapping writes to a table; the table's stream triggers a second
function that publishes to a topic; the topic delivers to an HTTP endpoint
in this test. Every hop's payload is asserted."""

import http.server
import json
import threading
import time
import urllib.request
import uuid

from test_lambda import ROLE, zip_of

QUEUE_READER = '''
import json, boto3
table = boto3.resource("dynamodb").Table("%(table)s")
def handler(event, context):
    for record in event["Records"]:
        s3_event = json.loads(record["body"])
        key = s3_event["Records"][0]["s3"]["object"]["key"]
        table.put_item(Item={"pk": key, "sqs_record": json.dumps(record)})
    return {"batchItemFailures": []}
'''

STREAM_READER = '''
import json, boto3
sns = boto3.client("sns")
def handler(event, context):
    for record in event["Records"]:
        sns.publish(TopicArn="%(topic)s", Message=json.dumps(record), Subject="row")
'''


class Inbox(http.server.BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Inbox.received.append((dict(self.headers), json.loads(body)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def wait_for(predicate, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_object_to_queue_to_table_to_topic_to_http(client):
    s3, sqs, ddb, lam, sns = (client(n) for n in ("s3", "sqs", "dynamodb", "lambda", "sns"))
    tag = uuid.uuid4().hex[:8]
    bucket, queue, table, topic_name = f"pipe-{tag}", f"pipe-{tag}", f"pipe-{tag}", f"pipe-{tag}"

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Inbox)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        queue_url = sqs.create_queue(QueueName=queue)["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        s3.create_bucket(Bucket=bucket)
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"]}]})
        # S3 sends a test event when a queue is configured; drain it.
        test_event = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=5)["Messages"][0]
        assert json.loads(test_event["Body"])["Event"] == "s3:TestEvent"
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=test_event["ReceiptHandle"])

        stream_arn = ddb.create_table(
            TableName=table, BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )["TableDescription"]["LatestStreamArn"]
        topic = sns.create_topic(Name=topic_name)["TopicArn"]
        sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint)
        confirmation = wait_for(lambda: [b for h, b in Inbox.received if b.get("Type") == "SubscriptionConfirmation"])
        with urllib.request.urlopen(confirmation[0]["SubscribeURL"]) as r:
            assert r.status == 200

        reader = f"queue-reader-{tag}"
        lam.create_function(FunctionName=reader, Runtime="python3.12", Role=ROLE, Handler="app.handler", Timeout=30,
                            Code={"ZipFile": zip_of([("app.py", QUEUE_READER % {"table": table}, 0o644)])})
        writer = f"stream-reader-{tag}"
        lam.create_function(FunctionName=writer, Runtime="python3.12", Role=ROLE, Handler="app.handler", Timeout=30,
                            Code={"ZipFile": zip_of([("app.py", STREAM_READER % {"topic": topic}, 0o644)])})
        lam.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName=reader, BatchSize=10,
                                        FunctionResponseTypes=["ReportBatchItemFailures"])
        lam.create_event_source_mapping(EventSourceArn=stream_arn, FunctionName=writer, StartingPosition="LATEST",
                                        BatchSize=10)
        time.sleep(1)  # let the stream poller take its LATEST position

        put = s3.put_object(Bucket=bucket, Key="in/report 1.csv", Body=b"a,b\n1,2\n")

        note = wait_for(lambda: [(h, b) for h, b in Inbox.received if b.get("Type") == "Notification"])
        headers, notification = note[0]
        # Hop 4: SNS -> HTTP, AWS's envelope and headers.
        assert headers["x-amz-sns-message-type"] == "Notification"
        assert headers["x-amz-sns-topic-arn"] == topic
        assert notification["TopicArn"] == topic and notification["Subject"] == "row"
        assert notification["SignatureVersion"] == "1" and notification["Signature"]
        # Hop 3: the DynamoDB stream record the second function received.
        record = json.loads(notification["Message"])
        assert record["eventSource"] == "aws:dynamodb" and record["eventName"] == "INSERT"
        assert record["eventSourceARN"] == stream_arn
        image = record["dynamodb"]["NewImage"]
        assert image["pk"] == {"S": "in/report+1.csv"}  # S3 events carry keys URL-encoded
        assert record["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
        # Hop 2: the SQS record the first function received.
        sqs_record = json.loads(image["sqs_record"]["S"])
        assert sqs_record["eventSource"] == "aws:sqs" and sqs_record["eventSourceARN"] == queue_arn
        assert sqs_record["attributes"]["ApproximateReceiveCount"] == "1"
        # Hop 1: the S3 event in the message body.
        s3_record = json.loads(sqs_record["body"])["Records"][0]
        assert s3_record["eventSource"] == "aws:s3" and s3_record["eventName"] == "ObjectCreated:Put"
        assert s3_record["s3"]["bucket"]["name"] == bucket
        assert s3_record["s3"]["object"]["key"] == "in/report+1.csv"
        assert s3_record["s3"]["object"]["size"] == 8
        assert s3_record["s3"]["object"]["eTag"] == put["ETag"].strip('"')
        # The queue was drained by the mapping.
        attrs = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]
        assert attrs["ApproximateNumberOfMessages"] == "0"
    finally:
        server.shutdown()
