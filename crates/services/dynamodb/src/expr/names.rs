//! `Names`: the ExpressionAttributeNames and ExpressionAttributeValues of
//! one request, resolved on demand by the parser, with AWS's checks for
//! undefined, unused and misplaced substitutions.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::error::{DdbError, validation};
use crate::types::AttrValue;

#[derive(Debug, Default)]
pub struct Names {
    names: Option<BTreeMap<String, String>>,
    values: Option<BTreeMap<String, AttrValue>>,
    used_names: BTreeSet<String>,
    used_values: BTreeSet<String>,
}

impl Names {
    /// Reads `ExpressionAttributeNames`/`Values` from a request (or a
    /// request item of a batch or transaction).
    pub fn from_input(input: &Value) -> Result<Names, DdbError> {
        let mut n = Names::default();
        if let Some(m) = input.get("ExpressionAttributeNames").and_then(Value::as_object) {
            if m.is_empty() {
                return Err(validation("ExpressionAttributeNames must not be empty"));
            }
            let mut out = BTreeMap::new();
            for (k, v) in m {
                if !k.starts_with('#') {
                    return Err(validation(format!(
                        "ExpressionAttributeNames contains invalid key: Syntax error; key: \"{k}\""
                    )));
                }
                out.insert(k.clone(), v.as_str().unwrap_or_default().to_string());
            }
            n.names = Some(out);
        }
        if let Some(m) = input.get("ExpressionAttributeValues").and_then(Value::as_object) {
            if m.is_empty() {
                return Err(validation("ExpressionAttributeValues must not be empty"));
            }
            let mut out = BTreeMap::new();
            for (k, v) in m {
                if !k.starts_with(':') {
                    return Err(validation(format!(
                        "ExpressionAttributeValues contains invalid key: Syntax error; key: \"{k}\""
                    )));
                }
                let av = AttrValue::from_json(v).map_err(|e| {
                    validation(format!("ExpressionAttributeValues contains invalid value: {} for key {k}", e.message))
                })?;
                out.insert(k.clone(), av);
            }
            n.values = Some(out);
        }
        Ok(n)
    }

    pub fn has_names(&self) -> bool {
        self.names.is_some()
    }

    pub fn has_values(&self) -> bool {
        self.values.is_some()
    }

    /// Resolves `#n`; the error text is the part after "Invalid XExpression: ".
    pub fn name(&mut self, r: &str) -> Result<String, String> {
        match self.names.as_ref().and_then(|m| m.get(r)) {
            Some(v) => {
                self.used_names.insert(r.to_string());
                Ok(v.clone())
            }
            None => Err(format!(
                "An expression attribute name used in the document path is not defined; attribute name: {r}"
            )),
        }
    }

    pub fn value(&mut self, r: &str) -> Result<AttrValue, String> {
        match self.values.as_ref().and_then(|m| m.get(r)) {
            Some(v) => {
                self.used_values.insert(r.to_string());
                Ok(v.clone())
            }
            None => {
                Err(format!("An expression attribute value used in expression is not defined; attribute value: {r}"))
            }
        }
    }

    /// After every expression of the request is parsed: names and values
    /// that none of them used are an error.
    pub fn check_unused(&self) -> Result<(), DdbError> {
        if let Some(m) = &self.names {
            let unused: Vec<&str> = m.keys().filter(|k| !self.used_names.contains(*k)).map(String::as_str).collect();
            if !unused.is_empty() {
                return Err(validation(format!(
                    "Value provided in ExpressionAttributeNames unused in expressions: keys: {{{}}}",
                    unused.join(", ")
                )));
            }
        }
        if let Some(m) = &self.values {
            let unused: Vec<&str> = m.keys().filter(|k| !self.used_values.contains(*k)).map(String::as_str).collect();
            if !unused.is_empty() {
                return Err(validation(format!(
                    "Value provided in ExpressionAttributeValues unused in expressions: keys: {{{}}}",
                    unused.join(", ")
                )));
            }
        }
        Ok(())
    }
}
