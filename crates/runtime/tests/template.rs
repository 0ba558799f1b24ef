//! SnapStart templates with the shipped Python bootstrap: the Init phase
//! runs once in the template, forked environments share its state but get
//! their own pid, variables and Runtime API, run after-restore hooks,
//! report a restore instead of an init, die on timeouts, and init errors
//! and a dead template are reported.

use bytes::Bytes;
use std::path::{Path, PathBuf};
use std::time::Duration;
use stratus_runtime::bootstraps;
use stratus_runtime::{EnvSpec, Environment, Invocation, Outcome, Template, TemplateState};

const APP: &str = r#"
import os, time
from snapshot_restore_py import register_before_snapshot, register_after_restore
IMPORTED = {"at": time.time(), "pid": os.getpid()}
HOOKS = []

@register_before_snapshot
def before():
    HOOKS.append("before")

def after(tag):
    HOOKS.append(tag + ":" + str(os.getpid()))

register_after_restore(after, "after")

def handler(event, context):
    if event.get("sleep"):
        time.sleep(event["sleep"])
    print("restored env says hi")
    return {"imported": IMPORTED, "pid": os.getpid(), "hooks": HOOKS, "tag": os.environ.get("TAG"),
            "cwd": os.getcwd(), "init": os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE")}
"#;

struct Dirs {
    root: PathBuf,
}

impl Drop for Dirs {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn python() -> Option<PathBuf> {
    bootstraps::real_interpreter("python3")
}

/// A runtime directory with the shipped files and a task root holding `app`.
fn setup(name: &str, app: &str) -> Dirs {
    let root = std::env::temp_dir().join(format!("stratus-tpl-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("runtime")).expect("runtime dir");
    std::fs::create_dir_all(root.join("task")).expect("task dir");
    for (file, content) in bootstraps::FILES {
        std::fs::write(root.join("runtime").join(file), content).expect("write bootstrap");
    }
    std::fs::write(root.join("task").join("app.py"), app).expect("write app");
    Dirs { root }
}

fn env(dirs: &Dirs, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let task = dirs.root.join("task").to_string_lossy().to_string();
    let mut v: Vec<(String, String)> = vec![
        ("PATH".into(), "/usr/bin:/bin".into()),
        ("_HANDLER".into(), "app.handler".into()),
        ("LAMBDA_TASK_ROOT".into(), task),
        ("AWS_LAMBDA_FUNCTION_NAME".into(), "f".into()),
        ("AWS_LAMBDA_INITIALIZATION_TYPE".into(), "snap-start".into()),
        ("PYTHONUNBUFFERED".into(), "1".into()),
    ];
    v.extend(extra.iter().map(|(k, val)| (k.to_string(), val.to_string())));
    v
}

fn template_spec(dirs: &Dirs, py: &Path) -> EnvSpec {
    EnvSpec {
        argv: vec![
            py.to_string_lossy().to_string(),
            "-S".into(),
            dirs.root.join("runtime/bootstrap.py").to_string_lossy().to_string(),
        ],
        cwd: dirs.root.join("task"),
        env: env(dirs, &[]),
        memory_mb: 128,
        owned_dir: Some(dirs.root.join("template")),
        tmp_mb: None,
        label: "template".into(),
    }
}

fn child_spec(dirs: &Dirs, tag: &str) -> EnvSpec {
    EnvSpec {
        argv: vec![],
        cwd: dirs.root.join("task"),
        env: env(dirs, &[("TAG", tag)]),
        memory_mb: 128,
        owned_dir: None,
        tmp_mb: None,
        label: tag.into(),
    }
}

fn invocation(id: &str, payload: &'static str, timeout: Duration) -> Invocation {
    Invocation {
        request_id: id.into(),
        payload: Bytes::from_static(payload.as_bytes()),
        timeout,
        invoked_function_arn: "arn:aws:lambda:us-east-1:000000000000:function:f:1".into(),
        trace_id: String::new(),
        client_context: None,
        cognito_identity: None,
        stream: None,
    }
}

fn json(outcome: &Outcome) -> serde_json::Value {
    match outcome {
        Outcome::Response(b) => serde_json::from_slice(b).expect("json response"),
        other => panic!("not a response: {other:?}"),
    }
}

#[tokio::test]
async fn forked_environments_share_the_init_and_get_their_own_identity() {
    let Some(py) = python() else { return };
    let dirs = setup("share", APP);
    let template = Template::start(template_spec(&dirs, &py)).await.expect("template");
    let state = template.ready(Duration::from_secs(30)).await;
    assert!(matches!(state, TemplateState::Ready { .. }), "{state:?}");

    let mut a = Environment::restore(&template, child_spec(&dirs, "a")).await.expect("fork a");
    let mut b = Environment::restore(&template, child_spec(&dirs, "b")).await.expect("fork b");
    assert!(a.restored());
    let (oa, sa) = a.invoke(invocation("r-a", "{}", Duration::from_secs(5))).await;
    let (ob, _) = b.invoke(invocation("r-b", "{}", Duration::from_secs(5))).await;
    let (ja, jb) = (json(&oa), json(&ob));
    assert_eq!(ja["imported"], jb["imported"], "module init ran once, in the template");
    assert_eq!(ja["imported"]["pid"], template.pid());
    assert_ne!(ja["pid"], jb["pid"]);
    assert_eq!(ja["pid"], a.pid());
    assert_eq!(ja["tag"], "a");
    assert_eq!(jb["tag"], "b");
    assert_eq!(ja["init"], "snap-start");
    assert_eq!(ja["hooks"], serde_json::json!(["before", format!("after:{}", a.pid())]));
    assert!(sa.restore_duration.is_some() && sa.init_duration.is_none(), "{sa:?}");
    assert!(sa.billed_restore_duration <= sa.restore_duration);
    let logs = a.take_logs(Duration::from_millis(20)).await;
    assert!(logs.iter().any(|(_, l)| l == "restored env says hi"), "{logs:?}");

    // Warm: no restore reported again.
    let (_, again) = a.invoke(invocation("r-a2", "{}", Duration::from_secs(5))).await;
    assert!(again.restore_duration.is_none());

    // A timeout kills the forked child, and the template reports its end.
    let (o, _) = b.invoke(invocation("r-t", "{\"sleep\": 5}", Duration::from_millis(300))).await;
    assert_eq!(o, Outcome::Timeout);
    for _ in 0..100 {
        if !b.alive() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(!b.alive());
    drop(a);
    drop(b);
}

#[tokio::test]
async fn init_errors_fail_the_template_and_a_dead_template_cannot_fork() {
    let Some(py) = python() else { return };
    let dirs = setup("fail", "raise ImportError('nope')\n");
    let template = Template::start(template_spec(&dirs, &py)).await.expect("template");
    match template.ready(Duration::from_secs(30)).await {
        TemplateState::Failed { error_type, body } => {
            assert_eq!(error_type.as_deref(), Some("Runtime.ImportModuleError"));
            assert!(String::from_utf8_lossy(&body).contains("Unable to import module 'app'"), "{body:?}");
        }
        other => panic!("{other:?}"),
    }
    assert!(Environment::restore(&template, child_spec(&dirs, "x")).await.is_err());

    let dirs = setup("dead", APP);
    let template = Template::start(template_spec(&dirs, &py)).await.expect("template");
    assert!(matches!(template.ready(Duration::from_secs(30)).await, TemplateState::Ready { .. }));
    let mut survivor = Environment::restore(&template, child_spec(&dirs, "s")).await.expect("fork");
    // Kill the template process only (its children lead their own groups).
    let _ = std::process::Command::new("kill").args(["-9", &template.pid().to_string()]).status();
    for _ in 0..200 {
        if template.state() == TemplateState::Gone {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(template.state(), TemplateState::Gone);
    assert!(Environment::restore(&template, child_spec(&dirs, "y")).await.is_err());
    // Environments forked before still serve, and their end is still noticed.
    let (o, _) = survivor.invoke(invocation("r-s", "{}", Duration::from_secs(5))).await;
    assert_eq!(json(&o)["tag"], "s");
    survivor.kill();
    for _ in 0..200 {
        if !survivor.alive() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(!survivor.alive());
}
