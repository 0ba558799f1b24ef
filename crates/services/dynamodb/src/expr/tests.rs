//! Expression tests: parsing, AWS's error texts, evaluation, updates, and a
//! random-input fuzz that must never panic.

use rand::Rng;
use serde_json::{Value, json};

use super::eval::{eval, project};
use super::names::Names;
use super::parser::{Kind, parse_condition, parse_projection, parse_update};
use super::update::apply;
use crate::types::{Item, item_from_json, item_to_json};

fn names(v: Value) -> Names {
    Names::from_input(&v).expect("names")
}

fn item(v: Value) -> Item {
    item_from_json(&v).expect("item")
}

fn cond_err(expr: &str, subs: Value) -> String {
    let mut n = names(subs);
    match parse_condition(expr, Kind::Condition, &mut n) {
        Ok(_) => match n.check_unused() {
            Ok(()) => "ok".into(),
            Err(e) => e.message,
        },
        Err(e) => e.message,
    }
}

fn check(expr: &str, subs: Value, it: Value) -> bool {
    let mut n = names(subs);
    let c = parse_condition(expr, Kind::Condition, &mut n).expect(expr);
    eval(&item(it), &c)
}

#[test]
fn aws_error_texts() {
    assert_eq!(
        cond_err("name = :v", json!({"ExpressionAttributeValues": {":v": {"S": "x"}}})),
        "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: name"
    );
    assert_eq!(
        cond_err("a = :v", json!({"ExpressionAttributeValues": {":v": {"S": "x"}, ":x": {"S": "y"}}})),
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}"
    );
    assert_eq!(
        cond_err("#a = :v", json!({"ExpressionAttributeValues": {":v": {"S": "x"}}})),
        "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #a"
    );
    assert_eq!(
        cond_err("a = :nope", json!({})),
        "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :nope"
    );
    assert_eq!(
        cond_err("a = ", json!({})),
        "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"= \""
    );
    assert_eq!(cond_err("foo(a)", json!({})), "Invalid ConditionExpression: Invalid function name; function: foo");
    let mut n = names(json!({"ExpressionAttributeValues": {":v": {"N": "1"}}}));
    let e = parse_update("SET a = :v SET b = :v", &mut n).err().map(|e| e.message);
    assert_eq!(
        e.as_deref(),
        Some("Invalid UpdateExpression: The \"SET\" section can only be used once in an update expression;")
    );
    let mut n = names(json!({"ExpressionAttributeValues": {":v": {"N": "1"}}}));
    let e = parse_update("SET a = :v, a = :v", &mut n).err().map(|e| e.message);
    assert_eq!(
        e.as_deref(),
        Some(
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"
        )
    );
    let mut n = names(json!({}));
    let e = parse_update("SET a = :v,", &mut n).err().map(|e| e.message);
    assert!(e.unwrap_or_default().starts_with("Invalid UpdateExpression: "));
}

#[test]
fn conditions_evaluate() {
    let it = json!({"a": {"N": "5"}, "s": {"S": "hello"}, "ss": {"SS": ["x", "y"]}, "m": {"M": {"k": {"L": [{"N": "1"}, {"S": "z"}]}}}});
    let v = json!({"ExpressionAttributeValues": {":1": {"N": "1"}, ":10": {"N": "10"}, ":h": {"S": "he"}, ":x": {"S": "x"}, ":z": {"S": "z"}}});
    assert!(check("a BETWEEN :1 AND :10", v.clone(), it.clone()));
    assert!(check("begins_with(s, :h) AND contains(ss, :x)", v.clone(), it.clone()));
    assert!(check("m.k[1] = :z", v.clone(), it.clone()));
    assert!(check(
        "NOT attribute_exists(nope) OR a < :1",
        json!({"ExpressionAttributeValues": {":1": {"N": "1"}}}),
        it.clone()
    ));
    assert!(check("a IN (:1, :10) OR size(s) > :1", v.clone(), it.clone()));
    assert!(!check("a > :h", json!({"ExpressionAttributeValues": {":h": {"S": "he"}}}), it.clone()));
    assert!(check("attribute_type(ss, :t)", json!({"ExpressionAttributeValues": {":t": {"S": "SS"}}}), it.clone()));
    assert!(check(
        "#n <> :x",
        json!({"ExpressionAttributeNames": {"#n": "missing"}, "ExpressionAttributeValues": {":x": {"S": "x"}}}),
        it
    ));
}

