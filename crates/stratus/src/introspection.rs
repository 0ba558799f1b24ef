//! The `/_stratus` endpoints: health (version, services, storage, OS
//! isolation features and which of them Stratus enforces), reset (wipe
//! all state) and metrics (Prometheus).

use crate::app::App;
use serde_json::{Value, json};
use stratus_protocol::HttpResponse;

/// Answers a `/_stratus/...` request, or None when the path is not one.
pub async fn handle(app: &App, method: &http::Method, path: &str) -> Option<HttpResponse> {
    let resp = match (method.as_str(), path) {
        ("GET", "/_stratus/health") | ("HEAD", "/_stratus/health") => json_response(200, &health(app)),
        ("POST", "/_stratus/reset") => match app.store.clear().await {
            Ok(()) => {
                for service in app.services.values() {
                    service.reset();
                }
                json_response(200, &json!({"reset": true}))
            }
            Err(e) => json_response(500, &json!({"reset": false, "error": e.to_string()})),
        },
        ("GET", "/_stratus/metrics") => HttpResponse::new(200, "text/plain; version=0.0.4", app.metrics.render()),
        _ => return None,
    };
    Some(resp)
}

/// The answer for a `/_stratus/` path nothing claimed.
pub fn not_found(method: &http::Method, path: &str) -> HttpResponse {
    json_response(404, &json!({"error": format!("no endpoint {method} {path}")}))
}

fn json_response(status: u16, v: &Value) -> HttpResponse {
    HttpResponse::new(status, "application/json", serde_json::to_vec_pretty(v).unwrap_or_default())
}

fn health(app: &App) -> Value {
    let mut services: Vec<&&str> = app.services.keys().collect();
    services.sort();
    let services: serde_json::Map<String, Value> =
        services.into_iter().map(|s| (s.to_string(), Value::from("running"))).collect();
    json!({
        "version": env!("CARGO_PKG_VERSION"),
        "uptime_seconds": app.started.elapsed().as_secs_f64(),
        "services": services,
        "storage": {
            "engine": app.store.engine_name(),
            "data_dir": app.data_dir.as_ref().map(|d| d.display().to_string()),
            "durable": app.data_dir.is_some(),
        },
        "auth": format!("{:?}", app.auth).to_lowercase(),
        "isolation": isolation(),
    })
}

/// What the OS offers for isolating function processes, and per feature
/// (memory limit, CPU weight, /tmp size limit) whether Stratus enforces it
/// through the OS or degraded to its fallback, and why.
fn isolation() -> Value {
    let cgroup_v2 = std::path::Path::new("/sys/fs/cgroup/cgroup.controllers").exists();
    let controllers = std::fs::read_to_string("/sys/fs/cgroup/cgroup.controllers").unwrap_or_default();
    let user_namespaces = std::fs::read_to_string("/proc/sys/user/max_user_namespaces")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .is_some_and(|n| n > 0);
    let mut v = json!({
        "os": std::env::consts::OS,
        "cgroup_v2": cgroup_v2,
        "cgroup_memory": controllers.split_whitespace().any(|c| c == "memory"),
        "cgroup_cpu": controllers.split_whitespace().any(|c| c == "cpu"),
        "user_namespaces": user_namespaces,
        "rlimits": cfg!(unix),
    });
    if let (Some(map), Value::Object(applied)) = (v.as_object_mut(), stratus_runtime::isolation_report()) {
        map.extend(applied);
    }
    v
}
