//! Passwords: the pool's policy with AWS's messages, temporary passwords,
//! and storage. A password is kept only as a PBKDF2-HMAC-SHA256 hash
//! (`ITERATIONS` rounds, 16-byte salt; about 4 ms per hash on one core of
//! a release build) plus the SRP salt and verifier; both are computed off
//! the async threads.

use base64::Engine;
use hmac::{Hmac, Mac};
use rand::{Rng, RngCore};
use serde_json::Value;
use sha2::Sha256;
use stratus_core::AwsError;

use crate::errors::invalid_password;
use crate::model::User;

/// PBKDF2 rounds for new hashes (stored with each hash, so it can change).
pub const ITERATIONS: u32 = 10_000;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Checks `password` against the pool's policy, with AWS's messages.
pub fn check_policy(policy: &Value, password: &str) -> Result<(), AwsError> {
    let min = policy.get("MinimumLength").and_then(Value::as_u64).unwrap_or(8) as usize;
    let flag = |k: &str| policy.get(k).and_then(Value::as_bool).unwrap_or(true);
    let fail = |what: &str| Err(invalid_password(format!("Password did not conform with policy: {what}")));
    if password.chars().count() < min {
        return fail("Password not long enough");
    }
    if flag("RequireLowercase") && !password.chars().any(|c| c.is_lowercase()) {
        return fail("Password must have lowercase characters");
    }
    if flag("RequireUppercase") && !password.chars().any(|c| c.is_uppercase()) {
        return fail("Password must have uppercase characters");
    }
    if flag("RequireNumbers") && !password.chars().any(|c| c.is_ascii_digit()) {
        return fail("Password must have numeric characters");
    }
    if flag("RequireSymbols") && !password.chars().any(|c| "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ".contains(c)) {
        return fail("Password must have symbol characters");
    }
    Ok(())
}

/// A temporary password that satisfies any policy AWS allows.
pub fn temporary() -> String {
    let mut rng = rand::rng();
    let pick = |set: &[u8], rng: &mut rand::rngs::ThreadRng| set[rng.random_range(0..set.len())] as char;
    let mut s: Vec<char> = Vec::new();
    for _ in 0..3 {
        s.push(pick(b"ABCDEFGHJKLMNPQRSTUVWXYZ", &mut rng));
        s.push(pick(b"abcdefghijkmnopqrstuvwxyz", &mut rng));
        s.push(pick(b"23456789", &mut rng));
        s.push(pick(b"!#%^*-_=+", &mut rng));
    }
    s.into_iter().collect()
}

fn pbkdf2(password: &[u8], salt: &[u8], rounds: u32) -> [u8; 32] {
    let mut out = [0u8; 32];
    let Ok(prf) = Hmac::<Sha256>::new_from_slice(password) else { return out };
    let mut mac = prf.clone();
    mac.update(salt);
    mac.update(&1u32.to_be_bytes());
    let mut u: [u8; 32] = mac.finalize().into_bytes().into();
    out = u;
    for _ in 1..rounds {
        let mut mac = prf.clone();
        mac.update(&u);
        u = mac.finalize().into_bytes().into();
        for (o, b) in out.iter_mut().zip(u.iter()) {
            *o ^= b;
        }
    }
    out
}

/// `pbkdf2-sha256${rounds}${salt}${hash}` for a new password.
pub fn hash(password: &str) -> String {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let h = pbkdf2(password.as_bytes(), &salt, ITERATIONS);
    format!("pbkdf2-sha256${ITERATIONS}${}${}", B64.encode(salt), B64.encode(h))
}

/// Whether `password` matches a stored hash.
pub fn verify(stored: &str, password: &str) -> bool {
    let parts: Vec<&str> = stored.split('$').collect();
    let [scheme, rounds, salt, expected] = parts.as_slice() else { return false };
    if *scheme != "pbkdf2-sha256" {
        return false;
    }
    let (Ok(rounds), Ok(salt), Ok(expected)) = (rounds.parse::<u32>(), B64.decode(salt), B64.decode(expected)) else {
        return false;
    };
    let got = pbkdf2(password.as_bytes(), &salt, rounds.max(1));
    got.len() == expected.len() && got.iter().zip(expected.iter()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

/// Hashes a new password for `user` of the pool whose SRP name is
/// `pool_name`: the PBKDF2 hash and the SRP salt and verifier.
pub async fn set(user: &mut User, pool_name: &str, password: &str) -> Result<(), AwsError> {
    let (pool_name, username, password) = (pool_name.to_string(), user.username.clone(), password.to_string());
    let (h, salt, verifier) = tokio::task::spawn_blocking(move || {
        let salt = crate::srp::new_salt();
        let verifier = crate::srp::verifier(&pool_name, &username, &password, &salt);
        (hash(&password), salt, verifier)
    })
    .await
    .map_err(|e| AwsError::internal(format!("password hashing failed: {e}")))?;
    user.password = Some(h);
    user.srp_salt = Some(salt);
    user.srp_verifier = Some(verifier);
    Ok(())
}

/// Whether `password` is the user's, checked off the async threads.
pub async fn matches(user: &User, password: &str) -> bool {
    let Some(stored) = user.password.clone() else { return false };
    let password = password.to_string();
    tokio::task::spawn_blocking(move || verify(&stored, &password)).await.unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pbkdf2_matches_rfc7914_vector() {
        // RFC 7914 section 11: PBKDF2-HMAC-SHA256("passwd", "salt", 1).
        let out = pbkdf2(b"passwd", b"salt", 1);
        assert_eq!(hex::encode(out), "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc");
    }

    #[test]
    fn hash_and_verify() {
        let h = hash("Secret1!");
        assert!(verify(&h, "Secret1!"));
        assert!(!verify(&h, "Secret1?"));
    }

    #[test]
    fn policy_messages() {
        let p = json!({"MinimumLength": 8});
        let msg = |pw: &str| check_policy(&p, pw).err().map(|e| e.message);
        assert_eq!(msg("Ab1!").as_deref(), Some("Password did not conform with policy: Password not long enough"));
        assert_eq!(
            msg("abcdefg1!").as_deref(),
            Some("Password did not conform with policy: Password must have uppercase characters")
        );
        assert!(check_policy(&p, &temporary()).is_ok());
    }
}
