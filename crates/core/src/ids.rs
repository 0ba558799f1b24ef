//! Identifier generators in the shapes AWS uses: request ids, access keys,
//! secrets, IAM unique ids.

use rand::Rng;

const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const SECRET_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// A request id: a UUID v4 (the form most services use).
pub fn request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A random string of `len` characters from `alphabet`.
pub fn random_from(alphabet: &[u8], len: usize) -> String {
    let mut rng = rand::rng();
    (0..len).map(|_| alphabet[rng.random_range(0..alphabet.len())] as char).collect()
}

/// An IAM-style unique id: a four-letter prefix (`AROA`, `AIDA`, `AKIA`,
/// `ASIA`, `ANPA`, ...) followed by 16 characters, 20 in all.
pub fn iam_id(prefix: &str) -> String {
    format!("{prefix}{}", random_from(UPPER_ALNUM, 20 - prefix.len()))
}

/// A 40-character secret access key.
pub fn secret_key() -> String {
    random_from(SECRET_CHARS, 40)
}

/// A session token for temporary credentials.
pub fn session_token() -> String {
    format!("FQoGZXIvYXdzE{}", random_from(SECRET_CHARS, 300))
}
