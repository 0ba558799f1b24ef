//! Tests of the filter pattern parser and matcher, one group per form of
//! the syntax, plus garbage and random input that must fail cleanly.

use super::FilterPattern;

fn pat(p: &str) -> FilterPattern {
    match FilterPattern::parse(p) {
        Ok(f) => f,
        Err(e) => panic!("pattern {p:?} should parse: {e:?}"),
    }
}

fn m(p: &str, msg: &str) -> bool {
    pat(p).matches(msg)
}

#[test]
fn empty_and_blank_match_everything() {
    assert!(m("", "anything"));
    assert!(m(" ", "anything"));
    assert!(m("\" \"", "nospace"));
}

#[test]
fn single_and_multiple_terms() {
    assert!(m("ERROR", "[ERROR 400] BAD REQUEST"));
    assert!(!m("ERROR", "[error 400] bad request"), "case-sensitive");
    assert!(m("ERROR ARGUMENTS", "[ERROR 419] MISSING ARGUMENTS"));
    assert!(!m("ERROR ARGUMENTS", "[ERROR 400] BAD REQUEST"));
}

#[test]
fn quoted_phrases() {
    assert!(m("\"INTERNAL SERVER ERROR\"", "[ERROR 500] INTERNAL SERVER ERROR"));
    assert!(!m("\"SERVER INTERNAL\"", "[ERROR 500] INTERNAL SERVER ERROR"));
    assert!(m("\"user@example.com\"", "login user@example.com ok"));
    assert!(m(r#""say \"hi\"""#, r#"they say "hi" loudly"#));
}

#[test]
fn or_terms_and_term_groups() {
    assert!(m("?ERROR ?WARN", "WARN disk low"));
    assert!(m("?ERROR ?WARN", "ERROR boom"));
    assert!(!m("?ERROR ?WARN", "INFO fine"));
    let groups = "?\"ERROR\" \"MainThread\" ?\"WARN\" \"Deadlock\"";
    assert!(m(groups, "ERROR in MainThread"));
    assert!(m(groups, "WARN Deadlock detected"));
    assert!(!m(groups, "ERROR in worker"));
    assert!(!m(groups, "WARN MainThread"));
}

#[test]
fn excluded_terms() {
    assert!(m("ERROR -ARGUMENTS", "[ERROR 400] BAD REQUEST"));
    assert!(!m("ERROR -ARGUMENTS", "[ERROR 419] MISSING ARGUMENTS"));
    assert!(m("-DEBUG", "INFO hello"));
    assert!(!m("-\"DEBUG x\"", "DEBUG x y"));
}

#[test]
fn regex_terms() {
    assert!(m("%AUTHORIZED%", "[ERROR 401] UNAUTHORIZED REQUEST"));
    assert!(m("%[Ee]rror|[Ff]ail%", "an error happened"));
    assert!(m(r"%\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}%", "from 10.0.0.12 ok"));
    assert!(m("%^[hc]at%", "hat on"));
    assert!(!m("%^[hc]at%", "the hat"));
    assert!(!m("%ERROR% -timeout", "ERROR timeout"));
}

#[test]
fn json_equality_and_wildcards() {
    let ev = r#"{"eventType":"UpdateTrail","sourceIPAddress":"123.123.1.4","n":42,"ok":true,"nothing":null}"#;
    assert!(m(r#"{ $.eventType = "UpdateTrail" }"#, ev));
    assert!(m("{$.eventType = UpdateTrail}", ev));
    assert!(m(r#"{ $.eventType = "Update*" }"#, ev));
    assert!(m(r#"{ $.eventType = "*Trail" }"#, ev));
    assert!(!m(r#"{ $.eventType = "Create*" }"#, ev));
    assert!(m(r#"{ $.eventType != "CreateTrail" }"#, ev));
    assert!(!m(r#"{ $.missing != "x" }"#, ev));
    assert!(m("{ $.sourceIPAddress = 123.123.* }", ev));
    assert!(!m("{ $.sourceIPAddress != 123.123.* }", ev));
    assert!(m(r#"{ $.eventType = "*" }"#, ev));
    assert!(!m(r#"{ $.absent = "*" }"#, ev));
    assert!(m("{ $.eventType = %Upd.te% }", ev));
    assert!(!m(r#"{ $.eventType = "UpdateTrail" }"#, "not json UpdateTrail"));
}

#[test]
fn json_numbers() {
    let ev = r#"{"bandwidth":80,"latency":12.5,"code":"400","e":1000}"#;
    assert!(m("{ $.bandwidth > 75 }", ev));
    assert!(!m("{ $.bandwidth < 75 }", ev));
    assert!(m("{ $.bandwidth >= 80 }", ev));
    assert!(m("{ $.latency <= 12.5 }", ev));
    assert!(m("{ $.bandwidth = 80 }", ev));
    assert!(m("{ $.bandwidth != 81 }", ev));
    assert!(m("{ $.e = 1e+3 }", ev));
    assert!(m("{ $.code = 400 }", ev), "numeric literal against the same text");
    assert!(!m("{ $.code > 300 }", ev), "strings do not compare as numbers");
}

#[test]
fn json_null_exists_booleans() {
    let ev = r#"{"a":null,"t":true,"f":false,"obj":{"x":1}}"#;
    assert!(m("{ $.a IS NULL }", ev));
    assert!(!m("{ $.t IS NULL }", ev));
    assert!(!m("{ $.zz IS NULL }", ev));
    assert!(m("{ $.zz NOT EXISTS }", ev));
    assert!(!m("{ $.a NOT EXISTS }", ev));
    assert!(m("{ $.obj.y NOT EXISTS }", ev));
    assert!(m("{ $.t IS TRUE }", ev));
    assert!(m("{ $.f IS FALSE }", ev));
    assert!(!m("{ $.f IS TRUE }", ev));
    assert!(m("{ $.t is true }", ev), "keywords are case-insensitive");
}

#[test]
fn json_arrays_and_nesting() {
    let ev = r#"{"arr":[1,"two",{"id":3}],"users":[{"email":"a@x"},{"email":"b@x"}]}"#;
    assert!(m("{ $.arr[0] = 1 }", ev));
    assert!(m(r#"{ $.arr[1] = "two" }"#, ev));
    assert!(m("{ $.arr[2].id = 3 }", ev));
    assert!(!m("{ $.arr[5] = 1 }", ev));
    assert!(m(r#"{ $.users[*].email = "b@x" }"#, ev));
    assert!(m("{ $[0] = 1 }", "[1,2]"));
}

#[test]
fn json_boolean_operators_and_parentheses() {
    let ev = r#"{"user":{"id":2},"users":[{"email":"John.Doe@example.com"}],"actions":["a","b","GET"]}"#;
    let p = r#"{ ($.user.id = 2 && $.users[0].email = "John.Doe@example.com") || $.actions[2] = "GET" }"#;
    assert!(m(p, ev));
    assert!(m(r#"{ $.user.id = 1 || $.actions[2] = "GET" }"#, ev));
    assert!(!m(r#"{ $.user.id = 1 && $.actions[2] = "GET" }"#, ev));
    assert!(m(r#"{ $.user.id = 1 && $.x NOT EXISTS || $.user.id = 2 }"#, ev), "&& binds tighter than ||");
    assert!(!m(r#"{ $.user.id = 1 && ($.x NOT EXISTS || $.user.id = 2) }"#, ev));
    assert!(m(r#"{ (($.user.id = 2)) }"#, ev));
}

#[test]
fn delimited_fields() {
    let line = r#"127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 404 1534"#;
    assert!(m("[ip, user, username, timestamp, request, status_code, bytes]", line));
    assert!(!m("[ip, user, username, timestamp, request, status_code]", line), "field count must agree");
    assert!(m("[ip, user, username, timestamp, request, status_code = 404, bytes]", line));
    assert!(!m("[ip, user, username, timestamp, request, status_code = 200, bytes]", line));
    assert!(m("[ip, user, username, timestamp, request = \"*gif*\", status_code = 4*, bytes]", line));
    assert!(m("[ip, user, username, timestamp, request, status_code = 4* || status_code = 5*, bytes > 1000]", line));
    assert!(!m("[ip, user, username, timestamp, request, status_code, bytes > 2000]", line));
    assert!(m("[ip, user, username, timestamp, request, status_code != 200 && status_code < 500, bytes]", line));
    assert!(m("[ip, user, username, timestamp, request, status_code = %4[0-9]{2}%, bytes]", line));
}

#[test]
fn delimited_ellipsis() {
    let line = "2024-01-01 host1 app ERROR something failed 503 77";
    assert!(m("[..., status = 503, size]", line));
    assert!(m("[date, ...]", line));
    assert!(m("[date, host, ..., status = 5*, size < 100]", line));
    assert!(!m("[date, host, ..., status = 4*, size]", line));
    assert!(m("[..., level = ERROR, ...]", line), "an ellipsis on both sides");
    assert!(m("[...]", ""));
    assert!(m("[]", ""));
    assert!(!m("[]", "x"));
}

#[test]
fn extracted_values() {
    let p = pat("[ip, user, ..., status = 404, size]");
    let got = p.extract("1.2.3.4 bob GET / 404 10").expect("matches");
    assert_eq!(got.get("$ip").map(String::as_str), Some("1.2.3.4"));
    assert_eq!(got.get("$user").map(String::as_str), Some("bob"));
    assert_eq!(got.get("$status").map(String::as_str), Some("404"));
    assert_eq!(got.get("$size").map(String::as_str), Some("10"));
    assert_eq!(got.len(), 4);
    assert!(p.extract("1.2.3.4 bob GET / 200 10").is_none());
    assert_eq!(pat("ERROR").extract("ERROR x").map(|v| v.len()), Some(0));
}

#[test]
fn structured_kinds() {
    assert!(pat("{ $.a = 1 }").is_structured());
    assert!(pat("[a, b]").is_structured());
    assert!(!pat("ERROR").is_structured());
}

#[test]
fn garbage_is_rejected() {
    for bad in [
        "{",
        "}",
        "{ }",
        "{ $.a }",
        "{ $.a = }",
        "{ a = 1 }",
        "{ $. = 1 }",
        "{ $.a = 1 ",
        "{ $.a = 1 } trailing",
        "{ $.a = 1 && }",
        "{ $.a = 1 || || $.b = 2 }",
        "{ ($.a = 1 }",
        "{ $.a IS MAYBE }",
        "{ $.a NOT THERE }",
        "{ $.a[x] = 1 }",
        "{ $.a[1 = 1 }",
        "{ $.a = \"unterminated }",
        "{ $.a = %unterminated }",
        "{ $.a = %(group)% }",
        "[",
        "[a,",
        "[a b]",
        "[a, = 1]",
        "[a = ]",
        "[a = 1 && b = 2]",
        "[a, ....]",
        "[a] x",
        "\"unterminated",
        "%unterminated",
        "%bad!char%",
        "?",
        "-",
        "? ERROR",
        "ERROR(1)",
        "ab\"cd\"",
        "%a% %b% %c%",
        "%%",
    ] {
        assert!(FilterPattern::parse(bad).is_err(), "pattern {bad:?} should be rejected");
    }
    let deep = format!("{{ {}$.a = 1{} }}", "(".repeat(100), ")".repeat(100));
    assert!(FilterPattern::parse(&deep).is_err());
}

#[test]
fn random_input_never_panics() {
    use rand::Rng;
    const ALPHABET: &[char] = &[
        '{', '}', '[', ']', '(', ')', '$', '.', '*', '"', '%', '?', '-', '=', '!', '<', '>', '&', '|', ',', ' ', 'a',
        'Z', '0', '9', '\\', 'I', 'S', 'N', 'U', 'L', 'é', '日', '\t', '_', '#', '+', 'e',
    ];
    let mut rng = rand::rng();
    for _ in 0..20_000 {
        let len = rng.random_range(0..40);
        let s: String = (0..len).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())]).collect();
        if let Ok(p) = FilterPattern::parse(&s) {
            p.matches("some event 123 \"quoted\" [br acket]");
            p.matches(r#"{"a":1,"b":[1,2,{"c":null}]}"#);
            p.extract("x y z");
        }
    }
    for _ in 0..2_000 {
        let len = rng.random_range(0..60);
        let bytes: Vec<u8> = (0..len).map(|_| rng.random()).collect();
        let s = String::from_utf8_lossy(&bytes);
        if let Ok(p) = FilterPattern::parse(&s) {
            p.matches(&s);
        }
    }
}
