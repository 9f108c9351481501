//! Everything about HTTP in one place: the URL map and its layers, the connection loop, the
//! error body, CORS, request sizes, the request log, rate limits and the
//! OpenAPI contract. Handlers (`crate::handlers`) sit behind it.

pub mod cors;
pub mod files;
pub mod method;
pub mod metrics;
pub mod openapi;
pub mod rate_limit;
pub mod request_log;
pub mod request_size;
pub mod routes;
pub mod serve;
