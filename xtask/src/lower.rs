//! Lowering botocore's `service-2.json` into an owned mirror of
//! `crates/protocol/src/model.rs`.
//!
//! This file owns the mapping rules (botocore trait -> Stratus model field)
//! and the validation of the input (unknown types, dangling shape
//! references, too many shapes). It knows nothing about Rust syntax: `emit.rs`
//! turns the result into source text. The types below have the same fields
//! as their namesakes in model.rs, with owned strings instead of `'static`.

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail};
use serde_json::{Map as JsonMap, Value};

#[derive(Debug, Clone, Copy)]
pub enum Protocol {
    AwsJson10,
    AwsJson11,
    RestJson,
    RestXml,
    Query,
}

#[derive(Debug, Clone, Copy)]
pub enum Location {
    Body,
    Header,
    Headers,
    Querystring,
    Uri,
    StatusCode,
}

#[derive(Debug, Clone, Copy)]
pub enum TimestampFormat {
    Iso8601,
    Rfc822,
    UnixTimestamp,
}

pub struct ServiceModel {
    pub name: String,
    pub api_version: String,
    pub protocol: Protocol,
    pub signing_name: String,
    pub endpoint_prefix: String,
    pub target_prefix: Option<String>,
    pub xml_namespace: Option<String>,
    pub query_compatible: bool,
    pub operations: Vec<Operation>,
    pub shapes: Vec<Shape>,
    /// Things in the model that the Stratus model cannot express, for the
    /// person running the generator.
    pub notes: Vec<String>,
}

pub struct Operation {
    pub name: String,
    pub method: String,
    pub request_uri: String,
    pub success_code: u16,
    pub input: Option<u16>,
    pub output: Option<u16>,
    pub result_wrapper: Option<String>,
    pub errors: Vec<u16>,
}

pub struct Shape {
    pub name: String,
    pub kind: ShapeKind,
    pub error: Option<ErrorInfo>,
}

pub struct ErrorInfo {
    pub code: Option<String>,
    pub status: u16,
    pub sender_fault: bool,
}

pub enum ShapeKind {
    Structure(Structure),
    List(List),
    Map(Map),
    String(StringShape),
    Integer(Range),
    Long(Range),
    Float(Range),
    Double(Range),
    Boolean,
    Blob(BlobShape),
    Timestamp(Option<TimestampFormat>),
}

#[derive(Default)]
pub struct Structure {
    pub members: Vec<Member>,
    pub required: Vec<String>,
    pub payload: Option<String>,
    pub union: bool,
    pub event_stream: bool,
    pub xml_namespace: Option<String>,
    pub location_name: Option<String>,
}

pub struct Member {
    pub name: String,
    pub shape: u16,
    pub location: Location,
    pub location_name: Option<String>,
    pub query_name: Option<String>,
    pub xml_attribute: bool,
    pub xml_namespace: Option<String>,
    pub flattened: bool,
    pub idempotency_token: bool,
    pub json_value: bool,
    pub timestamp_format: Option<TimestampFormat>,
    pub host_label: bool,
    pub event_payload: bool,
    pub streaming: bool,
}

pub struct List {
    pub member: u16,
    pub member_name: Option<String>,
    pub flattened: bool,
    pub min: Option<i64>,
    pub max: Option<i64>,
}

pub struct Map {
    pub key: u16,
    pub value: u16,
    pub key_name: Option<String>,
    pub value_name: Option<String>,
    pub flattened: bool,
    pub min: Option<i64>,
    pub max: Option<i64>,
}

pub struct StringShape {
    pub enum_values: Vec<String>,
    pub pattern: Option<String>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub sensitive: bool,
}

