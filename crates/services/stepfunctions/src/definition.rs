//! Checking an ASL definition the way CreateStateMachine and
//! ValidateStateMachineDefinition do: JSON parsing, the schema rules with
//! AWS's diagnostic codes, messages and locations, and the restrictions of
//! Express state machines.

use serde_json::{Value, json};

const TYPES: &[&str] = &["Task", "Wait", "Pass", "Succeed", "Fail", "Choice", "Parallel", "Map"];

/// One problem found in a definition.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub code: &'static str,
    pub message: String,
    pub location: Option<String>,
}

impl Diagnostic {
    fn schema(message: impl Into<String>, location: impl Into<String>) -> Diagnostic {
        Diagnostic { code: "SCHEMA_VALIDATION_FAILED", message: message.into(), location: Some(location.into()) }
    }

    /// The message of an `InvalidDefinition` error.
    pub fn to_error_message(&self) -> String {
        match &self.location {
            Some(l) => format!("Invalid State Machine Definition: '{}: {} at {l}'", self.code, self.message),
            None => format!("Invalid State Machine Definition: '{}: {}'", self.code, self.message),
        }
    }

    /// The diagnostic as ValidateStateMachineDefinition returns it.
    pub fn to_output(&self) -> Value {
        let mut d = json!({ "code": self.code, "message": self.message, "severity": "ERROR" });
        if let Some(l) = &self.location {
            d["location"] = json!(l);
        }
        d
    }
}

/// Parses and checks `text`; `express` adds Express's restrictions.
pub fn check(text: &str, express: bool) -> Result<Value, Vec<Diagnostic>> {
    let parsed: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(_) if text.trim().is_empty() => return Err(vec![not_object()]),
        Err(e) => return Err(vec![json_error(text, &e)]),
    };
    if !parsed.is_object() {
        return Err(vec![not_object()]);
    }
    let mut out = Vec::new();
    let top_lang = parsed.get("QueryLanguage").and_then(Value::as_str).unwrap_or("JSONPath");
    machine(&parsed, "", top_lang, express, &mut out);
    if out.is_empty() { Ok(parsed) } else { Err(out) }
}

fn not_object() -> Diagnostic {
    Diagnostic {
        code: "SCHEMA_VALIDATION_FAILED",
        message: "Definition must be a valid JSON object".into(),
        location: None,
    }
}

/// A parse error in the words of Jackson, AWS's JSON parser.
fn json_error(text: &str, e: &serde_json::Error) -> Diagnostic {
    let source = format!("[Source: (String)\"{text}\"; line: {}, column: {}]", e.line(), e.column());
    let token: String = text.trim_start().chars().take_while(|c| c.is_alphanumeric()).collect();
    let message = if !token.is_empty() {
        format!(
            "Unrecognized token '{token}': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n at {source}"
        )
    } else {
        format!("{e}\n at {source}")
    };
    Diagnostic { code: "INVALID_JSON_DESCRIPTION", message, location: Some(source) }
}

