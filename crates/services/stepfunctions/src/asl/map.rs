//! The inline Map state: selects the items (`ItemsPath`), builds each
//! iteration's input (`ItemSelector`, legacy `Parameters`, with
//! `$$.Map.Item`), runs the `ItemProcessor` (legacy `Iterator`) on each with
//! up to `MaxConcurrency` at once, and collects the outputs in item order.
//! A distributed Map runs them as a map run, weighs failures against its
//! `ToleratedFailure*` thresholds and hands them to the `ResultWriter`.
//! In a Standard execution each iteration is journaled (see `fork`): after
//! a restart the ended ones keep their outcome and the others resume.

use super::failure::Failure;
use super::flow;
use super::fork::Fork;
use super::history::Cursor;
use super::jsonata::{Query, states as ja};
use super::machine::{self, Assigned, StateRun, in_state};
use super::runtime::{Frame, Runtime};
use super::scope::Scope;
use super::threads::{Ended, Thread, Threads};
use super::writer::{self, Child, MapRun};
use futures::future::BoxFuture;
use futures::{FutureExt, StreamExt, TryStreamExt};
use serde_json::{Value, json};
use std::sync::Mutex;

/// A distributed Map's `ResultWriter` (with its evaluated parameters) and
/// tolerated failures.
struct Writing<'a> {
    writer: Option<&'a Value>,
    params: Option<Value>,
    count: Option<u64>,
    percentage: Option<f64>,
}

/// A map run's result from its children's outcomes: the first failure
/// unless thresholds are given, `States.ExceedToleratedFailureThreshold`
/// past them, else the outputs (failed children as their error output) or
/// what the `ResultWriter` makes of them.
async fn finish(
    rt: &Runtime,
    map_run: &MapRun,
    outcomes: Vec<Result<Value, Failure>>,
    children: &[Child],
    writing: &Writing<'_>,
) -> Result<Value, Failure> {
    let failed = outcomes.iter().filter(|o| o.is_err()).count();
    if writing.count.is_none()
        && writing.percentage.is_none()
        && let Some(Err(f)) = outcomes.iter().find(|o| o.is_err())
    {
        return Err(f.clone());
    }
    writer::tolerate(failed, outcomes.len(), writing.count, writing.percentage)?;
    if let (Some(w), Some(params)) = (writing.writer, &writing.params) {
        return writer::write(rt, w, params, map_run, children).await;
    }
    Ok(Value::Array(outcomes.into_iter().map(|o| o.unwrap_or_else(|f| f.to_output())).collect()))
}

