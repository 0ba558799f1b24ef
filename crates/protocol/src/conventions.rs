//! The few per-service wire conventions that the models do not carry: which
//! code a validation failure gets, how a JSON error names its type, and the
//! XML namespace of services whose model omits it. Everything else comes
//! from the model tables.

use crate::model::{Protocol, ServiceModel};

/// The error code for a model-validation failure.
pub fn validation_error_code(model: &ServiceModel, wire: Protocol) -> &'static str {
    match (model.name, wire) {
        ("logs", _) => "InvalidParameterException",
        (_, Protocol::Query) => "ValidationError",
        _ => "ValidationException",
    }
}

/// The `__type` written in awsJson error bodies. SDKs keep what follows `#`.
pub fn json_error_type(model: &ServiceModel, code: &str) -> String {
    let namespace = match model.name {
        "dynamodb" => "com.amazonaws.dynamodb.v20120810#",
        "dynamodbstreams" => "com.amazonaws.dynamodb.v20120810#",
        "sqs" => "com.amazonaws.sqs#",
        _ => "",
    };
    // Errors raised by the protocol layer itself come from AWS's framework.
    let framework = match code {
        "SerializationException" | "UnknownOperationException" => "com.amazon.coral.service#",
        "ValidationException" if model.name == "dynamodb" => "com.amazon.coral.validate#",
        _ => namespace,
    };
    format!("{framework}{code}")
}

/// The XML namespace of a service's responses.
pub fn xml_namespace(model: &ServiceModel) -> Option<&'static str> {
    match model.name {
        "s3" => Some("http://s3.amazonaws.com/doc/2006-03-01/"),
        _ => model.xml_namespace,
    }
}

/// Whether error bodies of a restJson service spell the message `Message`.
pub fn rest_json_message_key(model: &ServiceModel) -> &'static str {
    match model.name {
        "lambda" => "Message",
        _ => "message",
    }
}