/// Checks a (sub-)machine at JSON pointer `at` ("" for the top).
fn machine(def: &Value, at: &str, lang: &str, express: bool, out: &mut Vec<Diagnostic>) {
    let root = if at.is_empty() { "/" } else { at };
    let missing: Vec<&str> = ["States", "StartAt"].into_iter().filter(|f| def.get(f).is_none()).collect();
    if !missing.is_empty() {
        out.push(Diagnostic::schema(format!("These fields are required: [{}]", missing.join(", ")), root));
        return;
    }
    let Some(states) = def.get("States").and_then(Value::as_object) else {
        out.push(Diagnostic::schema("The field 'States' must be an object", format!("{at}/States")));
        return;
    };
    let start = def.get("StartAt").and_then(Value::as_str).unwrap_or_default();
    if !states.contains_key(start) {
        out.push(Diagnostic {
            code: "MISSING_TRANSITION_TARGET",
            message: format!("Missing 'Next' target: {start}"),
            location: Some(format!("{at}/StartAt")),
        });
    }
    for (name, state) in states {
        let loc = format!("{at}/States/{name}");
        let kind = state.get("Type").and_then(Value::as_str).unwrap_or_default();
        if !TYPES.contains(&kind) {
            out.push(Diagnostic::schema(
                format!("The field 'Type' should have one of these values: [{}]", TYPES.join(", ")),
                format!("{loc}/Type"),
            ));
            continue;
        }
        let state_lang = state.get("QueryLanguage").and_then(Value::as_str).unwrap_or(lang);
        if lang == "JSONata" && state_lang == "JSONPath" {
            out.push(Diagnostic::schema(
                "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
                loc.clone(),
            ));
        }
        language_fields(state, &loc, state_lang == "JSONata", out);
        if state_lang == "JSONata" {
            for (code, at, message) in crate::asl::jsonata::expression_problems(state) {
                out.push(Diagnostic { code, message, location: Some(format!("{loc}{at}")) });
            }
        }
        let mut targets: Vec<(&str, String)> = Vec::new();
        if let Some(n) = state.get("Next").and_then(Value::as_str) {
            targets.push((n, format!("{loc}/Next")));
        }
        if let Some(d) = state.get("Default").and_then(Value::as_str) {
            targets.push((d, format!("{loc}/Default")));
        }
        for (i, c) in state.get("Choices").and_then(Value::as_array).into_iter().flatten().enumerate() {
            if let Some(n) = c.get("Next").and_then(Value::as_str) {
                targets.push((n, format!("{loc}/Choices[{i}]/Next")));
            }
        }
        for (i, c) in state.get("Catch").and_then(Value::as_array).into_iter().flatten().enumerate() {
            if let Some(n) = c.get("Next").and_then(Value::as_str) {
                targets.push((n, format!("{loc}/Catch[{i}]/Next")));
            }
        }
        for (target, tloc) in targets {
            if !states.contains_key(target) {
                out.push(Diagnostic {
                    code: "MISSING_TRANSITION_TARGET",
                    message: format!("Missing 'Next' target: {target}"),
                    location: Some(tloc),
                });
            }
        }
        let terminal = matches!(kind, "Succeed" | "Fail" | "Choice");
        if !terminal && state.get("Next").is_none() && state.get("End") != Some(&Value::Bool(true)) {
            out.push(Diagnostic::schema("This state must have either a 'Next' or an 'End' field", loc.clone()));
        }
        fields(state, kind, &loc, express, out);
        if kind == "Parallel" {
            match state.get("Branches").and_then(Value::as_array) {
                Some(b) if b.is_empty() => {
                    out.push(Diagnostic::schema("Value cannot be empty", format!("{loc}/Branches")))
                }
                Some(b) => {
                    for (i, branch) in b.iter().enumerate() {
                        // Branches inherit the machine's language, not their state's.
                        machine(branch, &format!("{loc}/Branches[{i}]"), lang, express, out);
                    }
                }
                None => out.push(Diagnostic::schema("These fields are required: [Branches]", loc.clone())),
            }
        }
        if kind == "Map" {
            let (field, proc) = match (state.get("ItemProcessor"), state.get("Iterator")) {
                (Some(p), _) => ("ItemProcessor", p),
                (None, Some(p)) => ("Iterator", p),
                (None, None) => {
                    out.push(Diagnostic::schema("These fields are required: [ItemProcessor]", loc.clone()));
                    continue;
                }
            };
            if proc.get("QueryLanguage").is_some() {
                out.push(Diagnostic::schema("Field 'QueryLanguage' is not supported", format!("{loc}/{field}")));
            }
            machine(proc, &format!("{loc}/{field}"), lang, express, out);
        }
    }
}

