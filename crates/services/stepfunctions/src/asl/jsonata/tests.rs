use super::states;
use super::*;
use serde_json::json;

fn vars() -> Map<String, Value> {
    let mut vars = Map::new();
    vars.insert("limit".into(), json!(3));
    vars.insert("name".into(), json!("ada"));
    vars
}

/// Evaluates `field` at `location` with `input`, the test variables and a
/// small context object.
fn eval(field: Value, input: Value) -> Result<Value, QueryError> {
    let ctx = || json!({"Execution": {"Name": "e1"}, "State": {"Name": "S"}});
    let vars = vars();
    let scope = Scope::new(&ctx, &vars);
    Query::new(&scope, &input).field(&field, "Output")
}

fn cause(r: Result<Value, QueryError>) -> String {
    r.err().map(|e| e.cause).unwrap_or_default()
}

#[test]
fn only_whole_strings_are_expressions() {
    assert_eq!(expression("{% $x %}"), Some("$x"));
    assert_eq!(expression("{%$x%}"), Some("$x"));
    assert_eq!(expression(" {% $x %}"), None);
    assert_eq!(expression("{% $x %} "), None);
    assert_eq!(expression("$states.input"), None);
    assert!(uses(&json!({"QueryLanguage": "JSONata"}), false));
    assert!(!uses(&json!({"QueryLanguage": "JSONPath"}), true));
    assert!(uses(&json!({"Type": "Pass"}), true));
}

