//! XML for the Query and restXml protocols: a small element tree parsed with
//! quick-xml, conversion between that tree and model-keyed values, and a
//! writer that renders output values as AWS lays them out (`member` wrappers,
//! `entry`/`key`/`value` maps, flattened lists, ISO 8601 timestamps).

use crate::conventions;
use crate::model::{Location, ServiceModel, ShapeId, ShapeKind, TimestampFormat};
use crate::timestamp;
use quick_xml::events::Event;
use serde_json::{Map, Value};

/// One parsed XML element.
#[derive(Debug, Default, Clone)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    /// Children whose local name is `name`.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The first child called `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }
}

fn local(name: &[u8]) -> String {
    let s = String::from_utf8_lossy(name);
    match s.rfind(':') {
        Some(i) => s[i + 1..].to_string(),
        None => s.into_owned(),
    }
}

/// Parses a document into its root element, or explains why it is not XML.
pub fn parse(input: &[u8]) -> Result<Element, String> {
    let mut reader = quick_xml::Reader::from_reader(input);
    reader.config_mut().trim_text(true);
    let mut stack: Vec<Element> = Vec::new();
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => stack.push(start_element(&e)),
            Ok(Event::Empty(e)) => {
                let el = start_element(&e);
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => return Ok(el),
                }
            }
            Ok(Event::Text(t)) => {
                let text = t.unescape().map_err(|e| e.to_string())?;
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&text);
                }
            }
            Ok(Event::CData(t)) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Ok(Event::End(_)) => {
                let Some(done) = stack.pop() else { return Err("unbalanced end tag".into()) };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => return Ok(done),
                }
            }
            Ok(Event::Eof) => return Err("unexpected end of document".into()),
            Ok(_) => {}
            Err(e) => return Err(e.to_string()),
        }
        buf.clear();
    }
}

fn start_element(e: &quick_xml::events::BytesStart<'_>) -> Element {
    Element {
        name: local(e.name().as_ref()),
        attrs: e
            .attributes()
            .flatten()
            .map(|a| {
                let value = a.unescape_value().map(|v| v.into_owned()).unwrap_or_default();
                (local(a.key.as_ref()), value)
            })
            .collect(),
        ..Default::default()
    }
}

/// Converts an element holding a value of `shape` into the model-keyed form.
pub fn from_xml(model: &ServiceModel, shape: ShapeId, el: &Element) -> Result<Value, String> {
    Ok(match &model.shape(shape).kind {
        ShapeKind::Structure(st) => {
            let mut out = Map::new();
            for member in st.members.iter().filter(|m| m.location == Location::Body) {
                let name = member.wire_name();
                if member.xml_attribute {
                    if let Some((_, v)) = el.attrs.iter().find(|(k, _)| k == name) {
                        out.insert(member.name.to_string(), scalar(model, member.shape, v)?);
                    }
                    continue;
                }
                let value = match &model.shape(member.shape).kind {
                    ShapeKind::List(list) if member.flattened || list.flattened => {
                        let items: Result<Vec<Value>, String> =
                            el.children_named(name).map(|c| from_xml(model, list.member, c)).collect();
                        let items = items?;
                        if items.is_empty() { continue } else { Value::Array(items) }
                    }
                    ShapeKind::Map(map) if member.flattened || map.flattened => {
                        let mut out_map = Map::new();
                        for entry in el.children_named(name) {
                            map_entry(model, map.key_name, map.value_name, map.value, entry, &mut out_map)?;
                        }
                        if out_map.is_empty() { continue } else { Value::Object(out_map) }
                    }
                    _ => match el.child(name) {
                        Some(c) => from_xml(model, member.shape, c)?,
                        None => continue,
                    },
                };
                out.insert(member.name.to_string(), value);
            }
            Value::Object(out)
        }
        ShapeKind::List(list) => {
            let item_name = list.member_name.unwrap_or("member");
            let items: Result<Vec<Value>, String> =
                el.children_named(item_name).map(|c| from_xml(model, list.member, c)).collect();
            Value::Array(items?)
        }
        ShapeKind::Map(map) => {
            let mut out = Map::new();
            for entry in el.children_named("entry") {
                map_entry(model, map.key_name, map.value_name, map.value, entry, &mut out)?;
            }
            Value::Object(out)
        }
        _ => scalar(model, shape, &el.text)?,
    })
}

fn map_entry(
    model: &ServiceModel,
    key_name: Option<&str>,
    value_name: Option<&str>,
    value_shape: ShapeId,
    entry: &Element,
    out: &mut Map<String, Value>,
) -> Result<(), String> {
    let key = entry.child(key_name.unwrap_or("key")).map(|k| k.text.clone()).unwrap_or_default();
    if let Some(v) = entry.child(value_name.unwrap_or("value")) {
        out.insert(key, from_xml(model, value_shape, v)?);
    }
    Ok(())
}

