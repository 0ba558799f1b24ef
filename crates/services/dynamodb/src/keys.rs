//! Storage layout and the order-preserving encoding of key values.
//!
//! - `ddbm/{account}/{region}/{table}`: table metadata (JSON; one prefix
//!   across accounts so the TTL reaper can list every table)
//! - `ddb/{account}/{region}/t/{table}/i/{pk}{sk}`: items (JSON, wire form)
//! - `ddb/{account}/{region}/t/{table}/x/{index}/{ipk}{isk}{pk}{sk}`: index entries
//! - `ddb/{account}/{region}/t/{table}/s/{label}/{seq}`: stream records
//! - `ddb/{account}/{region}/t/{table}/seq`: last stream sequence number
//! - `ddb/{account}/{region}/t/{table}/stats`: item count and size
//! - `ddb/{account}/{region}/t/{table}/xs/{index}`: index entry count and size
//! - `ddb/{account}/{region}/t/{table}/xb/{index}`: how far a GSI's backfill got
//! - `ddb/{account}/{region}/t/{table}/j/{seq}`: the change journal kept while PITR is enabled
//! - `ddb/{account}/{region}/t/{table}/jseq`: the journal's last sequence number
//! - `ddb/{account}/{region}/tok/{token}`: transaction idempotency records
//! - `ddb/{account}/{region}/bk/{backup id}`: on-demand backup records (JSON)
//! - `ddb/{account}/{region}/bki/{backup id}/{pk}{sk}`: a backup's items
//!
//! Key values are encoded so byte order is DynamoDB's order: S and B as
//! their bytes with 0x00 escaped as 0x00 0xFF and terminated by 0x00 0x01
//! (prefix-free, so partition keys delimit); N with `Number::encode_key`.

use crate::types::AttrValue;

#[derive(Clone)]
pub struct Keys {
    base: String,
    pub region: String,
}

impl Keys {
    pub fn new(account: &str, region: &str) -> Keys {
        Keys { base: format!("ddb/{account}/{region}/"), region: region.to_string() }
    }

    /// Stream records of one stream (`label`) of a table, by sequence number.
    pub fn stream_prefix(&self, table: &str, label: &str) -> Vec<u8> {
        format!("{}t/{table}/s/{label}/", self.base).into_bytes()
    }

    /// A table's running item count and size (`{count} {bytes}`).
    pub fn stats(&self, table: &str) -> String {
        format!("{}t/{table}/stats", self.base)
    }

    /// An index's running entry count and size (`{count} {bytes}`).
    pub fn index_stats(&self, table: &str, index: &str) -> String {
        format!("{}t/{table}/xs/{index}", self.base)
    }

    /// The last item key a GSI's backfill has indexed (absent: none yet).
    pub fn backfill_cursor(&self, table: &str, index: &str) -> String {
        format!("{}t/{table}/xb/{index}", self.base)
    }

    /// The last sequence number issued for a table's stream records.
    pub fn stream_seq(&self, table: &str) -> String {
        format!("{}t/{table}/seq", self.base)
    }

    pub fn meta(&self, table: &str) -> String {
        format!("{}{table}", self.meta_prefix())
    }

    /// The keys of the account and region a metadata key
    /// (`ddbm/{account}/{region}/{table}`) belongs to, with its table name.
    pub fn of_meta_key(key: &[u8]) -> Option<(Keys, String)> {
        let key = std::str::from_utf8(key).ok()?;
        let mut parts = key.splitn(4, '/');
        let (_, account, region, table) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        Some((Keys::new(account, region), table.to_string()))
    }

    /// The metadata keys of every table of every account and region.
    pub const ALL_METAS: &'static str = "ddbm/";

    pub fn meta_prefix(&self) -> String {
        format!("ddbm/{}", &self.base["ddb/".len()..])
    }

    /// Everything a table owns (items and index entries).
    pub fn table_prefix(&self, table: &str) -> String {
        format!("{}t/{table}/", self.base)
    }

    pub fn items_prefix(&self, table: &str) -> Vec<u8> {
        format!("{}t/{table}/i/", self.base).into_bytes()
    }

    pub fn index_prefix(&self, table: &str, index: &str) -> Vec<u8> {
        format!("{}t/{table}/x/{index}/", self.base).into_bytes()
    }

    /// A table's change journal, by sequence number (see `journal`).
    pub fn journal_prefix(&self, table: &str) -> Vec<u8> {
        format!("{}t/{table}/j/", self.base).into_bytes()
    }

    /// The last sequence number of a table's change journal.
    pub fn journal_seq(&self, table: &str) -> String {
        format!("{}t/{table}/jseq", self.base)
    }

    /// Every backup record of the account and region, oldest first (ids
    /// start with their creation time).
    pub fn backups_prefix(&self) -> String {
        format!("{}bk/", self.base)
    }

    pub fn backup(&self, id: &str) -> String {
        format!("{}{id}", self.backups_prefix())
    }

    /// The items a backup holds, keyed as the table keyed them.
    pub fn backup_items(&self, id: &str) -> String {
        format!("{}bki/{id}/", self.base)
    }

    pub fn token(&self, token: &str) -> String {
        format!("{}tok/{token}", self.base)
    }
}

/// Appends the prefix-free, order-preserving encoding of a key value.
pub fn encode_value(v: &AttrValue, out: &mut Vec<u8>) {
    match v {
        AttrValue::S(s) => encode_bytes(s.as_bytes(), out, true),
        AttrValue::B(b) => encode_bytes(b, out, true),
        AttrValue::N(n) => n.encode_key(out),
        _ => {}
    }
}

/// Escaped bytes, with the terminator when `terminate`. Without it, the
/// result is a prefix of the encoding of every value that starts with
/// `bytes` (used for `begins_with`).
pub fn encode_bytes(bytes: &[u8], out: &mut Vec<u8>, terminate: bool) {
    for b in bytes {
        out.push(*b);
        if *b == 0 {
            out.push(0xFF);
        }
    }
    if terminate {
        out.push(0x00);
        out.push(0x01);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(v: &AttrValue) -> Vec<u8> {
        let mut o = Vec::new();
        encode_value(v, &mut o);
        o
    }

    #[test]
    fn strings_sort_by_utf8_bytes_and_are_prefix_free() {
        let vals = ["", "a", "a\u{0}", "a\u{0}b", "ab", "b", "\u{FFFF}", "\u{10000}"];
        for w in vals.windows(2) {
            assert!(enc(&AttrValue::S(w[0].into())) < enc(&AttrValue::S(w[1].into())), "{w:?}");
        }
    }

    #[test]
    fn binary_unsigned() {
        assert!(enc(&AttrValue::B(vec![0x7F])) < enc(&AttrValue::B(vec![0x80])));
        assert!(enc(&AttrValue::B(vec![0x00])) < enc(&AttrValue::B(vec![0x00, 0x00])));
    }
}
