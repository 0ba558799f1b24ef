//! Helpers shared by the integration tests.
#![allow(dead_code)]

use http::{HeaderMap, HeaderName, HeaderValue};
use time::OffsetDateTime;

pub const IAM_KEY: &str = "AKIDEXAMPLE";
pub const IAM_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
pub const S3_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
pub const S3_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
pub const EMPTY: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

pub fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).expect("test header name"),
            HeaderValue::from_str(value).expect("test header value"),
        );
    }
    map
}

pub fn at(amz: &str) -> OffsetDateTime {
    stratus_auth_test_time(amz)
}

fn stratus_auth_test_time(amz: &str) -> OffsetDateTime {
    let n = |r: std::ops::Range<usize>| amz[r].parse::<u32>().expect("digits");
    let date = time::Date::from_calendar_date(
        n(0..4) as i32,
        time::Month::try_from(n(4..6) as u8).expect("month"),
        n(6..8) as u8,
    )
    .expect("date");
    let t = time::Time::from_hms(n(9..11) as u8, n(11..13) as u8, n(13..15) as u8).expect("time");
    time::PrimitiveDateTime::new(date, t).assume_utc()
}

/// The 2013-05-24 S3 documentation examples' signed `Authorization` header.
pub fn s3_auth(signed: &str, signature: &str) -> String {
    format!(
        "AWS4-HMAC-SHA256 Credential={S3_KEY}/20130524/us-east-1/s3/aws4_request,SignedHeaders={signed},Signature={signature}"
    )
}

/// Tiny deterministic PRNG (xorshift64*), so the fuzz-style tests need no extra crates.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}
