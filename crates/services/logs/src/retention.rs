//! Retention: the periods AWS accepts, and the oldest timestamp a group
//! still keeps. Events older than that are never returned, and PutLogEvents
//! deletes them from the stream it writes to.

use stratus_core::AwsError;

use crate::error::invalid;

pub const VALID_DAYS: [i64; 22] =
    [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

pub const DAY_MS: i64 = 86_400_000;

pub fn validate(days: i64) -> Result<(), AwsError> {
    if VALID_DAYS.contains(&days) {
        return Ok(());
    }
    let set: Vec<String> = VALID_DAYS.iter().map(i64::to_string).collect();
    Err(invalid(format!(
        "1 validation error detected: Value '{days}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
        set.join(", ")
    )))
}

/// The oldest timestamp still retained at `now` (0 when kept forever).
pub fn cutoff(retention_in_days: Option<i64>, now: i64) -> i64 {
    match retention_in_days {
        Some(days) => now.saturating_sub(days.saturating_mul(DAY_MS)).max(0),
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn values() {
        assert!(super::validate(14).is_ok());
        let e = super::validate(2).err().map(|e| e.message).unwrap_or_default();
        assert!(e.starts_with("1 validation error detected: Value '2' at 'retentionInDays'"));
        assert!(e.ends_with("3288, 3653]"));
        assert_eq!(super::cutoff(None, 1_000), 0);
        assert_eq!(super::cutoff(Some(1), super::DAY_MS + 5), 5);
    }
}
