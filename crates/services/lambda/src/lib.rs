//! AWS Lambda for Stratus. Functions run as local processes under the
//! Lambda Runtime API (`stratus-runtime`); this crate owns the API, the
//! state in the store, and invoke orchestration.
//!
//! This file owns the `Lambda` service: its operation list, dispatch, the
//! background reaper, and the `/_stratus/billing` data-plane endpoint.

mod aliases;
mod asynq;
mod code;
mod codesigning;
mod concurrency;
mod config;
mod db;
mod destinations;
mod envs;
mod errors;
mod esm;
mod eventconfig;
mod functions;
mod invoke;
mod layer_policy;
mod layers;
mod meter;
mod names;
mod policy;
mod provisioned;
mod recursion;
mod resolve;
mod resource_policy;
mod role_session;
mod runlog;
mod runtime_mgmt;
mod s3code;
mod snapstart;
mod state;
mod stream;
mod tags;
mod templates;
#[cfg(test)]
mod tests;
mod url_stream;
mod urls;
mod versions;

use async_trait::async_trait;
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use stratus_core::{
    AwsError, BodyStream, EventSender, HttpRequest, HttpResponse, RequestContext, Service, Settings, Streamed,
};
use stratus_store::Store;

/// Where GetFunction's `Code.Location` points.
const CODE_PATH: &str = "/_stratus/lambda/code/";

/// Idle environments are ended after this long.
pub const IDLE_TTL: Duration = Duration::from_secs(300);

const OPERATIONS: &[&str] = &[
    "AddLayerVersionPermission",
    "AddPermission",
    "CreateAlias",
    "CreateCodeSigningConfig",
    "CreateEventSourceMapping",
    "CreateFunction",
    "CreateFunctionUrlConfig",
    "DeleteAlias",
    "DeleteCodeSigningConfig",
    "DeleteEventSourceMapping",
    "DeleteFunction",
    "DeleteFunctionCodeSigningConfig",
    "DeleteFunctionConcurrency",
    "DeleteFunctionEventInvokeConfig",
    "DeleteFunctionUrlConfig",
    "DeleteLayerVersion",
    "DeleteProvisionedConcurrencyConfig",
    "DeleteResourcePolicy",
    "GetAccountSettings",
    "GetAlias",
    "GetCodeSigningConfig",
    "GetEventSourceMapping",
    "GetFunction",
    "GetFunctionCodeSigningConfig",
    "GetFunctionConcurrency",
    "GetFunctionConfiguration",
    "GetFunctionEventInvokeConfig",
    "GetFunctionRecursionConfig",
    "GetFunctionUrlConfig",
    "GetLayerVersion",
    "GetLayerVersionByArn",
    "GetLayerVersionPolicy",
    "GetPolicy",
    "GetProvisionedConcurrencyConfig",
    "GetResourcePolicy",
    "GetRuntimeManagementConfig",
    "Invoke",
    "InvokeAsync",
    "InvokeWithResponseStream",
    "ListAliases",
    "ListCodeSigningConfigs",
    "ListEventSourceMappings",
    "ListFunctionEventInvokeConfigs",
    "ListFunctionUrlConfigs",
    "ListFunctions",
    "ListFunctionsByCodeSigningConfig",
    "ListLayerVersions",
    "ListLayers",
    "ListProvisionedConcurrencyConfigs",
    "ListTags",
    "ListVersionsByFunction",
    "PublishLayerVersion",
    "PublishVersion",
    "PutFunctionCodeSigningConfig",
    "PutFunctionConcurrency",
    "PutFunctionEventInvokeConfig",
    "PutFunctionRecursionConfig",
    "PutProvisionedConcurrencyConfig",
    "PutResourcePolicy",
    "PutRuntimeManagementConfig",
    "RemoveLayerVersionPermission",
    "RemovePermission",
    "TagResource",
    "UntagResource",
    "UpdateAlias",
    "UpdateCodeSigningConfig",
    "UpdateEventSourceMapping",
    "UpdateFunctionCode",
    "UpdateFunctionConfiguration",
    "UpdateFunctionEventInvokeConfig",
    "UpdateFunctionUrlConfig",
];

