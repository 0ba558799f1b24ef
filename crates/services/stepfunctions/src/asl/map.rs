//! The inline Map state: selects the items (`ItemsPath`), builds each
//! iteration's input (`ItemSelector`, legacy `Parameters`, with
//! `$$.Map.Item`), runs the `ItemProcessor` (legacy `Iterator`) on each with
//! up to `MaxConcurrency` at once, and collects the outputs in item order.

use super::failure::Failure;
use super::flow;
use super::history::Cursor;
use super::machine::{self, StateRun, in_state};
use super::runtime::{Frame, Runtime};
use super::scope::Scope;
use futures::future::BoxFuture;
use futures::{FutureExt, StreamExt, TryStreamExt};
use serde_json::{Value, json};
use std::sync::Mutex;

pub fn attempt<'a>(
    rt: &'a Runtime,
    run: &'a StateRun<'a>,
    input: &'a Value,
    cursor: &'a mut Cursor,
    frame: &'a Frame,
    retry: u32,
) -> BoxFuture<'a, Result<Value, Failure>> {
    async move {
        let def = run.def;
        let ctx = rt.context(run.name, run.entered_time, retry, frame);
        let scope = Scope { context: &ctx, vars: &frame.vars };
        let effective = flow::input_path(def, input, &scope).map_err(|f| in_state(run, f))?;
        let items_path = def.get("ItemsPath").and_then(Value::as_str).unwrap_or("$");
        let items = scope.path(&effective, items_path).map_err(|c| run.runtime(c))?;
        let Value::Array(items) = items else {
            return Err(run.runtime(format!("Map state input must be an array but was: {items}")));
        };
        let processor = def.get("ItemProcessor").or_else(|| def.get("Iterator")).unwrap_or(&Value::Null);
        let selector = def.get("ItemSelector").or_else(|| def.get("Parameters"));
        let limit = match def.get("MaxConcurrency").and_then(Value::as_u64) {
            Some(n) if n > 0 => n as usize,
            _ => items.len().max(1),
        };
        rt.history.emit(cursor, "MapStateStarted", || {
            Some(("mapStateStartedEventDetails", json!({ "length": items.len() })))
        });
        let shared = Mutex::new(*cursor);
        let latest = |c: Cursor| {
            if let Ok(mut s) = shared.lock() {
                *s = c;
            }
        };
        let iterations = futures::stream::iter(items.into_iter().enumerate()).map(|(index, item)| {
            let (effective, shared, latest) = (&effective, &shared, &latest);
            async move {
                let details = || Some(("mapIterationStartedEventDetails", json!({ "name": run.name, "index": index })));
                let sub = Frame {
                    depth: frame.depth + 1,
                    item: Some((index, item.clone())),
                    token: None,
                    vars: frame.vars.clone(),
                };
                let iteration_input = match selector {
                    Some(tpl) => {
                        let ctx = rt.context(run.name, run.entered_time, retry, &sub);
                        Scope { context: &ctx, vars: &frame.vars }
                            .payload(tpl, effective)
                            .map_err(|f| in_state(run, f))?
                    }
                    None => item,
                };
                let mut c = shared.lock().map(|s| *s).unwrap_or(0);
                rt.history.emit(&mut c, "MapIterationStarted", details);
                let result = machine::run(rt, processor, iteration_input, &mut c, &sub).await;
                let (kind, member) = match result {
                    Ok(_) => ("MapIterationSucceeded", "mapIterationSucceededEventDetails"),
                    Err(_) => ("MapIterationFailed", "mapIterationFailedEventDetails"),
                };
                rt.history.record(c, kind, || Some((member, json!({ "name": run.name, "index": index }))));
                latest(c);
                result
            }
        });
        let outcome: Result<Vec<Value>, Failure> = iterations.buffered(limit).try_collect().await;
        *cursor = shared.lock().map(|s| *s).unwrap_or(*cursor);
        let results = outcome?;
        rt.history.emit(cursor, "MapStateSucceeded", || None);
        let result =
            flow::template(def, "ResultSelector", Value::Array(results), &scope).map_err(|f| in_state(run, f))?;
        let out = flow::result_path(def, input, result).map_err(|f| in_state(run, f))?;
        flow::output_path(def, &out, &scope).map_err(|f| in_state(run, f))
    }
    .boxed()
}
