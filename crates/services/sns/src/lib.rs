//! Amazon SNS for Stratus: topics (standard and FIFO), subscriptions with
//! filter policies, Publish/PublishBatch, tags, permissions, and delivery
//! to SQS, Lambda, HTTP endpoints, email and SMS (the last two recorded),
//! with messages signed by a key kept in the store.
//!
//! This file owns the `Sns` service: its operation list, dispatch, the
//! pages it serves itself, and stopping deliveries at shutdown.

mod arns;
mod deliver;
mod envelope;
mod errors;
mod fifo;
pub mod filter;
mod keys;
mod model;
mod msg_attrs;
mod page;
mod permissions;
mod platform;
mod policies;
mod publish;
mod shared;
pub mod signing;
mod sms;
mod sub_attrs;
mod subscriptions;
mod tags;
mod topics;
mod web;

use async_trait::async_trait;
use serde_json::Value;
use shared::Shared;
use std::sync::Arc;
use stratus_core::{AwsError, HttpRequest, HttpResponse, RequestContext, Service, Settings};
use stratus_store::Store;

/// The operations SNS implements.
const OPERATIONS: &[&str] = &[
    "AddPermission",
    "CheckIfPhoneNumberIsOptedOut",
    "ConfirmSubscription",
    "CreatePlatformApplication",
    "CreatePlatformEndpoint",
    "CreateTopic",
    "DeleteEndpoint",
    "DeletePlatformApplication",
    "DeleteTopic",
    "GetDataProtectionPolicy",
    "GetEndpointAttributes",
    "GetPlatformApplicationAttributes",
    "GetSMSAttributes",
    "GetSMSSandboxAccountStatus",
    "GetSubscriptionAttributes",
    "GetTopicAttributes",
    "ListEndpointsByPlatformApplication",
    "ListPhoneNumbersOptedOut",
    "ListPlatformApplications",
    "ListSubscriptions",
    "ListSubscriptionsByTopic",
    "ListTagsForResource",
    "ListTopics",
    "OptInPhoneNumber",
    "Publish",
    "PublishBatch",
    "PutDataProtectionPolicy",
    "RemovePermission",
    "SetEndpointAttributes",
    "SetPlatformApplicationAttributes",
    "SetSMSAttributes",
    "SetSubscriptionAttributes",
    "SetTopicAttributes",
    "Subscribe",
    "TagResource",
    "Unsubscribe",
    "UntagResource",
];

/// The SNS service.
pub struct Sns {
    shared: Arc<Shared>,
}

impl Sns {
    pub fn new(store: Store, settings: &Settings) -> Sns {
        Sns { shared: Arc::new(Shared::new(store, settings)) }
    }
}

#[async_trait]
impl Service for Sns {
    fn name(&self) -> &'static str {
        "sns"
    }

    fn operations(&self) -> &'static [&'static str] {
        OPERATIONS
    }

    async fn call(&self, ctx: &RequestContext, input: Value) -> Result<Value, AwsError> {
        let (s, i) = (&self.shared, &input);
        match ctx.operation {
            "CreateTopic" => topics::create(s, ctx, i).await,
            "DeleteTopic" => topics::delete(s, ctx, i).await,
            "ListTopics" => topics::list(s, ctx, i).await,
            "GetTopicAttributes" => topics::get_attributes(s, ctx, i).await,
            "SetTopicAttributes" => topics::set_attributes(s, ctx, i).await,
            "Subscribe" => subscriptions::subscribe(s, ctx, i).await,
            "ConfirmSubscription" => subscriptions::confirm(s, ctx, i).await,
            "Unsubscribe" => subscriptions::unsubscribe(s, ctx, i).await,
            "ListSubscriptions" => subscriptions::list(s, ctx, i).await,
            "ListSubscriptionsByTopic" => subscriptions::list_by_topic(s, ctx, i).await,
            "GetSubscriptionAttributes" => subscriptions::get_attributes(s, ctx, i).await,
            "SetSubscriptionAttributes" => subscriptions::set_attributes(s, ctx, i).await,
            "Publish" => publish::publish(s, ctx, i).await,
            "PublishBatch" => publish::publish_batch(s, ctx, i).await,
            "TagResource" => tags::tag(s, ctx, i).await,
            "UntagResource" => tags::untag(s, ctx, i).await,
            "ListTagsForResource" => tags::list(s, ctx, i).await,
            "AddPermission" => permissions::add(s, ctx, i).await,
            "RemovePermission" => permissions::remove(s, ctx, i).await,
            "PutDataProtectionPolicy" => permissions::put_data_protection(s, ctx, i).await,
            "GetDataProtectionPolicy" => permissions::get_data_protection(s, ctx, i).await,
            "GetSMSAttributes" => sms::get_attributes(s, ctx, i).await,
            "SetSMSAttributes" => sms::set_attributes(s, ctx, i).await,
            "CheckIfPhoneNumberIsOptedOut" => sms::check_opted_out(s, ctx, i),
            "ListPhoneNumbersOptedOut" => sms::list_opted_out(s, ctx, i),
            "OptInPhoneNumber" => sms::opt_in(s, ctx, i).await,
            "CreatePlatformApplication" => platform::create_application(s, ctx, i).await,
            "GetPlatformApplicationAttributes" => platform::get_application_attributes(s, i),
            "SetPlatformApplicationAttributes" => platform::set_application_attributes(s, i).await,
            "DeletePlatformApplication" => platform::delete_application(s, i).await,
            "ListPlatformApplications" => platform::list_applications(s, ctx, i),
            "CreatePlatformEndpoint" => platform::create_endpoint(s, i).await,
            "GetEndpointAttributes" => platform::get_endpoint_attributes(s, i),
            "SetEndpointAttributes" => platform::set_endpoint_attributes(s, i).await,
            "DeleteEndpoint" => platform::delete_endpoint(s, i).await,
            "ListEndpointsByPlatformApplication" => platform::list_endpoints(s, i),
            "GetSMSSandboxAccountStatus" => Ok(serde_json::json!({ "IsInSandbox": false })),
            other => Err(AwsError::new(
                501,
                "NotImplemented",
                format!("The operation {other} of service sns is not implemented by Stratus yet"),
            )),
        }
    }

    fn reset(&self) {
        self.shared.forget_signer();
    }

    async fn stop(&self) {
        self.shared.stop().await;
    }

    fn claims(&self, req: &HttpRequest) -> bool {
        web::claims(req)
    }

    async fn serve(&self, req: HttpRequest) -> HttpResponse {
        web::serve(&self.shared, req).await
    }
}
