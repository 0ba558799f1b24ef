//! The errors Cognito answers with, with AWS's codes and wording.

use stratus_core::AwsError;

pub fn invalid_parameter(msg: impl Into<String>) -> AwsError {
    AwsError::bad_request("InvalidParameterException", msg)
}

/// User pools answer model validation failures with InvalidParameterException
/// (the front door does so too: `conventions::validation_error_code`); this
/// covers the checks a handler makes itself, such as `Input::req_str`.
pub fn validation_as_invalid_parameter(mut e: AwsError) -> AwsError {
    if e.code == "ValidationException" {
        e.code = "InvalidParameterException".into();
    }
    e
}

pub fn not_authorized(msg: impl Into<String>) -> AwsError {
    AwsError::bad_request("NotAuthorizedException", msg)
}

/// The answer to a wrong password or SRP proof.
pub fn bad_credentials() -> AwsError {
    not_authorized("Incorrect username or password.")
}

pub fn user_not_found() -> AwsError {
    AwsError::bad_request("UserNotFoundException", "User does not exist.")
}

pub fn pool_not_found(pool_id: &str) -> AwsError {
    AwsError::bad_request("ResourceNotFoundException", format!("User pool {pool_id} does not exist."))
}

pub fn client_not_found(client_id: &str) -> AwsError {
    AwsError::bad_request("ResourceNotFoundException", format!("User pool client {client_id} does not exist."))
}

pub fn resource_not_found(msg: impl Into<String>) -> AwsError {
    AwsError::bad_request("ResourceNotFoundException", msg)
}

pub fn username_exists() -> AwsError {
    AwsError::bad_request("UsernameExistsException", "User account already exists")
}

pub fn code_mismatch() -> AwsError {
    AwsError::bad_request("CodeMismatchException", "Invalid verification code provided, please try again.")
}

pub fn expired_code() -> AwsError {
    AwsError::bad_request("ExpiredCodeException", "Invalid code provided, please request a code again.")
}

pub fn not_confirmed() -> AwsError {
    AwsError::bad_request("UserNotConfirmedException", "User is not confirmed.")
}

pub fn invalid_password(msg: impl Into<String>) -> AwsError {
    AwsError::bad_request("InvalidPasswordException", msg)
}

pub fn group_not_found() -> AwsError {
    AwsError::bad_request("ResourceNotFoundException", "Group not found.")
}

pub fn invalid_token() -> AwsError {
    not_authorized("Invalid Access Token")
}

pub fn revoked_token() -> AwsError {
    not_authorized("Access Token has been revoked")
}

pub fn invalid_session() -> AwsError {
    not_authorized("Invalid session for the user, session is expired.")
}

/// A record that does not decode is Stratus's fault.
pub fn corrupt(what: &str, e: impl std::fmt::Display) -> AwsError {
    AwsError::internal(format!("stored {what} cannot be read: {e}"))
}
