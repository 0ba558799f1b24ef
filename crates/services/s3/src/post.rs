//! POST Object: browser-form uploads (`multipart/form-data` to a bucket, as
//! boto3's `generate_presigned_post` builds them). This module owns the form
//! parser, the POST policy (expiration and conditions), the bucket policy's
//! leave (as the signer's PutObject) and the answers
//! (204/200/201 PostResponse or a 303 redirect); the object itself goes
//! through PutObject's ingest path and emits `ObjectCreated:Post`.
//!
//! The front door hands claimed requests over with their body read whole,
//! so the form (file included) is held in memory here. Who signed it is
//! `post_auth`'s question.

use base64::Engine;
use serde_json::{Map, Value, json};
use stratus_core::{AwsError, BodyStream, HttpRequest, HttpResponse, RequestContext};

use crate::cors::{error as error_response, escape, target};
use crate::shared::Shared;

/// One form field: its name as sent, its value, and the file name if any.
struct Field {
    name: String,
    value: Vec<u8>,
    filename: Option<String>,
}

/// Whether `req` is a form upload to a bucket (`POST /{bucket}` or `POST /`
/// on a virtual-hosted bucket).
pub fn claims(req: &HttpRequest) -> bool {
    req.method == http::Method::POST
        && req.content_type().starts_with("multipart/form-data")
        && matches!(target(req), Some((_, false)))
}

/// Serves a form upload; every failure answers S3's XML error.
pub async fn serve(sh: &Shared, req: &HttpRequest) -> HttpResponse {
    match upload(sh, req).await {
        Ok(resp) => resp,
        Err(e) => {
            let extra: Vec<(String, String)> = e
                .fields
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_string)))
                .collect();
            let extra: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            error_response(e.status, &e.code, &escape(&e.message), &extra)
        }
    }
}

async fn upload(sh: &Shared, req: &HttpRequest) -> Result<HttpResponse, AwsError> {
    let Some((bucket, _)) = target(req) else { return Err(crate::post_auth::missing("key")) };
    let fields = parse_form(req)?;
    let form = Form::new(&fields, &bucket)?;
    let account = crate::post_auth::check(sh, |name| form.get(name))?;
    if let Some(policy) = form.get("policy") {
        check_policy(policy, &form)?;
    }
    let mut input = form.put_input();
    input["Bucket"] = Value::from(bucket.clone());
    input["Key"] = Value::from(form.key.clone());
    // The bucket policy sees a form upload as the signer's PutObject.
    let mut ctx = RequestContext::internal("s3", "PutObject");
    ctx.account_id = account;
    crate::policy_eval::authorize(sh, &ctx, &input)?;
    ctx.operation = "PostObject";
    if ctx.account_id == crate::policy_eval::ANONYMOUS_ACCOUNT {
        // An anonymous upload's object belongs to the bucket's owner.
        ctx.account_id = sh.bucket(&bucket)?.account;
    }
    let body = BodyStream::from_bytes(form.file.to_vec());
    let out = crate::objects::put_event(sh, &ctx, &input, body, "ObjectCreated:Post").await?;
    let etag = out.get("ETag").and_then(Value::as_str).unwrap_or_default().to_string();
    Ok(answer(req, &form, &bucket, &etag))
}

/// The form once read: fields by lower-cased name (up to the file), the key
/// with `${filename}` substituted, and the file's bytes.
struct Form<'a> {
    values: Vec<(String, String)>,
    key: String,
    file: &'a [u8],
}

