//! A real mail server on loopback for the tests: Debian's aiosmtpd (`python3-aiosmtpd`, which
//! `cargo xtask test` installs), run by `testkit/smtp/server.py`, scripted to refuse on
//! demand, and the messages it accepted, parsed by a MIME parser (mail-parser).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Debian's interpreter, the one that sees Debian's python3-aiosmtpd.
const PYTHON: &str = "/usr/bin/python3";

/// A running mail server, stopped when dropped.
pub struct SmtpServer {
    child: Child,
    pub port: u16,
    folder: tempfile::TempDir,
    /// The authority its STARTTLS certificate comes from (PEM), when it offers STARTTLS.
    pub ca: Option<PathBuf>,
}

/// A message the server accepted.
#[derive(Debug, Clone)]
pub struct Received {
    pub raw: Vec<u8>,
    pub subject: String,
    pub from: String,
    pub to: Vec<String>,
    pub text: String,
    pub html: String,
    /// Header names and values as they came, in order.
    pub headers: Vec<(String, String)>,
}

impl Received {
    /// The first value of the header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(header, _)| header.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

impl SmtpServer {
    /// Listens on a free loopback port.
    pub fn start() -> Self {
        Self::launch(free_port(), false)
    }

    /// Listens on `port` (one a server under test was already told about).
    pub fn start_on(port: u16) -> Self {
        Self::launch(port, false)
    }

    /// Offers STARTTLS, with a certificate for 127.0.0.1 from an authority of its own, and
    /// refuses MAIL before it.
    pub fn start_with_starttls() -> Self {
        Self::launch(free_port(), true)
    }

    fn launch(port: u16, tls: bool) -> Self {
        let folder = tempfile::tempdir().expect("a folder for received mail");
        let script = crate::workspace_root().join("testkit/smtp/server.py");
        let mut command = Command::new(PYTHON);
        command
            .arg(&script)
            .arg(port.to_string())
            .arg(folder.path());
        let mut ca = None;
        if tls {
            let (cert, key, authority) = certificates(folder.path());
            command.arg(cert).arg(key);
            ca = Some(authority);
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Debian's python3 runs (cargo xtask test installs python3-aiosmtpd)");
        let mut ready = String::new();
        BufReader::new(child.stdout.take().expect("its output"))
            .read_line(&mut ready)
            .expect("the mail server says it is ready");
        assert_eq!(
            ready.trim(),
            "ready",
            "the mail server did not start: is python3-aiosmtpd installed?"
        );
        Self {
            child,
            port,
            folder,
            ca,
        }
    }

    /// `smtp://127.0.0.1:PORT`, plain.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The next answers to `address`, one per attempt ("451 4.3.0 Try again later"); once
    /// used up, the address is accepted.
    pub fn answer(&self, address: &str, answers: &[&str]) {
        std::fs::write(
            self.folder.path().join("answers").join(address),
            answers.join("\n"),
        )
        .expect("the script of answers");
    }

    /// The files of the messages accepted so far, in the order they came (named by time).
    fn files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.folder.path().join("received"))
            .expect("the received folder")
            .map(|entry| entry.expect("an entry").path())
            .filter(|path| path.extension().is_some_and(|extension| extension == "eml"))
            .collect();
        files.sort();
        files
    }

    /// Every message accepted so far, in the order they came.
    pub fn received(&self) -> Vec<Received> {
        self.files()
            .iter()
            .map(|file| parse(std::fs::read(file).expect("a received message")))
            .collect()
    }

    /// How many messages it accepted so far (without reading them).
    pub fn count(&self) -> usize {
        self.files().len()
    }

    /// Waits up to `within` for `count` messages, then returns them all.
    pub fn wait_for(&self, count: usize, within: Duration) -> Vec<Received> {
        let started = Instant::now();
        loop {
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            assert!(
                started.elapsed() < within,
                "{} of {count} messages arrived within {within:?}",
                received.len()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether `raw`'s DKIM signature verifies with dkimpy (Debian's python3-dkim, the reference
/// verifier), the public key in `public_pem` being published at `name`
/// (`selector._domainkey.domain`).
pub fn dkim_verifies(raw: &[u8], name: &str, public_pem: &Path) -> bool {
    use std::io::Write;
    let script = crate::workspace_root().join("testkit/smtp/dkim_verify.py");
    let mut child = Command::new(PYTHON)
        .arg(script)
        .arg(name)
        .arg(public_pem)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("Debian's python3 runs");
    child
        .stdin
        .take()
        .expect("its input")
        .write_all(raw)
        .expect("the message written");
    let output = child.wait_with_output().expect("dkimpy ends");
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "dkimpy failed (is python3-dkim installed?): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    said.trim() == "verified"
}

/// A message as a MIME parser reads it.
pub fn parse(raw: Vec<u8>) -> Received {
    let parsed = mail_parser::MessageParser::default()
        .parse(&raw)
        .expect("a MIME message");
    let address_list = |address: Option<&mail_parser::Address<'_>>| -> Vec<String> {
        address
            .map(|address| {
                address
                    .iter()
                    .filter_map(|addr| addr.address().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let headers = parsed
        .headers()
        .iter()
        .map(|header| {
            let value = String::from_utf8_lossy(
                &raw[header.offset_start as usize..header.offset_end as usize],
            )
            .trim()
            .to_owned();
            (header.name().to_owned(), value)
        })
        .collect();
    Received {
        subject: parsed.subject().unwrap_or_default().to_owned(),
        from: address_list(parsed.from()).join(", "),
        to: address_list(parsed.to()),
        text: parsed.body_text(0).unwrap_or_default().into_owned(),
        html: parsed.body_html(0).unwrap_or_default().into_owned(),
        headers,
        raw,
    }
}

/// A certificate for 127.0.0.1 and its key, signed by an authority of their own, written to
/// `folder`: (certificate, key, authority).
fn certificates(folder: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let mut authority = rcgen::CertificateParams::new(Vec::<String>::new()).expect("parameters");
    authority.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    authority
        .distinguished_name
        .push(rcgen::DnType::CommonName, "org-invitations test authority");
    let authority_key = rcgen::KeyPair::generate().expect("a key");
    let authority = authority.self_signed(&authority_key).expect("an authority");
    let mut server =
        rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()]).expect("parameters");
    server
        .distinguished_name
        .push(rcgen::DnType::CommonName, "127.0.0.1");
    let server_key = rcgen::KeyPair::generate().expect("a key");
    let server = server
        .signed_by(&server_key, &authority, &authority_key)
        .expect("a certificate");
    let written = |name: &str, pem: String| {
        let path = folder.join(name);
        std::fs::write(&path, pem).expect("a PEM file");
        path
    };
    (
        written("server.pem", server.pem()),
        written("server.key", server_key.serialize_pem()),
        written("authority.pem", authority.pem()),
    )
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}
