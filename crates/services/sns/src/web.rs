//! The pages SNS serves itself: the signing certificate (SigningCertURL),
//! the SubscribeURL and UnsubscribeURL (`GET /?Action=ConfirmSubscription`
//! / `Unsubscribe`, answered with AWS's XML), the recorded emails, SMS and
//! push messages as JSON, and the phones' replies to SMS messages.

use crate::deliver::outbox;
use crate::shared::Shared;
use crate::subscriptions;
use std::sync::Arc;
use stratus_core::{AwsError, HttpRequest, HttpResponse, RequestContext};

pub const CERT_PATH: &str = "/_stratus/sns/SimpleNotificationService.pem";
const EMAILS_PATH: &str = "/_stratus/sns/emails";
const SMS_PATH: &str = "/_stratus/sns/sms";
const PUSH_PATH: &str = "/_stratus/sns/push";
/// Where a phone's answers to SMS messages arrive (`STOP` opts it out).
const SMS_REPLIES_PATH: &str = "/_stratus/sns/sms/replies";
const XMLNS: &str = "http://sns.amazonaws.com/doc/2010-03-31/";

fn query_action(req: &HttpRequest) -> Option<String> {
    req.query_pairs().into_iter().find(|(k, _)| k == "Action").map(|(_, v)| v)
}

/// Whether SNS answers `req` itself.
pub fn claims(req: &HttpRequest) -> bool {
    if [CERT_PATH, EMAILS_PATH, SMS_PATH, SMS_REPLIES_PATH, PUSH_PATH].contains(&req.path.as_str()) {
        return true;
    }
    req.method == http::Method::GET
        && req.path == "/"
        && req.header("authorization").is_none()
        && !req.query.contains("X-Amz-Signature")
        && matches!(query_action(req).as_deref(), Some("ConfirmSubscription") | Some("Unsubscribe"))
}

fn xml_error(e: &AwsError) -> HttpResponse {
    let body = format!(
        "<ErrorResponse xmlns=\"{XMLNS}\"><Error><Type>Sender</Type><Code>{}</Code><Message>{}</Message></Error><RequestId>{}</RequestId></ErrorResponse>",
        escape(&e.code),
        escape(&e.message),
        uuid::Uuid::new_v4()
    );
    HttpResponse::new(e.status, "text/xml", body)
}

/// `POST /_stratus/sns/sms/replies` with `{"PhoneNumber", "Message"}` (and
/// optionally `AccountId`, `Region`): a phone answering the account's
/// messages; answers `{"OptedOut": bool}`.
async fn sms_reply(s: &Shared, req: &HttpRequest) -> HttpResponse {
    if req.method != http::Method::POST {
        return HttpResponse::new(405, "application/json", "{\"message\":\"Use POST\"}");
    }
    let Ok(body) = serde_json::from_slice::<serde_json::Value>(&req.body) else {
        return HttpResponse::new(400, "application/json", "{\"message\":\"The body must be a JSON object\"}");
    };
    let field = |k: &str, default: &'static str| body.get(k).and_then(|v| v.as_str()).unwrap_or(default).to_string();
    let (phone, text) = (field("PhoneNumber", ""), field("Message", ""));
    let account = field("AccountId", stratus_core::DEFAULT_ACCOUNT_ID);
    let region = field("Region", stratus_core::DEFAULT_REGION);
    match crate::sms::reply(s, &account, &region, &phone, &text).await {
        Ok(opted_out) => {
            HttpResponse::new(200, "application/json", serde_json::json!({ "OptedOut": opted_out }).to_string())
        }
        Err(e) => HttpResponse::new(500, "application/json", serde_json::json!({ "message": e.message }).to_string()),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

pub async fn serve(s: &Arc<Shared>, req: HttpRequest) -> HttpResponse {
    match req.path.as_str() {
        CERT_PATH => match s.signer().await {
            Ok(signer) => HttpResponse::new(200, "application/x-pem-file", signer.cert_pem.clone()),
            Err(e) => HttpResponse::new(500, "text/plain", e.message),
        },
        EMAILS_PATH => json_list(outbox::list(s, "email")),
        SMS_PATH => json_list(outbox::list(s, "sms")),
        PUSH_PATH => json_list(outbox::list(s, "push")),
        SMS_REPLIES_PATH => sms_reply(s, &req).await,
        _ => {
            let params = req.query_pairs();
            let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
            let request_id = uuid::Uuid::new_v4();
            if get("Action") == "Unsubscribe" {
                let arn = get("SubscriptionArn");
                let mut ctx = RequestContext::internal("sns", "Unsubscribe");
                if let Some((topic, _)) = subscriptions::split_sub_arn(&arn) {
                    ctx.account_id = topic.account;
                    ctx.region = topic.region;
                }
                return match subscriptions::unsubscribe_arn(s, &ctx, &arn).await {
                    Ok(()) => HttpResponse::new(
                        200,
                        "text/xml",
                        format!(
                            "<UnsubscribeResponse xmlns=\"{XMLNS}\"><ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></UnsubscribeResponse>"
                        ),
                    ),
                    Err(e) => xml_error(&e),
                };
            }
            let topic_arn = get("TopicArn");
            if crate::arns::split(&topic_arn).is_none_or(|(svc, _, _, name)| svc != "sns" || name.is_empty()) {
                return xml_error(&crate::errors::invalid("Topic"));
            }
            match subscriptions::confirm_token(s, &topic_arn, &get("Token"), false).await {
                Ok(arn) => HttpResponse::new(
                    200,
                    "text/xml",
                    format!(
                        "<ConfirmSubscriptionResponse xmlns=\"{XMLNS}\"><ConfirmSubscriptionResult><SubscriptionArn>{}</SubscriptionArn></ConfirmSubscriptionResult><ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></ConfirmSubscriptionResponse>",
                        escape(&arn)
                    ),
                ),
                Err(e) => xml_error(&e),
            }
        }
    }
}

fn json_list(items: Vec<serde_json::Value>) -> HttpResponse {
    HttpResponse::new(200, "application/json", serde_json::Value::Array(items).to_string())
}
