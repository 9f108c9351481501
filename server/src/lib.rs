//! The organization invitation API server: the Anyscale-compatible contract on SQLite, and the
//! console's static files. Layered as routes → handlers → store.

mod auth;
pub mod config;
mod demo;
mod error;
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
use state::AppState;
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
}

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
    let database = config.data_dir.join(DATABASE_FILE);
    let store = Store::open(&database)?;
    if config.demo {
        let seeded = demo::seed(&store)?;
        tracing::info!(seeded, "demo data");
    }

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
    println!("Data: {}", absolute(&database).display());
    println!("Open {base}/?token={}", token.reveal());

    let state = AppState {
        store,
        token,
        dist_dir: config.dist_dir.clone(),
        max_page_size: config.max_page_size,
    };
    axum::serve(listener, routes::router(state))
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
