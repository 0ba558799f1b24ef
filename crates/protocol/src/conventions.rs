//! The few per-service wire conventions that the models do not carry: which
//! code a validation failure gets, how a JSON error names its type, and the
//! XML namespace of services whose model omits it. Everything else comes
//! from the model tables.

use crate::model::{Protocol, ServiceModel};

/// The error code for a model-validation failure.
pub fn validation_error_code(model: &ServiceModel, wire: Protocol) -> &'static str {
    match (model.name, wire) {
        ("logs" | "cognito-idp", _) => "InvalidParameterException",
        // S3 has no model validation of its own: values it cannot accept are
        // InvalidArgument (bodies that do not fit are MalformedXML, in decode).
        ("s3", _) => "InvalidArgument",
        (_, Protocol::Query) => "ValidationError",
        _ => "ValidationException",
    }
}

/// Whether the service checks input against the model's constraints. S3
/// does not: its Smithy model is client-side only, and the service answers
/// values it cannot take with its own errors (InvalidLocationConstraint,
/// InvalidStorageClass, ...).
pub fn validates_input(model: &ServiceModel) -> bool {
    model.name != "s3"
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

/// The legacy Query code of an SQS error: the first half of
/// `x-amzn-query-error` and the `<Code>` of Query responses. The model's
/// error shapes do not carry them; services raise the JSON names.
pub fn query_error_code(model: &ServiceModel, code: &str) -> Option<&'static str> {
    if model.name != "sqs" {
        return None;
    }
    Some(match code {
        "QueueDoesNotExist" => "AWS.SimpleQueueService.NonExistentQueue",
        "QueueDeletedRecently" => "AWS.SimpleQueueService.QueueDeletedRecently",
        "QueueNameExists" => "QueueAlreadyExists",
        "PurgeQueueInProgress" => "AWS.SimpleQueueService.PurgeQueueInProgress",
        "ReceiptHandleIsInvalid" => "ReceiptHandleIsInvalid",
        "MessageNotInflight" => "AWS.SimpleQueueService.MessageNotInflight",
        "BatchEntryIdsNotDistinct" => "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
        "BatchRequestTooLong" => "AWS.SimpleQueueService.BatchRequestTooLong",
        "EmptyBatchRequest" => "AWS.SimpleQueueService.EmptyBatchRequest",
        "InvalidBatchEntryId" => "AWS.SimpleQueueService.InvalidBatchEntryId",
        "TooManyEntriesInBatchRequest" => "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
        "UnsupportedOperation" => "AWS.SimpleQueueService.UnsupportedOperation",
        "InvalidParameterValueException" => "InvalidParameterValue",
        "MissingRequiredParameterException" => "MissingParameter",
        "InvalidAttributeName" => "InvalidAttributeName",
        "InvalidAttributeValue" => "InvalidAttributeValue",
        "InvalidMessageContents" => "InvalidMessageContents",
        "InvalidSecurity" => "AWS.SimpleQueueService.InvalidSecurity",
        "KmsAccessDenied" => "KMS.AccessDeniedException",
        "OverLimit" => "OverLimit",
        "RequestThrottled" => "RequestThrottled",
        _ => return None,
    })
}

/// The item element of an SQS flattened list in the Query form
/// (`AttributeName.1`, `<Message>`), which the JSON model no longer names.
pub fn query_list_item(model: &ServiceModel, list_shape: &str) -> Option<&'static str> {
    if model.name != "sqs" {
        return None;
    }
    Some(match list_shape {
        "AWSAccountIdList" => "AWSAccountId",
        "ActionNameList" => "ActionName",
        "AttributeNameList" => "AttributeName",
        "BatchResultErrorEntryList" => "BatchResultErrorEntry",
        "BinaryList" => "BinaryListValue",
        "ChangeMessageVisibilityBatchRequestEntryList" => "ChangeMessageVisibilityBatchRequestEntry",
        "ChangeMessageVisibilityBatchResultEntryList" => "ChangeMessageVisibilityBatchResultEntry",
        "DeleteMessageBatchRequestEntryList" => "DeleteMessageBatchRequestEntry",
        "DeleteMessageBatchResultEntryList" => "DeleteMessageBatchResultEntry",
        "ListMessageMoveTasksResultEntryList" => "ListMessageMoveTasksResultEntry",
        "MessageAttributeNameList" => "MessageAttributeName",
        "MessageList" => "Message",
        "MessageSystemAttributeList" => "MessageSystemAttributeName",
        "QueueUrlList" => "QueueUrl",
        "SendMessageBatchRequestEntryList" => "SendMessageBatchRequestEntry",
        "SendMessageBatchResultEntryList" => "SendMessageBatchResultEntry",
        "StringList" => "StringListValue",
        "TagKeyList" => "TagKey",
        _ => return None,
    })
}

