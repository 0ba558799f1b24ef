//! Concurrency inside one poller task: a set of futures driven alongside
//! whatever the poller awaits, instead of spawned tasks, so that aborting
//! the poller drops them all at once (and with them every handle on the
//! store) — which `stop` relies on to close the store at shutdown.

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

type Job = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Futures that run while the owner awaits something else.
#[derive(Default)]
pub struct Set {
    jobs: Vec<Job>,
}

impl Set {
    pub fn push(&mut self, job: impl Future<Output = ()> + Send + 'static) {
        self.jobs.push(Box::pin(job));
    }

    /// Polls every job once, dropping those that finished.
    fn poll_jobs(&mut self, cx: &mut std::task::Context<'_>) {
        self.jobs.retain_mut(|j| j.as_mut().poll(cx).is_pending());
    }

    /// Awaits `fut` while driving the jobs.
    pub async fn with<T>(&mut self, fut: impl Future<Output = T>) -> T {
        let mut fut = std::pin::pin!(fut);
        std::future::poll_fn(|cx| {
            self.poll_jobs(cx);
            fut.as_mut().poll(cx)
        })
        .await
    }

    /// Drives the jobs until fewer than `n` remain.
    pub async fn below(&mut self, n: usize) {
        std::future::poll_fn(|cx| {
            self.poll_jobs(cx);
            if self.jobs.len() < n { Poll::Ready(()) } else { Poll::Pending }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[tokio::test]
    async fn jobs_run_alongside_and_are_bounded() {
        let done = Arc::new(AtomicUsize::new(0));
        let mut set = Set::default();
        for i in 0..3u64 {
            let d = done.clone();
            set.push(async move {
                tokio::time::sleep(Duration::from_millis(10 * (i + 1))).await;
                d.fetch_add(1, Ordering::SeqCst);
            });
        }
        let v = set.with(async { 7 }).await;
        assert_eq!(v, 7);
        set.below(3).await;
        assert!(set.jobs.len() < 3);
        set.with(tokio::time::sleep(Duration::from_millis(60))).await;
        assert_eq!(done.load(Ordering::SeqCst), 3);
        set.below(1).await;
        assert_eq!(set.jobs.len(), 0);
    }
}
