//! Reading several streams' events as one time-ordered sequence, for
//! FilterLogEvents: one lazy cursor per stream (reading its key range in
//! chunks) merged through a heap on (timestamp, stream, sequence), in either
//! direction.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use stratus_core::AwsError;
use stratus_store::Snapshot;

use crate::error::store;
use crate::keys::event_position;
use crate::model::{Event, decode};
use crate::span::Span;

/// Events one cursor reads per store scan.
const CHUNK: usize = 512;

/// An event read by the merge, with the stream it came from.
#[derive(Debug)]
pub struct Merged {
    /// Index of its stream in the list given to [`Merge::new`].
    pub stream: usize,
    pub timestamp: u64,
    pub seq: u64,
    pub event: Event,
}

struct Cursor {
    span: Span,
    buffer: VecDeque<(Vec<u8>, Vec<u8>)>,
    done: bool,
}

/// The merged sequence. Streams must be listed in name order, which makes
/// their index order the tie-breaker AWS's name order would be.
pub struct Merge<'s> {
    snap: &'s Snapshot,
    descending: bool,
    cursors: Vec<Cursor>,
    heap: BinaryHeap<Reverse<(u64, u64, u64, usize)>>,
    primed: bool,
}

impl<'s> Merge<'s> {
    pub fn new(snap: &'s Snapshot, spans: Vec<Span>, descending: bool) -> Merge<'s> {
        let cursors = spans.into_iter().map(|span| Cursor { span, buffer: VecDeque::new(), done: false }).collect();
        Merge { snap, descending, cursors, heap: BinaryHeap::new(), primed: false }
    }

    /// The next event in merge order, or `None` when every stream is read.
    pub fn next_event(&mut self) -> Result<Option<Merged>, AwsError> {
        if !self.has_next()? {
            return Ok(None);
        }
        let Some(Reverse((_, _, _, i))) = self.heap.pop() else {
            return Ok(None);
        };
        let Some(cursor) = self.cursors.get_mut(i) else {
            return Ok(None);
        };
        let Some((key, value)) = cursor.buffer.pop_front() else {
            return Ok(None);
        };
        let (timestamp, seq) = event_position(&key).unwrap_or_default();
        let event: Event = decode("log event", &value)?;
        self.push_head(i)?;
        Ok(Some(Merged { stream: i, timestamp, seq, event }))
    }

    /// True when another event follows.
    pub fn has_next(&mut self) -> Result<bool, AwsError> {
        if !self.primed {
            self.primed = true;
            for i in 0..self.cursors.len() {
                self.push_head(i)?;
            }
        }
        Ok(!self.heap.is_empty())
    }

    /// Puts stream `i`'s next event (if any) on the heap.
    fn push_head(&mut self, i: usize) -> Result<(), AwsError> {
        let descending = self.descending;
        let Some(cursor) = self.cursors.get_mut(i) else {
            return Ok(());
        };
        if cursor.buffer.is_empty() && !cursor.done {
            let pairs = self.snap.scan(cursor.span.range(), descending, Some(CHUNK)).map_err(store)?;
            cursor.done = pairs.len() < CHUNK;
            if let Some((last, _)) = pairs.last() {
                let span = cursor.span.clone();
                cursor.span = if descending { span.before_key(last.clone()) } else { span.after_key(last.clone()) };
            }
            cursor.buffer.extend(pairs);
        }
        if let Some((key, _)) = cursor.buffer.front() {
            let (ts, seq) = event_position(key).unwrap_or_default();
            let idx = i as u64;
            let order = if descending { (u64::MAX - ts, u64::MAX - idx, u64::MAX - seq) } else { (ts, idx, seq) };
            self.heap.push(Reverse((order.0, order.1, order.2, i)));
        }
        Ok(())
    }
}
