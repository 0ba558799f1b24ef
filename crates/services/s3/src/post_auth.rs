//! Who signed a POST Object form, checked as AWS checks it: a form signed
//! with SigV4 carries all of `X-Amz-Algorithm`, `X-Amz-Credential`,
//! `X-Amz-Date` and `X-Amz-Signature` (the legacy form: `AWSAccessKeyId` and
//! `Signature`) besides its `Policy`, and the signature over the base64
//! policy is the key's (verified by the front door's check in strict mode,
//! where an unsigned form counts as anonymous, for the bucket policy).

use serde_json::Value;
use stratus_core::AwsError;
use stratus_core::settings::{FormRefusal, SignedForm};

use crate::policy_eval::ANONYMOUS_ACCOUNT;
use crate::shared::Shared;

/// The SigV4 form fields (lower-cased, as the form keeps them) and their names in AWS's errors.
const V4: [(&str, &str); 4] = [
    ("x-amz-algorithm", "X-Amz-Algorithm"),
    ("x-amz-credential", "X-Amz-Credential"),
    ("x-amz-date", "X-Amz-Date"),
    ("x-amz-signature", "X-Amz-Signature"),
];
/// The legacy (SigV2) form fields.
const V2: [(&str, &str); 2] = [("awsaccesskeyid", "AWSAccessKeyId"), ("signature", "Signature")];

/// Checks the form whose fields `get` returns (by lower-cased name): the
/// signer's account, or [`ANONYMOUS_ACCOUNT`] for an unsigned form in strict
/// mode (the bucket policy then decides).
pub fn check<'a>(sh: &Shared, get: impl Fn(&str) -> Option<&'a str>) -> Result<String, AwsError> {
    let signed = if let Some(fields) = complete(&get, &V4)? {
        let [_, credential, _, signature] = fields;
        Some((credential, signature, true))
    } else {
        complete(&get, &V2)?.map(|[key, signature]| (key, signature, false))
    };
    let Some((credential, signature, v4)) = signed else {
        return match sh.signatures.check_form(None) {
            Err(FormRefusal::Anonymous) => Ok(ANONYMOUS_ACCOUNT.to_string()),
            other => other.map_err(|r| refused(r, "", "", "")),
        };
    };
    let policy = get("policy").ok_or_else(|| missing("Policy"))?;
    let (access_key, scope) = if v4 {
        match credential.split('/').collect::<Vec<_>>().as_slice() {
            [key, date, region, service, "aws4_request"] => (*key, Some((*date, *region, *service))),
            _ => return Err(refused(FormRefusal::Mismatch, credential, signature, policy)),
        }
    } else {
        (credential, None)
    };
    let form = SignedForm { access_key, scope, policy, signature };
    sh.signatures.check_form(Some(&form)).map_err(|r| refused(r, access_key, signature, policy))
}

/// The values of `fields` when the form has them all; None when it has
/// none; AWS's InvalidArgument for the first missing one otherwise.
fn complete<'a, const N: usize>(
    get: &impl Fn(&str) -> Option<&'a str>,
    fields: &[(&str, &'static str); N],
) -> Result<Option<[&'a str; N]>, AwsError> {
    if fields.iter().all(|(f, _)| get(f).is_none()) {
        return Ok(None);
    }
    let mut out = [""; N];
    for (slot, (field, name)) in out.iter_mut().zip(fields) {
        *slot = get(field).ok_or_else(|| missing(name))?;
    }
    Ok(Some(out))
}

/// AWS's answer to a form without `field`.
pub fn missing(field: &str) -> AwsError {
    AwsError::new(
        400,
        "InvalidArgument",
        format!(
            "Bucket POST must contain a field named '{field}'.  If it is specified, please check the order of the fields."
        ),
    )
    .with_field("ArgumentName", Value::from(field))
    .with_field("ArgumentValue", Value::from(""))
}

/// AWS's answer to a refused form.
fn refused(why: FormRefusal, access_key: &str, signature: &str, policy: &str) -> AwsError {
    match why {
        FormRefusal::Anonymous => crate::policy_eval::access_denied(),
        FormRefusal::UnknownKey => AwsError::new(
            403,
            "InvalidAccessKeyId",
            "The AWS Access Key Id you provided does not exist in our records.",
        )
        .with_field("AWSAccessKeyId", Value::from(access_key)),
        FormRefusal::Mismatch => {
            let bytes: Vec<String> = policy.bytes().map(|b| format!("{b:02x}")).collect();
            AwsError::new(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
            )
            .with_field("AWSAccessKeyId", Value::from(access_key))
            .with_field("StringToSign", Value::from(policy))
            .with_field("SignatureProvided", Value::from(signature))
            .with_field("StringToSignBytes", Value::from(bytes.join(" ")))
        }
    }
}
