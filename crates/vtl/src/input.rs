//! `$input`: the request (or integration response) body and parameters.

use std::cell::OnceCell;
use std::collections::BTreeMap;

use indexmap::IndexMap;
use serde_json::Value as Json;

use crate::Input;
use crate::error::VtlError;
use crate::jsonpath::{Path, Selection};
use crate::methods::{Args, capitalize};
use crate::value::Value;

pub struct InputVar<'a> {
    input: &'a Input,
    /// The body parsed once as JSON; None for an empty body.
    json: OnceCell<Result<Option<Json>, VtlError>>,
}

impl<'a> InputVar<'a> {
    pub fn new(input: &'a Input) -> Self {
        InputVar { input, json: OnceCell::new() }
    }

    pub fn property(&self, name: &str) -> Result<Value, VtlError> {
        self.call(&format!("get{}", capitalize(name)), &Args(Vec::new())).map(Option::unwrap_or_default)
    }

    pub fn call(&self, name: &str, args: &Args) -> Result<Option<Value>, VtlError> {
        Ok(Some(match (name, args.len()) {
            ("getBody" | "body", 0) => Value::str(self.input.body.as_str()),
            ("json", 1) => Value::str(self.json_text(&args.string(0)?)?),
            ("path", 1) => self.path(&args.string(0)?)?,
            ("params", 0) => self.all_params(),
            ("params", 1) => self.param(&args.string(0)?),
            _ => return Ok(None),
        }))
    }

    fn body(&self) -> Result<Option<&Json>, VtlError> {
        let parsed = self.json.get_or_init(|| {
            if self.input.body.trim().is_empty() {
                return Ok(None);
            }
            serde_json::from_str(&self.input.body)
                .map(Some)
                .map_err(|e| VtlError::new(format!("Unable to parse the body as JSON: {e}")))
        });
        match parsed {
            Ok(body) => Ok(body.as_ref()),
            Err(e) => Err(e.clone()),
        }
    }

    /// `$input.json(x)`: the selection as JSON text. An empty body reads as `{}`.
    fn json_text(&self, path: &str) -> Result<String, VtlError> {
        let path = Path::parse(path)?;
        let empty = Json::Object(serde_json::Map::new());
        let body = self.body()?.unwrap_or(&empty);
        Ok(match path.select(body) {
            Selection::One(one) => one.map_or_else(|| "null".to_string(), Json::to_string),
            Selection::Many(many) => Json::Array(many.into_iter().cloned().collect()).to_string(),
        })
    }

    /// `$input.path(x)`: the selection as an object the template can navigate. An empty body
    /// selects nothing.
    fn path(&self, path: &str) -> Result<Value, VtlError> {
        let path = Path::parse(path)?;
        let Some(body) = self.body()? else { return Ok(Value::Null) };
        Ok(match path.select(body) {
            Selection::One(one) => one.map_or(Value::Null, Value::from_json),
            Selection::Many(many) => Value::from_json(&Json::Array(many.into_iter().cloned().collect())),
        })
    }

    fn all_params(&self) -> Value {
        let group = |params: &BTreeMap<String, String>| {
            Value::map(params.iter().map(|(k, v)| (k.clone(), Value::str(v.as_str()))).collect())
        };
        let mut all = IndexMap::new();
        all.insert("path".to_string(), group(&self.input.path));
        all.insert("querystring".to_string(), group(&self.input.querystring));
        all.insert("header".to_string(), group(&self.input.header));
        Value::map(all)
    }

    /// `$input.params(x)`: path, then query string, then header (header names match in any case).
    fn param(&self, name: &str) -> Value {
        self.input
            .path
            .get(name)
            .or_else(|| self.input.querystring.get(name))
            .or_else(|| self.input.header.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v))
            .map_or(Value::Null, |v| Value::str(v.as_str()))
    }
}
