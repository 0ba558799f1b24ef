//! The store layout of Cognito. User-pool records are keyed by their
//! globally unique ids, because unsigned calls (InitiateAuth, SignUp, ...)
//! name only a client id or carry only a token, never an account:
//!
//! - `cognito-idp/pool/{poolId}` → pool; `cognito-idp/pools/{account}/{region}/{poolId}` → listing index
//! - `cognito-idp/client/{clientId}` → app client; `cognito-idp/pclient/{poolId}/{clientId}` → index
//! - `cognito-idp/user/{poolId}/{username}` → user (lower-cased when the pool is case-insensitive)
//! - `cognito-idp/alias/{poolId}/{attr}/{value}` → username (email, phone_number, preferred_username, sub)
//! - `cognito-idp/group/{poolId}/{group}`; `member/{poolId}/{group}\0{user}`; `ugroup/{poolId}/{user}\0{group}`
//! - `cognito-idp/key/{poolId}` → the pool's RSA signing key
//! - `cognito-idp/refresh/{token}`, `cognito-idp/revoked/{origin_jti}` → refresh tokens and revocations
//! - `cognito-idp/session/{id}` → an authentication session (challenges, SRP state)
//! - `cognito-idp/domain/{domain}`, `cognito-idp/rs/{poolId}/{identifier}`, `cognito-idp/authcode/{code}`
//! - `cognito-idp/codes/{millis:020}{seq}` → delivered codes (`/_stratus/cognito/codes`)
//! - `cognito-identity/pool/{id}`, `cognito-identity/pools/{account}/{region}/{id}`,
//!   `cognito-identity/identity/{identityId}`, `cognito-identity/login/{poolId}/{provider}\0{subject}`

pub fn pool(id: &str) -> String {
    format!("cognito-idp/pool/{id}")
}
pub fn pool_index(account: &str, region: &str, id: &str) -> String {
    format!("cognito-idp/pools/{account}/{region}/{id}")
}
pub fn pool_index_prefix(account: &str, region: &str) -> String {
    format!("cognito-idp/pools/{account}/{region}/")
}
pub fn client(id: &str) -> String {
    format!("cognito-idp/client/{id}")
}
pub fn pool_client(pool: &str, client: &str) -> String {
    format!("cognito-idp/pclient/{pool}/{client}")
}
pub fn pool_clients(pool: &str) -> String {
    format!("cognito-idp/pclient/{pool}/")
}
pub fn user(pool: &str, username: &str) -> String {
    format!("cognito-idp/user/{pool}/{username}")
}
pub fn users(pool: &str) -> String {
    format!("cognito-idp/user/{pool}/")
}
pub fn alias(pool: &str, attr: &str, value: &str) -> String {
    format!("cognito-idp/alias/{pool}/{attr}/{value}")
}
pub fn group(pool: &str, name: &str) -> String {
    format!("cognito-idp/group/{pool}/{name}")
}
pub fn groups(pool: &str) -> String {
    format!("cognito-idp/group/{pool}/")
}
pub fn member(pool: &str, group: &str, user: &str) -> String {
    format!("cognito-idp/member/{pool}/{group}\0{user}")
}
pub fn members(pool: &str, group: &str) -> String {
    format!("cognito-idp/member/{pool}/{group}\0")
}
pub fn user_group(pool: &str, user: &str, group: &str) -> String {
    format!("cognito-idp/ugroup/{pool}/{user}\0{group}")
}
pub fn user_groups(pool: &str, user: &str) -> String {
    format!("cognito-idp/ugroup/{pool}/{user}\0")
}
pub fn signing_key(pool: &str) -> String {
    format!("cognito-idp/key/{pool}")
}
pub fn refresh(token: &str) -> String {
    format!("cognito-idp/refresh/{token}")
}
pub fn revoked(origin_jti: &str) -> String {
    format!("cognito-idp/revoked/{origin_jti}")
}
pub fn session(id: &str) -> String {
    format!("cognito-idp/session/{id}")
}
pub fn domain(domain: &str) -> String {
    format!("cognito-idp/domain/{domain}")
}
pub fn resource_server(pool: &str, id: &str) -> String {
    format!("cognito-idp/rs/{pool}/{id}")
}
pub fn resource_servers(pool: &str) -> String {
    format!("cognito-idp/rs/{pool}/")
}
pub fn auth_code(code: &str) -> String {
    format!("cognito-idp/authcode/{code}")
}
pub const CODES: &str = "cognito-idp/codes/";

pub fn identity_pool(id: &str) -> String {
    format!("cognito-identity/pool/{id}")
}
pub fn identity_pool_index(account: &str, region: &str, id: &str) -> String {
    format!("cognito-identity/pools/{account}/{region}/{id}")
}
pub fn identity_pool_index_prefix(account: &str, region: &str) -> String {
    format!("cognito-identity/pools/{account}/{region}/")
}
pub fn identity(id: &str) -> String {
    format!("cognito-identity/identity/{id}")
}
pub fn identity_login(pool: &str, provider: &str, subject: &str) -> String {
    format!("cognito-identity/login/{pool}/{provider}\0{subject}")
}
pub const OPENID_KEY: &str = "cognito-identity/key";
pub fn user_origin(pool: &str, user: &str, origin_jti: &str) -> String {
    format!("cognito-idp/uorigin/{pool}/{user}\0{origin_jti}")
}
pub fn user_origins(pool: &str, user: &str) -> String {
    format!("cognito-idp/uorigin/{pool}/{user}\0")
}
pub fn identities(pool: &str) -> String {
    format!("cognito-identity/pident/{pool}/")
}
pub fn pool_identity(pool: &str, id: &str) -> String {
    format!("cognito-identity/pident/{pool}/{id}")
}
