//! Queue URLs and ARNs: `{endpoint}/{account}/{name}` and
//! `arn:aws:sqs:{region}:{account}:{name}`. A QueueUrl of any host form is
//! accepted (`https://sqs.us-east-1.amazonaws.com/1234/q`,
//! `http://localhost:4566/1234/q`, `/1234/q`); only its last two path
//! segments matter.

/// `(account, queue name)` named by a QueueUrl; the account is None when
/// the URL carries only a name.
pub fn parse(url: &str) -> Option<(Option<String>, String)> {
    let path = match url.find("://") {
        Some(i) => {
            let rest = &url[i + 3..];
            rest.find('/').map(|j| &rest[j..]).unwrap_or("")
        }
        None => url,
    };
    let path = path.split(['?', '#']).next().unwrap_or("");
    let mut segs = path.split('/').filter(|s| !s.is_empty()).rev();
    let name = segs.next()?.to_string();
    let account = segs.next().map(str::to_string);
    Some((account, name))
}

pub fn queue_url(endpoint: &str, account: &str, name: &str) -> String {
    format!("{}/{account}/{name}", endpoint.trim_end_matches('/'))
}

pub fn queue_arn(region: &str, account: &str, name: &str) -> String {
    stratus_core::arn::arn("sqs", region, account, name)
}

/// `(region, account, name)` of a queue ARN.
pub fn parse_arn(arn: &str) -> Option<(String, String, String)> {
    let parts: Vec<&str> = arn.split(':').collect();
    if parts.len() != 6 || parts[0] != "arn" || parts[2] != "sqs" || parts[5].is_empty() {
        return None;
    }
    Some((parts[3].to_string(), parts[4].to_string(), parts[5].to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_of_any_host_form() {
        let q = |a: &str, n: &str| Some((Some(a.to_string()), n.to_string()));
        assert_eq!(parse("https://sqs.us-east-1.amazonaws.com/123456789012/q1"), q("123456789012", "q1"));
        assert_eq!(parse("http://localhost:4566/000000000000/q.fifo"), q("000000000000", "q.fifo"));
        assert_eq!(parse("/000000000000/q"), q("000000000000", "q"));
        assert_eq!(parse("q"), Some((None, "q".to_string())));
        assert_eq!(parse("http://host/"), None);
    }

    #[test]
    fn arns_round_trip() {
        let arn = queue_arn("eu-west-1", "1234", "dlq");
        assert_eq!(arn, "arn:aws:sqs:eu-west-1:1234:dlq");
        assert_eq!(parse_arn(&arn), Some(("eu-west-1".into(), "1234".into(), "dlq".into())));
        assert_eq!(parse_arn("arn:aws:sns:r:1:t"), None);
    }
}
