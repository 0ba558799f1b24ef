//! Step Functions' error shapes with AWS's messages.

use stratus_core::AwsError;

pub fn invalid_arn(arn: &str) -> AwsError {
    AwsError::bad_request("InvalidArn", format!("Invalid Arn: '{arn}'"))
}

pub fn invalid_name(name: &str) -> AwsError {
    AwsError::bad_request("InvalidName", format!("Invalid Name: '{name}'"))
}

pub fn machine_not_found(arn: &str) -> AwsError {
    AwsError::bad_request("StateMachineDoesNotExist", format!("State Machine Does Not Exist: '{arn}'"))
}

pub fn machine_exists(arn: &str) -> AwsError {
    AwsError::bad_request("StateMachineAlreadyExists", format!("State Machine Already Exists: '{arn}'"))
}

pub fn execution_not_found(arn: &str) -> AwsError {
    AwsError::bad_request("ExecutionDoesNotExist", format!("Execution Does Not Exist: '{arn}'"))
}

pub fn execution_exists(arn: &str) -> AwsError {
    AwsError::bad_request("ExecutionAlreadyExists", format!("Execution Already Exists: '{arn}'"))
}

pub fn activity_not_found(arn: &str) -> AwsError {
    AwsError::bad_request("ActivityDoesNotExist", format!("Activity Does Not Exist: '{arn}'"))
}

pub fn not_supported() -> AwsError {
    AwsError::bad_request(
        "StateMachineTypeNotSupported",
        "This operation is not supported by this type of state machine",
    )
}

pub fn invalid_definition(message: String) -> AwsError {
    AwsError::bad_request("InvalidDefinition", message)
}

pub fn invalid_input(reason: &str) -> AwsError {
    AwsError::bad_request("InvalidExecutionInput", format!("Invalid State Machine Execution Input: '{reason}'"))
}

pub fn invalid_token(reason: &str) -> AwsError {
    AwsError::bad_request("InvalidToken", format!("Invalid Token: '{reason}'"))
}

pub fn resource_not_found(arn: &str) -> AwsError {
    AwsError::bad_request("ResourceNotFound", format!("Resource not found: '{arn}'"))
}