/// The Lambda service.
pub struct Lambda {
    shared: Arc<state::Shared>,
    /// The base directory is a temporary one, removed with the service.
    temporary: bool,
    /// Taken by `start`, which runs the log shipper.
    logs_rx: std::sync::Mutex<Option<tokio::sync::mpsc::UnboundedReceiver<runlog::Batch>>>,
    /// Background tasks `start` spawned; `stop` aborts them.
    tasks: std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>,
}

impl Drop for Lambda {
    fn drop(&mut self) {
        self.shared.pool.drain("");
        self.shared.snapstart.templates.drain("");
        if self.temporary {
            let _ = std::fs::remove_dir_all(&self.shared.base);
        }
    }
}

impl Lambda {
    pub fn new(store: Store, settings: &Settings) -> Lambda {
        let base = match &settings.data_dir {
            Some(d) => d.join("lambda"),
            None => std::env::temp_dir().join(format!(
                "stratus-lambda-{}-{}",
                std::process::id(),
                uuid::Uuid::new_v4().simple()
            )),
        };
        let (logs_tx, logs_rx) = tokio::sync::mpsc::unbounded_channel();
        let shared = state::Shared {
            store,
            settings: settings.clone(),
            pool: stratus_runtime::Pool::new(),
            counters: concurrency::Counters::default(),
            meter: meter::Meter::default(),
            records: resolve::Cache::default(),
            queue: asynq::Queue::default(),
            esm: esm::Registry::default(),
            snapstart: snapstart::Snapshots::default(),
            logs_tx,
            base: base.clone(),
        };
        if let Err(e) = envs::install_bootstraps(&shared.runtime_dir()) {
            tracing::warn!("cannot write the Lambda bootstraps under {}: {e}", base.display());
        }
        // Environments of a previous run are gone; so are their directories.
        let _ = std::fs::remove_dir_all(shared.env_root());
        Lambda {
            shared: Arc::new(shared),
            temporary: settings.data_dir.is_none(),
            logs_rx: std::sync::Mutex::new(Some(logs_rx)),
            tasks: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// Where code and environments live.
    pub fn base_dir(&self) -> PathBuf {
        self.shared.base.clone()
    }
}

#[async_trait]
impl Service for Lambda {
    fn name(&self) -> &'static str {
        "lambda"
    }

    fn operations(&self) -> &'static [&'static str] {
        OPERATIONS
    }

