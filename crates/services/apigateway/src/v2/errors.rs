//! The not-found errors of HTTP and WebSocket API operations, with AWS's messages.

use crate::errors::not_found;
use stratus_core::AwsError;

pub fn no_api(id: &str) -> AwsError {
    not_found(format!("Invalid API identifier specified {id}"))
}

pub fn no_route(id: &str) -> AwsError {
    not_found(format!("Invalid Route identifier specified {id}"))
}

pub fn no_integration(id: &str) -> AwsError {
    not_found(format!("Invalid Integration identifier specified {id}"))
}

pub fn no_authorizer(id: &str) -> AwsError {
    not_found(format!("Invalid Authorizer identifier specified {id}"))
}

pub fn no_stage(name: &str) -> AwsError {
    not_found(format!("Invalid stage identifier specified {name}"))
}

pub fn no_deployment(id: &str) -> AwsError {
    not_found(format!("Invalid Deployment identifier specified {id}"))
}

pub fn no_route_response(id: &str) -> AwsError {
    not_found(format!("Invalid RouteResponse identifier specified {id}"))
}

pub fn no_integration_response(id: &str) -> AwsError {
    not_found(format!("Invalid IntegrationResponse identifier specified {id}"))
}
