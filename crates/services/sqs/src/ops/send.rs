//! SendMessage and SendMessageBatch: validation (size, characters,
//! attributes, FIFO parameters), digests, delays and FIFO deduplication
//! over five minutes, in one store transaction per request.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};
use stratus_store::Txn;

use crate::checks;
use crate::digest::{md5_hex, md5_of_attributes, sha256_hex};
use crate::error::{invalid, invalid_param, legacy_code, missing, no_queue};
use crate::model::{Message, Queue, decode, encode};
use crate::ops::now_ms;
use crate::scope::{QueueRef, Scope};
use crate::seq;

const DEDUP_WINDOW_MS: i64 = 5 * 60 * 1000;

/// A validated message, ready to be stored.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub body: String,
    pub attributes: Map<String, Value>,
    pub system: Map<String, Value>,
    pub md5_body: String,
    pub md5_attributes: Option<String>,
    pub md5_system: Option<String>,
    pub delay: Option<i64>,
    pub group: Option<String>,
    pub dedup: Option<String>,
    /// Bytes it counts for against MaximumMessageSize.
    pub size: usize,
}

/// What a send answers with.
#[derive(Debug, Clone)]
pub struct Sent {
    pub id: String,
    pub sequence: Option<String>,
}

/// The deduplication record of a FIFO message.
#[derive(Serialize, Deserialize)]
struct Dedup {
    id: String,
    sequence: Option<String>,
    expires_ms: i64,
}

fn object(v: Option<&Value>) -> Map<String, Value> {
    v.and_then(Value::as_object).cloned().unwrap_or_default()
}

/// Validates one message (a SendMessage input or a batch entry) for `queue`.
pub fn prepare(queue: &Queue, v: &Value) -> Result<Outgoing, AwsError> {
    let body = v.str("MessageBody").unwrap_or("");
    if body.is_empty() {
        return Err(missing("MessageBody"));
    }
    checks::body_chars(body)?;
    let attributes = object(v.get("MessageAttributes"));
    let system = object(v.get("MessageSystemAttributes"));
    let mut size = body.len() + checks::attributes(&attributes, "user")?;
    size += checks::attributes(&system, "system")?;
    let max = queue.max_message_size();
    if size as i64 > max {
        return Err(invalid(format!(
            "One or more parameters are invalid. Reason: Message must be shorter than {max} bytes."
        )));
    }
    let delay = v.i64("DelaySeconds");
    if let Some(d) = delay {
        if !(0..=900).contains(&d) {
            return Err(invalid_param(d, "DelaySeconds", "DelaySeconds must be >= 0 and <= 900."));
        }
        if queue.fifo && d != 0 {
            return Err(invalid_param(
                d,
                "DelaySeconds",
                "The request include parameter that is not valid for this queue type.",
            ));
        }
    }
    let group = v.str("MessageGroupId").map(str::to_string);
    let mut dedup = v.str("MessageDeduplicationId").map(str::to_string);
    if let Some(g) = &group {
        checks::token(g, "MessageGroupId")?;
    }
    if let Some(d) = &dedup {
        checks::token(d, "MessageDeduplicationId")?;
    }
    if queue.fifo {
        if group.is_none() {
            return Err(missing("MessageGroupId"));
        }
        if dedup.is_none() {
            if !queue.content_based_dedup() {
                return Err(invalid(
                    "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
                ));
            }
            dedup = Some(sha256_hex(body.as_bytes()));
        }
    } else if let Some(d) = &dedup {
        return Err(invalid_param(
            d,
            "MessageDeduplicationId",
            "The request includes a parameter that is not valid for this queue type.",
        ));
    }
    Ok(Outgoing {
        body: body.to_string(),
        md5_body: md5_hex(body.as_bytes()),
        md5_attributes: md5_of_attributes(&attributes),
        md5_system: md5_of_attributes(&system),
        attributes,
        system,
        delay,
        group,
        dedup,
        size,
    })
}

/// Stores `out` in the queue (inside a transaction), or answers with the
/// original of a FIFO duplicate.
pub fn enqueue(
    txn: &mut Txn<'_>,
    q: &QueueRef,
    queue: &Queue,
    out: &Outgoing,
    sender: &str,
    now: i64,
) -> Result<Sent, AwsError> {
    let n = seq::next();
    let sequence = queue.fifo.then(|| seq::sequence_number(n));
    let mut dedup_key = None;
    if let (true, Some(d)) = (queue.fifo, &out.dedup) {
        let scope = match (&out.group, queue.dedup_per_group()) {
            (Some(g), true) => format!("{g}\u{0}{d}"),
            _ => d.clone(),
        };
        let key = q.keys.dedup(&q.name, &scope);
        if let Some(bytes) = txn.get(&key)? {
            let seen: Dedup = decode("dedup", &bytes)?;
            if seen.expires_ms > now {
                return Ok(Sent { id: seen.id, sequence: seen.sequence });
            }
        }
        dedup_key = Some(key);
    }
    let id = uuid::Uuid::new_v4().to_string();
    let delay = out.delay.unwrap_or_else(|| queue.delay_seconds());
    let msg = Message {
        id: id.clone(),
        body: out.body.clone(),
        attributes: out.attributes.clone(),
        system: out.system.clone(),
        md5_body: out.md5_body.clone(),
        md5_attributes: out.md5_attributes.clone(),
        md5_system: out.md5_system.clone(),
        sent_ms: now,
        visible_at_ms: now + delay * 1000,
        receive_count: 0,
        first_receive_ms: None,
        receipt: None,
        group: out.group.clone(),
        dedup: if queue.fifo { out.dedup.clone() } else { None },
        sequence: sequence.clone(),
        sender: sender.to_string(),
        dlq_source: None,
    };
    txn.put(q.keys.message(&q.name, n), encode(&msg));
    if let Some(key) = dedup_key {
        let record = Dedup { id: id.clone(), sequence: sequence.clone(), expires_ms: now + DEDUP_WINDOW_MS };
        txn.put(key, encode(&record));
    }
    Ok(Sent { id, sequence })
}