#[test]
fn evaluates_expressions_at_any_depth() {
    let field = json!({
        "sum": "{% $sum($states.input.n) + $limit %}",
        "who": "{% $name %}",
        "ctx": "{% $states.context.Execution.Name %}",
        "list": [1, "{% $uppercase($name) %}", {"deep": "{% $count($states.input.n) %}"}],
        "literal": "$states.input",
        "spaced": " {% $name %} "
    });
    let out = eval(field, json!({"n": [1, 2, 3.5]})).ok();
    assert_eq!(
        out,
        Some(json!({
            "sum": 9.5, "who": "ada", "ctx": "e1", "list": [1, "ADA", {"deep": 3}],
            "literal": "$states.input", "spaced": " {% $name %} "
        }))
    );
    // The context object is there whenever an expression may read it.
    assert_eq!(eval(json!("{% $keys($states) %}"), json!({})).ok(), Some(json!(["input", "context"])));
    assert!(!reads_context(&json!({"a": ["{% $states.input.x %}", "{% $states.result %}"]})));
    assert!(reads_context(&json!({"a": ["{% $lookup($states, 'context') %}"]})));
    // Whole numbers print without a fraction; key order is kept.
    let out = eval(json!("{% {'b': 2 * 3, 'a': 1} %}"), json!({})).ok();
    assert_eq!(out.map(|v| v.to_string()), Some(r#"{"b":6,"a":1}"#.to_string()));
}

#[test]
fn reports_aws_causes() {
    assert_eq!(
        cause(eval(json!({"result": "{% $doesNotExist %}"}), json!({}))),
        "The JSONata expression '$doesNotExist' specified for the field 'Output/result' returned nothing (undefined)."
    );
    assert_eq!(
        cause(eval(json!({"l": [0, "{% $nope %}"]}), json!({}))),
        "The JSONata expression '$nope' specified for the field 'Output/l[1]' returned nothing (undefined)."
    );
    assert_eq!(
        cause(eval(json!("{% $fn := function($x){$x} %}"), json!({}))),
        "The JSONata expression '$fn := function($x){$x}' specified for the field 'Output' returned an unsupported result type."
    );
    assert_eq!(
        cause(eval(json!({"r": "{% $randomSeeded(1) %}"}), json!({}))),
        "The JSONata expression '$randomSeeded(1)' specified for the field 'Output/r' threw an error during evaluation. T1006: Attempted to invoke a non-function"
    );
    // AWS refuses $eval ($parse replaces it).
    assert!(
        cause(eval(json!("{% $eval('1 + 1') %}"), json!({}))).ends_with("T1006: Attempted to invoke a non-function")
    );
    // Runaway sequences fail instead of exhausting memory.
    assert!(cause(eval(json!("{% $count([1..5000000]) %}"), json!({}))).contains("threw an error during evaluation"));
    let err = eval(json!("{% $states.input. %}"), json!({})).err();
    assert!(err.is_some_and(|e| e.cause.contains("threw an error during evaluation")));
}

#[test]
fn checks_result_types() {
    let ctx = || json!({});
    let vars = Map::new();
    let scope = Scope::new(&ctx, &vars);
    let input = json!({"items": "string"});
    let q = Query::new(&scope, &input);
    let err = states::items(&q, &json!({"Items": "{% $states.input.items %}"})).err();
    assert_eq!(
        err.map(|e| (e.location, e.cause)),
        Some((
            Some("Items".to_string()),
            "The JSONata expression '$states.input.items' specified for the field 'Items' returned an unexpected \
             result type. Expected 'array', but was 'string' for value: \"string\""
                .to_string()
        ))
    );
    let err = states::items(&q, &json!({})).err();
    assert_eq!(
        err.map(|e| (e.location, e.cause)),
        Some((None, "Map state input must be an array but was: {\"items\":\"string\"}".to_string()))
    );
    assert_eq!(states::items(&q, &json!({"Items": [1, "{% 1 + 1 %}"]})).ok(), Some(vec![json!(1), json!(2)]));
    assert_eq!(states::count(&q, &json!({"MaxConcurrency": "{% 1 + 1 %}"}), "MaxConcurrency").ok(), Some(Some(2)));
    let err = states::count(&q, &json!({"TimeoutSeconds": "{% 'x' %}"}), "TimeoutSeconds").err();
    assert!(err.is_some_and(|e| e.cause.contains("Expected 'integer', but was 'string'")));
}

#[test]
fn outputs_and_assign_see_the_same_states() {
    let ctx = || json!({});
    let vars = vars();
    let scope = Scope::new(&ctx, &vars);
    let input = json!({"a": 1});
    let result = json!({"r": 2});
    let q = Query { result: Some(&result), ..Query::new(&scope, &input) };
    let def = json!({
        "Assign": {"name": "{% $states.result.r %}", "old": "{% $name %}"},
        "Output": {"in": "{% $states.input.a %}", "name": "{% $name %}"}
    });
    let (out, assigned) = states::outputs(&q, &def, &result).unwrap_or_default();
    assert_eq!(out, json!({"in": 1, "name": "ada"}));
    assert_eq!(assigned.map(Value::Object), Some(json!({"name": 2, "old": "ada"})));
    // Without an Output the state passes its default on.
    assert_eq!(states::outputs(&q, &json!({}), &result).ok().map(|(o, _)| o), Some(result.clone()));
    let err = q.assign(&json!({"Assign": "{% 1 %}"})).err();
    assert!(err.is_some_and(|e| e.cause.contains("'Assign' must be an object")));
}

#[test]
fn aws_functions() {
    let out = eval(
        json!({
            "partition": "{% $partition([1, 2, 3, 4, 5], 2) %}",
            "one": "{% $partition([0], 1) %}",
            "range": "{% $range(0, 10, 3) %}",
            "single": "{% $range(1, 9, 9) %}",
            "hash": "{% $hash('input data', 'SHA-1') %}",
            "parsed": "{% $parse('{\"a\": [1, 2]}') %}",
            "same": "{% $random(7) = $random(7) %}",
            "unit": "{% $random() < 1 %}",
            "uuid": "{% $length($uuid()) %}"
        }),
        json!({}),
    )
    .ok();
    assert_eq!(
        out,
        Some(json!({
            "partition": [[1, 2], [3, 4], [5]],
            "one": [[0]],
            "range": [0, 3, 6, 9],
            "single": 1,
            "hash": "aaff4a450a104cd177d28d18d74485e8cae074b7",
            "parsed": {"a": [1, 2]},
            "same": true,
            "unit": true,
            "uuid": 36
        }))
    );
    let err = cause(eval(json!("{% $hash('x', 'SHA-3') %}"), json!({})));
    assert!(err.contains("Invalid hash algorithm 'SHA-3'"), "{err}");
}
