//! `POST /api/v2/cli_usage/`: the Anyscale CLI reports usage after each command. Accepted and
//! dropped unread, so it can never fail a command.

use axum::Json;

use crate::error::IgnoredBody;
use crate::permit::{Permit, Viewer};

pub async fn cli_usage(_: Permit<Viewer>, _report: IgnoredBody) -> Json<serde_json::Value> {
    Json(serde_json::json!({}))
}