/// Converts a text value (XML text, query parameter, header) to the form
/// its scalar shape takes inside Stratus.
pub fn scalar(model: &ServiceModel, shape: ShapeId, text: &str) -> Result<Value, String> {
    Ok(match &model.shape(shape).kind {
        ShapeKind::Integer(_) | ShapeKind::Long(_) => match text.trim().parse::<i64>() {
            Ok(n) => Value::from(n),
            Err(_) => return Err(format!("'{text}' is not a valid integer")),
        },
        ShapeKind::Float(_) | ShapeKind::Double(_) => match text.trim().parse::<f64>() {
            Ok(n) if n.is_finite() => Value::from(n),
            _ => return Err(format!("'{text}' is not a valid number")),
        },
        ShapeKind::Boolean => match text.trim() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err(format!("'{text}' is not a valid boolean")),
        },
        ShapeKind::Timestamp(_) => match timestamp::parse(text) {
            Some(t) => Value::from(t),
            None => return Err(format!("'{text}' is not a valid timestamp")),
        },
        _ => Value::from(text),
    })
}

/// Escapes text for element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#xD;"),
            _ => out.push(c),
        }
    }
    out
}

/// Text of a scalar output value in XML (and in headers of REST protocols).
pub fn scalar_text(model: &ServiceModel, shape: ShapeId, v: &Value, ts: Option<TimestampFormat>) -> String {
    match (&model.shape(shape).kind, v) {
        (ShapeKind::Timestamp(shape_fmt), _) => {
            let epoch = v.as_f64().unwrap_or(0.0);
            match ts.or(*shape_fmt).unwrap_or(TimestampFormat::Iso8601) {
                TimestampFormat::Iso8601 => timestamp::to_iso8601(epoch),
                TimestampFormat::Rfc822 => timestamp::to_http_date(epoch),
                TimestampFormat::UnixTimestamp => format!("{}", epoch as i64),
            }
        }
        (_, Value::String(s)) => s.clone(),
        (_, Value::Null) => String::new(),
        (_, other) => other.to_string(),
    }
}

/// Writes the members of a structure value as child elements into `out`.
pub fn write_members(out: &mut String, model: &ServiceModel, shape: ShapeId, v: &Value) {
    let (ShapeKind::Structure(st), Value::Object(obj)) = (&model.shape(shape).kind, v) else { return };
    for member in st.members.iter().filter(|m| m.location == Location::Body && !m.xml_attribute) {
        if let Some(val) = obj.get(member.name).filter(|x| !x.is_null()) {
            write_value(out, model, member.shape, member.wire_name(), val, member.flattened, member.timestamp_format);
        }
    }
}

/// Writes `<name>value</name>` for a value of `shape`.
pub fn write_value(
    out: &mut String,
    model: &ServiceModel,
    shape: ShapeId,
    name: &str,
    v: &Value,
    flattened: bool,
    ts: Option<TimestampFormat>,
) {
    match &model.shape(shape).kind {
        ShapeKind::Structure(st) => {
            out.push('<');
            out.push_str(name);
            if let Value::Object(obj) = v {
                for member in st.members.iter().filter(|m| m.xml_attribute) {
                    if let Some(val) = obj.get(member.name) {
                        let text = scalar_text(model, member.shape, val, None);
                        if member.wire_name().starts_with("xsi:") {
                            // A prefixed attribute needs its namespace declared (S3's Grantee).
                            out.push_str(" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"");
                        }
                        out.push_str(&format!(" {}=\"{}\"", member.wire_name(), escape(&text)));
                    }
                }
            }
            out.push('>');
            write_members(out, model, shape, v);
            close(out, name);
        }
        ShapeKind::List(list) => {
            let items = v.as_array().map(Vec::as_slice).unwrap_or(&[]);
            if flattened || list.flattened {
                let legacy = conventions::query_list_item(model, model.shape(shape).name);
                let item_name = list.member_name.or(legacy).unwrap_or(name);
                for item in items {
                    write_value(out, model, list.member, item_name, item, false, None);
                }
            } else {
                open(out, name);
                let item_name = list.member_name.unwrap_or("member");
                for item in items {
                    write_value(out, model, list.member, item_name, item, false, None);
                }
                close(out, name);
            }
        }
        ShapeKind::Map(map) => {
            let Value::Object(obj) = v else { return };
            let legacy = conventions::query_map_names(model, model.shape(shape).name);
            let name = legacy.map(|l| l.0).unwrap_or(name);
            let key_name = map.key_name.or(legacy.map(|l| l.1)).unwrap_or("key");
            let value_name = map.value_name.or(legacy.map(|l| l.2)).unwrap_or("value");
            let flat = flattened || map.flattened;
            if !flat {
                open(out, name);
            }
            for (k, val) in obj {
                open(out, if flat { name } else { "entry" });
                write_value(out, model, map.key, key_name, &Value::from(k.as_str()), false, None);
                write_value(out, model, map.value, value_name, val, false, None);
                close(out, if flat { name } else { "entry" });
            }
            if !flat {
                close(out, name);
            }
        }
        _ => {
            open(out, name);
            out.push_str(&escape(&scalar_text(model, shape, v, ts)));
            close(out, name);
        }
    }
}

fn open(out: &mut String, name: &str) {
    out.push('<');
    out.push_str(name);
    out.push('>');
}

fn close(out: &mut String, name: &str) {
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}
