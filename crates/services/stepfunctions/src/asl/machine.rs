//! The interpreter's loop: runs the states of a (sub-)machine from its
//! `StartAt` (or a resumed position) to its end, recording each state's
//! entered and exited events, and runs the simple states (Pass, Succeed,
//! Fail, Choice) itself; the others have their own modules.

use super::failure::Failure;
use super::flow;
use super::history::{self, Cursor};
use super::jsonata::{self, states as ja};
use super::runtime::{Frame, Position, Runtime};
use super::scope::Scope;
use super::{calling, choice, durable, guarded, map, parallel, task, wait};
use futures::FutureExt;
use futures::future::BoxFuture;
use serde_json::{Map, Value};

/// The variables a state assigned.
pub type Assigned = Option<Map<String, Value>>;

/// What a state produced and leads to (`next` is `None` at an end).
pub struct Step {
    pub next: Option<String>,
    pub output: Value,
    pub assigned: Assigned,
}

/// A state about to run: its name, definition, entered event and time.
pub struct StateRun<'a> {
    pub name: &'a str,
    pub def: &'a Value,
    pub entered: i64,
    pub entered_time: f64,
    /// The event before the entered event.
    pub prior: Cursor,
    /// Whether the state uses JSONata (else JSONPath).
    pub jsonata: bool,
    /// A Task's wait for its token that a restart interrupted (taken by
    /// the first attempt).
    pub waiting: std::sync::Mutex<Option<super::runtime::WaitingTask>>,
    /// A Parallel or Map state's threads as journaled (taken by the first
    /// attempt), and whether its entered event is the journaled one.
    pub threads: std::sync::Mutex<Option<super::threads::Threads>>,
    /// A Task's call that a restart interrupted (taken by the first attempt).
    pub calling: std::sync::Mutex<Option<super::calling::Calling>>,
    pub resumed: bool,
}

impl StateRun<'_> {
    /// Wraps a cause in AWS's "An error occurred while executing the state…".
    pub fn runtime(&self, cause: impl AsRef<str>) -> Failure {
        Failure::in_state(self.name, self.entered, cause.as_ref())
    }

    /// The state's output going to its `Next` (or ending).
    pub fn step(&self, output: Value, assigned: Assigned) -> Step {
        let next = self.def.get("Next").and_then(Value::as_str).map(str::to_string);
        Step { next, output, assigned }
    }
}

/// Runs `machine` (an object with `StartAt` and `States`) on `input`.
pub fn run<'a>(
    rt: &'a Runtime,
    machine: &'a Value,
    input: Value,
    cursor: &'a mut Cursor,
    frame: &'a Frame,
) -> BoxFuture<'a, Result<Value, Failure>> {
    let start = machine.get("StartAt").and_then(Value::as_str).unwrap_or_default().to_string();
    let at = Position::start(start, input, *cursor);
    run_from(rt, machine, at, cursor, frame)
}

