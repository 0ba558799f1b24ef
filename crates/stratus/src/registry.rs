//! The list of services this build of Stratus serves. Adding a service
//! means adding its crate here.

use std::sync::Arc;
use stratus_core::{Service, Settings};
use stratus_store::Store;

/// Every service, sharing one store.
pub fn services(store: &Store, settings: &Settings) -> Vec<Arc<dyn Service>> {
    let apigateway = stratus_apigateway::ApiGateway::new(store.clone(), settings);
    let connections = apigateway.management();
    let apigatewayv2 = apigateway.v2();
    vec![
        Arc::new(stratus_sts::Sts::new(store.clone())),
        Arc::new(stratus_iam::Iam::new(store.clone())),
        Arc::new(stratus_logs::Logs::new(store.clone())),
        Arc::new(stratus_lambda::Lambda::new(store.clone(), settings)),
        Arc::new(stratus_dynamodb::DynamoDb::new(store.clone(), settings)),
        Arc::new(stratus_dynamodb::DynamoDbStreams::new(store.clone())),
        Arc::new(stratus_sqs::Sqs::new(store.clone(), settings)),
        Arc::new(stratus_sns::Sns::new(store.clone(), settings)),
        Arc::new(stratus_s3::S3::new(store.clone(), settings)),
        Arc::new(stratus_cognito::CognitoIdp::new(store.clone(), settings)),
        Arc::new(stratus_cognito::CognitoIdentity::new(store.clone(), settings)),
        Arc::new(stratus_stepfunctions::StepFunctions::new(store.clone(), settings)),
        Arc::new(apigateway),
        Arc::new(connections),
        Arc::new(apigatewayv2),
    ]
}
