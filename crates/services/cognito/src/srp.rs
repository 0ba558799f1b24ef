//! SRP-6a exactly as Cognito computes it (amazon-cognito-identity-js's
//! `AuthenticationHelper`, pycognito's `aws_srp`): the RFC 3526 3072-bit
//! group with g = 2, H = SHA-256, k = H(pad(N) ‖ pad(g)),
//! x = H(pad(salt) ‖ H(poolName ‖ userId ‖ ":" ‖ password)), the session
//! key K = HKDF-SHA256(ikm = pad(S), salt = pad(u), info = "Caldera Derived
//! Key") truncated to 16 bytes, and the PASSWORD_CLAIM_SIGNATURE
//! HMAC-SHA256(K, poolName ‖ userId ‖ secretBlock ‖ timestamp).
//!
//! `pad` is Cognito's padHex: the big-endian bytes with a leading zero byte
//! when the top bit is set. Only the verifier v = g^x mod N and the salt are
//! stored; the server never needs the password.

use hmac::{Hmac, Mac};
use rand::RngCore;
use rsa::BigUint;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

pub const N_HEX: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1",
    "29024E088A67CC74020BBEA63B139B22514A08798E3404DD",
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245",
    "E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D",
    "C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F",
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D",
    "670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9",
    "DE2BCBF6955817183995497CEA956AE515D2261898FA0510",
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64",
    "ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B",
    "F12FFA06D98A0864D87602733EC86A64521F2B18177B200C",
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31",
    "43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
);

struct Group {
    n: BigUint,
    g: BigUint,
    k: BigUint,
}

fn group() -> &'static Group {
    static GROUP: OnceLock<Group> = OnceLock::new();
    GROUP.get_or_init(|| {
        let n = BigUint::parse_bytes(N_HEX.as_bytes(), 16).unwrap_or_default();
        let g = BigUint::from(2u32);
        let k = BigUint::from_bytes_be(&sha256(&[&pad(&n), &pad(&g)]));
        Group { n, g, k }
    })
}

fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// Cognito's padHex as bytes.
pub fn pad(n: &BigUint) -> Vec<u8> {
    let mut b = n.to_bytes_be();
    if b.first().is_some_and(|f| f & 0x80 != 0) {
        b.insert(0, 0);
    }
    b
}

/// padHex applied to a hex string (the SALT), as bytes.
fn pad_hex_str(hex_str: &str) -> Vec<u8> {
    let mut s = hex_str.to_ascii_lowercase();
    if s.len() % 2 == 1 {
        s.insert(0, '0');
    } else if s.starts_with(['8', '9', 'a', 'b', 'c', 'd', 'e', 'f']) {
        s.insert_str(0, "00");
    }
    hex::decode(s).unwrap_or_default()
}

/// A fresh salt: 16 random bytes whose hex neither starts with `0` nor
/// needs padding, so every client library reads it the same way.
pub fn new_salt() -> String {
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    b[0] = 0x10 + (b[0] % 0x70);
    hex::encode(b)
}

/// x = H(pad(salt) ‖ H(poolName ‖ userId ‖ ":" ‖ password)).
pub fn x(pool_name: &str, user_id: &str, password: &str, salt_hex: &str) -> BigUint {
    let inner = sha256(&[format!("{pool_name}{user_id}:{password}").as_bytes()]);
    BigUint::from_bytes_be(&sha256(&[&pad_hex_str(salt_hex), &inner]))
}

/// The verifier `g^x mod N` as hex, for a password being set.
pub fn verifier(pool_name: &str, user_id: &str, password: &str, salt_hex: &str) -> String {
    let grp = group();
    grp.g.modpow(&x(pool_name, user_id, password, salt_hex), &grp.n).to_str_radix(16)
}

/// A random private value and the server's public `B = k·v + g^b mod N`,
/// both as hex.
pub fn server_challenge(verifier_hex: &str) -> Option<(String, String)> {
    let grp = group();
    let v = BigUint::parse_bytes(verifier_hex.as_bytes(), 16)?;
    loop {
        let mut raw = [0u8; 32];
        rand::rng().fill_bytes(&mut raw);
        let b = BigUint::from_bytes_be(&raw);
        let big_b = (&grp.k * &v + grp.g.modpow(&b, &grp.n)) % &grp.n;
        if big_b != BigUint::from(0u32) {
            return Some((b.to_str_radix(16), big_b.to_str_radix(16)));
        }
    }
}

/// HKDF-SHA256 with Cognito's info string, first 16 bytes.
fn hkdf(ikm: &[u8], salt: &[u8]) -> Option<[u8; 16]> {
    let mut prk = Hmac::<Sha256>::new_from_slice(salt).ok()?;
    prk.update(ikm);
    let prk = prk.finalize().into_bytes();
    let mut okm = Hmac::<Sha256>::new_from_slice(&prk).ok()?;
    okm.update(b"Caldera Derived Key\x01");
    let full = okm.finalize().into_bytes();
    let mut out = [0u8; 16];
    out.copy_from_slice(full.get(..16)?);
    Some(out)
}

