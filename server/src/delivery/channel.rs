//! Where mail goes: a mail server over SMTP (lettre: pooled connections, TLS by rustls), or,
//! with no mail server configured, `.eml` files in the data folder's `mail/`, so a developer
//! sees what would have been sent and nothing is silently dropped. The channel is one small
//! trait, as Kratos's courier has it.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// A mail server (or the folder) took the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivered {
    /// Accepted by a mail server, with its answer.
    Sent(String),
    /// Written to this file.
    Written(String),
}

/// The message did not go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// For now (a 4xx answer, no connection, a timeout): worth trying again.
    ForNow(String),
    /// For good (a 5xx answer): trying again would not help.
    ForGood(String),
}

/// Something that takes mail.
#[async_trait::async_trait]
pub trait Channel: Send + Sync {
    async fn send(&self, message: Message, name: &str) -> Result<Delivered, Refused>;

    /// Where mail goes, for the start-up line (never a password).
    fn describe(&self) -> String;
}

/// A mail server, by lettre's URL form: `smtps://user:pass@host:465`,
/// `smtp://host:587?tls=required`, `smtp://host:25`.
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    described: String,
}

impl Smtp {
    /// Connects lazily to the server `url` names; `ca` (PEM) is the only authority its TLS
    /// certificate may come from, when given.
    pub fn new(url: &str, ca: Option<&Path>) -> Result<Self, String> {
        let parsed = url::Url::parse(url)
            .map_err(|err| format!("--smtp-url is no URL ({err}): write it as smtp://host:587"))?;
        let host = parsed.host_str().unwrap_or_default().to_owned();
        let described = format!(
            "{}://{}{}",
            parsed.scheme(),
            host,
            parsed
                .port()
                .map(|port| format!(":{port}"))
                .unwrap_or_default()
        );
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|err| format!("--smtp-url {described} cannot be used: {err}"))?;
        if let Some(ca) = ca {
            let pem = std::fs::read(ca)
                .map_err(|err| format!("cannot read --smtp-ca {}: {err}", ca.display()))?;
            let certificate = lettre::transport::smtp::client::Certificate::from_pem(&pem)
                .map_err(|err| format!("--smtp-ca {} is no certificate: {err}", ca.display()))?;
            let tls = lettre::transport::smtp::client::TlsParameters::builder(host)
                .add_root_certificate(certificate)
                .build_rustls()
                .map_err(|err| format!("--smtp-ca {} cannot be used: {err}", ca.display()))?;
            builder = builder.tls(if parsed.scheme() == "smtps" {
                lettre::transport::smtp::client::Tls::Wrapper(tls)
            } else if parsed
                .query_pairs()
                .any(|(name, value)| name == "tls" && value == "required")
            {
                lettre::transport::smtp::client::Tls::Required(tls)
            } else {
                lettre::transport::smtp::client::Tls::Opportunistic(tls)
            });
        }
        Ok(Self {
            transport: builder.timeout(Some(crate::limits::SMTP_TIMEOUT)).build(),
            described,
        })
    }
}

#[async_trait::async_trait]
impl Channel for Smtp {
    async fn send(&self, message: Message, _: &str) -> Result<Delivered, Refused> {
        match self.transport.send(message).await {
            Ok(answer) => Ok(Delivered::Sent(format!(
                "{} {}",
                answer.code(),
                answer.message().collect::<Vec<_>>().join(" ")
            ))),
            Err(err) if err.is_permanent() => Err(Refused::ForGood(err.to_string())),
            Err(err) => Err(Refused::ForNow(err.to_string())),
        }
    }

    fn describe(&self) -> String {
        format!("sent through {}", self.described)
    }
}

/// The data folder's `mail/`, a private folder of `.eml` files.
pub struct Folder {
    folder: PathBuf,
}

impl Folder {
    pub fn new(folder: PathBuf) -> Self {
        Self { folder }
    }
}

#[async_trait::async_trait]
impl Channel for Folder {
    async fn send(&self, message: Message, name: &str) -> Result<Delivered, Refused> {
        let file = self.folder.join(format!("{name}.eml"));
        let bytes = message.formatted();
        let folder = self.folder.clone();
        let written = file.clone();
        // Written aside, then renamed: whoever watches the folder sees whole messages only.
        let partial = self.folder.join(format!(".{name}.eml.part"));
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&folder)?;
            let mut out = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(&partial)?;
            out.write_all(&bytes)?;
            out.sync_all()?;
            std::fs::rename(&partial, &written)
        })
        .await
        .map_err(|err| Refused::ForNow(err.to_string()))?
        .map_err(|err| Refused::ForNow(format!("cannot write {}: {err}", file.display())))?;
        Ok(Delivered::Written(file.display().to_string()))
    }

    fn describe(&self) -> String {
        format!(
            "written to {} (no --smtp-url: nothing leaves this machine)",
            self.folder.display()
        )
    }
}
