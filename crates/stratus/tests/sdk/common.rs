//! Shared test harness: an in-process Stratus on an ephemeral port and AWS
//! SDK configurations pointed at it.

use aws_credential_types::Credentials;
use stratus::config::ServeArgs;
use stratus::server::{Server, start};

/// Starts an in-memory server on a free loopback port.
pub async fn server() -> Server {
    start(ServeArgs::ephemeral()).await.expect("server starts")
}

/// Starts a server with custom settings.
pub async fn server_with(args: ServeArgs) -> Server {
    start(args).await.expect("server starts")
}

/// SDK config for `server` signed with `test`/`test` in us-east-1.
pub async fn sdk_config(server: &Server) -> aws_config::SdkConfig {
    sdk_config_with(server, "test", "test", "us-east-1").await
}

/// SDK config with explicit keys and region.
pub async fn sdk_config_with(server: &Server, access: &str, secret: &str, region: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(server.endpoint())
        .region(aws_config::Region::new(region.to_string()))
        .credentials_provider(Credentials::new(access, secret, None, None, "test"))
        .load()
        .await
}

/// SDK config with temporary credentials.
pub async fn sdk_config_session(server: &Server, access: &str, secret: &str, token: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(server.endpoint())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(Credentials::new(access, secret, Some(token.to_string()), None, "test"))
        .load()
        .await
}