/// Runs `machine` from a position (a start, or a resumed execution).
pub fn run_from<'a>(
    rt: &'a Runtime,
    machine: &'a Value,
    at: Position,
    cursor: &'a mut Cursor,
    frame: &'a Frame,
) -> BoxFuture<'a, Result<Value, Failure>> {
    async move {
        let states = machine.get("States").ok_or_else(|| Failure::runtime("The machine has no States"))?;
        let (mut name, mut input, mut resumed) = (at.state.clone(), at.input.clone(), Some(at));
        let mut frame = frame.clone();
        frame.jsonata = jsonata::uses(machine, frame.jsonata);
        if let Some(at) = resumed.as_ref().filter(|at| !at.vars.is_empty()) {
            frame.vars = at.vars.clone();
        }
        loop {
            if let Some(f) = rt.is_stopped() {
                return Err(f);
            }
            let def = states.get(&name).ok_or_else(|| Failure::runtime(format!("Missing state: {name}")))?;
            let resume = resumed.take().filter(|p| p.entered.is_some() || p.threads.is_some());
            // Pure states (Pass, Choice, Succeed, Fail) are replayed from the
            // last journaled position after a restart; Tasks are journaled
            // before they run. Wait, Parallel and inline Map states (and
            // Tasks that journal their call) journal themselves as soon as
            // they are entered (nothing is called in between), which also
            // covers what came before them.
            let kind = def.get("Type").and_then(Value::as_str);
            let pure = matches!(kind, Some("Pass" | "Choice" | "Succeed" | "Fail"));
            let parks_at_once = matches!(kind, Some("Wait" | "Parallel"))
                || (kind == Some("Map") && def.get("ItemReader").is_none())
                || (kind == Some("Task") && calling::journals(def, &frame));
            if resume.is_none() && !pure && !parks_at_once {
                let at = Position { vars: frame.vars.clone(), ..Position::start(name.clone(), input.clone(), *cursor) };
                durable::checkpoint(rt, frame.track.as_deref(), at).await;
            }
            // Standard executions note where a failure happened (redrives restart there).
            let durable = frame.depth == 0 && rt.journal.is_some();
            let at = durable.then(|| Position {
                vars: frame.vars.clone(),
                ..Position::start(name.clone(), input.clone(), *cursor)
            });
            let step = match run_state(rt, &name, def, input, cursor, &frame, resume).await {
                Ok(step) => step,
                Err(f) => {
                    if let Some(at) = at {
                        rt.note_failed(at);
                    }
                    return Err(f);
                }
            };
            if let Some(vars) = step.assigned {
                frame.vars.extend(vars);
            }
            match step.next {
                Some(next) => {
                    name = next;
                    input = step.output;
                }
                None => return Ok(step.output),
            }
        }
    }
    .boxed()
}

async fn run_state(
    rt: &Runtime,
    name: &str,
    def: &Value,
    input: Value,
    cursor: &mut Cursor,
    frame: &Frame,
    resume: Option<Position>,
) -> Result<Step, Failure> {
    let kind = def.get("Type").and_then(Value::as_str).unwrap_or_default();
    let before = *cursor;
    let (entered, entered_time) = match resume.as_ref().and_then(|p| p.entered) {
        Some(id) => (id, stratus_core::clock::now_epoch()),
        None => {
            let raw = if frame.depth == 0 && *cursor == 0 { rt.take_raw_input() } else { None };
            let id = rt.history.emit(cursor, &format!("{kind}StateEntered"), || match raw {
                Some(text) => history::entered_text(name, text),
                None => history::entered(name, &input),
            });
            (id, stratus_core::clock::now_epoch())
        }
    };
    let resumed = resume.as_ref().is_some_and(|p| p.entered.is_some());
    let prior = if resumed { entered - 1 } else { before };
    let waiting = std::sync::Mutex::new(resume.as_ref().and_then(|p| p.task.clone()));
    let threads = std::sync::Mutex::new(resume.as_ref().and_then(|p| p.threads.clone()));
    let calling = std::sync::Mutex::new(resume.as_ref().and_then(|p| p.calling.clone()));
    let jsonata = jsonata::uses(def, frame.jsonata);
    let run = StateRun { name, def, entered, entered_time, prior, jsonata, waiting, threads, calling, resumed };
    let ctx = || rt.context(name, entered_time, None, frame);
    let scope = Scope::new(&ctx, &frame.vars);
    let step = match kind {
        "Pass" | "Succeed" if run.jsonata => ja::pass(rt, &run, input, &scope, cursor),
        "Fail" if run.jsonata => return Err(ja::fail(rt, &run, &input, &scope, cursor)),
        "Choice" if run.jsonata => ja::choose(rt, &run, input, &scope, cursor),
        "Pass" => pass(&run, input, &scope),
        "Succeed" => flow::input_path(def, &input, &scope)
            .and_then(|v| flow::output_path(def, &v, &scope))
            .map(|output| Step { next: None, output, assigned: None })
            .map_err(|f| in_state(&run, f)),
        "Fail" => return Err(fail(&run, &input, &scope)),
        "Choice" => choose(&run, input, &scope),
        "Wait" => wait::run(rt, &run, input, &scope, cursor, frame, resume.and_then(|p| p.wait_until)).await,
        "Task" => guarded::run(rt, &run, input, cursor, frame, task::attempt).await,
        "Parallel" => guarded::run(rt, &run, input, cursor, frame, parallel::attempt).await,
        "Map" => guarded::run(rt, &run, input, cursor, frame, map::attempt).await,
        other => Err(run.runtime(format!("Unsupported state type: {other}"))),
    }?;
    if kind != "Task" && kind != "Parallel" && kind != "Map" {
        rt.history.emit(cursor, &format!("{kind}StateExited"), || {
            history::exited(name, &step.output, step.assigned.as_ref())
        });
    }
    Ok(step)
}