pub struct Range {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

pub struct BlobShape {
    pub streaming: bool,
    pub min: Option<i64>,
    pub max: Option<i64>,
}

/// Lowers one botocore model. `name` is botocore's folder name.
pub fn lower(name: &str, api_version: &str, json: &Value) -> Result<ServiceModel> {
    let root = object(json, "model root")?;
    let metadata = object(field(root, "metadata")?, "metadata")?;
    let raw_shapes = object(field(root, "shapes")?, "shapes")?;
    let raw_ops = object(field(root, "operations")?, "operations")?;

    // Shapes are numbered in name order; a ShapeId is an index into that.
    let mut names: Vec<&String> = raw_shapes.keys().collect();
    names.sort();
    if names.len() > usize::from(u16::MAX) {
        bail!("{} shapes do not fit a u16 ShapeId", names.len());
    }
    let ids = Ids(names.iter().enumerate().map(|(i, n)| (n.as_str(), i as u16)).collect());

    let mut notes = Vec::new();
    let mut shapes = Vec::with_capacity(names.len());
    for shape_name in &names {
        let shape = lower_shape(shape_name, &raw_shapes[shape_name.as_str()], &ids, &mut notes)
            .with_context(|| format!("shape `{shape_name}`"))?;
        shapes.push(shape);
    }

    let mut op_names: Vec<&String> = raw_ops.keys().collect();
    op_names.sort();
    let mut operations = Vec::with_capacity(op_names.len());
    for op_name in op_names {
        let op = lower_operation(op_name, &raw_ops[op_name.as_str()], &ids)
            .with_context(|| format!("operation `{op_name}`"))?;
        operations.push(op);
    }

    let protocol = protocol(metadata)?;
    let endpoint_prefix = string(metadata, "endpointPrefix")?.context("metadata has no endpointPrefix")?;
    let signing_name = string(metadata, "signingName")?.unwrap_or_else(|| endpoint_prefix.clone());
    let xml_namespace = match xml_namespace(metadata)? {
        Some(ns) => Some(ns),
        None if matches!(protocol, Protocol::RestXml) => dominant_xml_namespace(raw_ops, raw_shapes),
        None => None,
    };
    Ok(ServiceModel {
        name: name.to_owned(),
        api_version: api_version.to_owned(),
        protocol,
        signing_name,
        endpoint_prefix,
        target_prefix: string(metadata, "targetPrefix")?,
        xml_namespace,
        query_compatible: metadata.contains_key("awsQueryCompatible"),
        operations,
        shapes,
        notes,
    })
}

/// Shape name -> ShapeId.
struct Ids<'a>(BTreeMap<&'a str, u16>);

impl Ids<'_> {
    /// The id of the shape named by `reference["shape"]`.
    fn of(&self, reference: &Value, what: &str) -> Result<u16> {
        let obj = object(reference, what)?;
        let name = string(obj, "shape")?.with_context(|| format!("{what} has no `shape`"))?;
        self.0.get(name.as_str()).copied().with_context(|| format!("{what} refers to unknown shape `{name}`"))
    }
}

/// `protocols` (first one Stratus speaks) else `protocol`, refined by
/// `jsonVersion` for `json`.
fn protocol(metadata: &JsonMap<String, Value>) -> Result<Protocol> {
    const SUPPORTED: [&str; 4] = ["json", "rest-json", "rest-xml", "query"];
    let listed: Vec<&str> = match metadata.get("protocols") {
        Some(list) => {
            list.as_array().context("metadata.protocols is not a list")?.iter().filter_map(Value::as_str).collect()
        }
        None => Vec::new(),
    };
    let single = string(metadata, "protocol")?;
    let chosen = listed
        .iter()
        .copied()
        .find(|p| SUPPORTED.contains(p))
        .or(single.as_deref().filter(|p| SUPPORTED.contains(p)))
        .with_context(|| format!("no supported protocol (protocols {listed:?}, protocol {single:?})"))?;
    Ok(match chosen {
        "query" => Protocol::Query,
        "rest-json" => Protocol::RestJson,
        "rest-xml" => Protocol::RestXml,
        _ => match string(metadata, "jsonVersion")?.as_deref() {
            Some("1.0") => Protocol::AwsJson10,
            Some("1.1") => Protocol::AwsJson11,
            other => bail!("json protocol with unsupported jsonVersion {other:?}"),
        },
    })
}

/// restXml models carry no service-wide namespace; the one their operations
/// and payload members declare (the most common, for determinism) stands in.
fn dominant_xml_namespace(ops: &JsonMap<String, Value>, shapes: &JsonMap<String, Value>) -> Option<String> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let inputs = ops.values().filter_map(|op| op.get("input"));
    let members = shapes.values().filter_map(|s| s.get("members").and_then(Value::as_object)).flat_map(|m| m.values());
    for holder in inputs.chain(members) {
        if let Some(ns) = holder.as_object().and_then(|o| xml_namespace(o).ok().flatten()) {
            *counts.entry(ns).or_default() += 1;
        }
    }
    // max_by_key keeps the last maximum; iterate in reverse so ties go to
    // the lexically smallest namespace.
    counts.into_iter().rev().max_by_key(|(_, n)| *n).map(|(ns, _)| ns)
}

