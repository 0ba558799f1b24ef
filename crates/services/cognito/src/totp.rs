//! Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps,
//! 6 digits) and the base32 secrets authenticator apps read.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha1::Sha1;

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding.
pub fn base32_encode(data: &[u8]) -> String {
    let mut out = String::new();
    let (mut buf, mut bits) = (0u32, 0u32);
    for &b in data {
        buf = (buf << 8) | b as u32;
        bits += 8;
        while bits >= 5 {
            out.push(ALPHABET[((buf >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Decodes base32, ignoring padding, spaces and case.
pub fn base32_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buf, mut bits) = (0u32, 0u32);
    for c in s.chars().filter(|c| *c != '=' && !c.is_whitespace()) {
        let v = ALPHABET.iter().position(|a| *a as char == c.to_ascii_uppercase())? as u32;
        buf = (buf << 5) | v;
        bits += 5;
        if bits >= 8 {
            out.push((buf >> (bits - 8)) as u8);
            bits -= 8;
        }
        buf &= (1 << bits) - 1;
    }
    Some(out)
}

/// A fresh secret: 32 random bytes in base32 (Cognito's secrets are 52 characters).
pub fn new_secret() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    base32_encode(&b)
}

/// The HOTP value for `counter`.
pub fn hotp(key: &[u8], counter: u64) -> Option<u32> {
    let mut mac = Hmac::<Sha1>::new_from_slice(key).ok()?;
    mac.update(&counter.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = (h.get(19)? & 0x0f) as usize;
    let bytes = h.get(offset..offset + 4)?;
    let code = u32::from_be_bytes([bytes[0] & 0x7f, bytes[1], bytes[2], bytes[3]]);
    Some(code % 1_000_000)
}

/// The code for `secret` at epoch second `now`.
pub fn code_at(secret: &str, now: u64) -> Option<String> {
    let key = base32_decode(secret)?;
    hotp(&key, now / 30).map(|c| format!("{c:06}"))
}

/// Whether `code` is valid for `secret` at `now`, one step either side.
pub fn verify(secret: &str, code: &str, now: u64) -> bool {
    let Some(key) = base32_decode(secret) else { return false };
    let step = now / 30;
    [step.saturating_sub(1), step, step + 1]
        .iter()
        .any(|s| hotp(&key, *s).map(|c| format!("{c:06}")).as_deref() == Some(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_sha1_vectors() {
        let key = b"12345678901234567890";
        // RFC 6238 appendix B, truncated to 6 digits.
        assert_eq!(hotp(key, 59 / 30), Some(287082));
        assert_eq!(hotp(key, 1111111109 / 30), Some(81804));
        assert_eq!(hotp(key, 1234567890 / 30), Some(5924));
        let secret = base32_encode(key);
        assert_eq!(secret, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(code_at(&secret, 2000000000).as_deref(), Some("279037"));
        assert!(verify(&secret, "279037", 2000000000 + 30));
        assert!(!verify(&secret, "279037", 2000000000 + 90));
    }

    #[test]
    fn base32_round_trip() {
        for len in 0..20 {
            let data: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            assert_eq!(base32_decode(&base32_encode(&data)), Some(data));
        }
    }
}
