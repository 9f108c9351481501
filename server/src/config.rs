//! Command-line options of the server.

use clap::builder::TypedValueParser;
use org_invitations_core::role::Role;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;

use clap::Parser;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "org-invitations-server",
    version,
    about = "The organization invitation API on SQLite or PostgreSQL, serving the console"
)]
pub struct Config {
    /// Manage named API tokens or sessions, or print the contract, instead of serving.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Address to listen on. Anything but loopback needs an explicit --token.
    #[arg(
        long,
        default_value = "127.0.0.1",
        env = "ORG_INVITATIONS_HOST",
        help_heading = "Listening"
    )]
    pub host: IpAddr,

    /// Port to listen on (0 picks a free one; the chosen URL is printed).
    #[arg(
        long,
        default_value_t = 8080,
        env = "ORG_INVITATIONS_PORT",
        help_heading = "Listening"
    )]
    pub port: u16,

    /// The origin people reach this server at (`https://invitations.corp.example`), as its
    /// proxy or load balancer publishes it; repeatable. A request signed in by cookie or by
    /// the login proxy must name one of these hosts (so a DNS-rebound page gets nothing);
    /// default: the address listened on, and `localhost` on loopback.
    #[arg(
        long = "public-origin",
        value_name = "ORIGIN",
        env = "ORG_INVITATIONS_PUBLIC_ORIGIN",
        help_heading = "Listening",
        value_delimiter = ','
    )]
    pub public_origins: Vec<String>,

    /// An origin (`https://admin.example.com`) whose pages may call the API from the browser
    /// (CORS). Repeat for several; none by default. Such pages authenticate with a token.
    #[arg(
        long = "allow-origin",
        value_name = "ORIGIN",
        env = "ORG_INVITATIONS_ALLOW_ORIGIN",
        help_heading = "Listening",
        value_delimiter = ','
    )]
    pub allow_origins: Vec<String>,

    /// Serve the console from this folder (what `cargo xtask build` writes). Default: the
    /// console inside the binary when it has one (`cargo xtask dist`), else ./dist.
    #[arg(
        long,
        value_name = "DIR",
        env = "ORG_INVITATIONS_DIST_DIR",
        help_heading = "Listening"
    )]
    pub dist_dir: Option<PathBuf>,

    /// Folder for the database and the generated token; created on first start, never wiped.
    #[arg(
        long,
        default_value = "data",
        global = true,
        env = "ORG_INVITATIONS_DATA_DIR",
        help_heading = "Storage"
    )]
    pub data_dir: PathBuf,

    /// Keep everything in this PostgreSQL database (`postgres://user:password@host/db`), shared
    /// by every instance given the same URL, instead of the data folder's SQLite file.
    #[arg(
        long,
        env = "ORG_INVITATIONS_DATABASE_URL",
        hide_env_values = true,
        global = true,
        value_name = "URL",
        help_heading = "Storage"
    )]
    pub database_url: Option<String>,

    /// PEM certificates to trust for the database's TLS (its own CA) instead of the public
    /// roots. TLS is used whenever the database offers it (`sslmode=prefer`, the default;
    /// `sslmode=require` insists), and its certificate is always checked.
    #[arg(
        long,
        env = "ORG_INVITATIONS_DATABASE_CA",
        global = true,
        value_name = "FILE",
        help_heading = "Storage"
    )]
    pub database_ca: Option<PathBuf>,

    /// Seed a few sample invitations (one already expired) when the store is empty.
    #[arg(
        long,
        env = "ORG_INVITATIONS_DEMO",
        help_heading = "Storage",
        conflicts_with = "upstream"
    )]
    pub demo: bool,

    /// Remove audit records older than this many days (at start and daily); default: keep
    /// them forever.
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..), env = "ORG_INVITATIONS_AUDIT_RETENTION_DAYS", help_heading = "Storage")]
    pub audit_retention_days: Option<u32>,

    /// Gateway mode: forward the invitation API to this base URL instead of answering from the
    /// local store. Its token comes from ORG_INVITATIONS_UPSTREAM_TOKEN and never reaches a
    /// browser.
    #[arg(long, env = "ORG_INVITATIONS_UPSTREAM", help_heading = "Gateway")]
    pub upstream: Option<String>,

    /// Gateway mode: how long the upstream may take to answer one request before the console
    /// is told 504.
    #[arg(long, value_name = "SECONDS", default_value_t = crate::limits::UPSTREAM_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..=600), env = "ORG_INVITATIONS_UPSTREAM_TIMEOUT", help_heading = "Gateway")]
    pub upstream_timeout: u64,

    /// The API token clients must present. Without it, one is generated and kept in the data folder.
    #[arg(
        long,
        env = "ORG_INVITATIONS_TOKEN",
        hide_env_values = true,
        help_heading = "Team sign-in"
    )]
    pub token: Option<String>,

    /// Take each request's identity (an address) from this header, set by the company's
    /// authenticating proxy (e.g. X-Forwarded-Email). Needs --roles.
    #[arg(
        long,
        value_name = "NAME",
        env = "ORG_INVITATIONS_AUTH_PROXY_HEADER",
        help_heading = "Team sign-in",
        requires = "roles"
    )]
    pub auth_proxy_header: Option<String>,

    /// An address of that proxy; the header is refused from anywhere else. Repeatable;
    /// default the loopback addresses.
    #[arg(long = "trusted-proxy", value_name = "ADDR", default_values_t = [IpAddr::from([127, 0, 0, 1]), IpAddr::from(std::net::Ipv6Addr::LOCALHOST)], env = "ORG_INVITATIONS_TRUSTED_PROXY", help_heading = "Team sign-in", value_delimiter = ',')]
    pub trusted_proxies: Vec<IpAddr>,

    /// The header in which that proxy names the client's address, for the limits on failed
    /// sign-ins: the rightmost address it appended counts, and no other forwarding header is
    /// read. `Forwarded` is read as RFC 7239's `for=`.
    #[arg(long, value_name = "NAME", default_value = "X-Forwarded-For", value_parser = header_name, env = "ORG_INVITATIONS_CLIENT_ADDRESS_HEADER", help_heading = "Team sign-in", requires = "auth_proxy_header")]
    pub client_address_header: axum::http::HeaderName,

    /// A TOML file mapping roles (admin, inviter, viewer) to addresses and patterns, as
    /// `inviter = ["*@platform.corp.example"]`. Errors stop the server at start.
    #[arg(
        long,
        value_name = "FILE",
        env = "ORG_INVITATIONS_ROLES",
        help_heading = "Team sign-in",
        requires = "auth_proxy_header"
    )]
    pub roles: Option<PathBuf>,

    /// The organization's name, as `userinfo` reports it (the console shows it in its header),
    /// and as invitation mail names what people are invited to.
    #[arg(long, visible_alias = "org-name", value_name = "NAME", default_value = "Local organization", value_parser = organization_name, env = "ORG_INVITATIONS_ORGANIZATION_NAME", help_heading = "Team sign-in")]
    pub organization_name: String,

    /// The mail server invitations are sent through, in lettre's URL form:
    /// `smtps://user:pass@host:465`, `smtp://host:587?tls=required`, `smtp://host:25`.
    /// Without it, invitation mail is written as `.eml` files to the data folder's `mail/`.
    #[arg(
        long,
        value_name = "URL",
        env = "ORG_INVITATIONS_SMTP_URL",
        hide_env_values = true,
        help_heading = "Mail",
        requires = "mail_from"
    )]
    pub smtp_url: Option<String>,

    /// A PEM certificate authority the mail server's TLS certificate must come from (a
    /// private one); default: the public ones.
    #[arg(
        long,
        value_name = "FILE",
        env = "ORG_INVITATIONS_SMTP_CA",
        help_heading = "Mail",
        requires = "smtp_url"
    )]
    pub smtp_ca: Option<PathBuf>,

    /// Who invitation mail is from, as `Name <address>`: an address of a domain whose SPF
    /// and DKIM let the mail server send for it. Needed with --smtp-url.
    #[arg(long, value_name = "MAILBOX", value_parser = mailbox, env = "ORG_INVITATIONS_MAIL_FROM", help_heading = "Mail")]
    pub mail_from: Option<lettre::message::Mailbox>,

    /// An RSA private key (PEM) to sign invitation mail with DKIM, for the --mail-from
    /// address's domain; publish its public key at `<selector>._domainkey.<domain>`.
    #[arg(
        long,
        value_name = "FILE",
        env = "ORG_INVITATIONS_DKIM_KEY",
        help_heading = "Mail",
        requires = "dkim_selector",
        requires = "mail_from"
    )]
    pub dkim_key: Option<PathBuf>,

    /// The DKIM selector the --dkim-key's public key is published under.
    #[arg(
        long,
        value_name = "NAME",
        env = "ORG_INVITATIONS_DKIM_SELECTOR",
        help_heading = "Mail",
        requires = "dkim_key"
    )]
    pub dkim_selector: Option<String>,

    /// After a person accepts, send them on to this page of your application (a button on the
    /// page posts it a ticket: a JWT signed with HS256 under --accept-secret, good for five
    /// minutes, naming the invitation, the address and the organization), so it can add the
    /// member. Without it, the page says the invitation was accepted.
    #[arg(
        long,
        value_name = "URL",
        value_parser = crate::auth::accept_ticket::parse_redirect,
        env = "ORG_INVITATIONS_ACCEPT_REDIRECT",
        help_heading = "Mail",
        requires = "accept_secret"
    )]
    pub accept_redirect: Option<url::Url>,

    /// The secret (32 characters or more, e.g. `openssl rand -hex 32`) that signs the tickets
    /// of --accept-redirect; your application verifies them with it. Prefer the environment
    /// variable: it never shows in the process list.
    #[arg(
        long,
        value_name = "SECRET",
        value_parser = crate::auth::accept_ticket::AcceptSecret::parse,
        env = "ORG_INVITATIONS_ACCEPT_SECRET",
        hide_env_values = true,
        help_heading = "Mail",
        requires = "accept_redirect"
    )]
    pub accept_secret: Option<crate::auth::accept_ticket::AcceptSecret>,

    /// Let webhook endpoints be `http://` to loopback addresses (and `localhost`), for
    /// development and tests; otherwise only public `https://` addresses are taken.
    #[arg(
        long,
        env = "ORG_INVITATIONS_WEBHOOK_ALLOW_HTTP_LOOPBACK",
        help_heading = "Webhooks"
    )]
    pub webhook_allow_http_loopback: bool,

    /// A network webhooks may reach although it is private, link-local or shared (CIDR, e.g.
    /// `10.20.0.0/16` for a receiver inside your network); repeat for several. Everything else
    /// inside stays refused, when an endpoint is added and at every connection.
    #[arg(
        long,
        value_name = "CIDR",
        env = "ORG_INVITATIONS_WEBHOOK_ALLOW_NETWORK",
        value_delimiter = ',',
        help_heading = "Webhooks"
    )]
    pub webhook_allow_network: Vec<ipnet::IpNet>,

    /// The wait before each attempt of a webhook delivery, the first included, until a
    /// receiver answers 2xx; after the last, the delivery has failed.
    #[arg(long, value_name = "WAITS", default_value = "0s,5s,5m,30m,2h,5h,10h,10h", value_parser = crate::delivery::schedule::Schedule::parse, env = "ORG_INVITATIONS_WEBHOOK_RETRY_DELAYS", help_heading = "Webhooks")]
    pub webhook_retry_delays: crate::delivery::schedule::Schedule,

    /// An endpoint whose every delivery has failed for this long (whole seconds, minutes,
    /// hours or days: `90s`, `5d`) is disabled, on record, until an admin resumes it.
    #[arg(long, value_name = "SPAN", default_value = crate::limits::WEBHOOK_DISABLE_AFTER, value_parser = parse_span, env = "ORG_INVITATIONS_WEBHOOK_DISABLE_AFTER", help_heading = "Webhooks")]
    pub webhook_disable_after: std::time::Duration,

    /// Send one reminder, through the same outbox, to each invitation still unanswered this
    /// long before it expires (`2d`; whole seconds, minutes, hours or days), once its own
    /// mail has gone. Off unless given.
    #[arg(long, value_name = "SPAN", value_parser = parse_reminder_span, env = "ORG_INVITATIONS_REMIND_BEFORE", help_heading = "Mail")]
    pub remind_before: Option<std::time::Duration>,

    /// The waits between attempts while a mail server refuses for now (a 4xx answer, no
    /// connection), the last one repeated, until the invitation expires.
    #[arg(long, value_name = "WAITS", default_value = "30s,1m,2m,5m,10m,20m,40m,1h", value_parser = crate::delivery::schedule::Schedule::parse, env = "ORG_INVITATIONS_MAIL_RETRY_DELAYS", help_heading = "Mail")]
    pub mail_retry_delays: crate::delivery::schedule::Schedule,

    /// At most this many invitation mails an hour leave the server (all its instances
    /// together); past it, mail waits and says why.
    #[arg(long, value_name = "N", default_value_t = crate::limits::MAILS_PER_HOUR, value_parser = clap::value_parser!(u32).range(1..), env = "ORG_INVITATIONS_MAX_MAILS_PER_HOUR", help_heading = "Mail")]
    pub max_mails_per_hour: u32,

    /// At most this many invitation mails a day go to one address, resends included; past
    /// it, mail to that address waits and says why.
    #[arg(long, value_name = "N", default_value_t = crate::limits::MAILS_PER_ADDRESS_PER_DAY, value_parser = clap::value_parser!(u32).range(1..), env = "ORG_INVITATIONS_MAX_MAILS_PER_ADDRESS", help_heading = "Mail")]
    pub max_mails_per_address: u32,

    /// The largest `count` a list request may ask for. Lower it to behave like an upstream that
    /// caps pages (the Anyscale SDK asks for at most 50).
    #[arg(long, default_value_t = org_invitations_core::wire::limits::MAX_PAGE_SIZE, value_parser = clap::value_parser!(u32).range(1..=org_invitations_core::wire::limits::MAX_PAGE_SIZE as i64), env = "ORG_INVITATIONS_MAX_PAGE_SIZE", help_heading = "Limits")]
    pub max_page_size: u32,

    /// Seconds a client may take to send a request's headers, and a connection may stay idle
    /// between requests, before it is closed.
    #[arg(long, value_name = "SECONDS", default_value_t = crate::limits::HEADER_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..=3600), env = "ORG_INVITATIONS_HEADER_TIMEOUT", help_heading = "Limits")]
    pub header_timeout: u64,

    /// Seconds a client may take to send a whole request body before it is answered 408.
    #[arg(long, value_name = "SECONDS", default_value_t = crate::limits::BODY_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..=3600), env = "ORG_INVITATIONS_BODY_TIMEOUT", help_heading = "Limits")]
    pub body_timeout: u64,

    /// Changes (creates, revocations, resends) a minute, per identity; beyond that, 429 with
    /// Retry-After.
    #[arg(long, value_name = "PER_MINUTE", default_value_t = crate::limits::WRITES_PER_MINUTE, env = "ORG_INVITATIONS_WRITE_LIMIT", help_heading = "Limits")]
    pub write_limit: NonZeroU32,

    /// Failed authentications a minute per client address (behind the login proxy, the
    /// address it forwards); beyond that, the address is answered 429 until its wait is over.
    #[arg(long, value_name = "PER_MINUTE", default_value_t = crate::limits::AUTH_FAILURES_PER_MINUTE, env = "ORG_INVITATIONS_AUTH_FAILURE_LIMIT", help_heading = "Limits")]
    pub auth_failure_limit: NonZeroU32,

    /// Connections served at once; further ones wait until one closes.
    #[arg(long, value_name = "N", default_value_t = crate::limits::MAX_CONNECTIONS, value_parser = clap::value_parser!(u32).range(1..=1_000_000), env = "ORG_INVITATIONS_MAX_CONNECTIONS", help_heading = "Limits")]
    pub max_connections: u32,

    /// Connections one client address may hold at once; more are closed as they come (the
    /// trusted proxies of --auth-proxy-header are exempt: everyone comes through them).
    #[arg(long, value_name = "N", default_value_t = crate::limits::MAX_CONNECTIONS_PER_CLIENT, value_parser = clap::value_parser!(u32).range(1..=1_000_000), env = "ORG_INVITATIONS_MAX_CONNECTIONS_PER_CLIENT", help_heading = "Limits")]
    pub max_connections_per_client: u32,

    /// Serve metrics in the Prometheus text format at http://ADDR/metrics, on a listener of
    /// their own (off by default; keep it off the public network).
    #[arg(
        long,
        value_name = "ADDR",
        env = "ORG_INVITATIONS_METRICS_ADDR",
        help_heading = "Operations"
    )]
    pub metrics_addr: Option<std::net::SocketAddr>,

    /// How log lines are written to standard error: `text` for people, `json` (one object per
    /// line) for a log pipeline.
    #[arg(
        long,
        value_name = "FORMAT",
        value_enum,
        default_value = "text",
        env = "ORG_INVITATIONS_LOG_FORMAT",
        help_heading = "Operations"
    )]
    pub log_format: LogFormat,
}

