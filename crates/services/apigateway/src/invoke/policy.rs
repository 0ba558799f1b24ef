//! The IAM policy a Lambda authorizer returns, evaluated for one method
//! ARN as API Gateway does: an explicit Deny wins, else some Allow must
//! match (`Action` `execute-api:Invoke`, `execute-api:*` or `*`;
//! `Resource` with `*` and `?` wildcards).

use serde_json::Value;
use stratus_core::glob::glob;

#[derive(Debug, PartialEq)]
pub enum Decision {
    Allow,
    ExplicitDeny,
    NoAllow,
}

/// A string member or list of strings as a list.
fn strings(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// What `policy` decides for invoking `method_arn`.
pub fn evaluate(policy: &Value, method_arn: &str) -> Decision {
    let statements = match policy.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(s @ Value::Object(_)) => vec![s],
        _ => Vec::new(),
    };
    let mut allowed = false;
    for st in statements {
        let action = strings(st.get("Action")).iter().any(|a| ["execute-api:Invoke", "execute-api:*", "*"].contains(a));
        let resource = strings(st.get("Resource")).iter().any(|r| glob(r, method_arn));
        if !(action && resource) {
            continue;
        }
        match st.get("Effect").and_then(Value::as_str) {
            Some("Deny") => return Decision::ExplicitDeny,
            Some("Allow") => allowed = true,
            _ => {}
        }
    }
    if allowed { Decision::Allow } else { Decision::NoAllow }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ARN: &str = "arn:aws:execute-api:us-east-1:000000000000:abc/dev/GET/pets/1";

    #[test]
    fn deny_wins_and_allow_is_needed() {
        let allow = json!({"Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*"}]});
        assert_eq!(evaluate(&allow, ARN), Decision::Allow);
        let both = json!({"Statement": [
            {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*"},
            {"Effect": "Deny", "Action": ["execute-api:Invoke"], "Resource": [ARN]},
        ]});
        assert_eq!(evaluate(&both, ARN), Decision::ExplicitDeny);
        let other = json!({"Statement": {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "arn:x"}});
        assert_eq!(evaluate(&other, ARN), Decision::NoAllow);
    }
}