    async fn call(&self, ctx: &RequestContext, input: Value) -> Result<Value, AwsError> {
        let s = &self.shared;
        let input = &input;
        match ctx.operation {
            "CreateFunction" => functions::create(s, ctx, input).await,
            "GetFunction" => functions::get(s, ctx, input),
            "GetFunctionConfiguration" => functions::get_configuration(s, ctx, input),
            "ListFunctions" => functions::list(s, ctx, input),
            "UpdateFunctionCode" => functions::update_code(s, ctx, input).await,
            "UpdateFunctionConfiguration" => functions::update_configuration(s, ctx, input).await,
            "DeleteFunction" => functions::delete(s, ctx, input).await,
            "PublishVersion" => versions::publish(s, ctx, input).await,
            "ListVersionsByFunction" => versions::list(s, ctx, input),
            "CreateAlias" => aliases::create(s, ctx, input).await,
            "GetAlias" => aliases::get(s, ctx, input),
            "ListAliases" => aliases::list(s, ctx, input),
            "UpdateAlias" => aliases::update(s, ctx, input).await,
            "DeleteAlias" => aliases::delete(s, ctx, input).await,
            "PutFunctionConcurrency" => concurrency::put(s, ctx, input).await,
            "GetFunctionConcurrency" => concurrency::get(s, ctx, input),
            "DeleteFunctionConcurrency" => concurrency::delete(s, ctx, input).await,
            "GetAccountSettings" => concurrency::account_settings(s, ctx),
            "TagResource" => tags::tag(s, ctx, input).await,
            "UntagResource" => tags::untag(s, ctx, input).await,
            "ListTags" => tags::list(s, ctx, input),
            "Invoke" => invoke::invoke(s, ctx, input).await,
            "PutFunctionEventInvokeConfig" => eventconfig::put(s, ctx, input).await,
            "UpdateFunctionEventInvokeConfig" => eventconfig::update(s, ctx, input).await,
            "GetFunctionEventInvokeConfig" => eventconfig::get(s, ctx, input),
            "DeleteFunctionEventInvokeConfig" => eventconfig::delete(s, ctx, input).await,
            "ListFunctionEventInvokeConfigs" => eventconfig::list(s, ctx, input),
            "PublishLayerVersion" => layers::publish(s, ctx, input).await,
            "GetLayerVersion" => layers::get(s, ctx, input),
            "GetLayerVersionByArn" => layers::get_by_arn(s, input),
            "ListLayerVersions" => layers::list_versions(s, ctx, input),
            "ListLayers" => layers::list(s, ctx, input),
            "DeleteLayerVersion" => layers::delete(s, ctx, input).await,
            "PutProvisionedConcurrencyConfig" => provisioned::put(s, ctx, input).await,
            "GetProvisionedConcurrencyConfig" => provisioned::get(s, ctx, input),
            "DeleteProvisionedConcurrencyConfig" => provisioned::delete(s, ctx, input).await,
            "ListProvisionedConcurrencyConfigs" => provisioned::list(s, ctx, input),
            "AddPermission" => policy::add(s, ctx, input).await,
            "GetPolicy" => policy::get(s, ctx, input),
            "RemovePermission" => policy::remove(s, ctx, input).await,
            "CreateFunctionUrlConfig" => urls::create(s, ctx, input).await,
            "GetFunctionUrlConfig" => urls::get(s, ctx, input),
            "UpdateFunctionUrlConfig" => urls::update(s, ctx, input).await,
            "DeleteFunctionUrlConfig" => urls::delete(s, ctx, input).await,
            "ListFunctionUrlConfigs" => urls::list(s, ctx, input),
            "CreateCodeSigningConfig" => codesigning::create(s, ctx, input).await,
            "GetCodeSigningConfig" => codesigning::get(s, ctx, input),
            "UpdateCodeSigningConfig" => codesigning::update(s, ctx, input).await,
            "DeleteCodeSigningConfig" => codesigning::delete(s, ctx, input).await,
            "ListCodeSigningConfigs" => codesigning::list(s, ctx, input),
            "ListFunctionsByCodeSigningConfig" => codesigning::list_functions(s, ctx, input),
            "PutFunctionCodeSigningConfig" => codesigning::put_function(s, ctx, input).await,
            "GetFunctionCodeSigningConfig" => codesigning::get_function(s, ctx, input),
            "DeleteFunctionCodeSigningConfig" => codesigning::delete_function(s, ctx, input).await,
            "AddLayerVersionPermission" => layer_policy::add(s, ctx, input).await,
            "GetLayerVersionPolicy" => layer_policy::get(s, ctx, input),
            "RemoveLayerVersionPermission" => layer_policy::remove(s, ctx, input).await,
            "PutFunctionRecursionConfig" => recursion::put(s, ctx, input).await,
            "GetFunctionRecursionConfig" => recursion::get(s, ctx, input),
            "PutRuntimeManagementConfig" => runtime_mgmt::put(s, ctx, input).await,
            "GetRuntimeManagementConfig" => runtime_mgmt::get(s, ctx, input),
            "PutResourcePolicy" => resource_policy::put(s, ctx, input).await,
            "GetResourcePolicy" => resource_policy::get(s, ctx, input),
            "DeleteResourcePolicy" => resource_policy::delete(s, ctx, input).await,
            "CreateEventSourceMapping" => esm::api::create(s, ctx, input).await,
            "GetEventSourceMapping" => esm::api::get(s, ctx, input),
            "UpdateEventSourceMapping" => esm::api::update(s, ctx, input).await,
            "DeleteEventSourceMapping" => esm::api::delete(s, ctx, input).await,
            "ListEventSourceMappings" => esm::api::list(s, ctx, input),
            _ => Err(AwsError::bad_request("NotImplemented", format!("{} is not implemented", ctx.operation))),
        }
    }

