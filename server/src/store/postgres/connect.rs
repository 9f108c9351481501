//! Reaching the database: TLS with its certificate always checked, where a configuration
//! points (without its credentials), and what a failure means for the caller.

use std::path::Path;
use std::sync::Arc;

use deadpool_postgres::PoolError;
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::store::StoreError;

/// TLS as the database offers it, always with its certificate checked: against `ca_file`'s
/// certificates when given, else the public roots.
pub(super) fn tls(ca_file: Option<&Path>) -> Result<MakeRustlsConnect, StoreError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    match ca_file {
        Some(path) => {
            let bad = |reason: String| StoreError::BadCa {
                path: path.display().to_string(),
                reason,
            };
            for certificate in
                CertificateDer::pem_file_iter(path).map_err(|err| bad(err.to_string()))?
            {
                let certificate = certificate.map_err(|err| bad(err.to_string()))?;
                roots.add(certificate).map_err(|err| bad(err.to_string()))?;
            }
            if roots.is_empty() {
                return Err(bad("it holds no PEM certificate".into()));
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|err| StoreError::Unavailable(err.to_string()))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

/// Where a configuration points, without its user or password: for messages.
pub fn describe(config: &tokio_postgres::Config) -> String {
    let host = config
        .get_hosts()
        .first()
        .map(|host| match host {
            tokio_postgres::config::Host::Tcp(name) => name.clone(),
            tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".into());
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let database = config.get_dbname().unwrap_or("(the user's)");
    format!("PostgreSQL database {database} on {host}:{port}")
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(err: tokio_postgres::Error) -> Self {
        // Not an answer from the database (a connection that broke or could not be made), or
        // the database saying it is shutting down, starting or out of connections: worth
        // trying again. Anything else is an error of the query itself.
        let unavailable = match err.code() {
            None => err.as_db_error().is_none(),
            Some(code) => matches!(&code.code()[..2], "08" | "53" | "57"),
        };
        if unavailable {
            StoreError::Unavailable(with_causes(&err))
        } else {
            StoreError::Postgres(err)
        }
    }
}

/// An error's message followed by its causes' (a TLS handshake's "invalid peer certificate:
/// UnknownIssuer" is a cause, not the message).
pub(crate) fn with_causes(err: &dyn std::error::Error) -> String {
    let mut message = err.to_string();
    let mut cause = err.source();
    while let Some(next) = cause {
        let said = next.to_string();
        if !message.contains(&said) {
            message.push_str(": ");
            message.push_str(&said);
        }
        cause = next.source();
    }
    message
}

impl From<PoolError> for StoreError {
    fn from(err: PoolError) -> Self {
        // Whatever kept the pool from handing out a connection (none could be made, or none
        // came free in time) is a passing state of the database or the load.
        StoreError::Unavailable(with_causes(&err))
    }
}
