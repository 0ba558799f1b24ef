//! The service-model types: a compact, static mirror of botocore's
//! `service-2.json` that the codecs walk. The tables under `generated/` are
//! written by `cargo xtask codegen` and use only the types in this file.

/// Index of a shape inside its service's `shapes` table.
pub type ShapeId = u16;

/// The wire protocol a service speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// `application/x-amz-json-1.0` with `X-Amz-Target`.
    AwsJson10,
    /// `application/x-amz-json-1.1` with `X-Amz-Target`.
    AwsJson11,
    /// REST bindings with JSON bodies.
    RestJson,
    /// REST bindings with XML bodies.
    RestXml,
    /// Form-encoded `Action=` requests with XML responses.
    Query,
}

/// One AWS service as its model describes it.
#[derive(Debug)]
pub struct ServiceModel {
    /// Stratus's name for the service (botocore's folder name, e.g. `logs`).
    pub name: &'static str,
    pub api_version: &'static str,
    pub protocol: Protocol,
    /// SigV4 signing name (`signingName`, else `endpointPrefix`).
    pub signing_name: &'static str,
    pub endpoint_prefix: &'static str,
    /// `X-Amz-Target` prefix for the JSON protocols (e.g. `DynamoDB_20120810`).
    pub target_prefix: Option<&'static str>,
    /// XML namespace for Query/restXml responses.
    pub xml_namespace: Option<&'static str>,
    /// The model carries `awsQueryCompatible` (SQS): errors also carry the
    /// Query error code in `x-amzn-query-error`.
    pub query_compatible: bool,
    /// Sorted by name, so lookups can binary-search.
    pub operations: &'static [Operation],
    pub shapes: &'static [Shape],
}

/// One operation of a service.
#[derive(Debug)]
pub struct Operation {
    pub name: &'static str,
    /// HTTP method from the `http` trait (`POST` for the RPC protocols).
    pub method: &'static str,
    /// URI template, e.g. `/2015-03-31/functions/{FunctionName}/invocations`,
    /// possibly with a query literal such as `/{Bucket}?tagging`.
    pub request_uri: &'static str,
    /// HTTP status of a successful response (`responseCode`, else 200).
    pub success_code: u16,
    pub input: Option<ShapeId>,
    pub output: Option<ShapeId>,
    /// Query protocol: the `resultWrapper` element of the output.
    pub result_wrapper: Option<&'static str>,
    /// Exception shapes the operation may return.
    pub errors: &'static [ShapeId],
}

/// A named shape and what kind of value it is.
#[derive(Debug)]
pub struct Shape {
    pub name: &'static str,
    pub kind: ShapeKind,
    /// Set on shapes marked `exception`.
    pub error: Option<ErrorInfo>,
}

/// Error traits of an exception shape.
#[derive(Debug)]
pub struct ErrorInfo {
    /// `error.code` when it differs from the shape name (Query services).
    pub code: Option<&'static str>,
    /// `error.httpStatusCode`, default 400.
    pub status: u16,
    /// `error.senderFault` (true = `Sender`, false = `Receiver`).
    pub sender_fault: bool,
}

/// The value kinds of the AWS shape system.
#[derive(Debug)]
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

#[derive(Debug)]
pub struct Structure {
    pub members: &'static [Member],
    /// Names of required members.
    pub required: &'static [&'static str],
    /// `payload`: the member that is the whole HTTP body (REST protocols).
    pub payload: Option<&'static str>,
    /// Shape is a `union` (exactly one member set).
    pub union: bool,
    /// Shape is an `eventstream`.
    pub event_stream: bool,
    /// restXml: the namespace declared on the shape (`xmlNamespace.uri`).
    pub xml_namespace: Option<&'static str>,
    /// restXml: `locationName` of the shape itself (root element name).
    pub location_name: Option<&'static str>,
}

#[derive(Debug)]
pub struct Member {
    pub name: &'static str,
    pub shape: ShapeId,
    pub location: Location,
    /// Wire name: header name, query key, URI label, XML element or query key.
    pub location_name: Option<&'static str>,
    /// ec2Query `queryName`.
    pub query_name: Option<&'static str>,
    pub xml_attribute: bool,
    /// Member-level `xmlNamespace.uri`.
    pub xml_namespace: Option<&'static str>,
    /// Member-level `flattened` (overrides the list/map shape's own flag).
    pub flattened: bool,
    pub idempotency_token: bool,
    /// `jsonvalue`: a header carrying base64-encoded JSON.
    pub json_value: bool,
    /// Member-level `timestampFormat` (overrides the shape's).
    pub timestamp_format: Option<TimestampFormat>,
    /// `hostLabel`: bound into the endpoint host prefix.
    pub host_label: bool,
    /// `eventpayload` inside an event shape.
    pub event_payload: bool,
    /// Member-level `streaming` (S3 object bodies, Lambda invoke payloads).
    pub streaming: bool,
}

/// Where a member travels in an HTTP request or response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    Body,
    Header,
    /// `headers` location: every header starting with `location_name` (map).
    Headers,
    Querystring,
    Uri,
    StatusCode,
}

#[derive(Debug)]
pub struct List {
    pub member: ShapeId,
    /// `locationName` of the member (XML element / Query key), default `member`.
    pub member_name: Option<&'static str>,
    pub flattened: bool,
    pub min: Option<i64>,
    pub max: Option<i64>,
}

#[derive(Debug)]
pub struct Map {
    pub key: ShapeId,
    pub value: ShapeId,
    /// `locationName` of key and value (default `key` / `value`).
    pub key_name: Option<&'static str>,
    pub value_name: Option<&'static str>,
    pub flattened: bool,
    pub min: Option<i64>,
    pub max: Option<i64>,
}

#[derive(Debug)]
pub struct StringShape {
    pub enum_values: &'static [&'static str],
    pub pattern: Option<&'static str>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    /// The model marks it `sensitive` (passwords, secrets, tokens): its
    /// value never appears in a validation message.
    pub sensitive: bool,
}

/// Numeric bounds of an integer, long, float or double shape.
#[derive(Debug)]
pub struct Range {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

#[derive(Debug)]
pub struct BlobShape {
    pub streaming: bool,
    pub min: Option<i64>,
    pub max: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampFormat {
    Iso8601,
    Rfc822,
    UnixTimestamp,
}

impl ServiceModel {
    /// The operation called `name`, if the model has one.
    pub fn operation(&self, name: &str) -> Option<&'static Operation> {
        self.operations.binary_search_by(|op| op.name.cmp(name)).ok().map(|i| &self.operations[i])
    }

    /// The shape at `id`.
    pub fn shape(&self, id: ShapeId) -> &'static Shape {
        &self.shapes[id as usize]
    }

    /// The exception shape whose name (or error code) is `code`.
    pub fn error_shape(&self, code: &str) -> Option<&'static Shape> {
        self.shapes
            .iter()
            .find(|s| s.error.is_some() && (s.name == code || s.error.as_ref().and_then(|e| e.code) == Some(code)))
    }
}

impl Structure {
    /// The member called `name`.
    pub fn member(&self, name: &str) -> Option<&'static Member> {
        self.members.iter().find(|m| m.name == name)
    }

    pub fn is_required(&self, name: &str) -> bool {
        self.required.contains(&name)
    }
}

impl Member {
    /// The name this member has on the wire (its `locationName`, else its name).
    pub fn wire_name(&self) -> &'static str {
        self.location_name.unwrap_or(self.name)
    }
}
