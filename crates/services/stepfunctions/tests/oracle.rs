//! Replays AWS-recorded Step Functions executions (from
//! `../shared/aws-reference`, when present) whose definitions use no
//! service resources (used verbatim, or with the edits their test makes
//! when these can be read statically), in JSONPath and JSONata, and
//! compares our GetExecutionHistory with AWS's:
//! event types, ids, previousEventIds and details, placeholders matched as
//! wildcards. Skips when the reference folder is absent.

use serde_json::{Value, json};
use std::path::PathBuf;
use stratus_core::{RequestContext, Service, Settings};
use stratus_stepfunctions::StepFunctions;

fn reference() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../../shared/aws-reference");
    dir.join("derived/stepfunctions-test-templates.json").exists().then_some(dir)
}

/// Whether a recorded value matches ours; strings with `<placeholders>`
/// and the recorder's time/role stand-ins match anything of their shape.
fn matches(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::String(e), _)
            if [
                "timestamp",
                "date",
                "datetime",
                "snf_role_arn",
                "sfn_role_arn",
                "map_run_arn",
                "start-time",
                "entered-time",
            ]
            .contains(&e.as_str()) =>
        {
            true
        }
        // The recorder replaced the account id with 111111111111.
        (Value::String(e), Value::String(a)) if e.contains("111111111111") => {
            pattern(&e.replace("111111111111", "<account>"), a)
        }
        (Value::String(e), Value::String(a)) if e.contains('<') => pattern(e, a),
        (Value::Object(e), Value::Object(a)) => {
            e.len() == a.len() && e.iter().all(|(k, v)| a.get(k).is_some_and(|x| matches(v, x)))
        }
        (Value::Array(e), Value::Array(a)) => e.len() == a.len() && e.iter().zip(a).all(|(x, y)| matches(x, y)),
        (Value::Number(e), Value::Number(a)) => e.as_f64() == a.as_f64(),
        // Assigned variables are JSON texts: the recorder's stand-ins can be
        // quoted inside them (`"\"date\""`).
        (Value::String(e), Value::String(a)) if e.starts_with('"') && e != a => {
            match (serde_json::from_str::<Value>(e), serde_json::from_str::<Value>(a)) {
                (Ok(e @ Value::String(_)), Ok(a)) => matches(&e, &a),
                _ => false,
            }
        }
        // The recorder parsed some JSON text fields (a state's output that
        // is a number or an array); ours stay the JSON text the API returns.
        (Value::Number(_) | Value::Array(_), Value::String(a)) => {
            serde_json::from_str::<Value>(a).is_ok_and(|parsed| !parsed.is_string() && matches(expected, &parsed))
        }
        _ => expected == actual,
    }
}

/// `<name>` segments match any text.
fn pattern(expected: &str, actual: &str) -> bool {
    let mut parts: Vec<&str> = Vec::new();
    let mut rest = expected;
    while let Some(start) = rest.find('<') {
        match rest[start..].find('>') {
            Some(end) => {
                parts.push(&rest[..start]);
                rest = &rest[start + end + 1..];
            }
            None => break,
        }
    }
    parts.push(rest);
    let mut at = 0;
    for (i, p) in parts.iter().enumerate() {
        match actual[at..].find(p) {
            Some(pos) if i > 0 || pos == 0 => at += pos + p.len(),
            _ => return false,
        }
    }
    parts.last().is_some_and(|l| l.is_empty()) || at == actual.len()
}

/// Our event as the recorder would have stored it: JSON strings starting
/// with `{` parsed.
fn normalized(v: &Value) -> Value {
    match v {
        Value::String(s) if s.starts_with('{') => serde_json::from_str(s).unwrap_or_else(|_| v.clone()),
        Value::Object(m) => Value::Object(m.iter().map(|(k, x)| (k.clone(), normalized(x))).collect()),
        Value::Array(a) => Value::Array(a.iter().map(normalized).collect()),
        other => other.clone(),
    }
}

async fn call(svc: &StepFunctions, op: &'static str, input: Value) -> Result<Value, String> {
    let ctx = RequestContext::internal("stepfunctions", op);
    svc.call(&ctx, input).await.map_err(|e| format!("{}: {}", e.code, e.message))
}

