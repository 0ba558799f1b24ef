//! Signatures of browser-form uploads (S3 POST Object): the form signs its
//! base64 policy document itself, with the SigV4 signing key of the
//! credential's scope (`X-Amz-Signature`, hex) or, in the legacy form, with
//! HMAC-SHA1 of the secret key (`Signature`, base64).

use crate::canonical::{ct_eq, hmac, signing_key};
use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;

/// How a form was signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormSigning<'a> {
    /// `X-Amz-Credential` = `{key}/{date}/{region}/{service}/aws4_request`.
    V4 { date: &'a str, region: &'a str, service: &'a str },
    /// `AWSAccessKeyId` and `Signature`.
    V2,
}

/// The signature `secret_key` gives `policy_b64` under `signing`.
pub fn form_signature(secret_key: &str, signing: FormSigning, policy_b64: &str) -> String {
    match signing {
        FormSigning::V4 { date, region, service } => {
            hex::encode(hmac(&signing_key(secret_key, date, region, service), policy_b64.as_bytes()))
        }
        FormSigning::V2 => {
            let mut mac = match <Hmac<Sha1> as Mac>::new_from_slice(secret_key.as_bytes()) {
                Ok(mac) => mac,
                Err(_) => unreachable!("HMAC-SHA1 takes keys of any length"),
            };
            mac.update(policy_b64.as_bytes());
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
        }
    }
}

/// Whether `provided` is the signature `secret_key` gives `policy_b64`.
pub fn form_signature_matches(secret_key: &str, signing: FormSigning, policy_b64: &str, provided: &str) -> bool {
    ct_eq(form_signature(secret_key, signing, policy_b64).as_bytes(), provided.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigv4_form_signature_is_the_signing_key_over_the_policy() {
        // AWS's documented example: "Example: Browser-Based Upload using HTTP
        // POST (Using AWS Signature Version 4)", secret of AKIAIOSFODNN7EXAMPLE.
        let policy = "eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0KICAiY29uZGl0aW9ucyI6IFsNCiAgICB7ImJ1Y2tldCI6ICJzaWd2NGV4YW1wbGVidWNrZXQifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci91c2VyMS8iXSwNCiAgICB7ImFjbCI6ICJwdWJsaWMtcmVhZCJ9LA0KICAgIHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaHR0cDovL3NpZ3Y0ZXhhbXBsZWJ1Y2tldC5zMy5hbWF6b25hd3MuY29tL3N1Y2Nlc3NmdWxfdXBsb2FkLmh0bWwifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRDb250ZW50LVR5cGUiLCAiaW1hZ2UvIl0sDQogICAgeyJ4LWFtei1tZXRhLXV1aWQiOiAiMTQzNjUxMjM2NTEyNzQifSwNCiAgICB7IngtYW16LXNlcnZlci1zaWRlLWVuY3J5cHRpb24iOiAiQUVTMjU2In0sDQogICAgWyJzdGFydHMtd2l0aCIsICIkeC1hbXotbWV0YS10YWciLCAiIl0sDQoNCiAgICB7IngtYW16LWNyZWRlbnRpYWwiOiAiQUtJQUlPU0ZPRE5ON0VYQU1QTEUvMjAxNTEyMjkvdXMtZWFzdC0xL3MzL2F3czRfcmVxdWVzdCJ9LA0KICAgIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwNCiAgICB7IngtYW16LWRhdGUiOiAiMjAxNTEyMjlUMDAwMDAwWiIgfQ0KICBdDQp9";
        let v4 = FormSigning::V4 { date: "20151229", region: "us-east-1", service: "s3" };
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        let expected = "8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e";
        assert_eq!(form_signature(secret, v4, policy), expected);
        assert!(form_signature_matches(secret, v4, policy, expected));
        assert!(!form_signature_matches("other", v4, policy, expected));
    }

    #[test]
    fn sigv2_form_signature_is_base64_hmac_sha1() {
        let sig = form_signature("secret", FormSigning::V2, "cG9saWN5");
        assert_eq!(base64::engine::general_purpose::STANDARD.decode(&sig).map(|b| b.len()).unwrap_or(0), 20);
        assert!(form_signature_matches("secret", FormSigning::V2, "cG9saWN5", &sig));
        assert!(!form_signature_matches("secret", FormSigning::V2, "cG9saWN6", &sig));
    }
}