/// u = H(pad(A) ‖ pad(B)).
fn scramble(a: &BigUint, b: &BigUint) -> BigUint {
    BigUint::from_bytes_be(&sha256(&[&pad(a), &pad(b)]))
}

/// The server's session key for client value `A` (hex); None when A is
/// invalid (A mod N = 0) or u = 0.
pub fn server_key(a_hex: &str, b_hex: &str, big_b_hex: &str, verifier_hex: &str) -> Option<[u8; 16]> {
    let grp = group();
    let zero = BigUint::from(0u32);
    let a = BigUint::parse_bytes(a_hex.as_bytes(), 16)?;
    let b = BigUint::parse_bytes(b_hex.as_bytes(), 16)?;
    let big_b = BigUint::parse_bytes(big_b_hex.as_bytes(), 16)?;
    let v = BigUint::parse_bytes(verifier_hex.as_bytes(), 16)?;
    if &a % &grp.n == zero {
        return None;
    }
    let u = scramble(&a, &big_b);
    if u == zero {
        return None;
    }
    let s = ((&a * v.modpow(&u, &grp.n)) % &grp.n).modpow(&b, &grp.n);
    hkdf(&pad(&s), &pad(&u))
}

/// The PASSWORD_CLAIM_SIGNATURE for key `k`.
pub fn signature(k: &[u8], pool_name: &str, user_id: &str, secret_block: &[u8], timestamp: &str) -> Vec<u8> {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(k) else { return Vec::new() };
    mac.update(pool_name.as_bytes());
    mac.update(user_id.as_bytes());
    mac.update(secret_block);
    mac.update(timestamp.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// Whether `sig` is the signature `k` makes, compared in constant time.
pub fn verify_signature(
    k: &[u8],
    pool_name: &str,
    user_id: &str,
    secret_block: &[u8],
    timestamp: &str,
    sig: &[u8],
) -> bool {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(k) else { return false };
    mac.update(pool_name.as_bytes());
    mac.update(user_id.as_bytes());
    mac.update(secret_block);
    mac.update(timestamp.as_bytes());
    mac.verify_slice(sig).is_ok()
}

/// A client side of the exchange, as amazon-cognito-identity-js does it
/// (used by tests and the benchmark's reference).
pub mod client {
    use super::*;

    /// A random `a` and `A = g^a mod N`, both hex.
    pub fn start() -> (String, String) {
        let grp = group();
        let mut raw = [0u8; 128];
        rand::rng().fill_bytes(&mut raw);
        let a = BigUint::from_bytes_be(&raw) % &grp.n;
        (a.to_str_radix(16), grp.g.modpow(&a, &grp.n).to_str_radix(16))
    }

    /// The client's session key.
    pub fn key(
        pool_name: &str,
        user_id: &str,
        password: &str,
        a_hex: &str,
        big_b_hex: &str,
        salt_hex: &str,
    ) -> Option<[u8; 16]> {
        let grp = group();
        let a = BigUint::parse_bytes(a_hex.as_bytes(), 16)?;
        let big_a = grp.g.modpow(&a, &grp.n);
        let big_b = BigUint::parse_bytes(big_b_hex.as_bytes(), 16)?;
        let u = scramble(&big_a, &big_b);
        let x = x(pool_name, user_id, password, salt_hex);
        let gx = grp.g.modpow(&x, &grp.n);
        let kgx = (&grp.k * gx) % &grp.n;
        let base = ((&big_b + &grp.n) - kgx) % &grp.n;
        let s = base.modpow(&(&a + &u * &x), &grp.n);
        hkdf(&pad(&s), &pad(&u))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k_matches_the_reference_value() {
        // k as amazon-cognito-identity-js computes it.
        assert_eq!(group().k.to_str_radix(16), "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6");
    }

    #[test]
    fn client_and_server_agree() {
        let salt = new_salt();
        let v = verifier("abc", "alice", "Passw0rd!", &salt);
        let (b, big_b) = server_challenge(&v).expect("challenge");
        let (a, big_a) = client::start();
        let ck = client::key("abc", "alice", "Passw0rd!", &a, &big_b, &salt).expect("client key");
        let sk = server_key(&big_a, &b, &big_b, &v).expect("server key");
        assert_eq!(ck, sk);
        let wrong = client::key("abc", "alice", "wrong", &a, &big_b, &salt).expect("client key");
        assert_ne!(wrong, sk);
    }

    #[test]
    fn pad_adds_a_zero_byte_for_high_bit() {
        assert_eq!(pad(&BigUint::from(0x80u32)), vec![0, 0x80]);
        assert_eq!(pad(&BigUint::from(0x7fu32)), vec![0x7f]);
        assert_eq!(pad_hex_str("abc"), vec![0x0a, 0xbc]);
        assert_eq!(pad_hex_str("ab"), vec![0, 0xab]);
    }
}
