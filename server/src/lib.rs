//! The organization invitation API server: the Anyscale-compatible contract on SQLite (or on
//! PostgreSQL shared by several instances), and the console's static files. The API is
//! documented in `docs/api.md`.
//!
//! Dependencies point one way, each floor using only the floors below it:
//!
//! 1. start-up: [`start`] (the options, then [`app`] and [`run`]), `config`, `commands`;
//! 2. `http`: the URL map, its layers, the connection loop, the metrics listener, OpenAPI;
//! 3. `handlers`, and `gateway` (forwarding to an upstream): a request turned into calls below;
//! 4. `state` (what a handler is given) and `auth` (who is calling, what they may do, their
//!    limits);
//! 5. `store` (policy written once over the SQLite and PostgreSQL backends, the events each
//!    change queues among it), the delivery worker that sends its mail (`delivery`), the
//!    webhook worker that posts its events, signed, to addresses judged before connecting
//!    (`webhooks`), and where the console's files come from (`console_files`);
//! 6. the ground: the API error type (`error`), what the server records about itself
//!    (`telemetry`: metrics, a request's id and actor), the client's address
//!    (`client_address`), answering a request without reading its body (`unread`), what a
//!    log line may hold (`logged`), `limits` (every size and time limit), `ids`, and `core`.
//!
//! No module imports one above it, and no two import each other: `cargo xtask test checks`
//! fails on an import circle of any length. Each module has its own error type, which only
//! start-up ([`StartError`]) and the API's `error::ApiError` gather.

mod auth;
mod client_address;
pub mod commands;
pub mod config;
mod console_files;
mod content_policy;
mod data_dir;
mod delivery;
mod demo;
mod error;
mod gateway;
mod handlers;
mod http;
mod ids;
mod limits;
mod logged;
mod start;
mod state;
mod store;
mod telemetry;
mod unread;
mod webhooks;

pub use http::openapi;
pub use start::{App, DATABASE_FILE, StartError, TokenOrigin, UPSTREAM_TOKEN_ENV, app, run};
