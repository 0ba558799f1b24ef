# The Python echo function of the Lambda client matrix (test_lambda_clients.py,
# crates/stratus/tests/sdk/lambda_clients.rs): prints a line, fails on
# {"fail": x}, sleeps on {"sleep": s}, else returns its event and context.
import json, time
def handler(event, context):
    if event.get("sleep"):
        time.sleep(event["sleep"])
    print("python says", json.dumps(event, sort_keys=True))
    if "fail" in event:
        raise KeyError("missing %s" % event["fail"])
    return {"event": event, "request_id": context.aws_request_id, "function_name": context.function_name,
            "arn": context.invoked_function_arn, "memory": context.memory_limit_in_mb,
            "remaining": context.get_remaining_time_in_millis(), "version": context.function_version,
            "log_group": context.log_group_name, "log_stream": context.log_stream_name}