pub fn attempt<'a>(
    rt: &'a Runtime,
    run: &'a StateRun<'a>,
    input: &'a Value,
    cursor: &'a mut Cursor,
    frame: &'a Frame,
    retry: u32,
) -> BoxFuture<'a, Result<(Value, Assigned), Failure>> {
    async move {
        let def = run.def;
        let ctx = || rt.context(run.name, run.entered_time, run.def.get("Retry").map(|_| retry), frame);
        let scope = Scope::new(&ctx, &frame.vars);
        let effective = if run.jsonata {
            input.clone()
        } else {
            flow::input_path(def, input, &scope).map_err(|f| in_state(run, f))?
        };
        let query = Query::new(&scope, input);
        let items = match def.get("ItemReader") {
            Some(reader) => {
                let (params, max) = if run.jsonata {
                    ja::reader_args(&query, reader).map_err(|e| e.raise(rt, run, cursor, run.prior))?
                } else {
                    super::reader::jsonpath_args(reader, &effective, &scope)?
                };
                super::reader::items(rt, reader, params, max).await?
            }
            None if run.jsonata => ja::items(&query, def).map_err(|e| e.raise(rt, run, cursor, run.prior))?,
            None => {
                let items_path = def.get("ItemsPath").and_then(Value::as_str).unwrap_or("$");
                match scope.path(&effective, items_path).map_err(|c| run.runtime(c))? {
                    Value::Array(items) => items,
                    other => return Err(run.runtime(format!("Map state input must be an array but was: {other}"))),
                }
            }
        };
        let processor = def.get("ItemProcessor").or_else(|| def.get("Iterator")).unwrap_or(&Value::Null);
        let selector = def.get("ItemSelector").or_else(|| def.get("Parameters"));
        let max = if run.jsonata {
            ja::count(&query, def, "MaxConcurrency").map_err(|e| e.raise(rt, run, cursor, run.prior))?
        } else {
            super::limits::count(def, "MaxConcurrency", &effective, &scope).map_err(|c| run.runtime(c))?
        };
        let limit = match max {
            Some(n) if n > 0 => n as usize,
            _ => items.len().max(1),
        };
        let mut writing = if run.jsonata {
            let params = match def.get("ResultWriter") {
                Some(w) => {
                    Some(query.field_or(w, "Arguments", &json!({})).map_err(|e| e.raise(rt, run, cursor, run.prior))?)
                }
                None => None,
            };
            let mut count = |name| ja::count(&query, def, name).map_err(|e| e.raise(rt, run, cursor, run.prior));
            Writing {
                params,
                count: count("ToleratedFailureCount")?,
                percentage: count("ToleratedFailurePercentage")?.map(|p| p as f64),
                writer: def.get("ResultWriter"),
            }
        } else {
            // The thresholds are read once the state has started (below).
            let params = match def.get("ResultWriter").and_then(|w| w.get("Parameters")) {
                Some(t) => Some(scope.payload(t, &effective).map_err(|f| in_state(run, f))?),
                None => def.get("ResultWriter").map(|_| json!({})),
            };
            Writing { params, count: None, percentage: None, writer: def.get("ResultWriter") }
        };
        // After a restart the state goes on with its journaled threads; a
        // redrive (the state entered again) starts them anew but keeps those
        // that succeeded.
        let resumed = Fork::resumed(run);
        let again = resumed.as_ref().filter(|_| run.resumed);
        if again.is_none() {
            rt.history.emit(cursor, "MapStateStarted", || {
                Some(("mapStateStartedEventDetails", json!({ "length": items.len() })))
            });
        }
        // AWS validates a JSONPath Map's tolerated failure thresholds after
        // MapStateStarted.
        if !run.jsonata {
            let runtime = |c: String| run.runtime(c);
            writing.count = super::limits::count(def, "ToleratedFailureCount", &effective, &scope).map_err(runtime)?;
            writing.percentage = super::limits::percentage(def, &effective, &scope).map_err(runtime)?;
        }
        // A distributed Map runs its iterations as child executions of a map
        // run: their events are not in this history.
        let mode = processor.get("ProcessorConfig").and_then(|c| c.get("Mode")).and_then(Value::as_str);
        let child = (mode == Some("DISTRIBUTED")).then(|| rt.child());
        let irt = child.as_ref().unwrap_or(rt);
        let distributed = child.is_some();
        let map_run = match (&child, resumed.as_ref().and_then(|t| t.map_run.as_deref())) {
            (None, _) => None,
            (Some(_), Some(arn)) => {
                let map_run = MapRun::resume(arn);
                if again.is_none() {
                    let redriven = map_run.redriven(rt, cursor);
                    rt.tasks.note_map_run(rt, redriven).await;
                }
                Some(map_run)
            }
            (Some(_), None) => {
                let label = def.get("Label").and_then(Value::as_str).unwrap_or(run.name);
                let map_run = MapRun::new(rt, label);
                rt.tasks.note_map_run(rt, map_run.started(rt, max, writing.count, writing.percentage)).await;
                rt.history.emit(cursor, "MapRunStarted", || {
                    Some(("mapRunStartedEventDetails", json!({ "mapRunArn": map_run.arn })))
                });
                Some(map_run)
            }
        };
        let start = again.map_or(*cursor, |t| t.start);
        *cursor = start;
        let runs = resumed.map(|t| t.runs).unwrap_or_default();
        let threads = Threads { start, runs, map_run: map_run.as_ref().map(|m| m.arn.clone()) };
        let fork = Fork::begin(rt, run, input, frame, threads).await;
        let children: Mutex<Vec<Child>> = Mutex::new(Vec::new());
        // The last event of the latest iteration, and that iteration's end
        // event (after a restart, of the last one that had ended).
        let latest_ended = fork.threads.runs.values().filter_map(|t| match t {
            Thread::Ended(e) => e.end.map(|end| (end, e.last)),
            Thread::At(_) => None,
        });
        let (end0, last0) = latest_ended.max().unwrap_or((start, start));
        let shared = Mutex::new(last0);
        let last_end = Mutex::new(end0);
        let latest = |c: Cursor, end: i64| {
            if let Ok(mut s) = shared.lock() {
                *s = c;
            }
            if let Ok(mut e) = last_end.lock() {
                *e = end;
            }
        };
        let iterations = futures::stream::iter(items.into_iter().enumerate()).map(|(index, item)| {
            let (effective, shared, latest, children, fork) = (&effective, &shared, &latest, &children, &fork);
            async move {
                let details = || Some(("mapIterationStartedEventDetails", json!({ "name": run.name, "index": index })));
                let sub = Frame {
                    depth: frame.depth + 1,
                    item: Some((index, item.clone())),
                    token: None,
                    vars: frame.vars.clone(),
                    jsonata: frame.jsonata,
                    track: fork.path(index),
                };
                let recorded = fork.recorded(index);
                if !matches!(recorded, Some(Thread::Ended(_))) {
                    fork.enter(index).await;
                }
                let mut c = shared.lock().map(|s| *s).unwrap_or(0);
                let iteration_input = match selector {
                    Some(tpl) => {
                        let ctx = || rt.context(run.name, run.entered_time, run.def.get("Retry").map(|_| retry), &sub);
                        let iscope = Scope::new(&ctx, &frame.vars);
                        if run.jsonata {
                            let prev = c;
                            match Query::new(&iscope, input).field(tpl, "ItemSelector") {
                                Ok(v) => v,
                                Err(e) => {
                                    let f = e.raise(irt, run, &mut c, prev);
                                    latest(c, c);
                                    return Err(f);
                                }
                            }
                        } else {
                            iscope.payload(tpl, effective).map_err(|f| in_state(run, f))?
                        }
                    }
                    None => item,
                };
                let start = stratus_core::clock::now_epoch();
                let kept_input = distributed.then(|| iteration_input.clone());
                let result = match recorded {
                    Some(Thread::Ended(e)) => e.outcome.clone(),
                    Some(Thread::At(at)) => {
                        // A redriven iteration starts again, from where it failed.
                        if run.resumed {
                            c = at.cursor;
                        } else {
                            irt.history.emit(&mut c, "MapIterationStarted", details);
                        }
                        machine::run_from(irt, processor, (**at).clone(), &mut c, &sub).await
                    }
                    None => {
                        irt.history.emit(&mut c, "MapIterationStarted", details);
                        machine::run(irt, processor, iteration_input, &mut c, &sub).await
                    }
                };
                if let (Some(input), Ok(mut kept)) = (kept_input, children.lock()) {
                    kept.push(Child {
                        index,
                        name: uuid::Uuid::new_v4().to_string(),
                        input,
                        start,
                        stop: stratus_core::clock::now_epoch(),
                        outcome: result.clone(),
                    });
                }
                if matches!(recorded, Some(Thread::Ended(_))) {
                    return result;
                }
                let (kind, member) = match result {
                    Ok(_) => ("MapIterationSucceeded", "mapIterationSucceededEventDetails"),
                    Err(_) => ("MapIterationFailed", "mapIterationFailedEventDetails"),
                };
                let end = irt.history.record(c, kind, || Some((member, json!({ "name": run.name, "index": index }))));
                latest(c, end);
                fork.end(index, Ended { outcome: result.clone(), last: c, end: Some(end) }).await;
                result
            }
        });
        let results = if let Some(map_run) = &map_run {
            let outcomes: Vec<Result<Value, Failure>> = iterations.buffered(limit).collect().await;
            fork.rejoin().await;
            let mut kept = children.into_inner().unwrap_or_default();
            kept.sort_by_key(|c| c.index);
            let outcome = finish(rt, map_run, outcomes, &kept, &writing).await;
            let written = writing.params.is_some() && writing.writer.and_then(|w| w.get("Resource")).is_some();
            rt.tasks.note_map_run(rt, map_run.ended(outcome.is_ok(), &kept, written && outcome.is_ok())).await;
            let kind = if outcome.is_ok() { "MapRunSucceeded" } else { "MapRunFailed" };
            rt.history.emit(cursor, kind, || None);
            outcome?
        } else {
            let outcome: Result<Vec<Value>, Failure> = iterations.buffered(limit).try_collect().await;
            fork.rejoin().await;
            *cursor = shared.lock().map(|s| *s).unwrap_or(*cursor);
            let results = outcome?;
            *cursor = last_end.lock().map(|e| *e).unwrap_or(*cursor);
            Value::Array(results)
        };
        // AWS chains MapStateExited past this event, to the last iteration's end.
        rt.history.record(*cursor, "MapStateSucceeded", || None);
        if run.jsonata {
            let result = results;
            let q = Query { result: Some(&result), ..Query::new(&scope, input) };
            let prev = *cursor;
            return ja::outputs(&q, def, &result).map_err(|e| e.raise(rt, run, cursor, prev));
        }
        let result = flow::template(def, "ResultSelector", results, &scope).map_err(|f| in_state(run, f))?;
        let assigned = flow::assign(def, &result, &scope).map_err(|f| in_state(run, f))?;
        let out = flow::result_path(def, input, result).map_err(|f| in_state(run, f))?;
        Ok((flow::output_path(def, &out, &scope).map_err(|f| in_state(run, f))?, assigned))
    }
    .boxed()
}