fn lower_operation(name: &str, raw: &Value, ids: &Ids) -> Result<Operation> {
    let raw = object(raw, "operation")?;
    let http = match raw.get("http") {
        Some(h) => Some(object(h, "http")?),
        None => None,
    };
    let http_str = |key: &str| -> Result<Option<String>> { http.map_or(Ok(None), |h| string(h, key)) };
    let success_code = match http.map(|h| integer(h, "responseCode")).transpose()?.flatten() {
        Some(code) => u16::try_from(code).with_context(|| format!("responseCode {code} out of range"))?,
        None => 200,
    };
    let input = raw.get("input").map(|i| ids.of(i, "input")).transpose()?;
    let output = raw.get("output").map(|o| ids.of(o, "output")).transpose()?;
    let result_wrapper = match raw.get("output") {
        Some(o) => string(object(o, "output")?, "resultWrapper")?,
        None => None,
    };
    let errors = match raw.get("errors") {
        Some(list) => list
            .as_array()
            .context("`errors` is not a list")?
            .iter()
            .map(|e| ids.of(e, "error"))
            .collect::<Result<_>>()?,
        None => Vec::new(),
    };
    Ok(Operation {
        name: name.to_owned(),
        method: http_str("method")?.unwrap_or_else(|| "POST".to_owned()),
        request_uri: http_str("requestUri")?.unwrap_or_else(|| "/".to_owned()),
        success_code,
        input,
        output,
        result_wrapper,
        errors,
    })
}

fn lower_shape(name: &str, raw: &Value, ids: &Ids, notes: &mut Vec<String>) -> Result<Shape> {
    let raw = object(raw, "shape")?;
    let ty = string(raw, "type")?.context("shape has no `type`")?;
    let kind = match ty.as_str() {
        "structure" if flag(raw, "document")? => {
            notes.push(format!("document shape `{name}` mapped to a structure without members"));
            ShapeKind::Structure(Structure::default())
        }
        "document" => {
            notes.push(format!("document shape `{name}` mapped to a structure without members"));
            ShapeKind::Structure(Structure::default())
        }
        "structure" => ShapeKind::Structure(lower_structure(raw, ids)?),
        "list" => {
            let member = field(raw, "member")?;
            ShapeKind::List(List {
                member: ids.of(member, "list member")?,
                member_name: string(object(member, "list member")?, "locationName")?,
                flattened: flag(raw, "flattened")?,
                min: integer(raw, "min")?,
                max: integer(raw, "max")?,
            })
        }
        "map" => {
            let key = field(raw, "key")?;
            let value = field(raw, "value")?;
            ShapeKind::Map(Map {
                key: ids.of(key, "map key")?,
                value: ids.of(value, "map value")?,
                key_name: string(object(key, "map key")?, "locationName")?,
                value_name: string(object(value, "map value")?, "locationName")?,
                flattened: flag(raw, "flattened")?,
                min: integer(raw, "min")?,
                max: integer(raw, "max")?,
            })
        }
        "string" | "character" => ShapeKind::String(StringShape {
            enum_values: match raw.get("enum") {
                Some(list) => list
                    .as_array()
                    .context("`enum` is not a list")?
                    .iter()
                    .map(|v| v.as_str().map(str::to_owned).context("`enum` value is not a string"))
                    .collect::<Result<_>>()?,
                None => Vec::new(),
            },
            pattern: string(raw, "pattern")?,
            min: integer(raw, "min")?,
            max: integer(raw, "max")?,
            sensitive: flag(raw, "sensitive")?,
        }),
        "integer" | "byte" | "short" => ShapeKind::Integer(range(raw)?),
        "long" | "bigInteger" => ShapeKind::Long(range(raw)?),
        "float" => ShapeKind::Float(range(raw)?),
        "double" | "bigDecimal" => ShapeKind::Double(range(raw)?),
        "boolean" => ShapeKind::Boolean,
        "blob" => ShapeKind::Blob(BlobShape {
            streaming: flag(raw, "streaming")?,
            min: integer(raw, "min")?,
            max: integer(raw, "max")?,
        }),
        "timestamp" => ShapeKind::Timestamp(timestamp_format(raw)?),
        other => bail!("unknown shape type `{other}`"),
    };
    let error = if flag(raw, "exception")? {
        let info = match raw.get("error") {
            Some(e) => Some(object(e, "error")?),
            None => None,
        };
        let code = info.map(|e| string(e, "code")).transpose()?.flatten().filter(|c| c != name);
        let status = match info.map(|e| integer(e, "httpStatusCode")).transpose()?.flatten() {
            Some(s) => u16::try_from(s).with_context(|| format!("httpStatusCode {s} out of range"))?,
            None => 400,
        };
        let sender_fault = match info.and_then(|e| e.get("senderFault")) {
            Some(v) => v.as_bool().context("senderFault is not a boolean")?,
            None => !flag(raw, "fault")?,
        };
        Some(ErrorInfo { code, status, sender_fault })
    } else {
        None
    };
    Ok(Shape { name: name.to_owned(), kind, error })
}

