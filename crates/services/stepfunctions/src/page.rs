//! `nextToken`/`maxResults` paging over store records: the token is the
//! last key returned, base64-encoded.

use crate::errors;
use base64::Engine;
use serde_json::Value;
use stratus_core::AwsError;
use stratus_core::input::Input;
use stratus_store::{KvPair, Store};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;
/// The page size when `maxResults` is absent or 0.
const DEFAULT_PAGE: usize = 100;

/// One page of the records under `prefix`.
pub fn scan(store: &Store, prefix: &str, input: &Value) -> Result<(Vec<KvPair>, Option<String>), AwsError> {
    let page = match input.i64("maxResults") {
        Some(n) if n > 0 => n as usize,
        _ => DEFAULT_PAGE,
    };
    let start = match input.str("nextToken") {
        Some(t) => {
            let raw = B64
                .decode(t)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .filter(|k| k.starts_with(prefix))
                .ok_or_else(|| errors::invalid_token("Invalid token"))?;
            let mut k = raw.into_bytes();
            k.push(0);
            k
        }
        None => prefix.as_bytes().to_vec(),
    };
    let end = stratus_store::prefix_successor(prefix.as_bytes()).unwrap_or_else(|| vec![0xff; prefix.len() + 1]);
    let mut rows = store.scan(start..end, false, Some(page + 1))?;
    let next = if rows.len() > page {
        rows.truncate(page);
        rows.last().map(|(k, _)| B64.encode(k))
    } else {
        None
    };
    Ok((rows, next))
}
