//! Filter policy tests: every operator on attributes and bodies, and
//! validation with AWS's messages (from recorded AWS responses).

use super::*;
use serde_json::{Value, json};

fn attrs(v: Value) -> Value {
    attributes_document(v.as_object().expect("object"))
}

fn s(v: &str) -> Value {
    json!({"DataType": "String", "StringValue": v})
}

fn n(v: &str) -> Value {
    json!({"DataType": "Number", "StringValue": v})
}

fn on_attrs(policy: &str, doc: Value) -> bool {
    matches(&parse(policy, Scope::Attributes).expect("valid policy"), &attrs(doc))
}

fn on_body(policy: &str, body: Value) -> bool {
    matches(&parse(policy, Scope::Body).expect("valid policy"), &body)
}

/// The error text without the parser location.
fn error(policy: &str) -> String {
    let m = parse(policy, Scope::Body).expect_err("invalid policy").message;
    m.split("\n at [Source").next().unwrap_or_default().to_string()
}

#[test]
fn exact_strings_and_numbers() {
    assert!(on_attrs(r#"{"a":["x","y"]}"#, json!({"a": s("y")})));
    assert!(!on_attrs(r#"{"a":["x"]}"#, json!({"a": s("X")})));
    assert!(!on_attrs(r#"{"a":["x"]}"#, json!({})));
    assert!(on_attrs(r#"{"a":[100]}"#, json!({"a": n("100.0")})));
    assert!(!on_attrs(r#"{"a":[100]}"#, json!({"a": s("100")})));
    assert!(!on_attrs(r#"{"a":["100"]}"#, json!({"a": n("100")})));
    assert!(on_body(r#"{"a":[true]}"#, json!({"a": true})));
    assert!(on_body(r#"{"a":[null]}"#, json!({"a": null})));
    assert!(!on_body(r#"{"a":[null]}"#, json!({})));
}

#[test]
fn every_key_must_match() {
    let p = r#"{"a":["x"],"b":["y"]}"#;
    assert!(on_attrs(p, json!({"a": s("x"), "b": s("y")})));
    assert!(!on_attrs(p, json!({"a": s("x"), "b": s("z")})));
}

#[test]
fn prefix_suffix_and_equals_ignore_case() {
    assert!(on_attrs(r#"{"a":[{"prefix":"ord"}]}"#, json!({"a": s("order")})));
    assert!(!on_attrs(r#"{"a":[{"prefix":"ord"}]}"#, json!({"a": s("xorder")})));
    assert!(on_attrs(r#"{"a":[{"suffix":".png"}]}"#, json!({"a": s("img.png")})));
    assert!(!on_attrs(r#"{"a":[{"suffix":".png"}]}"#, json!({"a": s("img.jpg")})));
    assert!(on_attrs(r#"{"a":[{"equals-ignore-case":"ReD"}]}"#, json!({"a": s("rEd")})));
    assert!(!on_attrs(r#"{"a":[{"equals-ignore-case":"red"}]}"#, json!({"a": s("reds")})));
}

#[test]
fn anything_but_forms() {
    let list = r#"{"a":[{"anything-but":["x","y"]}]}"#;
    assert!(on_attrs(list, json!({"a": s("z")})));
    assert!(!on_attrs(list, json!({"a": s("x")})));
    assert!(!on_attrs(list, json!({})), "anything-but needs the key");
    assert!(on_attrs(r#"{"a":[{"anything-but":"x"}]}"#, json!({"a": s("q")})));
    assert!(on_attrs(r#"{"a":[{"anything-but":100}]}"#, json!({"a": n("99")})));
    assert!(!on_attrs(r#"{"a":[{"anything-but":[100]}]}"#, json!({"a": n("100")})));
    assert!(on_attrs(r#"{"a":[{"anything-but":{"prefix":"in"}}]}"#, json!({"a": s("out")})));
    assert!(!on_attrs(r#"{"a":[{"anything-but":{"prefix":"in"}}]}"#, json!({"a": s("inside")})));
    assert!(on_attrs(r#"{"a":[{"anything-but":{"suffix":"ed"}}]}"#, json!({"a": s("open")})));
    assert!(!on_attrs(r#"{"a":[{"anything-but":{"suffix":"ed"}}]}"#, json!({"a": s("closed")})));
    assert!(!on_attrs(r#"{"a":[{"anything-but":{"equals-ignore-case":["X"]}}]}"#, json!({"a": s("x")})));
}

#[test]
fn numeric_ranges() {
    let p = r#"{"a":[{"numeric":[">",0,"<=",100]}]}"#;
    assert!(on_attrs(p, json!({"a": n("99.12")})));
    assert!(on_attrs(p, json!({"a": n("100")})));
    assert!(!on_attrs(p, json!({"a": n("0")})));
    assert!(!on_attrs(p, json!({"a": n("100.12")})));
    assert!(!on_attrs(p, json!({"a": s("50")})));
    assert!(on_attrs(r#"{"a":[{"numeric":["=",5]}]}"#, json!({"a": n("5.0")})));
    assert!(on_attrs(r#"{"a":[{"numeric":[">=",5]}]}"#, json!({"a": n("5")})));
    assert!(on_attrs(r#"{"a":[{"numeric":["<",5]}]}"#, json!({"a": n("-3")})));
    assert!(on_body(r#"{"a":[{"numeric":[">=",1,"<",2]}]}"#, json!({"a": 1.5})));
}

#[test]
fn exists_true_and_false() {
    assert!(on_attrs(r#"{"a":[{"exists":true}]}"#, json!({"a": s("")})));
    assert!(!on_attrs(r#"{"a":[{"exists":true}]}"#, json!({"b": s("x")})));
    assert!(on_attrs(r#"{"a":[{"exists":false}]}"#, json!({"b": s("x")})));
    assert!(!on_attrs(r#"{"a":[{"exists":false}]}"#, json!({"a": s("x")})));
}

#[test]
fn cidr_v4_and_v6() {
    let p = r#"{"ip":[{"cidr":"10.0.0.0/24"}]}"#;
    assert!(on_attrs(p, json!({"ip": s("10.0.0.255")})));
    assert!(!on_attrs(p, json!({"ip": s("10.0.1.1")})));
    assert!(!on_attrs(p, json!({"ip": s("nope")})));
    let p6 = r#"{"ip":[{"cidr":"2001:db8::/32"}]}"#;
    assert!(on_attrs(p6, json!({"ip": s("2001:db8:1::1")})));
    assert!(!on_attrs(p6, json!({"ip": s("2001:db9::1")})));
}

#[test]
fn string_arrays_match_any_element() {
    let doc = json!({"a": {"DataType": "String.Array", "StringValue": "[\"x\", 5, true]"}});
    assert!(on_attrs(r#"{"a":["x"]}"#, doc.clone()));
    assert!(on_attrs(r#"{"a":[5]}"#, doc.clone()));
    assert!(!on_attrs(r#"{"a":["y"]}"#, doc));
}

#[test]
fn binary_attributes_never_match() {
    let doc = json!({"a": {"DataType": "Binary", "BinaryValue": "AAE="}});
    assert!(!on_attrs(r#"{"a":[{"exists":true}]}"#, doc));
}

#[test]
fn or_combines_branches() {
    let p = r#"{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPU"]},{"namespace":["AWS/EC2"]}]}"#;
    assert!(on_body(p, json!({"source": "aws.cloudwatch", "namespace": "AWS/EC2"})));
    assert!(on_body(p, json!({"source": "aws.cloudwatch", "metricName": "CPU"})));
    assert!(!on_body(p, json!({"source": "aws.cloudwatch", "metricName": "Mem"})));
    assert!(!on_body(p, json!({"source": "x", "metricName": "CPU"})));
}

#[test]
fn nested_body_keys_and_arrays() {
    let p = r#"{"object":{"key":[{"prefix":"auto-"}]}}"#;
    assert!(on_body(p, json!({"object": {"key": "auto-testing"}})));
    assert!(!on_body(p, json!({"object": {"key": "testing"}})));
    assert!(!on_body(p, json!({"other": 1})));
    assert!(on_body(p, json!({"object": [{"key": "x"}, {"key": "auto-1"}]})));
    assert!(on_body(r#"{"tags":["b"]}"#, json!({"tags": ["a", "b"]})));
    assert!(on_body(r#"{"a":{"b":{"c":[{"exists":false}]}}}"#, json!({"a": {"b": {}}})));
}

#[test]
fn nested_policies_need_body_scope() {
    let e = parse(r#"{"object":{"key":["x"]}}"#, Scope::Attributes).expect_err("nested");
    assert!(e.bare);
    assert_eq!(e.message, "Filter policy scope MessageAttributes does not support nested filter policy");
}

#[test]
fn validation_messages_match_aws() {
    assert_eq!(error(r#"{"key":[["value"]]}"#), "Match value must be String, number, true, false, or null");
    assert_eq!(error(r#"{"key":[{"wrong-operator":true}]}"#), "Unrecognized match type wrong-operator");
    assert_eq!(error(r#"{"key":[{"suffix":"value","prefix":"value2"}]}"#), "Only one key allowed in match expression");
    assert_eq!(error(r#"{"key":[]}"#), "Empty arrays are not allowed");
    assert_eq!(error(r#"{"key":[{"suffix":100}]}"#), "suffix match pattern must be a string");
    assert_eq!(error(r#"{"key":[{"suffix":null}]}"#), "suffix match pattern must be a string");
    assert_eq!(error(r#"{"key":{"suffix":"value"}}"#), "\"suffix\" must be an object or an array");
    assert_eq!(error(r#"{"key":[{"cidr":["bad-filter"]}]}"#), "prefix match pattern must be a string");
    assert_eq!(error(r#"{"key":[{"cidr":"bad-filter"}]}"#), "Malformed CIDR, one '/' required");
    assert_eq!(error(r#"{"key":[{"cidr":"bad-filter/"}]}"#), "Nonstandard IP address: bad-filter");
    assert_eq!(error(r#"{"key":[{"cidr":"10.0.0.0/xx"}]}"#), "Malformed CIDR, mask bits must be an integer");
    assert_eq!(error(r#"{"key":[{"cidr":"xx.11.xx/8"}]}"#), "Nonstandard IP address: xx.11.xx");
    assert_eq!(error(r#"{"key":[{"exists":"no"}]}"#), "exists match pattern must be either true or false.");
    assert_eq!(
        error(r#"{"key":[{"anything-but":{"wrong-operator":null}}]}"#),
        "Unsupported anything-but pattern: wrong-operator"
    );
    assert_eq!(error(r#"{"key":[{"anything-but":{"exists":false}}]}"#), "Unsupported anything-but pattern: exists");
    assert_eq!(error(r#"{"key":[{"anything-but":{"prefix":false}}]}"#), "prefix match pattern must be a string");
    assert_eq!(error(r#"{"key_a":"value_one"}"#), "\"key_a\" must be an object or an array");
}

#[test]
fn numeric_validation_messages_match_aws() {
    let cases = [
        (r#"[]"#, "Invalid member in numeric match: ]"),
        (r#"["operator"]"#, "Unrecognized numeric range operator: operator"),
        (r#"[1,"<="]"#, "Invalid member in numeric match: 1"),
        (r#"["=","000"]"#, "Value of equals must be numeric"),
        (r#"[">="]"#, "Value of >= must be numeric"),
        (r#"["<",100,">",10]"#, "Too many elements in numeric expression"),
        (r#"[">=",1,">",2]"#, "Bad numeric range operator: >"),
        (r#"[">",3,"<",1]"#, "Bottom must be less than top"),
        (r#"[">",20,"<="]"#, "Value of <= must be numeric"),
        (r#"[">",20,30]"#, "Bad value in numeric range: 30"),
        (r#"[">",20,"test"]"#, "Bad numeric range operator: test"),
        (r#"[">","20","<","30"]"#, "Value of > must be numeric"),
        (r#"[">",20,"<","30"]"#, "Value of < must be numeric"),
        (r#"[">",20,"<",30,"<",50]"#, "Too many terms in numeric range expression"),
    ];
    for (expr, message) in cases {
        assert_eq!(error(&format!(r#"{{"key":[{{"numeric":{expr}}}]}}"#)), message, "{expr}");
    }
}

#[test]
fn complexity_limits() {
    let six = r#"{"a":["1"],"b":["1"],"c":["1"],"d":["1"],"e":["1"],"f":["1"]}"#;
    assert_eq!(error(six), "Filter policy can not have more than 5 keys");
    let vals: Vec<String> = (0..151).map(|i| format!("\"v{i}\"")).collect();
    assert_eq!(error(&format!(r#"{{"a":[{}]}}"#, vals.join(","))), "Filter policy is too complex");
    // 10 * 15 = 150 is allowed, 10 * 16 is not.
    let ten: Vec<String> = (0..10).map(|i| format!("{i}")).collect();
    let fifteen: Vec<String> = (0..15).map(|i| format!("{i}")).collect();
    let sixteen: Vec<String> = (0..16).map(|i| format!("{i}")).collect();
    assert!(parse(&format!(r#"{{"a":[{}],"b":[{}]}}"#, ten.join(","), fifteen.join(",")), Scope::Body).is_ok());
    assert_eq!(
        error(&format!(r#"{{"a":[{}],"b":[{}]}}"#, ten.join(","), sixteen.join(","))),
        "Filter policy is too complex"
    );
    // $or branches add their combinations up.
    let or = format!(
        r#"{{"$or":[{{"a":[{}]}},{{"b":[{}]}}]}}"#,
        (0..80).map(|i| i.to_string()).collect::<Vec<_>>().join(","),
        (0..80).map(|i| i.to_string()).collect::<Vec<_>>().join(",")
    );
    assert_eq!(error(&or), "Filter policy is too complex");
}

#[test]
fn json_syntax_errors_read_like_aws() {
    let full = |p: &str| parse(p, Scope::Body).expect_err("invalid policy").message;
    let e = full("{invalid: json}");
    assert!(e.starts_with("failed to parse JSON. Unexpected character ('i' (code 105)): was expecting double-quote to start field name"), "{e}");
    assert!(e.ends_with("line: 1, column: 2]"), "{e}");
    let e = full("invalid json");
    assert!(e.starts_with("failed to parse JSON. Unrecognized token 'invalid'"), "{e}");
    assert!(e.ends_with("column: 8]"), "{e}");
}

#[test]
fn errors_carry_aws_parser_locations() {
    // Every located error recorded from AWS, except `anything-but` with
    // `suffix`, which AWS rejected when recorded (2024) and Stratus accepts.
    let cases: &[(&str, &str)] = &[
        (
            "{\"key\":[[\"value\"]]}",
            "Match value must be String, number, true, false, or null\n at [Source: (String)\"{\"key\":[[\"value\"]]}\"; line: 1, column: 10]",
        ),
        (
            "{\"key\":[{\"wrong-operator\":true}]}",
            "Unrecognized match type wrong-operator\n at [Source: (String)\"{\"key\":[{\"wrong-operator\":true}]}\"; line: 1, column: 31]",
        ),
        (
            "{\"key\":[{\"suffix\":\"value\",\"prefix\":\"value2\"}]}",
            "Only one key allowed in match expression\n at [Source: (String)\"{\"key\":[{\"suffix\":\"value\",\"prefix\":\"value2\"}]}\"; line: 1, column: 37]",
        ),
        ("{\"key\":[]}", "Empty arrays are not allowed\n at [Source: (String)\"{\"key\":[]}\"; line: 1, column: 10]"),
        (
            "{\"key\":[{\"suffix\":100}]}",
            "suffix match pattern must be a string\n at [Source: (String)\"{\"key\":[{\"suffix\":100}]}\"; line: 1, column: 22]",
        ),
        (
            "{\"key\":[{\"suffix\":null}]}",
            "suffix match pattern must be a string\n at [Source: (String)\"{\"key\":[{\"suffix\":null}]}\"; line: 1, column: 23]",
        ),
        (
            "{\"key\":{\"suffix\":\"value\"}}",
            "\"suffix\" must be an object or an array\n at [Source: (String)\"{\"key\":{\"suffix\":\"value\"}}\"; line: 1, column: 19]",
        ),
        (
            "{\"key\":[{\"suffix\":[]}]}",
            "suffix match pattern must be a string\n at [Source: (String)\"{\"key\":[{\"suffix\":[]}]}\"; line: 1, column: 20]",
        ),
        (
            "{\"key\":[{\"suffix\":[\"test\",\"test2\"]}]}",
            "suffix match pattern must be a string\n at [Source: (String)\"{\"key\":[{\"suffix\":[\"test\",\"test2\"]}]}\"; line: 1, column: 20]",
        ),
        (
            "{\"key\":{\"suffix\":\"value\",\"prefix\":\"value\"}}",
            "\"suffix\" must be an object or an array\n at [Source: (String)\"{\"key\":{\"suffix\":\"value\",\"prefix\":\"value\"}}\"; line: 1, column: 19]",
        ),
        (
            "{\"key\":{\"not-an-operator\":\"value\"}}",
            "\"not-an-operator\" must be an object or an array\n at [Source: (String)\"{\"key\":{\"not-an-operator\":\"value\"}}\"; line: 1, column: 28]",
        ),
        (
            "{\"key\":[{\"cidr\":[\"bad-filter\"]}]}",
            "prefix match pattern must be a string\n at [Source: (String)\"{\"key\":[{\"cidr\":[\"bad-filter\"]}]}\"; line: 1, column: 18]",
        ),
        (
            "{\"key\":[{\"numeric\":[]}]}",
            "Invalid member in numeric match: ]\n at [Source: (String)\"{\"key\":[{\"numeric\":[]}]}\"; line: 1, column: 22]",
        ),
        (
            "{\"key\":[{\"numeric\":[\"operator\"]}]}",
            "Unrecognized numeric range operator: operator\n at [Source: (String)\"{\"key\":[{\"numeric\":[\"operator\"]}]}\"; line: 1, column: 32]",
        ),
        (
            "{\"key\":[{\"numeric\":[1,\"<=\"]}]}",
            "Invalid member in numeric match: 1\n at [Source: (String)\"{\"key\":[{\"numeric\":[1,\"<=\"]}]}\"; line: 1, column: 22]",
        ),
        (
            "{\"key\":[{\"numeric\":[\"=\",\"000\"]}]}",
            "Value of equals must be numeric\n at [Source: (String)\"{\"key\":[{\"numeric\":[\"=\",\"000\"]}]}\"; line: 1, column: 26]",
        ),
        (
            "{\"key\":[{\"numeric\":[\">=\"]}]}",
            "Value of >= must be numeric\n at [Source: (String)\"{\"key\":[{\"numeric\":[\">=\"]}]}\"; line: 1, column: 26]",
        ),
        (
            "{\"key\":[{\"numeric\":[\"<\",100,\">\",10]}]}",
            "Too many elements in numeric expression\n at [Source: (String)\"{\"key\":[{\"numeric\":[\"<\",100,\">\",10]}]}\"; line: 1, column: 30]",
        ),
        (
            "{\"key\":[{\"numeric\":[\">=\",1,\">\",2]}]}",
            "Bad numeric range operator: >\n at [Source: (String)\"{\"key\":[{\"numeric\":[\">=\",1,\">\",2]}]}\"; line: 1, column: 31]",
        ),
        (
            "{\"key\":[{\"numeric\":[\">\",3,\"<\",1]}]}",
            "Bottom must be less than top\n at [Source: (String)\"{\"key\":[{\"numeric\":[\">\",3,\"<\",1]}]}\"; line: 1, column: 33]",
        ),
        (
            "{\"key\":[{\"numeric\":[\">\",20,\"<=\"]}]}",
            "Value of <= must be numeric\n at [Source: (String)\"{\"key\":[{\"numeric\":[\">\",20,\"<=\"]}]}\"; line: 1, column: 33]",
        ),
        (
            "{\"key\":[{\"numeric\":[\">\",20,30]}]}",
            "Bad value in numeric range: 30\n at [Source: (String)\"{\"key\":[{\"numeric\":[\">\",20,30]}]}\"; line: 1, column: 30]",
        ),
        (
            "{\"key\":[{\"numeric\":[\">\",20,\"test\"]}]}",
            "Bad numeric range operator: test\n at [Source: (String)\"{\"key\":[{\"numeric\":[\">\",20,\"test\"]}]}\"; line: 1, column: 34]",
        ),
        (
            "{\"key\":[{\"numeric\":[\">\",\"20\",\"<\",\"30\"]}]}",
            "Value of > must be numeric\n at [Source: (String)\"{\"key\":[{\"numeric\":[\">\",\"20\",\"<\",\"30\"]}]}\"; line: 1, column: 26]",
        ),
        (
            "{\"key\":[{\"numeric\":[\">\",20,\"<\",\"30\"]}]}",
            "Value of < must be numeric\n at [Source: (String)\"{\"key\":[{\"numeric\":[\">\",20,\"<\",\"30\"]}]}\"; line: 1, column: 33]",
        ),
        (
            "{\"key\":[{\"numeric\":[\">\",20,\"<\",30,\"<\",50]}]}",
            "Too many terms in numeric range expression\n at [Source: (String)\"{\"key\":[{\"numeric\":[\">\",20,\"<\",30,\"<\",50]}]}\"; line: 1, column: 36]",
        ),
        (
            "{\"key\":[{\"exists\":null}]}",
            "exists match pattern must be either true or false.\n at [Source: (String)\"{\"key\":[{\"exists\":null}]}\"; line: 1, column: 23]",
        ),
        (
            "{\"key\":[{\"exists\":\"no\"}]}",
            "exists match pattern must be either true or false.\n at [Source: (String)\"{\"key\":[{\"exists\":\"no\"}]}\"; line: 1, column: 20]",
        ),
        (
            "{\"key_a\":\"value_one\"}",
            "\"key_a\" must be an object or an array\n at [Source: (String)\"{\"key_a\":\"value_one\"}\"; line: 1, column: 11]",
        ),
        (
            "{\"key\":[{\"anything-but\":{\"wrong-operator\":null}}]}",
            "Unsupported anything-but pattern: wrong-operator\n at [Source: (String)\"{\"key\":[{\"anything-but\":{\"wrong-operator\":null}}]}\"; line: 1, column: 47]",
        ),
        (
            "{\"key\":[{\"anything-but\":{\"exists\":false}}]}",
            "Unsupported anything-but pattern: exists\n at [Source: (String)\"{\"key\":[{\"anything-but\":{\"exists\":false}}]}\"; line: 1, column: 40]",
        ),
        (
            "{\"key\":[{\"anything-but\":{\"prefix\":false}}]}",
            "prefix match pattern must be a string\n at [Source: (String)\"{\"key\":[{\"anything-but\":{\"prefix\":false}}]}\"; line: 1, column: 40]",
        ),
    ];
    for (policy, expected) in cases {
        let got = parse(policy, Scope::Body).expect_err("invalid policy").message;
        assert_eq!(&got, expected, "{policy}");
    }
}
