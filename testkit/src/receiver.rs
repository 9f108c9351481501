//! A webhook receiver on a free loopback port: it keeps every request it is sent (headers and
//! body, as they came) and answers as a test tells it (a status, late, or a redirect); and
//! the Standard Webhooks reference verifier (PyPI's `standardwebhooks`, an implementation
//! independent of the server's) to check what it received.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One request as the receiver got it.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    /// Header names in lower case.
    pub headers: BTreeMap<String, String>,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", String::as_str)
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

/// How the receiver answers.
#[derive(Debug, Clone)]
pub enum Answer {
    Status(u16),
    /// The status, after the wait.
    Late(Duration, u16),
    /// 307 to this location.
    Redirect(String),
    /// The status with a body of this many bytes.
    Long(u16, usize),
}

/// Stops listening when dropped (its threads end with the test).
pub struct Receiver {
    /// `http://127.0.0.1:<port>`
    pub origin: String,
    received: Arc<Mutex<Vec<Received>>>,
    answer: Arc<Mutex<Answer>>,
}

impl Receiver {
    /// Listening, answering 200.
    pub fn start() -> Self {
        Self::start_on(TcpListener::bind("127.0.0.1:0").expect("a free loopback port"))
    }

    /// Listening on `listener` (a port chosen before, for a receiver that comes back).
    pub fn start_on(listener: TcpListener) -> Self {
        let origin = format!(
            "http://127.0.0.1:{}",
            listener.local_addr().expect("an address").port()
        );
        let received = Arc::new(Mutex::new(Vec::new()));
        let answer = Arc::new(Mutex::new(Answer::Status(200)));
        let (kept, answering) = (received.clone(), answer.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (kept, answering) = (kept.clone(), answering.clone());
                std::thread::spawn(move || serve(stream, &kept, &answering));
            }
        });
        Self {
            origin,
            received,
            answer,
        }
    }

    /// Answers every request from now on as `answer` says.
    pub fn answer(&self, answer: Answer) {
        *self.answer.lock().unwrap() = answer;
    }

    /// Everything received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits up to `within` for `count` requests; all received by then.
    pub fn wait_for(&self, count: usize, within: Duration) -> Vec<Received> {
        let started = Instant::now();
        loop {
            let received = self.received();
            if received.len() >= count || started.elapsed() > within {
                return received;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn serve(stream: TcpStream, kept: &Mutex<Vec<Received>>, answer: &Mutex<Answer>) {
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(stream) => stream,
        Err(_) => return,
    });
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let mut parts = line.split_whitespace();
    let (method, path) = (
        parts.next().unwrap_or_default().to_owned(),
        parts.next().unwrap_or_default().to_owned(),
    );
    let mut headers = BTreeMap::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).is_err() || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|length| length.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    kept.lock().unwrap().push(Received {
        method,
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let answer = answer.lock().unwrap().clone();
    let (status, extra, text) = match answer {
        Answer::Status(status) => (status, String::new(), format!("answer {status}")),
        Answer::Late(wait, status) => {
            std::thread::sleep(wait);
            (status, String::new(), format!("answer {status}"))
        }
        Answer::Redirect(location) => (
            307,
            format!("Location: {location}\r\n"),
            "answer 307".to_owned(),
        ),
        Answer::Long(status, length) => (status, String::new(), "x".repeat(length)),
    };
    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\n{extra}Content-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    );
}

/// The Python of the virtualenv holding PyPI's `standardwebhooks` (`cargo xtask test` installs
/// it and names it in `STANDARDWEBHOOKS_PYTHON`).
pub fn verifier_python() -> String {
    std::env::var("STANDARDWEBHOOKS_PYTHON")
        .expect("STANDARDWEBHOOKS_PYTHON names the verifier's Python: run `cargo xtask test`")
}

/// Verifies `received` against `secret` with the reference verifier: `Ok`, or its refusal.
pub fn verify(secret: &str, received: &Received) -> Result<(), String> {
    let script = "import json, sys\n\
                  from standardwebhooks import Webhook\n\
                  given = json.load(sys.stdin)\n\
                  try:\n    Webhook(given['secret']).verify(given['body'], given['headers'])\n\
                  except Exception as err:\n    print(type(err).__name__, err)\n    sys.exit(1)\n";
    let input = serde_json::json!({
        "secret": secret,
        "body": received.body,
        "headers": received.headers,
    });
    let mut child = std::process::Command::new(verifier_python())
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the verifier's Python runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stdout).trim().to_owned())
    }
}
