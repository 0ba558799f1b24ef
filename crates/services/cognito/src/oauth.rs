//! Hosted OAuth 2.0 / OIDC endpoints (placeholder).

use stratus_core::{HttpRequest, HttpResponse};

use crate::shared::Shared;

pub async fn serve(_s: &Shared, _req: HttpRequest) -> HttpResponse {
    HttpResponse::new(404, "application/json", "{\"message\":\"Not Found\"}")
}
