//! Response encoding: output values and `AwsError`s rendered the way each
//! protocol writes them, with the request id in that protocol's header.

use crate::conventions;
use crate::model::{Operation, Protocol, ServiceModel, ShapeKind};
use crate::{json, json_out, rest, xml};
use base64::Engine;
use serde_json::{Map, Value};
use stratus_core::AwsError;
use stratus_core::http::HttpResponse;

/// Content type of JSON bodies for a wire protocol.
fn json_content_type(wire: Protocol) -> &'static str {
    match wire {
        Protocol::AwsJson10 => "application/x-amz-json-1.0",
        Protocol::AwsJson11 => "application/x-amz-json-1.1",
        _ => "application/json",
    }
}

/// Adds the request-id header(s) a protocol uses.
pub fn with_request_id(resp: HttpResponse, model: Option<&ServiceModel>, request_id: &str) -> HttpResponse {
    if model.is_some_and(|m| m.protocol == Protocol::RestXml) {
        resp.header("x-amz-request-id", request_id)
            .header("x-amz-id-2", base64::engine::general_purpose::STANDARD.encode(request_id))
    } else {
        resp.header("x-amzn-RequestId", request_id)
    }
}

/// Renders a successful output.
pub fn output(model: &ServiceModel, wire: Protocol, op: &Operation, out: &Value, request_id: &str) -> HttpResponse {
    let resp = match wire {
        Protocol::AwsJson10 | Protocol::AwsJson11 => {
            let bytes = match op.output {
                Some(shape) => json_out::to_wire_bytes(model, shape, out, false),
                None => b"{}".to_vec(),
            };
            let crc = crc32fast::hash(&bytes);
            HttpResponse::new(200, json_content_type(wire), bytes).header("x-amz-crc32", crc.to_string())
        }
        Protocol::Query => {
            let ns = conventions::xml_namespace(model).unwrap_or("");
            let mut body = format!("<{}Response xmlns=\"{ns}\">", op.name);
            if let Some(shape) = op.output {
                let wrapper = op.result_wrapper.map(str::to_string).unwrap_or_else(|| format!("{}Result", op.name));
                body.push_str(&format!("<{wrapper}>"));
                xml::write_members(&mut body, model, shape, out);
                body.push_str(&format!("</{wrapper}>"));
            }
            body.push_str(&format!(
                "<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{}Response>",
                op.name
            ));
            HttpResponse::new(200, "text/xml", body)
        }
        Protocol::RestJson | Protocol::RestXml => rest_output(model, wire, op, out),
    };
    with_request_id(resp, Some(model), request_id)
}

fn rest_output(model: &ServiceModel, wire: Protocol, op: &Operation, out: &Value) -> HttpResponse {
    let (status, headers) = rest::encode_bindings(model, op, out);
    let status = status.or_else(|| conventions::success_status(model, op.name, out)).unwrap_or(op.success_code);
    let mut resp = HttpResponse { status, headers, ..Default::default() };
    if let Some(member) = conventions::xml_text_root(model, op.name) {
        let text = out.get(member).and_then(Value::as_str).unwrap_or_default();
        let ns = conventions::xml_namespace(model).map(|ns| format!(" xmlns=\"{ns}\"")).unwrap_or_default();
        resp.body =
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{member}{ns}>{}</{member}>", xml::escape(text))
                .into();
        resp.headers.push(("Content-Type".into(), "application/xml".into()));
        return resp;
    }
    let Some(shape) = op.output else { return resp };
    let ShapeKind::Structure(st) = &model.shape(shape).kind else { return resp };
    if let Some(payload) = st.payload.and_then(|p| st.member(p)) {
        let Some(v) = out.get(payload.name).filter(|v| !v.is_null()) else { return resp };
        match &model.shape(payload.shape).kind {
            ShapeKind::Blob(_) => {
                let raw = v
                    .as_str()
                    .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
                    .unwrap_or_default();
                resp.body = raw.into();
            }
            ShapeKind::String(_) => resp.body = v.as_str().unwrap_or_default().to_string().into(),
            _ if wire == Protocol::RestXml => {
                let name = model_root_name(model, payload.shape, payload.location_name);
                let mut body = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
                xml::write_value(&mut body, model, payload.shape, name, v, false, None);
                add_namespace(&mut body, model, name);
                resp.body = body.into();
                resp.headers.push(("Content-Type".into(), "application/xml".into()));
            }
            _ => {
                resp.body =
                    serde_json::to_vec(&json::to_wire(model, payload.shape, v, false)).unwrap_or_default().into();
                resp.headers.push(("Content-Type".into(), "application/json".into()));
            }
        }
        return resp;
    }
    if !st.members.iter().any(|m| m.location == crate::model::Location::Body) {
        // Everything travels in headers (HeadObject, PutObject): no body.
        return resp;
    }
    if wire == Protocol::RestXml {
        let name = conventions::xml_output_root(model, op.name).or(st.location_name).unwrap_or(model.shape(shape).name);
        let mut body = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        body.push_str(&format!("<{name}>"));
        xml::write_members(&mut body, model, shape, out);
        body.push_str(&format!("</{name}>"));
        add_namespace(&mut body, model, name);
        resp.body = body.into();
        resp.headers.push(("Content-Type".into(), "application/xml".into()));
    } else {
        resp.body = serde_json::to_vec(&json::to_wire(model, shape, out, true)).unwrap_or_default().into();
        resp.headers.push(("Content-Type".into(), "application/json".into()));
    }
    resp
}

