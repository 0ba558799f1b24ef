//! Connection threads: each accepted connection is served, start to end, by
//! one of a few single-threaded tokio runtimes (one per core), and so is
//! every task its requests spawn (a Lambda environment's Runtime API, a
//! detached log shipment). A request's hops between tasks then stay on one
//! thread: on this VM a work-stealing runtime spent ~6 thread wake-ups per
//! warm Lambda Invoke notifying the idle worker, each costing tens of µs.
//! A new connection goes to the thread with the fewest open connections
//! (the first one on ties), so a lone client and the environments it starts
//! share a thread, while many clients spread over all cores.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::oneshot;

/// The connection threads of one server; dropping it stops them (their
/// runtimes, and every task still on them, are dropped).
pub struct Workers {
    workers: Vec<Worker>,
}

struct Worker {
    handle: tokio::runtime::Handle,
    open: Arc<AtomicUsize>,
    _stop: oneshot::Sender<()>,
}

/// Counts a connection as open on its thread until dropped.
pub struct OpenConnection(Arc<AtomicUsize>);

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Workers {
    /// One thread per available core.
    pub fn start() -> std::io::Result<Workers> {
        let n = std::thread::available_parallelism().map_or(2, |n| n.get());
        let mut workers = Vec::with_capacity(n);
        for i in 0..n {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            let handle = runtime.handle().clone();
            let (stop, stopped) = oneshot::channel::<()>();
            std::thread::Builder::new().name(format!("stratus-conn-{i}")).spawn(move || {
                runtime.block_on(async {
                    let _ = stopped.await;
                });
            })?;
            workers.push(Worker { handle, open: Arc::new(AtomicUsize::new(0)), _stop: stop });
        }
        Ok(Workers { workers })
    }

    /// Runs `serve` on the least busy thread; the future gets the guard that
    /// counts its connection as open.
    pub fn spawn<F, Fut>(&self, serve: F)
    where
        F: FnOnce(OpenConnection) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let Some(worker) = self.workers.iter().min_by_key(|w| w.open.load(Ordering::Relaxed)) else { return };
        worker.open.fetch_add(1, Ordering::Relaxed);
        let guard = OpenConnection(worker.open.clone());
        worker.handle.spawn(async move { serve(guard).await });
    }
}
