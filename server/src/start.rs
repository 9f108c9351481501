//! Start-up: from the configuration to a router ready to serve ([`app`]), and serving it
//! until a signal ([`run`]). Everything the options ask for is prepared here, in order: the
//! data folder, the token, the login proxy and roles, the store (or the upstream), retention.

use std::path::Path;
use std::time::Duration;

use crate::auth::owner_token::{self as token, ApiToken};
use crate::config::Config;
use crate::state::{GatewayMode, Site, StoreMode};
use crate::store::{self, Location, Store};
use axum::Router;

/// The one database of the data folder: invitations, named tokens, sessions and the audit
/// trail (a gateway keeps no invitations in it, only the rest).
pub const DATABASE_FILE: &str = "invitations.sqlite3";

/// The environment variable holding the upstream's token in gateway mode.
pub const UPSTREAM_TOKEN_ENV: &str = "ORG_INVITATIONS_UPSTREAM_TOKEN";

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(
        "refusing to listen on {0} without an explicit --token: only loopback addresses may use a generated one"
    )]
    PublicWithoutToken(std::net::IpAddr),
    #[error("invalid --token: {0}")]
    Token(#[from] token::TokenError),
    #[error(transparent)]
    DataDir(#[from] crate::data_dir::DataDirError),
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("cannot write the API contract: {0}")]
    Contract(#[from] serde_json::Error),
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: String,
        source: std::io::Error,
    },
    #[error("server failed: {0}")]
    Serve(std::io::Error),
    #[error("--upstream needs the upstream's API token in ORG_INVITATIONS_UPSTREAM_TOKEN")]
    UpstreamWithoutToken,
    #[error("invalid ORG_INVITATIONS_UPSTREAM_TOKEN: {0}")]
    UpstreamToken(token::TokenError),
    #[error(transparent)]
    BadOrigin(#[from] crate::http::cors::BadOrigin),
    #[error(transparent)]
    BadPublicOrigin(#[from] crate::auth::public_origin::BadPublicOrigin),
    #[error("invalid --upstream: {0}")]
    Upstream(#[from] crate::gateway::upstream::UpstreamError),
    #[error("{0}")]
    Mail(String),
    #[error("{0}")]
    Webhooks(String),
    #[error("invalid --auth-proxy-header {0:?}: a header name is letters, digits and '-'")]
    ProxyHeader(String),
    #[error(transparent)]
    Roles(#[from] crate::auth::roles::RolesError),
    #[error("{0}")]
    Command(String),
    #[error(transparent)]
    Metrics(#[from] crate::telemetry::MetricsError),
}

/// The server as configured, ready to serve: what [`run`] binds, and what in-process tests
/// call directly.
pub struct App {
    pub router: Router,
    /// The second line printed at start: where the data lives, or which upstream is served.
    pub serving: String,
    /// The token a browser signs in with.
    sign_in_token: ApiToken,
    pub token_origin: TokenOrigin,
    /// Removes old audit records each day, when `--audit-retention-days` says so.
    retention: Option<AuditRetention>,
    limits: crate::auth::rate_limits::RateLimits,
    /// The store, for the metrics listener (its pool's state).
    store: Store,
    /// The roles in force and their file, read again on SIGHUP.
    reloadable_roles: Option<(crate::auth::roles::SharedRoles, std::path::PathBuf)>,
    /// Sends invitation mail (store mode); its links start where [`run`] listens unless
    /// `--public-origin` says otherwise.
    courier: Option<crate::delivery::worker::Courier>,
    dispatcher: Option<crate::webhooks::worker::Dispatcher>,
}

struct AuditRetention {
    store: Store,
    days: u32,
}

impl AuditRetention {
    async fn prune(&self) -> Result<(), store::StoreError> {
        let cutoff = chrono::Utc::now() - chrono::TimeDelta::days(self.days.into());
        let removed = self.store.prune(cutoff).await?;
        tracing::info!(
            removed,
            days = self.days,
            "audit records past retention removed"
        );
        Ok(())
    }
}

/// Where the API token came from.
pub enum TokenOrigin {
    /// Generated on a first start and kept in this file.
    Generated(std::path::PathBuf),
    /// Given by the operator (`--token` or `ORG_INVITATIONS_TOKEN`).
    Given,
}

impl App {
    /// The API token, as the sign-in URL carries it.
    pub fn token(&self) -> &str {
        self.sign_in_token.reveal()
    }
}

/// Where the configuration keeps what the server stores: PostgreSQL when `--database-url`
/// says so, else the data folder's SQLite file.
pub(crate) fn location(config: &Config) -> Location {
    match &config.database_url {
        Some(url) => Location::Postgres {
            url: url.clone(),
            ca_file: config.database_ca.clone(),
        },
        None => Location::Sqlite(config.data_dir.join(DATABASE_FILE)),
    }
}

/// Prepares everything the configuration asks for (data folder, token, store or upstream) and
/// builds the router, without listening anywhere.
pub async fn app(config: &Config) -> Result<App, StartError> {
    if !config.host.is_loopback() && config.token.is_none() {
        return Err(StartError::PublicWithoutToken(config.host));
    }
    crate::data_dir::prepare(&config.data_dir, &[DATABASE_FILE, token::TOKEN_FILE])?;
    let (token, token_origin) = match &config.token {
        Some(given) => (ApiToken::parse(given)?, TokenOrigin::Given),
        None => (
            token::load_or_generate(&config.data_dir)?,
            TokenOrigin::Generated(absolute(&config.data_dir.join(token::TOKEN_FILE))),
        ),
    };
    let allowed_origins = config
        .allow_origins
        .iter()
        .map(|origin| crate::http::cors::parse_origin(origin))
        .collect::<Result<_, _>>()?;
    let location = location(config);
    let proxy = match (&config.auth_proxy_header, &config.roles) {
        (Some(header), Some(roles)) => Some(crate::auth::identity::ProxyAuth {
            header: axum::http::HeaderName::try_from(header.as_str())
                .map_err(|_| StartError::ProxyHeader(header.clone()))?,
            trusted: config.trusted_proxies.clone(),
            client_header: config.client_address_header.clone(),
            roles: crate::auth::roles::SharedRoles::new({
                let loaded = crate::auth::roles::Roles::load(roles)?;
                loaded.warn_if_empty(roles);
                loaded
            }),
        }),
        // clap refuses a proxy header without a roles file (`requires`), and demo data in a
        // gateway (`conflicts_with`), before this runs.
        _ => None,
    };
    let reloadable_roles = proxy
        .as_ref()
        .zip(config.roles.clone())
        .map(|(proxy, path)| (proxy.roles.clone(), path));
    let store = store::open(&location).await?;
    let retention = config.audit_retention_days.map(|days| AuditRetention {
        store: store.clone(),
        days,
    });
    if let Some(retention) = &retention {
        retention.prune().await?;
    }
    let site = Site {
        store: store.clone(),
        proxy,
        token: token.clone(),
        console_files: crate::console_files::ConsoleFiles::choose(config.dist_dir.clone()),
        allowed_origins,
        // The atomic resend and the mail need this server's own store; a gateway's upstream
        // has its own.
        own_store: config.upstream.is_none(),
        limits: crate::auth::rate_limits::RateLimits::new(
            config.write_limit,
            config.auth_failure_limit,
        ),
        public_hosts: crate::auth::public_origin::PublicHosts::new(
            &config.public_origins,
            config.host,
        )?,
    };
    let limits = site.limits.clone();
    let site_store = site.store.clone();
    // A gateway keeps no invitations: its store holds only its sessions, named tokens and
    // audit trail.
    let mut courier = None;
    let mut dispatcher = None;
    let (router, serving) = match &config.upstream {
        Some(base) => {
            let upstream_token =
                std::env::var(UPSTREAM_TOKEN_ENV).map_err(|_| StartError::UpstreamWithoutToken)?;
            let upstream_token =
                ApiToken::parse(upstream_token.trim()).map_err(StartError::UpstreamToken)?;
            let upstream = crate::gateway::upstream::Upstream::new(
                base,
                upstream_token,
                std::time::Duration::from_secs(config.upstream_timeout),
            )?;
            let serving = format!("Gateway to {}", upstream.redacted_base());
            (
                crate::http::routes::gateway_router(GatewayMode { site, upstream }),
                serving,
            )
        }
        None => {
            if config.demo {
                let seeded = crate::demo::seed(&store).await?;
                tracing::info!(seeded, "demo data");
            }
            let serving = format!("Data: {}", store.describe());
            courier = Some(courier_for(config, &store)?);
            dispatcher = Some(crate::webhooks::worker::Dispatcher {
                store: store.clone(),
                sender: crate::webhooks::sender::Sender::new(webhook_targets(config))
                    .map_err(StartError::Webhooks)?,
                schedule: config.webhook_retry_delays.clone(),
                disable_after: config.webhook_disable_after,
            });
            let state = StoreMode {
                site,
                store,
                max_page_size: config.max_page_size,
                organization_name: config.organization_name.as_str().into(),
                link_origin: config.link_origin().map(Into::into),
                webhook_targets: std::sync::Arc::new(webhook_targets(config)),
                accept_redirect: match (&config.accept_redirect, &config.accept_secret) {
                    (Some(url), Some(secret)) => Some(std::sync::Arc::new(
                        crate::auth::accept_ticket::AcceptRedirect::new(url.clone(), secret)
                            .map_err(StartError::Mail)?,
                    )),
                    _ => None,
                },
            };
            (crate::http::routes::store_router(state), serving)
        }
    };
    Ok(App {
        router,
        serving,
        sign_in_token: token,
        token_origin,
        retention,
        limits,
        store: site_store,
        reloadable_roles,
        courier,
        dispatcher,
    })
}

/// Where the operator lets webhooks post, beyond public `https://` addresses.
fn webhook_targets(config: &Config) -> crate::webhooks::target::Allowed {
    crate::webhooks::target::Allowed {
        http_loopback: config.webhook_allow_http_loopback,
        networks: config.webhook_allow_network.clone(),
    }
}

/// The delivery worker of a store-mode server: through the mail server `--smtp-url` names,
/// else into the data folder's `mail/`.
fn courier_for(
    config: &Config,
    store: &Store,
) -> Result<crate::delivery::worker::Courier, StartError> {
    use crate::delivery::channel::{Channel, Folder, Smtp};
    let channel: std::sync::Arc<dyn Channel> = match &config.smtp_url {
        Some(url) => std::sync::Arc::new(
            Smtp::new(url, config.smtp_ca.as_deref()).map_err(StartError::Mail)?,
        ),
        None => std::sync::Arc::new(Folder::new(absolute(&config.data_dir.join("mail")))),
    };
    let from = config.mail_from.clone().unwrap_or_else(|| {
        lettre::message::Mailbox::new(
            Some(config.organization_name.clone()),
            "invitations@localhost".parse().expect("a valid address"),
        )
    });
    Ok(crate::delivery::worker::Courier {
        store: store.clone(),
        channel,
        letterhead: crate::delivery::message::Letterhead {
            organization: config.organization_name.clone(),
            link_base: String::new(),
            dkim: match &config.dkim_key {
                Some(key) => Some(
                    crate::delivery::dkim::Signer::new(
                        key,
                        config.dkim_selector.as_deref().unwrap_or_default(),
                        &from,
                    )
                    .map_err(StartError::Mail)?,
                ),
                None => None,
            },
            from,
        },
        schedule: config.mail_retry_delays.clone(),
        limits: crate::store::outbox::MailLimits {
            per_hour: config.max_mails_per_hour,
            per_address_per_day: config.max_mails_per_address,
        },
        remind_before: config
            .remind_before
            .and_then(|span| chrono::TimeDelta::from_std(span).ok()),
    })
}

/// Builds the [`app`], binds, prints where to go, and serves until Ctrl-C or SIGTERM.
pub async fn run(config: Config) -> Result<(), StartError> {
    let app = app(&config).await?;
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
    println!("{}", app.serving);
    let courier = app.courier.clone().map(|mut courier| {
        courier.letterhead.link_base = config.link_origin().unwrap_or(&base).to_owned();
        println!("Mail: {}", courier.channel.describe());
        if let Some(dkim) = &courier.letterhead.dkim {
            println!("Mail: {}", dkim.describe());
        }
        courier
    });
    match app.token_origin {
        TokenOrigin::Generated(ref kept_in) => {
            println!("Open {base}/?token={}", app.token());
            println!("(The token is kept in {}.)", kept_in.display());
        }
        // A token the operator chose is theirs to keep: it is not printed back.
        TokenOrigin::Given => println!(
            "Sign in at {base}/?token=<the token given by --token or ORG_INVITATIONS_TOKEN>"
        ),
    }

    if let Some(address) = config.metrics_addr {
        let handle = crate::telemetry::install()?;
        let metrics = tokio::net::TcpListener::bind(address)
            .await
            .map_err(|source| StartError::Bind {
                address: address.to_string(),
                source,
            })?;
        let bound = metrics.local_addr().map_err(StartError::Serve)?;
        tracing::info!(address = %bound, "metrics served at /metrics");
        if let Some(warning) = crate::telemetry::exposure_warning(bound) {
            tracing::warn!("{warning}");
        }
        let router = crate::http::metrics::router(handle, app.store.clone());
        let serving = metrics_serving(&config);
        tokio::spawn(async move {
            let _ =
                crate::http::serve::serve(metrics, router, serving, std::future::pending()).await;
        });
    }

    if let Some(dispatcher) = app.dispatcher.clone() {
        tokio::spawn(dispatcher.run());
    }
    if let Some(courier) = courier {
        tokio::spawn(courier.run());
    }

    if let Some((roles, path)) = app.reloadable_roles.clone() {
        tokio::spawn(crate::auth::roles::reload_on_hangup(roles, path));
    }

    // The rate limits forget clients that have been quiet for a while.
    let limits = app.limits.clone();
    tokio::spawn(async move {
        let mut every_minute = tokio::time::interval(Duration::from_secs(60));
        loop {
            every_minute.tick().await;
            limits.forget_idle();
        }
    });
    if let Some(retention) = app.retention {
        tokio::spawn(async move {
            let mut daily = tokio::time::interval(std::time::Duration::from_secs(24 * 60 * 60));
            daily.tick().await;
            loop {
                daily.tick().await;
                if retention.prune().await.is_err() {
                    tracing::error!("removing audit records past retention failed");
                }
            }
        });
    }
    let serving = crate::http::serve::Serving {
        header_timeout: Duration::from_secs(config.header_timeout),
        body_timeout: Duration::from_secs(config.body_timeout),
        max_connections: config.max_connections as usize,
        max_per_client: config.max_connections_per_client as usize,
        shared_addresses: if config.auth_proxy_header.is_some() {
            config.trusted_proxies.clone()
        } else {
            Vec::new()
        },
    };
    crate::http::serve::serve(listener, app.router, serving, shutdown_signal())
        .await
        .map_err(StartError::Serve)
}

/// The metrics listener's connection rules: a scraper or two, never many.
fn metrics_serving(config: &Config) -> crate::http::serve::Serving {
    crate::http::serve::Serving {
        header_timeout: Duration::from_secs(config.header_timeout),
        body_timeout: Duration::from_secs(config.body_timeout),
        max_connections: 16,
        max_per_client: 16,
        shared_addresses: Vec::new(),
    }
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