/// Runs one recorded history; `Err` says what differs.
/// The recorded input with the time values the recorder erased (`date`,
/// `timestamp`) put back from the test's one string parameter, or, when the
/// test has none, a past ISO-8601 date-time (what AWS was given there).
fn restored(input: &Value, parameter: Option<&str>) -> Value {
    match (input, parameter) {
        (Value::String(s), p) if s == "date" || s == "timestamp" => {
            Value::String(p.unwrap_or("2016-03-14T01:59:00Z").to_string())
        }
        (Value::Object(m), _) => Value::Object(m.iter().map(|(k, v)| (k.clone(), restored(v, parameter))).collect()),
        _ => input.clone(),
    }
}

async fn replay(
    svc: &StepFunctions,
    n: usize,
    (definition, parameter): (&str, Option<&str>),
    expected: &[Value],
) -> Result<(), String> {
    // A history recorded with `reverseOrder` ends with its start event.
    let reversed = expected.last().is_some_and(|e| e["type"] == "ExecutionStarted" && expected.len() > 1);
    let first = if reversed { expected.last() } else { expected.first() };
    let started = first.and_then(|e| e.get("executionStartedEventDetails")).ok_or("no start event")?;
    let input = match restored(&started["input"], parameter) {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let sm = call(
        svc,
        "CreateStateMachine",
        json!({
            "name": format!("sm{n}"), "definition": definition, "roleArn": "arn:aws:iam::000000000000:role/sfn",
        }),
    )
    .await?;
    let exec = call(svc, "StartExecution", json!({ "stateMachineArn": sm["stateMachineArn"], "input": input })).await?;
    let arn = exec["executionArn"].clone();
    // A recorded abort was the test's StopExecution, once the execution had
    // recorded the events before it.
    let aborted = expected.last().is_some_and(|e| e["type"] == "ExecutionAborted");
    // Long enough for Retry backoffs (1 + 2 + 4 s by default).
    for _ in 0..1200 {
        let d = call(svc, "DescribeExecution", json!({ "executionArn": arn })).await?;
        if d["status"] != "RUNNING" {
            break;
        }
        if aborted {
            let so_far = call(svc, "GetExecutionHistory", json!({ "executionArn": arn })).await?;
            if so_far["events"].as_array().is_some_and(|e| e.len() + 1 >= expected.len()) {
                call(svc, "StopExecution", json!({ "executionArn": arn })).await?;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let history = call(svc, "GetExecutionHistory", json!({ "executionArn": arn, "reverseOrder": reversed })).await?;
    let parallel_erased = expected.iter().any(|e| !e["id"].is_number());
    let ours: Vec<Value> = history["events"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter(|e| !(parallel_erased && e["type"] == "ParallelStateSucceeded"))
        .map(normalized)
        .collect();
    let brief = |e: &Value| format!("{} {} {}", e["id"], e["previousEventId"], e["type"].as_str().unwrap_or(""));
    if ours.len() != expected.len() {
        let a: Vec<String> = ours.iter().map(brief).collect();
        let b: Vec<String> = expected.iter().map(brief).collect();
        let last = ours.last().cloned().unwrap_or_default();
        return Err(format!(
            "{} events instead of {}:\n  ours {a:?}\n  aws  {b:?}\n  our last {last}",
            ours.len(),
            expected.len()
        ));
    }
    for (e, a) in expected.iter().zip(&ours) {
        if !e["id"].is_number() {
            continue; // the recorder erased the order of parallel branches
        }
        if e["type"] != a["type"] || e["id"] != a["id"] || e["previousEventId"] != a["previousEventId"] {
            return Err(format!("event differs: aws {} ours {}", brief(e), brief(a)));
        }
        for (k, v) in e.as_object().into_iter().flatten() {
            if k.ends_with("EventDetails") && !a.get(k).is_some_and(|x| matches(v, x)) {
                return Err(format!(
                    "details of event {} differ:\n  aws  {v}\n  ours {}",
                    e["id"],
                    a.get(k).unwrap_or(&Value::Null)
                ));
            }
        }
    }
    Ok(())
}

/// The template with the edits a test makes before creating its state
/// machine (set a field, replace a placeholder), when they can be read
/// statically from the test's parameters; `None` otherwise.
fn edited(mut def: Value, t: &Value) -> Option<Value> {
    let params = t["parameters"].as_object();
    let param = |name: &Value| name.as_str().and_then(|n| params.and_then(|p| p.get(n))).cloned();
    for e in t["test_edits_definition"].as_array()? {
        if let Some(path) = e["set"].as_array() {
            let value = e["value"].get("literal").cloned().or_else(|| param(&e["value"]["test_parameter"]))?;
            let key = |k: &Value| match k.as_str()? {
                "<field>" => param(&json!("field")).and_then(|f| f.as_str().map(str::to_string)),
                other => Some(other.to_string()),
            };
            let (last, init) = path.split_last()?;
            let mut at = &mut def;
            for k in init {
                at = at.get_mut(key(k)?)?;
            }
            at.as_object_mut()?.insert(key(last)?, value);
        } else if let Some(literal) = e["string_replace"]["literal"].as_str() {
            let with = &e["with"];
            let text = |v: Value| match v {
                Value::String(s) => s,
                other => other.to_string(),
            };
            // The tests compute a JSONata expression from one parameter.
            let text = match with["computed_from"].as_array().map(Vec::as_slice) {
                Some([one]) => format!("{{% {} %}}", text(param(one)?)),
                _ => text(with.get("literal").cloned().or_else(|| param(&with["test_parameter"]))?),
            };
            def = serde_json::from_str(&def.to_string().replace(literal, &text)).ok()?;
        } else {
            return None;
        }
    }
    Some(def)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recorded_histories_match() {
    let Some(dir) = reference() else {
        eprintln!("aws-reference not found: skipping");
        return;
    };
    let text = std::fs::read_to_string(dir.join("derived/stepfunctions-test-templates.json")).unwrap_or_default();
    let mapping: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    let store = stratus_store::Store::in_memory().expect("store");
    let svc = StepFunctions::new(store, &Settings::default());
    let filter = std::env::var("ORACLE_FILTER").unwrap_or_default();
    let (mut pass, mut fail, mut n) = (0, 0, 0);
    // Definitions using JSONata are counted apart.
    let (mut jsonata_pass, mut jsonata_total) = (0, 0);
    // Templates the tests edit, by language: [passed, total].
    let mut edited_counts = [[0usize; 2]; 2];
    let mut snapshots: std::collections::HashMap<String, Value> = Default::default();
    for (id, t) in mapping["tests"].as_object().into_iter().flatten() {
        let usable = t["pairable"] == true
            && t["uses_task_or_external_resources"] == false
            && t["last_validated_date"].is_string()
            && t["templates"].as_array().is_some_and(|a| a.len() == 1);
        if !usable || !id.contains(&filter) {
            continue;
        }
        let file = t["snapshot_file"].as_str().unwrap_or_default().to_string();
        let snap = snapshots.entry(file.clone()).or_insert_with(|| {
            serde_json::from_str(&std::fs::read_to_string(dir.join(&file)).unwrap_or_default()).unwrap_or(Value::Null)
        });
        let template =
            std::fs::read_to_string(dir.join(t["templates"][0].as_str().unwrap_or_default())).unwrap_or_default();
        let Ok(def) = json5::from_str::<Value>(&template) else { continue };
        let verbatim = t["template_used_verbatim"] == true;
        let Some(def) = (if verbatim { Some(def) } else { edited(def, t) }) else { continue };
        for key in t["execution_histories"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            let Some(events) = snap[id.as_str()]["recorded-content"][key]["events"].as_array() else { continue };
            n += 1;
            let text = def.to_string();
            let jsonata = text.contains("JSONata");
            let params = t["parameters"].as_object();
            let parameter = params.filter(|p| p.len() == 1).and_then(|p| p.values().next()).and_then(Value::as_str);
            let outcome = replay(&svc, n, (&text, parameter), events).await;
            if !verbatim {
                let counts = &mut edited_counts[usize::from(jsonata)];
                counts[0] += usize::from(outcome.is_ok());
                counts[1] += 1;
            } else if jsonata {
                jsonata_total += 1;
                jsonata_pass += usize::from(outcome.is_ok());
            } else {
                pass += usize::from(outcome.is_ok());
                fail += usize::from(outcome.is_err());
            }
            if let Err(why) = outcome
                && std::env::var("ORACLE_VERBOSE").is_ok()
            {
                eprintln!("FAIL {id} [{key}]: {why}");
            }
        }
    }
    eprintln!("recorded JSONPath histories: {pass} of {} match", pass + fail);
    eprintln!("recorded JSONata histories: {jsonata_pass} of {jsonata_total} match");
    let [[path_pass, path_total], [ata_pass, ata_total]] = edited_counts;
    eprintln!("edited templates: JSONPath {path_pass} of {path_total}, JSONata {ata_pass} of {ata_total} match");
    assert!(pass * 10 >= (pass + fail) * 7, "only {pass} of {} recorded histories match", pass + fail);
    assert!(jsonata_pass * 10 >= jsonata_total * 9, "only {jsonata_pass} of {jsonata_total} JSONata histories match");
}