/// Fields only JSONPath states may have (besides every `…Path` field).
const JSONPATH_ONLY: &[&str] = &["InputPath", "Parameters", "ResultSelector", "ResultPath", "OutputPath", "Variable"];
/// Fields only JSONata states may have.
const JSONATA_ONLY: &[&str] = &["Arguments", "Output", "Items", "Condition"];

/// The fields a state (or its Catchers, Choice rules, ItemReader and
/// ItemBatcher) may not have in its query language.
fn language_fields(state: &Value, loc: &str, jsonata: bool, out: &mut Vec<Diagnostic>) {
    let (own, other) = if jsonata { ("JSONata", "JSONPath") } else { ("JSONPath", "JSONata") };
    let foreign = |field: &str| {
        if jsonata { JSONPATH_ONLY.contains(&field) || field.ends_with("Path") } else { JSONATA_ONLY.contains(&field) }
    };
    let mut check = |part: &Value, at: String| {
        for field in part.as_object().into_iter().flat_map(|m| m.keys()).filter(|f| foreign(f)) {
            out.push(Diagnostic::schema(
                format!("The QueryLanguage is set to '{own}', but field '{field}' is only supported for the '{other}' QueryLanguage"),
                at.clone(),
            ));
        }
    };
    check(state, loc.to_string());
    for list in ["Catch", "Choices"] {
        for (i, part) in state.get(list).and_then(Value::as_array).into_iter().flatten().enumerate() {
            check(part, format!("{loc}/{list}[{i}]"));
        }
    }
    for (name, part) in [("ItemReader", state.get("ItemReader")), ("ItemBatcher", state.get("ItemBatcher"))] {
        if let Some(p) = part {
            check(p, format!("{loc}/{name}"));
            if let Some(config) = p.get("ReaderConfig") {
                check(config, format!("{loc}/{name}/ReaderConfig"));
            }
        }
    }
}

/// Field-level rules of one state.
fn fields(state: &Value, kind: &str, loc: &str, express: bool, out: &mut Vec<Diagnostic>) {
    if kind == "Task" {
        let resource = state.get("Resource").and_then(Value::as_str).unwrap_or_default();
        let rloc = format!("{loc}/Resource");
        if express && (resource.ends_with(".sync") || resource.contains(".sync:")) {
            out.push(Diagnostic::schema("Express state machine does not support '.sync' service integration", rloc));
        } else if express && resource.ends_with(".waitForTaskToken") {
            out.push(Diagnostic::schema(
                "Express state machine does not support '.waitForTaskToken' service integration ",
                rloc,
            ));
        } else if express && resource.contains(":activity:") {
            out.push(Diagnostic::schema("Express state machine does not support Activity ARN", rloc));
        }
        if let Some(c) = state.get("Credentials")
            && c.get("RoleArn").is_none()
            && c.get("RoleArn.$").is_none()
        {
            out.push(Diagnostic::schema(
                "The field 'RoleArn' is required but was missing",
                format!("{loc}/Credentials"),
            ));
        }
    }
    if kind == "Wait"
        && let Some(t) = state.get("Timestamp").and_then(Value::as_str)
        && crate::asl::jsonata::expression(t).is_none()
        && time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).is_err()
    {
        out.push(Diagnostic::schema("String does not match RFC3339 timestamp", format!("{loc}/Timestamp")));
    }
    for field in ["Parameters", "ResultSelector", "ItemSelector"] {
        if let Some(t) = state.get(field) {
            template(t, &format!("{loc}/{field}"), out);
        }
    }
}