fn model_root_name(
    model: &ServiceModel,
    shape: crate::model::ShapeId,
    member_name: Option<&'static str>,
) -> &'static str {
    match &model.shape(shape).kind {
        ShapeKind::Structure(st) => member_name.or(st.location_name).unwrap_or(model.shape(shape).name),
        _ => member_name.unwrap_or(model.shape(shape).name),
    }
}

fn add_namespace(body: &mut String, model: &ServiceModel, root: &str) {
    if let Some(ns) = conventions::xml_namespace(model) {
        let open = format!("<{root}>");
        if let Some(i) = body.find(&open) {
            body.replace_range(i..i + open.len(), &format!("<{root} xmlns=\"{ns}\">"));
        }
    }
}

/// Renders an error. `model` is None when the request matched no service.
pub fn error(model: Option<&ServiceModel>, wire: Protocol, err: &AwsError, request_id: &str) -> HttpResponse {
    let shape_info = model.and_then(|m| m.error_shape(&err.code)).and_then(|s| s.error.as_ref());
    let status = err.status;
    let sender = shape_info.map(|e| e.sender_fault).unwrap_or(err.sender_fault);
    let mut resp = match wire {
        Protocol::AwsJson10 | Protocol::AwsJson11 => {
            let mut body = Map::new();
            let type_name = match model {
                Some(m) => conventions::json_error_type(m, &err.code),
                None => err.code.clone(),
            };
            body.insert("__type".into(), Value::from(type_name));
            if !err.message.is_empty() {
                body.insert("message".into(), Value::from(err.message.clone()));
            }
            body.extend(err.fields.clone());
            let bytes = serde_json::to_vec(&body).unwrap_or_default();
            let crc = crc32fast::hash(&bytes);
            let mut r =
                HttpResponse::new(status, json_content_type(wire), bytes).header("x-amz-crc32", crc.to_string());
            if model.is_some_and(|m| m.query_compatible) {
                let code = shape_info
                    .and_then(|e| e.code)
                    .or_else(|| model.and_then(|m| conventions::query_error_code(m, &err.code)))
                    .unwrap_or(&err.code);
                let fault = if sender { "Sender" } else { "Receiver" };
                r = r.header("x-amzn-query-error", format!("{code};{fault}"));
            }
            r
        }
        Protocol::RestJson => {
            let mut body = Map::new();
            let key = model.map(conventions::rest_json_message_key).unwrap_or("message");
            if model.is_some_and(|m| m.name == "lambda") {
                body.insert("Type".into(), Value::from(if sender { "User" } else { "Service" }));
            }
            body.insert(key.into(), Value::from(err.message.clone()));
            body.extend(err.fields.clone());
            HttpResponse::new(status, "application/json", serde_json::to_vec(&body).unwrap_or_default())
                .header("x-amzn-ErrorType", err.code.clone())
        }
        Protocol::RestXml if model.is_none_or(|m| m.name == "s3") => {
            let mut body = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{}</Code><Message>{}</Message>",
                xml::escape(&err.code),
                xml::escape(&err.message)
            );
            write_error_fields(&mut body, &err.fields);
            body.push_str(&format!(
                "<RequestId>{request_id}</RequestId><HostId>{}</HostId></Error>",
                base64::engine::general_purpose::STANDARD.encode(request_id)
            ));
            HttpResponse::new(status, "application/xml", body)
        }
        Protocol::Query | Protocol::RestXml => {
            let ns = model.and_then(conventions::xml_namespace).unwrap_or("");
            let code = shape_info
                .and_then(|e| e.code)
                .or_else(|| model.and_then(|m| conventions::query_error_code(m, &err.code)))
                .unwrap_or(&err.code);
            let mut body = format!(
                "<ErrorResponse xmlns=\"{ns}\"><Error><Type>{}</Type><Code>{}</Code><Message>{}</Message>",
                if sender { "Sender" } else { "Receiver" },
                xml::escape(code),
                xml::escape(&err.message)
            );
            write_error_fields(&mut body, &err.fields);
            body.push_str(&format!("</Error><RequestId>{request_id}</RequestId></ErrorResponse>"));
            HttpResponse::new(status, "text/xml", body)
        }
    };
    resp.headers.extend(err.headers.iter().cloned());
    with_request_id(resp, model, request_id)
}

fn write_error_fields(body: &mut String, fields: &Map<String, Value>) {
    for (k, v) in fields {
        let text = match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        body.push_str(&format!("<{k}>{}</{k}>", xml::escape(&text)));
    }
}
