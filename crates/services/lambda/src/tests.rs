//! Unit tests of the pieces that need no processes: name parsing, limits,
//! the billing meter.

use crate::{config, meter, names};
use serde_json::{Map, Value, json};
use stratus_core::RequestContext;

fn ctx() -> RequestContext {
    RequestContext::internal("lambda", "GetFunction")
}

#[test]
fn function_names_in_every_form() {
    let c = ctx();
    let f = |raw: &str, q: Option<&str>| names::parse(&c, raw, q);
    assert_eq!(f("fn", None).map(|r| (r.name, r.qualifier)), Ok(("fn".into(), None)));
    assert_eq!(f("fn:live", None).map(|r| r.qualifier), Ok(Some("live".into())));
    assert_eq!(
        f("000000000000:function:fn", Some("3")).map(|r| (r.name, r.qualifier)),
        Ok(("fn".into(), Some("3".into())))
    );
    assert_eq!(
        f("arn:aws:lambda:us-east-1:000000000000:function:fn:$LATEST", None).map(|r| r.qualifier),
        Ok(Some("$LATEST".into()))
    );
    let e = f("fn:1", Some("2")).expect_err("mismatch");
    assert_eq!(e.message, "The derived qualifier from the function name does not match the specified qualifier.");
    let e = f("arn:aws:lambda:eu-west-1:000000000000:function:fn", None).expect_err("region");
    assert_eq!(e.message, "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')");
    assert_eq!(e.status, 404);
    assert_eq!(f("bad name", None).expect_err("pattern").code, "ValidationException");
}

#[test]
fn environment_variable_limits() {
    let mut vars = Map::new();
    vars.insert("A".into(), Value::from("x".repeat(4000)));
    assert!(config::check_environment(&vars).is_ok());
    vars.insert("B".into(), Value::from("y".repeat(100)));
    let e = config::check_environment(&vars).expect_err("over 4 KB");
    assert!(e.message.contains(r#"exceeded the 4KB limit. String measured: {"A":"xxx"#));
    let mut reserved = Map::new();
    reserved.insert("AWS_REGION".into(), json!("x"));
    let e = config::check_environment(&reserved).expect_err("reserved");
    assert!(e.message.ends_with("Reserved keys used in this request: AWS_REGION"), "{}", e.message);
    assert!(config::check_max(900, "timeout", 900).is_ok());
    assert!(config::check_runtime("python3.13").is_ok());
    assert!(
        config::check_runtime("go1.x").expect_err("deprecated").message.starts_with("The runtime parameter of go1.x")
    );
}

#[test]
fn lambdas_own_upper_limits_in_create_and_update() {
    let arn = "arn:aws:lambda:us-east-1:000000000000:function:f";
    let create = |extra: Value| {
        let mut input = json!({"FunctionName": "f", "Runtime": "python3.12", "Handler": "a.h", "Role": "r"});
        if let (Some(i), Some(e)) = (input.as_object_mut(), extra.as_object()) {
            i.extend(e.clone());
        }
        config::new_config(&input, arn, "f", "sha", 1)
    };
    let at_max = create(json!({"MemorySize": 10240, "Timeout": 900, "EphemeralStorage": {"Size": 10240}}));
    let mut c = at_max.expect("the limits themselves are allowed");
    for (extra, member, max) in [
        (json!({"MemorySize": 10241}), "memorySize", 10240),
        (json!({"Timeout": 901}), "timeout", 900),
        (json!({"EphemeralStorage": {"Size": 10241}}), "ephemeralStorage.size", 10240),
    ] {
        let value = extra.as_object().and_then(|o| o.values().next()).cloned().unwrap_or_default();
        let value = value.get("Size").cloned().unwrap_or(value);
        let want = format!(
            "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must have value less than or equal to {max}"
        );
        let e = create(extra.clone()).expect_err("create over the limit");
        assert_eq!((e.code.as_str(), e.message.as_str()), ("ValidationException", want.as_str()));
        let e = config::update_config(&mut c, &extra).expect_err("update over the limit");
        assert_eq!(e.message, want);
    }
    assert_eq!(c["MemorySize"], 10240, "a refused update changes nothing");
}

#[test]
fn meter_prices_requests_and_gb_seconds() {
    let m = meter::Meter::default();
    m.record("arn:f", "x86_64", 1024, 1000);
    m.record("arn:f", "x86_64", 1024, 1000);
    m.record("arn:g", "arm64", 512, 2000);
    let r = m.report();
    let f = &r["Functions"][0];
    assert_eq!(f["Requests"], 2);
    assert_eq!(f["GbSeconds"], 2.0);
    let cost = 2.0 * 0.20 / 1e6 + 2.0 * meter::PER_GB_SECOND_X86;
    assert!((f["CostUsd"].as_f64().unwrap_or(0.0) - cost).abs() < 1e-12);
    let g = &r["Functions"][1];
    assert_eq!(g["GbSeconds"], 1.0);
    assert_eq!(g["Architecture"], "arm64");
}

#[test]
fn code_signing_config_arns_of_this_account_and_region_only() {
    let c = ctx();
    let arn =
        |region: &str| format!("arn:aws:lambda:{region}:{}:code-signing-config:csc-0123456789abcdef0", c.account_id);
    assert_eq!(crate::codesigning::id_of(&c, &arn("us-east-1")), Some("csc-0123456789abcdef0"));
    assert_eq!(crate::codesigning::id_of(&c, &arn("eu-west-1")), None);
    assert_eq!(crate::codesigning::id_of(&c, "csc-0123456789abcdef0"), None);
}

#[test]
fn runtime_version_arn_goes_with_manual_only() {
    use crate::runtime_mgmt::check;
    let c = ctx();
    let good = format!("arn:aws:lambda:us-east-1::runtime:{}", "0a".repeat(32));
    assert!(check(&c, "Manual", Some(&good)).is_ok());
    assert!(check(&c, "Auto", None).is_ok());
    assert!(check(&c, "FunctionUpdate", None).is_ok());
    for (mode, arn) in [
        ("Manual", None),
        ("Auto", Some(good.as_str())),
        ("Manual", Some("arn:aws:lambda:eu-west-1::runtime:00")),
        ("Manual", Some("arn:aws:lambda:us-east-1::runtime:xyz")),
    ] {
        let e = check(&c, mode, arn).expect_err("refused");
        assert_eq!((e.status, e.code.as_str()), (400, "InvalidParameterValueException"));
    }
}

#[test]
fn resource_policy_statements_as_a_list_or_one_object() {
    use crate::resource_policy::statements;
    let one = json!({ "Sid": "a", "Effect": "Allow" });
    assert_eq!(statements(&json!({ "Statement": one }).to_string()), Ok(vec![one.clone()]));
    assert_eq!(statements(&json!({ "Statement": [one.clone(), one.clone()] }).to_string()).map(|l| l.len()), Ok(2));
    for bad in ["not json", "{}", r#"{"Statement": []}"#, r#"{"Statement": [1]}"#] {
        assert_eq!(statements(bad).expect_err(bad).code, "InvalidParameterValueException");
    }
}