    async fn call_stream(&self, ctx: &RequestContext, input: Value, events: EventSender) -> Result<Value, AwsError> {
        match ctx.operation {
            "InvokeWithResponseStream" => stream::invoke(&self.shared, ctx, &input, events).await,
            _ => Err(AwsError::bad_request("NotImplemented", format!("{} is not implemented", ctx.operation))),
        }
    }

    async fn call_streaming(&self, ctx: &RequestContext, input: Value, body: BodyStream) -> Result<Streamed, AwsError> {
        match ctx.operation {
            "InvokeAsync" => {
                let output = invoke::invoke_async(&self.shared, ctx, &input, body).await?;
                Ok(Streamed { output, body: None })
            }
            _ => Err(AwsError::bad_request("NotImplemented", format!("{} is not implemented", ctx.operation))),
        }
    }

    fn reset(&self) {
        self.shared.pool.drain("");
        self.shared.snapstart.templates.drain("");
        self.shared.counters.reset();
        self.shared.meter.reset();
    }

    fn start(&self) {
        let mut tasks = vec![
            tokio::spawn(asynq::worker(self.shared.clone())),
            tokio::spawn(provisioned::restore(self.shared.clone())),
            tokio::spawn(esm::poller::supervise(self.shared.clone())),
            tokio::spawn(snapstart::worker(self.shared.clone())),
        ];
        if let Some(rx) = self.logs_rx.lock().ok().and_then(|mut r| r.take()) {
            tasks.push(tokio::spawn(runlog::shipper(self.shared.store.clone(), rx)));
        }
        let s = self.shared.clone();
        tasks.push(tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(15));
            loop {
                tick.tick().await;
                s.pool.reap(IDLE_TTL);
            }
        }));
        if let Ok(mut running) = self.tasks.lock() {
            running.extend(tasks);
        }
    }

    async fn stop(&self) {
        let running: Vec<_> = self.tasks.lock().map(|mut t| t.drain(..).collect()).unwrap_or_default();
        for task in &running {
            task.abort();
        }
        for task in running {
            let _ = task.await;
        }
        esm::poller::shutdown(&self.shared).await;
        self.shared.pool.drain("");
        self.shared.snapstart.templates.drain("");
    }

    fn claims(&self, req: &HttpRequest) -> bool {
        req.path == "/_stratus/billing" || req.path.starts_with(CODE_PATH) || urls::claims(&self.shared, req)
    }

    async fn serve(&self, req: HttpRequest) -> HttpResponse {
        if let Some(hex) = req.path.strip_prefix(CODE_PATH) {
            // GetFunction's Code.Location: the package as uploaded.
            return match self.shared.store.get(db::code_key(hex)) {
                Ok(Some(zip)) => HttpResponse::new(200, "application/zip", zip),
                _ => HttpResponse::new(404, "application/json", "{\"message\":\"Not Found\"}"),
            };
        }
        if req.path != "/_stratus/billing" {
            return urls::serve(&self.shared, req).await;
        }
        if req.method == http_get() {
            let body = serde_json::to_vec(&self.shared.meter.report()).unwrap_or_default();
            return HttpResponse::new(200, "application/json", body);
        }
        HttpResponse::new(405, "application/json", "{\"message\":\"Method Not Allowed\"}")
    }
}

fn http_get() -> http::Method {
    http::Method::GET
}