/// Prefixes a bare `States.Runtime` cause with the state's identity.
pub fn in_state(run: &StateRun, f: Failure) -> Failure {
    match (&f.error[..], &f.cause) {
        ("States.Runtime", Some(c)) if !c.starts_with("An error occurred while executing the state") => run.runtime(c),
        _ => f,
    }
}

fn pass(run: &StateRun, input: Value, scope: &Scope) -> Result<Step, Failure> {
    let def = run.def;
    let f = || -> Result<(Value, Assigned), Failure> {
        let effective = flow::input_path(def, &input, scope)?;
        let effective = flow::template(def, "Parameters", effective, scope)?;
        let result = def.get("Result").cloned().unwrap_or(effective);
        let assigned = flow::assign(def, &result, scope)?;
        let out = flow::result_path(def, &input, result)?;
        Ok((flow::output_path(def, &out, scope)?, assigned))
    };
    f().map(|(out, assigned)| run.step(out, assigned)).map_err(|e| in_state(run, e))
}

fn fail(run: &StateRun, input: &Value, scope: &Scope) -> Failure {
    let def = run.def;
    let field = |name: &str, path: &str| -> Result<Option<String>, Failure> {
        if let Some(v) = def.get(name).and_then(Value::as_str) {
            return Ok(Some(v.to_string()));
        }
        match def.get(path).and_then(Value::as_str) {
            Some(p) => match scope.dynamic(input, path, p)? {
                Value::String(s) => Ok(Some(s)),
                other => Ok(Some(other.to_string())),
            },
            None => Ok(None),
        }
    };
    let error = match field("Error", "ErrorPath") {
        Ok(e) => e,
        Err(f) => return in_state(run, f),
    };
    let cause = match field("Cause", "CausePath") {
        Ok(c) => c,
        Err(f) => return in_state(run, f),
    };
    Failure { error: error.unwrap_or_default(), cause }
}

fn choose(run: &StateRun, input: Value, scope: &Scope) -> Result<Step, Failure> {
    let def = run.def;
    let effective = flow::input_path(def, &input, scope).map_err(|f| in_state(run, f))?;
    let choices = def.get("Choices").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
    let mut next = None;
    let mut assigned = flow::assign(def, &effective, scope).map_err(|f| in_state(run, f))?;
    for rule in choices {
        if choice::matches(rule, &effective, scope).map_err(|c| run.runtime(c))? {
            next = rule.get("Next").and_then(Value::as_str);
            if let Some(vars) = flow::assign(rule, &effective, scope).map_err(|f| in_state(run, f))? {
                assigned.get_or_insert_with(Map::new).extend(vars);
            }
            break;
        }
    }
    let next = match next.or_else(|| def.get("Default").and_then(Value::as_str)) {
        Some(n) => n.to_string(),
        None => {
            return Err(Failure::new("States.NoChoiceMatched", format!("No Matches! at state {}", run.name)));
        }
    };
    let out = flow::output_path(def, &effective, scope).map_err(|f| in_state(run, f))?;
    Ok(Step { next: Some(next), output: out, assigned })
}