fn lower_structure(raw: &JsonMap<String, Value>, ids: &Ids) -> Result<Structure> {
    let members_raw = match raw.get("members") {
        Some(m) => object(m, "members")?,
        None => &JsonMap::new(),
    };
    let mut members = Vec::with_capacity(members_raw.len());
    // serde_json's `preserve_order` keeps the model's member order.
    for (member_name, member) in members_raw {
        members.push(lower_member(member_name, member, ids).with_context(|| format!("member `{member_name}`"))?);
    }
    let required = match raw.get("required") {
        Some(list) => list
            .as_array()
            .context("`required` is not a list")?
            .iter()
            .map(|v| v.as_str().map(str::to_owned).context("`required` entry is not a string"))
            .collect::<Result<_>>()?,
        None => Vec::new(),
    };
    let payload = string(raw, "payload")?;
    if let Some(p) = &payload
        && !members_raw.contains_key(p)
    {
        bail!("payload `{p}` is not a member");
    }
    Ok(Structure {
        members,
        required,
        payload,
        union: flag(raw, "union")?,
        event_stream: flag(raw, "eventstream")?,
        xml_namespace: xml_namespace(raw)?,
        location_name: string(raw, "locationName")?,
    })
}

fn lower_member(name: &str, raw: &Value, ids: &Ids) -> Result<Member> {
    let shape = ids.of(raw, "member")?;
    let raw = object(raw, "member")?;
    let location = match string(raw, "location")?.as_deref() {
        None => Location::Body,
        Some("header") => Location::Header,
        Some("headers") => Location::Headers,
        Some("querystring") => Location::Querystring,
        Some("uri") => Location::Uri,
        Some("statusCode") => Location::StatusCode,
        Some(other) => bail!("unknown location `{other}`"),
    };
    Ok(Member {
        name: name.to_owned(),
        shape,
        location,
        location_name: string(raw, "locationName")?,
        query_name: string(raw, "queryName")?,
        xml_attribute: flag(raw, "xmlAttribute")?,
        xml_namespace: xml_namespace(raw)?,
        flattened: flag(raw, "flattened")?,
        idempotency_token: flag(raw, "idempotencyToken")?,
        json_value: flag(raw, "jsonvalue")?,
        timestamp_format: timestamp_format(raw)?,
        host_label: flag(raw, "hostLabel")?,
        event_payload: flag(raw, "eventpayload")?,
        streaming: flag(raw, "streaming")?,
    })
}

fn range(raw: &JsonMap<String, Value>) -> Result<Range> {
    Ok(Range { min: number(raw, "min")?, max: number(raw, "max")? })
}

fn timestamp_format(raw: &JsonMap<String, Value>) -> Result<Option<TimestampFormat>> {
    Ok(match string(raw, "timestampFormat")?.as_deref() {
        None => None,
        Some("iso8601") => Some(TimestampFormat::Iso8601),
        Some("rfc822") => Some(TimestampFormat::Rfc822),
        Some("unixTimestamp") => Some(TimestampFormat::UnixTimestamp),
        Some(other) => bail!("unknown timestampFormat `{other}`"),
    })
}

/// `xmlNamespace`: an object with `uri` on shapes and members, a plain
/// string in metadata.
fn xml_namespace(raw: &JsonMap<String, Value>) -> Result<Option<String>> {
    match raw.get("xmlNamespace") {
        None => Ok(None),
        Some(Value::String(uri)) => Ok(Some(uri.clone())),
        Some(Value::Object(ns)) => string(ns, "uri"),
        Some(other) => bail!("unexpected xmlNamespace {other}"),
    }
}

// JSON access helpers: absent keys are `None`/`false`, present keys of the
// wrong JSON type are errors.

fn field<'a>(obj: &'a JsonMap<String, Value>, key: &str) -> Result<&'a Value> {
    obj.get(key).with_context(|| format!("missing `{key}`"))
}

fn object<'a>(value: &'a Value, what: &str) -> Result<&'a JsonMap<String, Value>> {
    value.as_object().with_context(|| format!("{what} is not a JSON object"))
}

fn string(obj: &JsonMap<String, Value>, key: &str) -> Result<Option<String>> {
    match obj.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => bail!("`{key}` is not a string: {other}"),
    }
}

fn flag(obj: &JsonMap<String, Value>, key: &str) -> Result<bool> {
    match obj.get(key) {
        None => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => bail!("`{key}` is not a boolean: {other}"),
    }
}

fn integer(obj: &JsonMap<String, Value>, key: &str) -> Result<Option<i64>> {
    match obj.get(key) {
        None => Ok(None),
        Some(v) => match (v.as_i64(), v.as_f64()) {
            (Some(i), _) => Ok(Some(i)),
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 9.0e18 => Ok(Some(f as i64)),
            _ => bail!("`{key}` is not an integer: {v}"),
        },
    }
}

fn number(obj: &JsonMap<String, Value>, key: &str) -> Result<Option<f64>> {
    match obj.get(key) {
        None => Ok(None),
        Some(v) => v.as_f64().map(Some).with_context(|| format!("`{key}` is not a number: {v}")),
    }
}