/// How log lines are written (`--log-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// For people.
    Text,
    /// One object per line, for a log pipeline.
    Json,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// Named API tokens for scripts and other services (they take effect at once, also on a
    /// running server).
    #[command(subcommand)]
    Tokens(TokensCommand),
    /// Browser sessions (the sign-in link's): end them all.
    #[command(subcommand)]
    Sessions(SessionsCommand),
    /// Print the API contract (OpenAPI 3.1, JSON), as served at /api/openapi.json.
    Openapi,
    /// Copy the data folder's SQLite store, consistently, while the server runs.
    Backup {
        /// The new file to write (never overwritten).
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
    /// Ask the server on this machine whether it is ready (`/readyz`); exit 0 when it is. For
    /// container health checks: the image has no shell or curl.
    Healthcheck {
        /// The server's address (default: the --host and --port it would listen on).
        #[arg(long, value_name = "URL")]
        url: Option<String>,
    },
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum SessionsCommand {
    /// End browser sessions: their next request is refused until they sign in again.
    Revoke {
        /// Every session (the only choice: sessions have no names).
        #[arg(long, required = true)]
        all: bool,
    },
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum TokensCommand {
    /// Make a token and print it, this once.
    Create {
        /// What the token is for, as `ci-bot`.
        name: String,
        /// viewer (list), inviter (also create) or admin (also revoke, read the audit trail).
        #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(["viewer", "inviter", "admin"])
            .map(|name| Role::parse(&name).expect("one of the roles listed")))]
        role: Role,
    },
    /// Names, roles, when made and last used; never the tokens.
    List,
    /// Revoke the token with this name.
    Revoke { name: String },
}

