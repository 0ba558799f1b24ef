//! Request decoding: finds the operation in the wire form the request uses,
//! converts its parameters into the model-keyed input value, and validates
//! that value against the model.

use crate::conventions;
use crate::model::{Location, Operation, Protocol, ServiceModel, ShapeKind};
use crate::{json, query, rest, validate, xml};
use base64::Engine;
use serde_json::{Map, Value};
use stratus_core::AwsError;
use stratus_core::http::HttpRequest;

/// A request turned into an operation and its input.
#[derive(Debug)]
pub struct Decoded {
    pub operation: &'static Operation,
    pub input: Value,
}

/// Decodes and validates `req` for `model` in the `wire` protocol.
pub fn decode(model: &'static ServiceModel, wire: Protocol, req: &HttpRequest) -> Result<Decoded, AwsError> {
    decode_found(model, wire, req, None)
}

/// `decode`, for a REST request whose operation (and URI labels) the front
/// door already found from the head.
pub fn decode_found(
    model: &'static ServiceModel,
    wire: Protocol,
    req: &HttpRequest,
    found: Option<(&'static Operation, rest::Labels)>,
) -> Result<Decoded, AwsError> {
    let (operation, input) = match wire {
        Protocol::AwsJson10 | Protocol::AwsJson11 => decode_json_rpc(model, req)?,
        Protocol::Query => decode_query(model, req)?,
        Protocol::RestJson | Protocol::RestXml => decode_rest(model, wire, req, found)?,
    };
    if let Some(shape) = operation.input.filter(|_| conventions::validates_input(model)) {
        validate::validate(model, shape, &input)
            .map_err(|msg| AwsError::bad_request(conventions::validation_error_code(model, wire), msg))?;
    }
    Ok(Decoded { operation, input })
}

/// The error for a body that does not fit the model.
pub fn serialization_error(message: impl Into<String>) -> AwsError {
    AwsError::bad_request("SerializationException", message)
}

fn decode_json_rpc(model: &'static ServiceModel, req: &HttpRequest) -> Result<(&'static Operation, Value), AwsError> {
    let target = req.header("x-amz-target").unwrap_or("");
    let name = target.rsplit_once('.').map(|(_, op)| op).unwrap_or("");
    let operation = model.operation(name).ok_or_else(|| AwsError::bad_request("UnknownOperationException", ""))?;
    let body: Value = if req.body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Map::new())
    } else {
        serde_json::from_slice(&req.body)
            .map_err(|e| serialization_error(format!("Unable to parse request body: {e}")))?
    };
    if !body.is_object() {
        return Err(serialization_error("Start of structure or map expected"));
    }
    let input = match operation.input {
        Some(shape) => json::from_wire(model, shape, body, false).map_err(|e| serialization_error(e.0))?,
        None => Value::Object(Map::new()),
    };
    Ok((operation, input))
}

fn decode_query(model: &'static ServiceModel, req: &HttpRequest) -> Result<(&'static Operation, Value), AwsError> {
    let params = query::Params::new(req.form_params());
    let action = params.get("Action").ok_or_else(|| AwsError::bad_request("MissingAction", "Missing Action"))?;
    let operation = model.operation(action).ok_or_else(|| {
        AwsError::bad_request("InvalidAction", format!("The action {action} is not valid for this web service."))
    })?;
    let input = match operation.input {
        Some(shape) => query::decode(model, shape, &params)
            .map_err(|msg| AwsError::bad_request(conventions::validation_error_code(model, Protocol::Query), msg))?,
        None => Value::Object(Map::new()),
    };
    Ok((operation, input))
}

fn decode_rest(
    model: &'static ServiceModel,
    wire: Protocol,
    req: &HttpRequest,
    found: Option<(&'static Operation, rest::Labels)>,
) -> Result<(&'static Operation, Value), AwsError> {
    let (operation, labels) = found.or_else(|| rest::find_operation(model, req)).ok_or_else(|| {
        AwsError::new(404, "UnknownOperationException", format!("No operation matches {} {}", req.method, req.path))
    })?;
    let mut out = Map::new();
    let Some(shape) = operation.input else { return Ok((operation, Value::Object(out))) };
    let ShapeKind::Structure(st) = &model.shape(shape).kind else { return Ok((operation, Value::Object(out))) };
    rest::decode_bindings(model, operation, req, &labels, &mut out)
        .map_err(|msg| AwsError::bad_request(conventions::validation_error_code(model, wire), msg))?;
    let malformed = |msg: String| match wire {
        Protocol::RestXml => AwsError::bad_request(
            "MalformedXML",
            format!(
                "The XML you provided was not well-formed or did not validate against our published schema ({msg})"
            ),
        ),
        _ => serialization_error(msg),
    };
    let body_empty = req.body.iter().all(u8::is_ascii_whitespace);
    if let Some(payload) = st.payload.and_then(|p| st.member(p)) {
        let value = match &model.shape(payload.shape).kind {
            ShapeKind::Blob(_) => {
                (!req.body.is_empty()).then(|| Value::from(base64::engine::general_purpose::STANDARD.encode(&req.body)))
            }
            ShapeKind::String(_) => {
                (!req.body.is_empty()).then(|| Value::from(String::from_utf8_lossy(&req.body).into_owned()))
            }
            _ if body_empty => None,
            _ if wire == Protocol::RestXml => {
                let root = xml::parse(&req.body).map_err(malformed)?;
                Some(xml::from_xml(model, payload.shape, &root).map_err(malformed)?)
            }
            _ => {
                let v: Value = serde_json::from_slice(&req.body).map_err(|e| malformed(e.to_string()))?;
                Some(json::from_wire(model, payload.shape, v, false).map_err(|e| malformed(e.0))?)
            }
        };
        if let Some(v) = value {
            out.insert(payload.name.to_string(), v);
        }
    } else if !body_empty && st.members.iter().any(|m| m.location == Location::Body) {
        let body = match wire {
            Protocol::RestXml => {
                let root = xml::parse(&req.body).map_err(malformed)?;
                xml::from_xml(model, shape, &root).map_err(malformed)?
            }
            _ => {
                let v: Value = serde_json::from_slice(&req.body).map_err(|e| malformed(e.to_string()))?;
                if !v.is_object() {
                    return Err(malformed("Start of structure or map expected".into()));
                }
                json::from_wire(model, shape, v, true).map_err(|e| malformed(e.0))?
            }
        };
        if let Value::Object(members) = body {
            out.extend(members);
        }
    }
    Ok((operation, Value::Object(out)))
}
