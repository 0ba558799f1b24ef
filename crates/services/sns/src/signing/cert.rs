//! Reading a certificate back: the public key out of a PEM or DER X.509
//! certificate, and verifying a delivered SNS message against it (what a
//! subscriber does with SigningCertURL).

use base64::Engine;
use rsa::RsaPublicKey;
use rsa::pkcs8::DecodePublicKey;
use serde_json::{Map, Value};

/// `(tag, header length, content length)` of the TLV at the start of `d`.
fn header(d: &[u8]) -> Option<(u8, usize, usize)> {
    let tag = *d.first()?;
    let first = *d.get(1)? as usize;
    if first < 0x80 {
        return Some((tag, 2, first));
    }
    let n = first & 0x7f;
    let len = d.get(2..2 + n)?.iter().fold(0usize, |a, b| (a << 8) | *b as usize);
    Some((tag, 2 + n, len))
}

/// The TBS part, the signature and the SubjectPublicKeyInfo of a DER certificate.
pub fn parts(der: &[u8]) -> Option<(Vec<u8>, Vec<u8>, Vec<u8>)> {
    let (_, hdr, _) = header(der)?;
    let body = der.get(hdr..)?;
    let (_, tbs_hdr, tbs_len) = header(body)?;
    let tbs = body.get(..tbs_hdr + tbs_len)?.to_vec();
    let rest = body.get(tbs_hdr + tbs_len..)?;
    let (_, alg_hdr, alg_len) = header(rest)?;
    let sig_field = rest.get(alg_hdr + alg_len..)?;
    let (_, sig_hdr, sig_len) = header(sig_field)?;
    let signature = sig_field.get(sig_hdr + 1..sig_hdr + sig_len)?.to_vec();
    // version, serial, algorithm, issuer, validity, subject, key
    let mut fields = tbs.get(tbs_hdr..)?;
    for _ in 0..6 {
        let (_, h, l) = header(fields)?;
        fields = fields.get(h + l..)?;
    }
    let (_, h, l) = header(fields)?;
    Some((tbs.clone(), signature, fields.get(..h + l)?.to_vec()))
}

/// The DER bytes of a PEM certificate.
pub fn pem_to_der(pem: &str) -> Option<Vec<u8>> {
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD.decode(b64.trim()).ok()
}

/// The public key of a PEM certificate.
pub fn public_key(pem: &str) -> Option<RsaPublicKey> {
    let der = pem_to_der(pem)?;
    let (_, _, spki) = parts(&der)?;
    RsaPublicKey::from_public_key_der(&spki).ok()
}

/// Whether a delivered message (Notification or a confirmation, as JSON)
/// carries a valid signature by the certificate `pem`.
pub fn verify_message(pem: &str, message: &Map<String, Value>) -> bool {
    let Some(key) = public_key(pem) else { return false };
    let version = message.get("SignatureVersion").and_then(Value::as_str).unwrap_or("1");
    let Some(signature) = message.get("Signature").and_then(Value::as_str) else { return false };
    let text = super::canonical::string_to_sign(message);
    super::verify(&key, version, text.as_bytes(), signature)
}
