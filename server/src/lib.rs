//! The organization invitation API server: the Anyscale-compatible contract on SQLite, and the
//! console's static files. Layered as routes → handlers → store.

mod auth;
pub mod config;
mod cors;
mod demo;
mod error;
mod gateway;
mod handlers;
mod ids;
mod request_log;
mod routes;
mod state;
mod store;
mod token;

use std::fs::DirBuilder;
use std::os::unix::fs::DirBuilderExt;
use std::path::Path;

use config::Config;
use state::{AppState, GatewayState, Site};
use store::Store;
use token::ApiToken;

pub const DATABASE_FILE: &str = "invitations.sqlite3";

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(
        "refusing to listen on {0} without an explicit --token: only loopback addresses may use a generated one"
    )]
    PublicWithoutToken(std::net::IpAddr),
    #[error("invalid --token: {0}")]
    Token(#[from] token::TokenError),
    #[error("cannot create the data folder {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: String,
        source: std::io::Error,
    },
    #[error("server failed: {0}")]
    Serve(std::io::Error),
    #[error("--upstream needs the upstream's API token in ORG_INVITATIONS_UPSTREAM_TOKEN")]
    UpstreamWithoutToken,
    #[error("--demo seeds the local store; a gateway (--upstream) has none")]
    DemoInGateway,
    #[error("invalid ORG_INVITATIONS_UPSTREAM_TOKEN: {0}")]
    UpstreamToken(token::TokenError),
    #[error(
        "invalid --allow-origin {0:?}: an origin is scheme, host and optional port, as https://admin.example.com"
    )]
    BadOrigin(String),
    #[error("invalid --upstream: {0}")]
    Upstream(#[from] gateway::UpstreamError),
}

/// The environment variable holding the upstream's token in gateway mode.
pub const UPSTREAM_TOKEN_ENV: &str = "ORG_INVITATIONS_UPSTREAM_TOKEN";

/// Opens the store, binds, prints where to go, and serves until Ctrl-C or SIGTERM.
pub async fn run(config: Config) -> Result<(), StartError> {
    if !config.host.is_loopback() && config.token.is_none() {
        return Err(StartError::PublicWithoutToken(config.host));
    }
    create_private_dir(&config.data_dir)?;
    let token = match &config.token {
        Some(given) => ApiToken::parse(given)?,
        None => token::load_or_generate(&config.data_dir)?,
    };
    let sign_in_token = token.clone();
    let allowed_origins = config
        .allow_origins
        .iter()
        .map(|origin| cors::parse_origin(origin))
        .collect::<Result<_, _>>()?;
    let site = Site {
        token,
        dist_dir: config.dist_dir.clone(),
        allowed_origins,
    };
    // Gateway mode opens no store: the data folder holds only this server's own token.
    let (app, serving) = match &config.upstream {
        Some(base) => {
            if config.demo {
                return Err(StartError::DemoInGateway);
            }
            let upstream_token =
                std::env::var(UPSTREAM_TOKEN_ENV).map_err(|_| StartError::UpstreamWithoutToken)?;
            let upstream_token =
                ApiToken::parse(upstream_token.trim()).map_err(StartError::UpstreamToken)?;
            let upstream = gateway::Upstream::new(base, upstream_token)?;
            let serving = format!("Gateway to {}", upstream.base());
            (
                routes::gateway_router(GatewayState { site, upstream }),
                serving,
            )
        }
        None => {
            let database = config.data_dir.join(DATABASE_FILE);
            let store = Store::open(&database)?;
            if config.demo {
                let seeded = demo::seed(&store)?;
                tracing::info!(seeded, "demo data");
            }
            let state = AppState {
                site,
                store,
                max_page_size: config.max_page_size,
            };
            (
                routes::router(state),
                format!("Data: {}", absolute(&database).display()),
            )
        }
    };

    let address = std::net::SocketAddr::new(config.host, config.port);
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|source| StartError::Bind {
            address: address.to_string(),
            source,
        })?;
    let bound = listener.local_addr().map_err(StartError::Serve)?;
    let base = format!("http://{bound}");
    // These lines are the interface of `cargo xtask run` and of the tests: keep their shape.
    println!("org-invitations server listening on {base}");
    println!("{serving}");
    println!("Open {base}/?token={}", sign_in_token.reveal());

    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(StartError::Serve)
}

fn create_private_dir(path: &Path) -> Result<(), StartError> {
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .map_err(|source| StartError::DataDir {
            path: path.display().to_string(),
            source,
        })
}

fn absolute(path: &Path) -> std::path::PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
