//! Warm environments waiting for work, keyed by the caller (a function
//! version's configuration). Most recently used first, so surplus
//! environments age out; `reap` ends those idle too long.

use crate::environment::Environment;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Idle environments by key.
#[derive(Default)]
pub struct Pool {
    idle: Mutex<HashMap<String, Vec<(Environment, Instant)>>>,
}

impl Pool {
    pub fn new() -> Pool {
        Pool::default()
    }

    /// A warm environment for `key`, if one is idle and alive.
    pub fn acquire(&self, key: &str) -> Option<Environment> {
        let mut dead = Vec::new();
        let found = {
            let mut idle = self.idle.lock().ok()?;
            let list = idle.get_mut(key)?;
            let mut found = None;
            while let Some((env, _)) = list.pop() {
                if env.alive() {
                    found = Some(env);
                    break;
                }
                dead.push(env);
            }
            found
        };
        drop(dead);
        found
    }

    /// Returns an environment after an invocation.
    pub fn release(&self, key: &str, env: Environment) {
        if !env.alive() {
            return;
        }
        if let Ok(mut idle) = self.idle.lock() {
            idle.entry(key.to_string()).or_default().push((env, Instant::now()));
        }
    }

    /// Ends every idle environment whose key starts with `prefix`.
    pub fn drain(&self, prefix: &str) {
        let gone: Vec<_> = match self.idle.lock() {
            Ok(mut idle) => {
                let keys: Vec<String> = idle.keys().filter(|k| k.starts_with(prefix)).cloned().collect();
                keys.into_iter().filter_map(|k| idle.remove(&k)).collect()
            }
            Err(_) => Vec::new(),
        };
        drop(gone);
    }

    /// Ends environments idle for longer than `max_idle`; returns how many.
    pub fn reap(&self, max_idle: Duration) -> usize {
        let mut gone = Vec::new();
        if let Ok(mut idle) = self.idle.lock() {
            for list in idle.values_mut() {
                let (keep, old): (Vec<_>, Vec<_>) =
                    list.drain(..).partition(|(e, t)| e.pinned || t.elapsed() < max_idle);
                *list = keep;
                gone.extend(old);
            }
            idle.retain(|_, l| !l.is_empty());
        }
        let n = gone.len();
        drop(gone);
        n
    }

    /// Idle environments for `key`.
    pub fn idle_count(&self, key: &str) -> usize {
        self.idle.lock().map(|i| i.get(key).map_or(0, Vec::len)).unwrap_or(0)
    }
}
