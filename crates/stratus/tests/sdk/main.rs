//! The SDK integration suite: every service exercised through the AWS SDK
//! for Rust against an in-process Stratus. One test binary, so the SDK
//! crates are linked once.

mod common;
mod functions;

mod apigateway;
mod apigateway_websocket;
mod cognito;
mod cognito_triggers;
mod dynamodb;
mod dynamodb_capacity;
mod dynamodb_indexes;
mod gateway;
mod lambda;
mod lambda_clients;
mod lambda_events;
mod lambda_identity;
mod lambda_isolation;
mod lambda_memory;
mod lambda_snapstart;
mod logs;
mod s3;
mod s3_cors_lifecycle;
mod s3_more;
mod sns;
mod sqs;
mod stepfunctions;
mod stepfunctions_api;
mod stepfunctions_jsonata;
mod sts_iam;
