//! Where an invoke request is addressed: the API, the stage and the path
//! within it. Three forms reach a stage:
//! - host: `http://{apiId}.execute-api.localhost:4566/{stage}/{path}` (any
//!   host whose first label is followed by `.execute-api.`);
//! - path: `http://localhost:4566/_aws/execute-api/{apiId}/{stage}/{path}`;
//! - LocalStack's older path: `/restapis/{apiId}/{stage}/_user_request_/{path}`.
//!
//! And two reach a custom domain name's base path mappings (`resolve`):
//! - host: any Host (port stripped) that is a created domain name,
//!   `http://api.example.com:4566/{basePath}/{path}`;
//! - path: `http://localhost:4566/_aws/domain/{domainName}/{basePath}/{path}`.

use crate::base_paths;
use crate::state::Shared;
use stratus_core::HttpRequest;

/// The API (id lower-cased, as custom ids may be cased), stage and path
/// (still percent-encoded, starting with `/`) a request is for.
#[derive(Debug, Clone, PartialEq)]
pub struct Address {
    pub api_id: String,
    pub stage: String,
    pub path: String,
}

impl Address {
    /// The whole path after the API id: the stage segment and the path
    /// within it (what an HTTP API's `$default` stage serves).
    pub fn full_path(&self) -> String {
        match self.path.as_str() {
            "/" => format!("/{}", self.stage),
            p => format!("/{}{p}", self.stage),
        }
    }
}

/// `/{stage}/{rest}` split into the stage and `/{rest}`.
fn stage_and_path(rest: &str) -> (String, String) {
    let rest = rest.trim_start_matches('/');
    match rest.split_once('/') {
        Some((stage, path)) => (stage.to_string(), format!("/{path}")),
        None => (rest.to_string(), "/".to_string()),
    }
}

fn address(api_id: &str, rest: &str) -> Option<Address> {
    if api_id.is_empty() {
        return None;
    }
    let (stage, path) = stage_and_path(rest);
    Some(Address { api_id: api_id.to_ascii_lowercase(), stage, path })
}

/// The address of `req`, if it is an invoke request.
pub fn of(req: &HttpRequest) -> Option<Address> {
    if let Some((id, _)) = req.host().split_once(".execute-api.") {
        return address(id, &req.path);
    }
    if let Some(rest) = req.path.strip_prefix("/_aws/execute-api/") {
        let (id, rest) = rest.split_once('/').unwrap_or((rest, ""));
        return address(id, rest);
    }
    let rest = req.path.strip_prefix("/restapis/")?;
    let (id, rest) = rest.split_once('/')?;
    let (stage, rest) = rest.split_once("/_user_request_")?;
    let rest = if rest.is_empty() { "/" } else { rest };
    Some(Address { api_id: id.to_ascii_lowercase(), stage: stage.to_string(), path: rest.to_string() })
}

/// The address of `req`, if it is an invoke request: to an API directly
/// (`of`) or through a custom domain name.
pub fn resolve(s: &Shared, req: &HttpRequest) -> Option<Address> {
    of(req).or_else(|| through_domain(s, req))
}

/// The address `req` reaches through a custom domain name's mappings.
fn through_domain(s: &Shared, req: &HttpRequest) -> Option<Address> {
    let (domain, path) = match req.path.strip_prefix("/_aws/domain/") {
        Some(rest) => match rest.split_once('/') {
            Some((domain, path)) => (domain, format!("/{path}")),
            None => (rest, "/".to_string()),
        },
        // Neither `localhost` nor an IP address can be a domain name: most
        // requests are spared the lookup.
        None if req.host().contains('.') && req.host().parse::<std::net::IpAddr>().is_err() => {
            (req.host(), req.path.clone())
        }
        None => return None,
    };
    let (mapping, path) = base_paths::mapped(s, domain, &path)?;
    let api_id = mapping.get("restApiId")?.as_str()?;
    match mapping.get("stage").and_then(|v| v.as_str()) {
        Some(stage) => Some(Address { api_id: api_id.to_ascii_lowercase(), stage: stage.to_string(), path }),
        None => address(api_id, &path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::get as req;

    fn addr(id: &str, stage: &str, path: &str) -> Option<Address> {
        Some(Address { api_id: id.into(), stage: stage.into(), path: path.into() })
    }

    #[test]
    fn host_and_path_forms() {
        assert_eq!(of(&req("AbC123.execute-api.localhost:4566", "/dev/pets/1")), addr("abc123", "dev", "/pets/1"));
        assert_eq!(of(&req("abc.execute-api.localhost", "/dev")), addr("abc", "dev", "/"));
        assert_eq!(of(&req("localhost:4566", "/_aws/execute-api/abc/prod/a/b")), addr("abc", "prod", "/a/b"));
        assert_eq!(of(&req("localhost", "/restapis/abc/dev/_user_request_/x")), addr("abc", "dev", "/x"));
        assert_eq!(of(&req("localhost", "/restapis/abc/dev/_user_request_")), addr("abc", "dev", "/"));
        assert_eq!(of(&req("localhost", "/restapis/abc/resources")), None);
        assert_eq!(of(&req("localhost", "/2015-03-31/functions")), None);
    }
}