impl<'a> Form<'a> {
    fn new(fields: &'a [Field], bucket: &str) -> Result<Form<'a>, AwsError> {
        let mut values = vec![("bucket".to_string(), bucket.to_string())];
        let mut file = None;
        for f in fields {
            if f.name.eq_ignore_ascii_case("file") {
                file = Some(f);
                break; // AWS ignores fields after the file.
            }
            values.push((f.name.to_ascii_lowercase(), String::from_utf8_lossy(&f.value).into_owned()));
        }
        let find = |n: &str| values.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        let Some(file) = file else { return Err(crate::post_auth::missing("file")) };
        let Some(key) = find("key") else { return Err(crate::post_auth::missing("key")) };
        let key = key.replace("${filename}", file.filename.as_deref().unwrap_or_default());
        let mut form = Form { values, key: key.clone(), file: &file.value };
        // Conditions on `$key` see the substituted key.
        if let Some(slot) = form.values.iter_mut().find(|(k, _)| k == "key") {
            slot.1 = key;
        }
        Ok(form)
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.values.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// PutObject's input members for the form's fields.
    fn put_input(&self) -> Value {
        let mut input = Map::new();
        for (field, member) in [
            ("content-type", "ContentType"),
            ("cache-control", "CacheControl"),
            ("content-disposition", "ContentDisposition"),
            ("content-encoding", "ContentEncoding"),
            ("expires", "Expires"),
            ("acl", "ACL"),
            ("x-amz-storage-class", "StorageClass"),
            ("x-amz-server-side-encryption", "ServerSideEncryption"),
            ("x-amz-website-redirect-location", "WebsiteRedirectLocation"),
        ] {
            if let Some(v) = self.get(field) {
                input.insert(member.into(), Value::from(v));
            }
        }
        let meta: Map<String, Value> = self
            .values
            .iter()
            .filter_map(|(k, v)| k.strip_prefix("x-amz-meta-").map(|m| (m.to_string(), Value::from(v.as_str()))))
            .collect();
        if !meta.is_empty() {
            input.insert("Metadata".into(), Value::Object(meta));
        }
        if let Some(xml) = self.get("tagging") {
            input.insert("Tagging".into(), Value::from(tagging_query(xml)));
        }
        Value::Object(input)
    }
}

/// The `tagging` field's `<Tagging><TagSet><Tag>` document as the
/// `x-amz-tagging` query form PutObject reads.
fn tagging_query(xml: &str) -> String {
    let inner = |s: &str, tag: &str| -> Option<String> {
        let start = s.find(&format!("<{tag}>"))? + tag.len() + 2;
        let end = s[start..].find(&format!("</{tag}>"))? + start;
        Some(unescape(&s[start..end]))
    };
    let mut out = form_urlencoded::Serializer::new(String::new());
    for tag in xml.split("<Tag>").skip(1) {
        if let Some(k) = inner(tag, "Key") {
            out.append_pair(&k, &inner(tag, "Value").unwrap_or_default());
        }
    }
    out.finish()
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}

/// Checks the base64 policy document: expiration, then each condition.
fn check_policy(policy_b64: &str, form: &Form) -> Result<(), AwsError> {
    let doc: Value = base64::engine::general_purpose::STANDARD
        .decode(policy_b64.trim())
        .ok()
        .and_then(|raw| serde_json::from_slice(&raw).ok())
        .ok_or_else(|| invalid_policy("Invalid Policy: Invalid JSON."))?;
    let expiration = doc
        .get("expiration")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid_policy("Invalid Policy: Policy missing expiration."))?;
    let expires = time::OffsetDateTime::parse(expiration, &time::format_description::well_known::Rfc3339)
        .map_err(|_| invalid_policy("Invalid Policy: Invalid 'expiration' value: '".to_string() + expiration + "'"))?;
    if expires <= stratus_core::clock::now() {
        return Err(access_denied("Policy expired."));
    }
    let conditions = doc.get("conditions").and_then(Value::as_array).cloned().unwrap_or_default();
    for c in &conditions {
        check_condition(c, form)?;
    }
    Ok(())
}

/// One condition: `{"field": "value"}`, `["eq"|"starts-with", "$field",
/// value]` or `["content-length-range", min, max]`.
fn check_condition(c: &Value, form: &Form) -> Result<(), AwsError> {
    match c {
        Value::Object(m) => {
            let [(name, value)] = m.iter().collect::<Vec<_>>()[..] else {
                return Err(invalid_policy(
                    "Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.",
                ));
            };
            let expected = value.as_str().unwrap_or_default();
            if form.get(&name.to_ascii_lowercase()) != Some(expected) {
                return Err(condition_failed(&[json!("eq"), json!(format!("${name}")), value.clone()]));
            }
            Ok(())
        }
        Value::Array(parts) => check_array(parts, form),
        _ => Err(invalid_policy("Invalid Policy: Invalid Condition.")),
    }
}

fn check_array(parts: &[Value], form: &Form) -> Result<(), AwsError> {
    let op = parts.first().and_then(Value::as_str).unwrap_or_default().to_ascii_lowercase();
    if parts.len() != 3 {
        return Err(invalid_policy(format!("Invalid Policy: Invalid '{op}' condition: wrong number of arguments.")));
    }
    if op == "content-length-range" {
        return check_length(parts, form.file.len() as u64);
    }
    let failed = || condition_failed(parts);
    let field = parts[1].as_str().unwrap_or_default();
    let Some(name) = field.strip_prefix('$') else { return Err(failed()) };
    let want = parts[2].as_str().unwrap_or_default();
    let got = form.get(&name.to_ascii_lowercase()).unwrap_or_default();
    let ok = match op.as_str() {
        "eq" => got == want,
        "starts-with" if name.eq_ignore_ascii_case("content-type") => {
            got.split(',').all(|t| t.trim().starts_with(want))
        }
        "starts-with" => got.starts_with(want),
        _ => return Err(invalid_policy(format!("Invalid Policy: Invalid condition '{op}'."))),
    };
    if ok { Ok(()) } else { Err(failed()) }
}

/// `["content-length-range", min, max]` against the file's size.
fn check_length(parts: &[Value], size: u64) -> Result<(), AwsError> {
    let bound = |v: &Value| v.as_u64().or_else(|| v.as_str().and_then(|s| s.parse().ok()));
    let (Some(min), Some(max)) = (bound(&parts[1]), bound(&parts[2])) else {
        return Err(condition_failed(parts));
    };
    if size > max {
        return Err(AwsError::new(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
            .with_field("ProposedSize", Value::from(size.to_string()))
            .with_field("MaxSizeAllowed", Value::from(max.to_string())));
    }
    if size < min {
        return Err(AwsError::new(
            400,
            "EntityTooSmall",
            "Your proposed upload is smaller than the minimum allowed size",
        )
        .with_field("ProposedSize", Value::from(size.to_string()))
        .with_field("MinSizeAllowed", Value::from(min.to_string())));
    }
    Ok(())
}

/// AWS's failed-condition message quotes every element as a string.
fn condition_failed(parts: &[Value]) -> AwsError {
    let quoted: Vec<String> = parts
        .iter()
        .map(|p| Value::from(p.as_str().map_or_else(|| p.to_string(), str::to_string)).to_string())
        .collect();
    access_denied(&format!("Policy Condition failed: [{}]", quoted.join(", ")))
}

fn access_denied(why: &str) -> AwsError {
    AwsError::new(403, "AccessDenied", format!("Invalid according to Policy: {why}"))
}

fn invalid_policy(message: impl Into<String>) -> AwsError {
    AwsError::new(400, "InvalidPolicyDocument", message.into())
}

/// The success answer the form asked for: a 303 to `success_action_redirect`,
/// else `success_action_status` (204 by default; 201 with a PostResponse).
fn answer(req: &HttpRequest, form: &Form, bucket: &str, etag: &str) -> HttpResponse {
    let encoded = crate::notify::encode_key(&form.key);
    let location = match target(req) {
        Some(_) if req.host().contains(&format!("{bucket}.")) => format!("http://{}/{encoded}", req.host()),
        _ => format!("http://{}/{bucket}/{encoded}", req.host()),
    };
    if let Some(redirect) = form.get("success_action_redirect").filter(|r| !r.is_empty()) {
        let sep = if redirect.contains('?') { '&' } else { '?' };
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("bucket", bucket)
            .append_pair("key", &form.key)
            .append_pair("etag", etag)
            .finish();
        return HttpResponse { status: 303, ..Default::default() }
            .header("Location", format!("{redirect}{sep}{query}"))
            .header("ETag", etag);
    }
    let resp = match form.get("success_action_status") {
        Some("201") => HttpResponse::new(
            201,
            "application/xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PostResponse><Location>{}</Location><Bucket>{}</Bucket><Key>{}</Key><ETag>{}</ETag></PostResponse>",
                escape(&location),
                escape(bucket),
                escape(&form.key),
                escape(etag)
            ),
        ),
        Some("200") => HttpResponse { status: 200, ..Default::default() },
        _ => HttpResponse { status: 204, ..Default::default() },
    };
    resp.header("ETag", etag).header("Location", location)
}

/// Splits a `multipart/form-data` body into its fields, in order.
fn parse_form(req: &HttpRequest) -> Result<Vec<Field>, AwsError> {
    let malformed = || {
        AwsError::new(
            400,
            "MalformedPOSTRequest",
            "The body of your POST request is not well-formed multipart/form-data.",
        )
    };
    let boundary = req
        .header("content-type")
        .unwrap_or_default()
        .split(';')
        .filter_map(|p| p.trim().strip_prefix("boundary="))
        .next()
        .map(|b| b.trim_matches('"').to_string())
        .ok_or_else(malformed)?;
    let delimiter = format!("--{boundary}");
    let body: &[u8] = &req.body;
    let mut fields = Vec::new();
    let mut rest = &body[find(body, delimiter.as_bytes()).ok_or_else(malformed)? + delimiter.len()..];
    loop {
        if rest.starts_with(b"--") {
            return Ok(fields);
        }
        rest = rest.strip_prefix(b"\r\n").ok_or_else(malformed)?;
        let end = find(rest, format!("\r\n{delimiter}").as_bytes()).ok_or_else(malformed)?;
        fields.push(parse_part(&rest[..end]).ok_or_else(malformed)?);
        rest = &rest[end + 2 + delimiter.len()..];
    }
}

/// One part: headers, a blank line, the value.
fn parse_part(part: &[u8]) -> Option<Field> {
    let split = find(part, b"\r\n\r\n")?;
    let head = std::str::from_utf8(&part[..split]).ok()?;
    let disposition = head.lines().find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))?;
    let param = |name: &str| {
        disposition
            .split(';')
            .map(str::trim)
            .find_map(|p| p.strip_prefix(name))
            .map(|v| v.trim_matches('"').to_string())
    };
    Some(Field { name: param("name=")?, value: part[split + 4..].to_vec(), filename: param("filename=") })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
