//! A plain static file server (`python3 -m http.server`) on a free loopback port: a page on
//! another origin, or an upstream that answers whatever files it is given.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Stopped, and its folder removed, when dropped.
pub struct StaticHost {
    child: Child,
    /// `http://127.0.0.1:<port>`
    pub origin: String,
    folder: tempfile::TempDir,
}

impl StaticHost {
    /// Serves an empty folder; [`StaticHost::put`] adds files.
    pub fn start() -> Self {
        let folder = tempfile::tempdir().expect("a folder to serve");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new("python3")
            .args([
                "-m",
                "http.server",
                "--bind",
                "127.0.0.1",
                &port.to_string(),
                "--directory",
            ])
            .arg(folder.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 serves static files");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "the static host did not start"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        Self {
            child,
            origin: format!("http://127.0.0.1:{port}"),
            folder,
        }
    }

    /// Writes `contents` at `path` under the served folder (folders created as needed).
    pub fn put(&self, path: &str, contents: impl AsRef<[u8]>) {
        let file = self.folder.path().join(path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent).expect("folders under the served one");
        }
        std::fs::write(&file, contents).expect("a served file");
    }
}

impl Drop for StaticHost {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