/// `(element, key, value)` names of an SQS flattened map in the Query form
/// (`Attribute.1.Name`/`Attribute.1.Value`, `<Tag><Key>..</Key>..</Tag>`).
pub fn query_map_names(model: &ServiceModel, map_shape: &str) -> Option<(&'static str, &'static str, &'static str)> {
    if model.name != "sqs" {
        return None;
    }
    Some(match map_shape {
        "QueueAttributeMap" | "MessageSystemAttributeMap" => ("Attribute", "Name", "Value"),
        "MessageBodyAttributeMap" => ("MessageAttribute", "Name", "Value"),
        "MessageBodySystemAttributeMap" => ("MessageSystemAttribute", "Name", "Value"),
        "TagMap" => ("Tag", "Key", "Value"),
        _ => return None,
    })
}

/// Whether input enums are enforced. SQS accepts any attribute name in
/// lists such as ReceiveMessage's `AttributeNames` and answers unknown ones
/// itself.
pub fn checks_enums(model: &ServiceModel) -> bool {
    model.name != "sqs"
}

/// A top-level input member whose enum the service checks itself, with
/// its own error: Lambda answers an unknown `Runtime` with
/// InvalidParameterValueException ("... or be a valid ARN"), not the
/// model's ValidationException. Other members of the same shape (layers'
/// `CompatibleRuntime(s)`) keep the model's check. Its `RecursiveLoop` message
/// lists the values in AWS's own order (`[Terminate, Allow]`), not the model's.
pub fn service_checks_enum(model: &ServiceModel, member: &str) -> bool {
    model.name == "lambda" && matches!(member, "Runtime" | "RecursiveLoop")
}

/// The XML namespace of a service's responses.
pub fn xml_namespace(model: &ServiceModel) -> Option<&'static str> {
    match model.name {
        "s3" => Some("http://s3.amazonaws.com/doc/2006-03-01/"),
        "sqs" => Some("http://queue.amazonaws.com/doc/2012-11-05/"),
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

/// The root element of a restXml output the model leaves unnamed (S3's
/// Smithy model names them with `@xmlName`; botocore's does not).
pub fn xml_output_root(model: &ServiceModel, operation: &str) -> Option<&'static str> {
    if model.name != "s3" {
        return None;
    }
    Some(match operation {
        "CompleteMultipartUpload" => "CompleteMultipartUploadResult",
        "CreateMultipartUpload" => "InitiateMultipartUploadResult",
        "DeleteObjects" => "DeleteResult",
        "GetBucketAccelerateConfiguration" => "AccelerateConfiguration",
        "GetBucketAcl" | "GetObjectAcl" => "AccessControlPolicy",
        "GetBucketCors" => "CORSConfiguration",
        "GetBucketLifecycleConfiguration" => "LifecycleConfiguration",
        "GetBucketLogging" => "BucketLoggingStatus",
        "GetBucketNotificationConfiguration" => "NotificationConfiguration",
        "GetBucketRequestPayment" => "RequestPaymentConfiguration",
        "GetBucketTagging" | "GetObjectTagging" => "Tagging",
        "GetBucketVersioning" => "VersioningConfiguration",
        "GetBucketWebsite" => "WebsiteConfiguration",
        "GetObjectAttributes" => "GetObjectAttributesResponse",
        "ListBuckets" => "ListAllMyBucketsResult",
        "ListMultipartUploads" => "ListMultipartUploadsResult",
        "ListObjectVersions" => "ListVersionsResult",
        "ListObjects" | "ListObjectsV2" => "ListBucketResult",
        "ListParts" => "ListPartsResult",
        _ => return None,
    })
}

/// restXml outputs whose root element is one member's text (S3
/// GetBucketLocation: `<LocationConstraint>eu-west-1</LocationConstraint>`).
pub fn xml_text_root(model: &ServiceModel, operation: &str) -> Option<&'static str> {
    (model.name == "s3" && operation == "GetBucketLocation").then_some("LocationConstraint")
}

/// A success status the model cannot express: S3 answers a ranged
/// GetObject/HeadObject with 206 Partial Content, and a RestoreObject that
/// started a restore with 202 Accepted (its output's `__Status`).
pub fn success_status(model: &ServiceModel, operation: &str, out: &serde_json::Value) -> Option<u16> {
    if model.name == "s3" && operation == "RestoreObject" {
        return out.get("__Status").and_then(serde_json::Value::as_u64).and_then(|s| u16::try_from(s).ok());
    }
    let ranged = out.get("ContentRange").is_some_and(|v| !v.is_null());
    (model.name == "s3" && matches!(operation, "GetObject" | "HeadObject") && ranged).then_some(206)
}
