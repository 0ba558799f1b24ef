//! Compact JWS: RS256/RS512 signing and verification of JSON claims, and
//! verification against a JSON Web Key Set. Cognito signs with it; API
//! Gateway's JWT authorizers verify with it.

use base64::Engine;
use rsa::{BigUint, Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256, Sha512};

pub const B64URL: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Signs `claims` with `key` under `kid`; `alg` is `RS256` or `RS512`.
pub fn sign(key: &RsaPrivateKey, kid: &str, alg: &str, claims: &Value) -> Result<String, String> {
    let header = json!({"kid": kid, "alg": alg});
    let input = format!("{}.{}", B64URL.encode(header.to_string()), B64URL.encode(claims.to_string()));
    let sig = if alg == "RS512" {
        key.sign(Pkcs1v15Sign::new::<Sha512>(), &Sha512::digest(input.as_bytes()))
    } else {
        key.sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(input.as_bytes()))
    }
    .map_err(|e| e.to_string())?;
    Ok(format!("{input}.{}", B64URL.encode(sig)))
}

/// The header and claims of a token, unverified.
pub fn peek(token: &str) -> Option<(Value, Value)> {
    let mut parts = token.split('.');
    let header = serde_json::from_slice(&B64URL.decode(parts.next()?).ok()?).ok()?;
    let claims = serde_json::from_slice(&B64URL.decode(parts.next()?).ok()?).ok()?;
    parts.next()?;
    Some((header, claims))
}

/// The claims of `token` when `key` signed it (RS256 or RS512).
pub fn verify(key: &RsaPublicKey, token: &str) -> Option<Value> {
    let (header, claims) = peek(token)?;
    let (input, sig) = token.rsplit_once('.')?;
    let sig = B64URL.decode(sig).ok()?;
    let ok = match header.get("alg").and_then(Value::as_str) {
        Some("RS256") => key.verify(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(input.as_bytes()), &sig).is_ok(),
        Some("RS512") => key.verify(Pkcs1v15Sign::new::<Sha512>(), &Sha512::digest(input.as_bytes()), &sig).is_ok(),
        _ => false,
    };
    ok.then_some(claims)
}

/// The RSA public key a JWK (`kty` RSA, `n`, `e`) describes.
fn jwk_key(jwk: &Value) -> Option<RsaPublicKey> {
    let part = |k: &str| B64URL.decode(jwk.get(k)?.as_str()?).ok().map(|b| BigUint::from_bytes_be(&b));
    (jwk.get("kty").and_then(Value::as_str) == Some("RSA")).then_some(())?;
    RsaPublicKey::new(part("n")?, part("e")?).ok()
}

/// The claims of `token` when a key of the JSON Web Key Set `jwks`
/// (`{"keys": [...]}`, picked by the token's `kid`) signed it.
pub fn verify_with_jwks(jwks: &Value, token: &str) -> Option<Value> {
    let (header, _) = peek(token)?;
    let kid = header.get("kid").and_then(Value::as_str)?;
    let keys = jwks.get("keys").and_then(Value::as_array)?;
    let jwk = keys.iter().find(|k| k.get("kid").and_then(Value::as_str) == Some(kid))?;
    verify(&jwk_key(jwk)?, token)
}
