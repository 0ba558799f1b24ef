//! The shared state of a running server: the store, the registered
//! services, the auth settings and the metrics.

use crate::config::{AuthMode, ServeArgs, StaticKey};
use crate::metrics::Metrics;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;
use stratus_core::{Service, Settings};
use stratus_store::Store;

pub struct App {
    pub store: Store,
    pub services: HashMap<&'static str, Arc<dyn Service>>,
    pub auth: AuthMode,
    pub keys: Vec<StaticKey>,
    pub metrics: Metrics,
    pub started: Instant,
    pub data_dir: Option<PathBuf>,
}

impl App {
    /// Starts every service's background work; call inside the runtime.
    pub fn start_services(&self) {
        for service in self.services.values() {
            service.start();
        }
    }

    /// Stops every service's background work.
    pub async fn stop_services(&self) {
        for service in self.services.values() {
            service.stop().await;
        }
    }
}

impl App {
    /// Opens the store and registers every service; `endpoint` is where the
    /// server has been bound.
    pub fn new(args: &ServeArgs, endpoint: String) -> Result<App, String> {
        let (store, data_dir) = if args.in_memory {
            (Store::in_memory().map_err(|e| e.to_string())?, None)
        } else {
            let dir = args.resolved_data_dir();
            (Store::open(&dir).map_err(|e| format!("cannot open the store in {}: {e}", dir.display()))?, Some(dir))
        };
        let mut keys = crate::config::default_keys();
        if let Some(path) = &args.credentials {
            keys = crate::config::load_credentials(path)?;
        }
        let settings = Settings {
            endpoint,
            data_dir: data_dir.clone(),
            enforce_capacity: args.enforce_capacity,
            lambda_concurrency: args.lambda_concurrency,
            sqs_recreate_delay_secs: args.sqs_recreate_delay,
            reaper_interval_secs: args.reaper_interval,
            s3_restore_secs: args.s3_restore_seconds,
            peers: Default::default(),
            signatures: Default::default(),
            wire: Default::default(),
        };
        let check = crate::identity::data_plane_check(args.auth, keys.clone(), store.clone());
        let form = crate::identity::form_check(args.auth, keys.clone(), store.clone());
        settings.signatures.install(check, form);
        let services = crate::registry::services(&store, &settings);
        settings.peers.install(&services);
        settings.wire.install(crate::wire::wire_call(settings.peers.clone()));
        Ok(App {
            store,
            services: services.into_iter().map(|s| (s.name(), s)).collect(),
            auth: args.auth,
            keys,
            metrics: Metrics::default(),
            started: Instant::now(),
            data_dir,
        })
    }
}