fn result(out: &Outgoing, sent: &Sent) -> Map<String, Value> {
    let mut r = Map::new();
    r.insert("MessageId".into(), Value::from(sent.id.clone()));
    r.insert("MD5OfMessageBody".into(), Value::from(out.md5_body.clone()));
    if let Some(m) = &out.md5_attributes {
        r.insert("MD5OfMessageAttributes".into(), Value::from(m.clone()));
    }
    if let Some(m) = &out.md5_system {
        r.insert("MD5OfMessageSystemAttributes".into(), Value::from(m.clone()));
    }
    if let Some(s) = &sent.sequence {
        r.insert("SequenceNumber".into(), Value::from(s.clone()));
    }
    r
}

/// Stores prepared messages in one transaction.
async fn store_all(s: &Scope, q: &QueueRef, outs: Vec<Outgoing>, sender: String) -> Result<Vec<Sent>, AwsError> {
    let (qr, key) = (q.clone(), q.key());
    let now = now_ms();
    let sent = s
        .store()
        .transact(move |txn| {
            let Some(bytes) = txn.get(&key)? else { return Err(no_queue()) };
            let queue: Queue = decode("queue", &bytes)?;
            outs.iter().map(|o| enqueue(txn, &qr, &queue, o, &sender, now)).collect::<Result<Vec<_>, _>>()
        })
        .await?;
    s.shared.waiters.notify(&q.key());
    Ok(sent)
}

/// The SenderId of a caller: the account (root) of the request.
fn sender(ctx: &RequestContext) -> String {
    ctx.account_id.clone()
}

pub async fn send(s: &Scope, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (q, queue) = s.load(input)?;
    let out = prepare(&queue, input)?;
    let sent = store_all(s, &q, vec![out.clone()], sender(ctx)).await?;
    let first = sent.first().ok_or_else(|| AwsError::internal("send stored nothing"))?;
    Ok(Value::Object(result(&out, first)))
}

pub async fn send_batch(s: &Scope, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (q, queue) = s.load(input)?;
    let entries = input.list("Entries");
    checks::batch(entries, "SendMessageBatchRequestEntry")?;
    let mut ok = Vec::new();
    let mut failed = Vec::new();
    let mut total = 0;
    for e in entries {
        let id = e.str("Id").unwrap_or_default().to_string();
        match prepare(&queue, e) {
            Ok(out) => {
                total += out.size;
                ok.push((id, out));
            }
            Err(mut err) => {
                // AWS words the size limit differently inside batches.
                if let Some(reason) =
                    err.message.strip_prefix("One or more parameters are invalid. Reason: Message must")
                {
                    err.message = format!("One or more parameters cannot be validated. Reason: Message must{reason}");
                }
                failed.push(failure(&id, &err))
            }
        }
    }
    if total > 1_048_576 {
        return Err(AwsError::bad_request(
            "BatchRequestTooLong",
            format!("Batch requests cannot be longer than 1048576 bytes. You have sent {total} bytes."),
        ));
    }
    let outs: Vec<Outgoing> = ok.iter().map(|(_, o)| o.clone()).collect();
    let sent = if outs.is_empty() { Vec::new() } else { store_all(s, &q, outs, sender(ctx)).await? };
    let successful: Vec<Value> = ok
        .iter()
        .zip(sent.iter())
        .map(|((id, out), sent)| {
            let mut r = result(out, sent);
            r.insert("Id".into(), Value::from(id.clone()));
            Value::Object(r)
        })
        .collect();
    Ok(batch_result(successful, failed))
}

/// A batch output; AWS leaves out an empty `Successful` or `Failed`.
pub fn batch_result(successful: Vec<Value>, failed: Vec<Value>) -> Value {
    let mut out = Map::new();
    if !successful.is_empty() {
        out.insert("Successful".into(), Value::Array(successful));
    }
    if !failed.is_empty() {
        out.insert("Failed".into(), Value::Array(failed));
    }
    Value::Object(out)
}

/// A `BatchResultErrorEntry` for an entry that failed with `err`.
pub fn failure(id: &str, err: &AwsError) -> Value {
    json!({
        "Id": id,
        "SenderFault": err.sender_fault,
        "Code": legacy_code(&err.code),
        "Message": err.message,
    })
}
