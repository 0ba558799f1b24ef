//! OpenAPI and Swagger documents as text, for the import and export of
//! both API kinds: read from JSON or YAML, written as JSON or YAML.

use serde_json::Value;

/// The document `body` holds, JSON or YAML; None when it is neither (or
/// its top level is not a mapping).
pub fn read(body: &[u8]) -> Option<Value> {
    let doc = match serde_json::from_slice::<Value>(body) {
        Ok(doc) => doc,
        Err(_) => serde_yaml::from_slice::<Value>(body).ok()?,
    };
    doc.is_object().then_some(doc)
}

/// `doc` as YAML (`yaml`) or compact JSON.
pub fn write(doc: &Value, yaml: bool) -> String {
    if yaml && let Ok(text) = serde_yaml::to_string(doc) {
        return text;
    }
    doc.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn yaml_and_json_read_alike() {
        let yaml = b"openapi: 3.0.1\ninfo:\n  title: pets\n  version: '1'\npaths:\n  /pets:\n    get:\n      responses:\n        200:\n          description: ok\n";
        let doc = read(yaml).expect("yaml");
        assert_eq!(doc["info"]["title"], "pets");
        assert_eq!(doc["paths"]["/pets"]["get"]["responses"]["200"]["description"], "ok");
        assert_eq!(read(doc.to_string().as_bytes()), Some(doc.clone()));
        assert_eq!(read(write(&doc, true).as_bytes()), Some(doc));
        assert_eq!(read(b"just text"), None);
        assert_eq!(read(b"[1, 2]"), None);
        assert_eq!(write(&json!({"a": 1}), false), r#"{"a":1}"#);
    }
}
