//! `POST /api/v2/cli_usage/`: the Anyscale CLI reports usage after each command. Accepted and
//! dropped unread, so it can never fail a command.

use axum::Json;

use crate::auth::permit::{Permit, Viewer};
use crate::error::IgnoredBody;

/// The CLI's usage report: accepted and dropped.
#[utoipa::path(
    post,
    path = "/api/v2/cli_usage/",
    tag = "session",
    request_body(content = Object, description = "Any JSON; not read"),
    responses((status = 200, description = "Accepted", body = Object)),
)]
pub async fn cli_usage(_: Permit<Viewer>, _report: IgnoredBody) -> Json<serde_json::Value> {
    Json(serde_json::json!({}))
}
