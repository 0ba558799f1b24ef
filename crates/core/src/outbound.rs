//! The HTTP client services use to reach endpoints outside Stratus (SNS
//! HTTP/HTTPS subscriptions, API Gateway HTTP integrations): hyper over
//! rustls on ring. HTTPS endpoints must present a certificate the machine
//! trusts (the system's roots, or the file named by `SSL_CERT_FILE`), as
//! AWS requires a valid chain.

use bytes::Bytes;
use http_body_util::Full;
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::sync::{Arc, OnceLock};

pub type Client = hyper_util::client::legacy::Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// The process's client (clones share its connection pool).
pub fn client() -> Client {
    static CLIENT: OnceLock<Client> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            let https =
                HttpsConnectorBuilder::new().with_tls_config(tls_config()).https_or_http().enable_http1().build();
            hyper_util::client::legacy::Client::builder(TokioExecutor::new()).build(https)
        })
        .clone()
}

/// TLS: rustls on ring, trusting the machine's roots.
fn tls_config() -> rustls::ClientConfig {
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    if roots.is_empty() {
        tracing::warn!("no trusted root certificates found: requests to HTTPS endpoints will fail");
    }
    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("ring supports the default TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth()
}
