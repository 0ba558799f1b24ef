//! SNS's `NextToken` paging: up to 100 items a page; the token is the
//! store key to resume after, base64-encoded.

use crate::errors;
use base64::Engine;
use stratus_core::AwsError;
use stratus_store::{KvPair, Store};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;
pub const PAGE: usize = 100;

/// One page of the records under `prefix`, after the position in `token`.
pub fn scan(store: &Store, prefix: &str, token: Option<&str>) -> Result<(Vec<KvPair>, Option<String>), AwsError> {
    let start = match token {
        Some(t) => {
            let raw = B64
                .decode(t)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| errors::invalid("NextToken"))?;
            if !raw.starts_with(prefix) {
                return Err(errors::invalid("NextToken"));
            }
            let mut k = raw.into_bytes();
            k.push(0);
            k
        }
        None => prefix.as_bytes().to_vec(),
    };
    let end = stratus_store::prefix_successor(prefix.as_bytes()).unwrap_or_else(|| vec![0xff; prefix.len() + 1]);
    let mut rows = store.scan(start..end, false, Some(PAGE + 1))?;
    let next = if rows.len() > PAGE {
        rows.truncate(PAGE);
        rows.last().map(|(k, _)| B64.encode(k))
    } else {
        None
    };
    Ok((rows, next))
}