/// A name people will read in the console's header: not blank, one line, at most 100 characters.
impl Config {
    /// Where invitation links point: the first `--public-origin`, without a trailing slash;
    /// `None` when there is none (then the address the server is reached at).
    pub fn link_origin(&self) -> Option<&str> {
        self.public_origins
            .first()
            .map(|origin| origin.trim_end_matches('/'))
    }
}

fn organization_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        Err("the organization name is blank".into())
    } else if name.chars().any(char::is_control) {
        Err("the organization name holds a control character (such as a line break)".into())
    } else if name.chars().count() > 100 {
        Err("the organization name is longer than 100 characters".into())
    } else {
        Ok(name.to_owned())
    }
}

/// A header's name, as a request would carry it.
fn header_name(name: &str) -> Result<axum::http::HeaderName, String> {
    axum::http::HeaderName::try_from(name.trim()).map_err(|_| {
        format!("{name:?} is not a header name (letters, digits and hyphens, as X-Forwarded-For)")
    })
}

/// A mailbox as mail headers write it: `Name <address>` or a bare address.
fn mailbox(text: &str) -> Result<lettre::message::Mailbox, String> {
    text.trim().parse().map_err(|err| {
        format!(
            "{text:?} is no mailbox ({err}): write it as \"Invitations <invitations@corp.example>\""
        )
    })
}

/// A span of time longer than nothing (`90s`, `5d`).
fn parse_span(text: &str) -> Result<std::time::Duration, String> {
    let span = crate::delivery::schedule::span(text)?;
    if span.is_zero() {
        return Err("the span must be longer than nothing".into());
    }
    Ok(span)
}

/// `--remind-before`: a span shorter than an invitation's life.
fn parse_reminder_span(text: &str) -> Result<std::time::Duration, String> {
    let span = parse_span(text)?;
    let lifetime = org_invitations_core::invitation::INVITATION_LIFETIME;
    if chrono::TimeDelta::from_std(span).map_or(true, |span| span >= lifetime) {
        return Err(format!(
            "{text:?} is not shorter than an invitation's life ({} days): a reminder would go \
             with the invitation itself",
            lifetime.num_days()
        ));
    }
    Ok(span)
}
