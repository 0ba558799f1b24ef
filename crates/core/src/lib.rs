//! Shared building blocks every Stratus crate uses: the per-request context
//! (account, region, request id), `AwsError`, identifiers, ARNs, the clock,
//! typed access to decoded input, a cache of decoded store records, the
//! outbound HTTP(S) client, HTTP upgrades, and the `Service` trait that each
//! service crate implements.

pub mod arn;
pub mod body;
pub mod clock;
pub mod credentials;
pub mod decoded;
pub mod error;
pub mod glob;
pub mod http;
pub mod ids;
pub mod input;
pub mod jwt;
pub mod outbound;
pub mod peers;
pub mod service;
pub mod settings;
pub mod upgrade;

pub use body::{BodyFrame, BodySender, BodyStream, Streamed};
pub use decoded::DecodedCache;
pub use error::AwsError;
pub use http::{HttpRequest, HttpResponse};
pub use peers::Peers;
pub use service::{Event, EventSender, RequestContext, Service};
pub use settings::Settings;
pub use upgrade::{Upgrade, Upgraded};

/// The account used when an access key maps to no configured account.
pub const DEFAULT_ACCOUNT_ID: &str = "000000000000";
/// The region used when a request carries no credential scope.
pub const DEFAULT_REGION: &str = "us-east-1";
