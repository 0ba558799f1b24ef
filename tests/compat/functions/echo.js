// The Node echo function of the Lambda client matrix (test_lambda_clients.py,
// crates/stratus/tests/sdk/lambda_clients.rs): prints a line, fails on
// {"fail": x}, else returns its event and context.
exports.handler = async (event, context) => {
  console.log("node says", JSON.stringify(event));
  if ("fail" in event) throw new TypeError("node boom " + event.fail);
  return { event, request_id: context.awsRequestId, function_name: context.functionName,
           arn: context.invokedFunctionArn, memory: context.memoryLimitInMB,
           remaining: context.getRemainingTimeInMillis(), version: context.functionVersion,
           log_group: context.logGroupName, log_stream: context.logStreamName };
};
