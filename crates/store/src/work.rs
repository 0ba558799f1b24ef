//! Owns `Work`, one unit queued for the writer (a write batch or a
//! transaction closure), and the two kinds of it. A unit is run against the
//! engine's current state to produce its ops, then finished with the
//! outcome of the commit that carried them; finishing sends the caller its
//! answer through a oneshot channel.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

use tokio::sync::oneshot;

use crate::batch::{Op, WriteBatch};
use crate::engine::ReadView;
use crate::error::{Result, StoreError};
use crate::txn::Txn;

/// One unit of queued write work.
pub(crate) trait Work: Send {
    /// Runs against `base` (the state after every earlier unit). Returns the
    /// ops to apply, or `None` when the unit aborted and writes nothing.
    /// Engines that retry on conflict may call it again on a fresh base.
    fn run(&mut self, base: &dyn ReadView) -> Option<&[Op]>;

    /// Reports the outcome of the commit (or of a failure before it).
    /// Called exactly once.
    fn finish(self: Box<Self>, outcome: Result<()>);
}

/// A write batch: always applies, never aborts.
pub(crate) struct BatchWork {
    ops: Vec<Op>,
    reply: oneshot::Sender<Result<()>>,
}

impl BatchWork {
    pub(crate) fn new(batch: WriteBatch) -> (BatchWork, oneshot::Receiver<Result<()>>) {
        let (reply, rx) = oneshot::channel();
        let work = BatchWork { ops: batch.into_ops(), reply };
        (work, rx)
    }
}

impl Work for BatchWork {
    fn run(&mut self, _base: &dyn ReadView) -> Option<&[Op]> {
        Some(&self.ops)
    }

    fn finish(self: Box<Self>, outcome: Result<()>) {
        // The caller may have stopped waiting; the write stands regardless.
        let _ = self.reply.send(outcome);
    }
}

/// A transaction closure with its last result.
pub(crate) struct TxnWork<F, T, E> {
    f: F,
    result: Option<Result<T, E>>,
    ops: Vec<Op>,
    reply: oneshot::Sender<Result<T, E>>,
}

impl<F, T, E> TxnWork<F, T, E> {
    pub(crate) fn new(f: F) -> (TxnWork<F, T, E>, oneshot::Receiver<Result<T, E>>) {
        let (reply, rx) = oneshot::channel();
        let work = TxnWork { f, result: None, ops: Vec::new(), reply };
        (work, rx)
    }
}

impl<F, T, E> Work for TxnWork<F, T, E>
where
    F: FnMut(&mut Txn<'_>) -> Result<T, E> + Send,
    T: Send,
    E: From<StoreError> + Send,
{
    fn run(&mut self, base: &dyn ReadView) -> Option<&[Op]> {
        let mut txn = Txn::new(base);
        let f = &mut self.f;
        let ran = catch_unwind(AssertUnwindSafe(|| f(&mut txn)));
        match ran {
            Ok(Ok(value)) => {
                self.ops = txn.into_overlay().into_ops();
                self.result = Some(Ok(value));
                Some(&self.ops)
            }
            Ok(Err(e)) => {
                self.ops.clear();
                self.result = Some(Err(e));
                None
            }
            Err(panic) => {
                self.ops.clear();
                let msg = panic_message(panic.as_ref());
                tracing::error!(panic = %msg, "store transaction closure panicked; its writes were discarded");
                self.result = Some(Err(E::from(StoreError::Panicked(msg))));
                None
            }
        }
    }

    fn finish(self: Box<Self>, outcome: Result<()>) {
        let reply = match (self.result, outcome) {
            (Some(Ok(value)), Ok(())) => Ok(value),
            (Some(Ok(_)), Err(e)) => Err(E::from(e)),
            (Some(Err(e)), _) => Err(e),
            (None, Err(e)) => Err(E::from(e)),
            (None, Ok(())) => Err(E::from(StoreError::WriterGone("transaction finished without running"))),
        };
        let _ = self.reply.send(reply);
    }
}

fn panic_message(panic: &(dyn Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_string()
    }
}
