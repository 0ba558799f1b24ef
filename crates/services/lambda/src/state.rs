//! What every Lambda operation shares: the store, server settings, the
//! warm-environment pool, the concurrency counters, the billing meter and
//! the directories code and environments live in.

use crate::concurrency::Counters;
use crate::meter::Meter;
use std::path::PathBuf;
use stratus_core::Settings;
use stratus_runtime::Pool;
use stratus_store::Store;

pub struct Shared {
    pub store: Store,
    pub settings: Settings,
    pub pool: Pool,
    pub counters: Counters,
    pub meter: Meter,
    /// Decoded function and version records (`resolve`).
    pub records: crate::resolve::Cache,
    pub queue: crate::asynq::Queue,
    /// The running event source mapping pollers.
    pub esm: crate::esm::Registry,
    /// SnapStart: the snapshot queue and the templates of published versions.
    pub snapstart: crate::snapstart::Snapshots,
    /// To the log shipper (`runlog::shipper`).
    pub logs_tx: tokio::sync::mpsc::UnboundedSender<crate::runlog::Batch>,
    /// `{base}/code/{sha}`: unpacked packages; `{base}/env/{id}`: per-environment dirs;
    /// `{base}/opt/{key}`: merged layers; `{base}/runtime/`: the shipped bootstraps.
    pub base: PathBuf,
}

impl Shared {
    pub fn code_dir(&self) -> PathBuf {
        self.base.join("code")
    }

    /// `{base}/opt/{key}`: a function's layers merged (`layers::opt_dir`).
    pub fn opt_root(&self) -> PathBuf {
        self.base.join("opt")
    }

    pub fn env_root(&self) -> PathBuf {
        self.base.join("env")
    }

    pub fn runtime_dir(&self) -> PathBuf {
        self.base.join("runtime")
    }
}