#[test]
fn updates_apply() {
    let old = item(
        json!({"pk": {"S": "k"}, "n": {"N": "1"}, "l": {"L": [{"N": "1"}, {"N": "2"}, {"N": "3"}]}, "s": {"SS": ["a"]}, "s2": {"SS": ["a"]}, "m": {"M": {}}}),
    );
    let mut n = names(json!({"ExpressionAttributeValues": {
        ":one": {"N": "1"}, ":l": {"L": [{"N": "4"}]}, ":b": {"SS": ["b"]}, ":a": {"SS": ["a"]}, ":d": {"S": "d"}
    }}));
    let acts = parse_update(
        "SET n = n + :one, l = list_append(l, :l), m.x = if_not_exists(m.x, :d), c = :one ADD s :b DELETE s2 :a",
        &mut n,
    )
    .expect("parse");
    n.check_unused().expect("all used");
    let new = apply(&old, &acts).expect("apply");
    let mut n = names(json!({}));
    let new = apply(&new, &parse_update("REMOVE l[0], nothing", &mut n).expect("parse")).expect("apply");
    assert_eq!(
        item_to_json(&new),
        json!({"c": {"N": "1"}, "l": {"L": [{"N": "2"}, {"N": "3"}, {"N": "4"}]}, "m": {"M": {"x": {"S": "d"}}}, "n": {"N": "2"}, "pk": {"S": "k"}, "s": {"SS": ["a", "b"]}})
    );
    let mut n = names(json!({"ExpressionAttributeValues": {":one": {"N": "1"}}}));
    let acts = parse_update("SET x = nope + :one", &mut n).expect("parse");
    assert_eq!(
        apply(&old, &acts).err().map(|e| e.message).as_deref(),
        Some("The provided expression refers to an attribute that does not exist in the item")
    );
    let mut n = names(json!({"ExpressionAttributeValues": {":one": {"N": "1"}}}));
    let acts = parse_update("SET a.b.c = :one", &mut n).expect("parse");
    assert_eq!(
        apply(&old, &acts).err().map(|e| e.message).as_deref(),
        Some("The document path provided in the update expression is invalid for update")
    );
}

#[test]
fn projections() {
    let it = item(
        json!({"a": {"S": "1"}, "b": {"M": {"c": {"N": "2"}, "d": {"N": "3"}}}, "l": {"L": [{"N": "0"}, {"N": "1"}]}}),
    );
    let mut n = names(json!({"ExpressionAttributeNames": {"#b": "b"}}));
    let p = parse_projection("a, #b.c, l[1]", &mut n).expect("parse");
    assert_eq!(
        item_to_json(&project(&it, &p)),
        json!({"a": {"S": "1"}, "b": {"M": {"c": {"N": "2"}}}, "l": {"L": [{"N": "1"}]}})
    );
}

#[test]
fn fuzz_never_panics() {
    let alphabet: &[&str] = &[
        "a",
        "#n",
        ":v",
        "(",
        ")",
        ",",
        ".",
        "[",
        "]",
        "0",
        "12",
        "=",
        "<>",
        "<",
        "<=",
        ">",
        ">=",
        "+",
        "-",
        " AND ",
        " OR ",
        " NOT ",
        " BETWEEN ",
        " IN ",
        "SET ",
        "REMOVE ",
        "ADD ",
        "DELETE ",
        "size",
        "attribute_exists",
        "begins_with",
        "contains",
        "list_append",
        "if_not_exists",
        "$",
        "é",
        "\u{0}",
        " ",
    ];
    let subs = json!({"ExpressionAttributeNames": {"#n": "x"}, "ExpressionAttributeValues": {":v": {"N": "1"}}});
    let it = item(json!({"a": {"N": "1"}, "x": {"L": [{"N": "1"}]}}));
    let mut rng = rand::rng();
    for _ in 0..20_000 {
        let len = rng.random_range(0..14);
        let s: String = (0..len).map(|_| alphabet[rng.random_range(0..alphabet.len())]).collect();
        for kind in [Kind::Condition, Kind::KeyCondition, Kind::Filter] {
            let mut n = names(subs.clone());
            if let Ok(c) = parse_condition(&s, kind, &mut n) {
                let _ = eval(&it, &c);
            }
        }
        let mut n = names(subs.clone());
        if let Ok(a) = parse_update(&s, &mut n) {
            let _ = apply(&it, &a);
        }
        let mut n = names(subs.clone());
        let _ = parse_projection(&s, &mut n);
    }
    // Deep nesting is refused, not a stack overflow.
    let deep = format!("{}a = :v{}", "(".repeat(5000), ")".repeat(5000));
    let mut n = names(subs.clone());
    assert!(parse_condition(&deep, Kind::Condition, &mut n).is_err());
    let deep = format!("{}a = :v", "NOT ".repeat(5000));
    let mut n = names(subs);
    assert!(parse_condition(&deep, Kind::Condition, &mut n).is_err());
}
