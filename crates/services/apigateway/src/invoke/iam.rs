//! IAM authorization of invoke requests (methods and routes with
//! authorization type AWS_IAM): the request must carry a SigV4 signature
//! for `execute-api` that the front door's check accepts (verified in
//! strict mode, well formed in permissive mode). Callers' identity
//! policies are not evaluated, as for API calls. Refusals are the gateway
//! responses AWS gives: MISSING_AUTHENTICATION_TOKEN when unsigned,
//! INVALID_SIGNATURE for an unknown key or a signature that does not
//! match, EXPIRED_TOKEN for an expired session.

use crate::state::Shared;
use stratus_core::HttpRequest;
use stratus_core::settings::{SignatureRefusal, Signer};

/// A refused request: the gateway response type and its message.
pub struct Refused {
    pub kind: &'static str,
    pub message: &'static str,
}

const MISMATCH: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/// Who signed `req`, or why it is refused.
pub fn signer(s: &Shared, req: &HttpRequest) -> Result<Signer, Refused> {
    s.settings.signatures.check(req, "execute-api").map_err(|why| {
        tracing::debug!("execute-api: signature refused: {why:?}");
        match why {
            SignatureRefusal::Unsigned => {
                Refused { kind: "MISSING_AUTHENTICATION_TOKEN", message: "Missing Authentication Token" }
            }
            SignatureRefusal::UnknownKey => {
                Refused { kind: "INVALID_SIGNATURE", message: "The security token included in the request is invalid." }
            }
            SignatureRefusal::Expired => {
                Refused { kind: "EXPIRED_TOKEN", message: "The security token included in the request is expired" }
            }
            SignatureRefusal::Invalid(_) => Refused { kind: "INVALID_SIGNATURE", message: MISMATCH },
        }
    })
}
