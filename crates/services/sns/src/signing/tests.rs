//! Signing tests: the certificate carries the signing key and is signed by
//! it, messages verify under versions 1 and 2, and the key survives a
//! reload from the store.

use super::*;
use rsa::pkcs8::DecodePublicKey;
use serde_json::json;

fn split_cert(der: &[u8]) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    cert::parts(der).expect("certificate parts")
}

fn signer() -> &'static Signer {
    static SIGNER: std::sync::OnceLock<Signer> = std::sync::OnceLock::new();
    SIGNER.get_or_init(|| Signer::generate().expect("key generation"))
}

#[test]
fn certificate_is_self_signed_with_the_signing_key() {
    let s = signer();
    let (tbs, signature, spki) = split_cert(&s.cert_der);
    let key = RsaPublicKey::from_public_key_der(&spki).expect("spki");
    assert_eq!(key, s.public_key());
    key.verify(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(&tbs), &signature).expect("self-signature");
    assert!(s.cert_pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
}

#[test]
fn messages_verify_under_both_versions() {
    let s = signer();
    let (_, _, spki) = split_cert(&s.cert_der);
    let key = RsaPublicKey::from_public_key_der(&spki).expect("spki");
    for version in ["1", "2"] {
        let mut m = json!({"Type": "Notification", "MessageId": "id", "TopicArn": "arn:aws:sns:us-east-1:1:t",
            "Message": "hello", "Timestamp": "2025-01-01T00:00:00.000Z"})
        .as_object()
        .cloned()
        .expect("object");
        s.sign_message(version, &mut m);
        let sig = m["Signature"].as_str().expect("signature").to_string();
        let text = canonical::string_to_sign(&m);
        assert!(verify(&key, version, text.as_bytes(), &sig), "version {version}");
        let other = if version == "1" { "2" } else { "1" };
        assert!(!verify(&key, other, text.as_bytes(), &sig));
        assert!(!verify(&key, version, b"tampered", &sig));
    }
}

#[tokio::test]
async fn key_is_kept_in_the_store() {
    let store = Store::in_memory().expect("store");
    let a = Signer::load_or_create(&store).await.expect("create");
    let b = Signer::load_or_create(&store).await.expect("load");
    assert_eq!(a.cert_der, b.cert_der);
    assert_eq!(a.public_key(), b.public_key());
}

#[test]
fn delivered_messages_verify_against_the_pem() {
    let s = signer();
    let mut m = json!({"Type": "SubscriptionConfirmation", "MessageId": "id", "Token": "t", "TopicArn": "arn",
        "Message": "m", "SubscribeURL": "u", "Timestamp": "ts"})
    .as_object()
    .cloned()
    .expect("object");
    s.sign_message("1", &mut m);
    assert!(cert::verify_message(&s.cert_pem, &m));
    m.insert("Token".into(), json!("other"));
    assert!(!cert::verify_message(&s.cert_pem, &m));
}
