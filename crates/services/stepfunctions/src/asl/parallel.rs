//! The Parallel state: runs every branch on the same input at once and
//! collects their outputs in branch order; the first failing branch fails
//! the state (the others are dropped). In a Standard execution each
//! branch is journaled (see `fork`): after a restart the finished ones keep
//! their output and the others resume where they stood.

use super::failure::Failure;
use super::flow;
use super::fork::Fork;
use super::history::Cursor;
use super::jsonata::{Query, states as ja};
use super::machine::{self, Assigned, StateRun, in_state};
use super::runtime::{Frame, Runtime};
use super::scope::Scope;
use super::threads::{Ended, Thread, Threads};
use futures::FutureExt;
use futures::future::{BoxFuture, try_join_all};
use serde_json::Value;

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
            let q = Query::new(&scope, input);
            q.field_or(def, "Arguments", input).map_err(|e| e.raise(rt, run, cursor, run.prior))?
        } else {
            let effective = flow::input_path(def, input, &scope).map_err(|f| in_state(run, f))?;
            flow::template(def, "Parameters", effective, &scope).map_err(|f| in_state(run, f))?
        };
        let resumed = Fork::resumed(run);
        let start = match &resumed {
            Some(t) if run.resumed => t.start,
            _ => rt.history.emit(cursor, "ParallelStateStarted", || None),
        };
        let runs = resumed.map(|t| t.runs).unwrap_or_default();
        let fork = Fork::begin(rt, run, input, frame, Threads { start, runs, map_run: None }).await;
        let branches = def.get("Branches").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
        let runs = branches.iter().enumerate().map(|(i, b)| {
            let (fork, effective) = (&fork, effective.clone());
            async move {
                let sub = Frame {
                    depth: frame.depth + 1,
                    item: None,
                    token: None,
                    vars: frame.vars.clone(),
                    jsonata: frame.jsonata,
                    track: fork.path(i),
                };
                let mut c = start;
                let outcome = match fork.recorded(i) {
                    Some(Thread::Ended(e)) => return e.outcome.clone().map(|v| (v, e.last)).map_err(|f| (f, e.last)),
                    Some(Thread::At(at)) => {
                        fork.enter(i).await;
                        // A redriven branch chains to the state's new start.
                        if run.resumed {
                            c = at.cursor;
                        }
                        machine::run_from(rt, b, (**at).clone(), &mut c, &sub).await
                    }
                    None => {
                        fork.enter(i).await;
                        machine::run(rt, b, effective, &mut c, &sub).await
                    }
                };
                match outcome {
                    Ok(v) => {
                        fork.end(i, Ended { outcome: Ok(v.clone()), last: c, end: None }).await;
                        Ok((v, c))
                    }
                    Err(f) => Err((f, c)),
                }
            }
        });
        let joined = try_join_all(runs).await;
        fork.rejoin().await;
        let results = match joined {
            Ok(r) => r,
            Err((f, c)) => {
                *cursor = c;
                return Err(f);
            }
        };
        *cursor = results.iter().map(|(_, c)| *c).max().unwrap_or(start);
        // AWS chains the exited event to the last branch event, not to this one.
        rt.history.record(*cursor, "ParallelStateSucceeded", || None);
        let result = Value::Array(results.into_iter().map(|(v, _)| v).collect());
        if run.jsonata {
            let q = Query { result: Some(&result), ..Query::new(&scope, input) };
            let prev = *cursor;
            return ja::outputs(&q, def, &result).map_err(|e| e.raise(rt, run, cursor, prev));
        }
        let result = flow::template(def, "ResultSelector", result, &scope).map_err(|f| in_state(run, f))?;
        let assigned = flow::assign(def, &result, &scope).map_err(|f| in_state(run, f))?;
        let out = flow::result_path(def, input, result).map_err(|f| in_state(run, f))?;
        Ok((flow::output_path(def, &out, &scope).map_err(|f| in_state(run, f))?, assigned))
    }
    .boxed()
}