/// `.$` values must be paths or intrinsic calls.
fn template(t: &Value, loc: &str, out: &mut Vec<Diagnostic>) {
    match t {
        Value::Object(m) => {
            for (k, v) in m {
                if k.ends_with(".$") {
                    let ok = v.as_str().is_some_and(|s| s.starts_with('$') || s.starts_with("States."));
                    if !ok {
                        out.push(Diagnostic::schema(
                            format!("The value for the field '{k}' must be a valid JSONPath or a valid intrinsic function call"),
                            loc,
                        ));
                    }
                } else {
                    template(v, loc, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| template(v, loc, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(text: &str, express: bool) -> Option<String> {
        check(text, express).err().and_then(|d| d.first().map(Diagnostic::to_error_message))
    }

    #[test]
    fn reports_aws_texts() {
        assert_eq!(
            first(r#"{"StartAt": "A"}"#, false).as_deref(),
            Some(
                "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These fields are required: [States] at /'"
            )
        );
        let def = r#"{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "End": true}}}"#;
        assert_eq!(
            first(def, true).as_deref(),
            Some(
                "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Express state machine does not support '.waitForTaskToken' service integration  at /States/A/Resource'"
            )
        );
        assert!(check(r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}"#, false).is_ok());
    }

    #[test]
    fn checks_query_language_fields() {
        let jsonata = r#"{"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "ResultPath": "$.x", "End": true}}}"#;
        assert_eq!(
            first(jsonata, false).as_deref(),
            Some(
                "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The QueryLanguage is set to 'JSONata', but field 'ResultPath' is only supported for the 'JSONPath' QueryLanguage at /States/A'"
            )
        );
        let path_field = r#"{"StartAt": "A", "States": {"A": {"Type": "Wait", "QueryLanguage": "JSONata", "SecondsPath": "$.s", "End": true}}}"#;
        assert!(
            first(path_field, false)
                .is_some_and(|m| m.contains("field 'SecondsPath' is only supported for the 'JSONPath'"))
        );
        let output = r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Output": {}, "End": true}}}"#;
        assert!(first(output, false).is_some_and(|m| m.contains("The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported for the 'JSONata' QueryLanguage at /States/A")));
        let catcher = r#"{"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.e", "Next": "B"}], "End": true}, "B": {"Type": "Succeed"}}}"#;
        assert!(first(catcher, false).is_some_and(|m| m.ends_with("at /States/A/Catch[0]'")));
        let back = r#"{"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": true}}}"#;
        assert!(first(back, false).is_some_and(|m| m.contains(
            "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine at /States/A"
        )));
        // A JSONPath machine may have JSONata states, with JSONata fields.
        let mixed = r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $states.input %}", "Next": "B"}, "B": {"Type": "Pass", "InputPath": "$", "End": true}}}"#;
        assert!(check(mixed, false).is_ok());
        let processor = r#"{"StartAt": "M", "States": {"M": {"Type": "Map", "ItemProcessor": {"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "End": true}}}"#;
        assert!(
            first(processor, false)
                .is_some_and(|m| m.contains("Field 'QueryLanguage' is not supported at /States/M/ItemProcessor"))
        );
        let syntax = r#"{"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "Output": {"v": "{% 1 + %}"}, "End": true}}}"#;
        let d = check(syntax, false).err().unwrap_or_default();
        assert_eq!(
            d.first().map(|d| (d.code, d.location.as_deref())),
            Some(("INVALID_JSONATA_EXPRESSION", Some("/States/A/Output/v")))
        );
        assert!(check(r#"{"QueryLanguage": "JSONata", "StartAt": "W", "States": {"W": {"Type": "Wait", "Timestamp": "{% $states.input.t %}", "End": true}}}"#, false).is_ok());
        let top = r#"{"QueryLanguage": "JSONata", "StartAt": "E", "States": {"E": {"Type": "Pass", "Output": {"v": "{% 'tel: ' & phone %}", "ok": "{% $states.input.items[price > 1].(name) %}"}, "End": true}}}"#;
        assert_eq!(
            first(top, false).as_deref(),
            Some(
                "Invalid State Machine Definition: 'UNSUPPORTED_JSONATA_EXPRESSION: Reference to 'phone' at the top level is not supported. at /States/E/Output/v'"
            )
        );
    }
}
