//! The organization invitation API server: the Anyscale-compatible contract on SQLite (or on
//! PostgreSQL shared by several instances), and the console's static files. The API is
//! documented in `docs/api.md`.
//!
//! Dependencies point one way: [`start`] (the options, then [`app`] and [`run`]) → `http`
//! (the URL map, its layers and the connection loop) → `handlers` (or `gateway`, forwarding to
//! an upstream) → `store`. `auth` says who is calling and what they may do; `state` names what
//! handlers can reach; `limits` holds every size and time limit; each module has its own error
//! type, which only start-up ([`StartError`]) and the HTTP layer (`http::error::ApiError`)
//! gather.

mod auth;
pub mod commands;
pub mod config;
mod data_dir;
mod demo;
mod gateway;
mod handlers;
mod http;
mod ids;
mod limits;
mod logged;
mod start;
mod state;
mod store;

pub use http::openapi;
pub use start::{App, DATABASE_FILE, StartError, TokenOrigin, UPSTREAM_TOKEN_ENV, app, run};
