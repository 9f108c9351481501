//! Headless Chromium for end-to-end tests, driven over WebDriver by fantoccini. Each
//! [`Browser`] has its own ChromeDriver, profile and time zone, and ends with the test.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The WebDriver client the browser is driven by, for what the helpers here do not do.
pub use fantoccini;
use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use testkit::selectors;

pub mod fault_proxy;
pub mod login_proxy;
mod relay;

/// How long any one condition may take to come true before the test fails.
pub const WAIT: Duration = Duration::from_secs(20);

/// Waits until `probe` gives `expected`, asking again every few milliseconds; fails the test
/// with the last answer after [`WAIT`].
pub async fn wait_for<T, F>(what: &str, expected: T, mut probe: impl FnMut() -> F)
where
    T: PartialEq + std::fmt::Debug,
    F: std::future::Future<Output = T>,
{
    let started = std::time::Instant::now();
    loop {
        let actual = probe().await;
        if actual == expected {
            return;
        }
        assert!(
            started.elapsed() < WAIT,
            "{what}: still {actual:?}, waiting for {expected:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Every address the server lists, expired ones included, as the API says (not the page).
pub fn listed_emails(server: &testkit::TestServer) -> Vec<String> {
    testkit::Api::new(server)
        .list_all("include_expired=true")
        .iter()
        .map(|invitation| invitation["email"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Waits until one deletion notice reads exactly `expected`.
pub async fn wait_for_notice(browser: &Browser, expected: &str) {
    wait_for(&format!("the notice {expected:?}"), true, || async {
        browser
            .texts_now(selectors::DELETION_NOTICES)
            .await
            .iter()
            .any(|notice| notice == expected)
    })
    .await;
}

/// The Delete button of the row for `email`, once it is there.
pub async fn delete_button(browser: &Browser, email: &str) -> fantoccini::elements::Element {
    let css = format!("button[aria-label='Delete invitation for {email}']");
    browser
        .client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(&css))
        .await
        .expect("the row's Delete button")
}

/// Clicks the row's Delete button and confirms in the dialog.
pub async fn confirm_delete(browser: &Browser, email: &str) {
    delete_button(browser, email)
        .await
        .click()
        .await
        .expect("clicking Delete");
    browser.click_button("Delete").await;
}

/// The one file that appears in `folder` (a download), once it is whole: Chromium may make
/// the file's name empty first and write beside it (`.crdownload`), renaming at the end.
pub async fn wait_for_file(folder: &std::path::Path) -> std::path::PathBuf {
    let whole = || {
        let paths: Vec<_> = std::fs::read_dir(folder)
            .ok()?
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .collect();
        if paths
            .iter()
            .any(|path| path.extension().is_some_and(|ext| ext == "crdownload"))
        {
            return None;
        }
        paths
            .into_iter()
            .find(|path| std::fs::metadata(path).is_ok_and(|meta| meta.len() > 0))
    };
    wait_for("the downloaded file", true, || async { whole().is_some() }).await;
    whole().expect("the downloaded file")
}

/// A browser signed in at `origin` (the server itself, or a proxy in front of it) with
/// `server`'s token, with the list on screen.
pub async fn signed_in_at(origin: &str, server: &testkit::TestServer) -> Browser {
    let browser = Browser::start(BROWSER_TIME_ZONE).await;
    browser
        .client
        .goto(&format!("{origin}/?token={}", server.token))
        .await
        .expect("the sign-in URL");
    browser.text_of(selectors::ROWS).await;
    later_parts_in(&browser).await;
    browser
}

/// Waits until the module of the parts after the list (src/later.rs) has arrived and no part
/// still says it is loading, as it has when a person has looked at the list for a moment.
pub async fn later_parts_in(browser: &Browser) {
    wait_for("the later parts", serde_json::Value::Bool(true), || async {
        browser
            .script(
                "return performance.getEntriesByType('resource')
                    .some((entry) => entry.name.includes('/split_later-') && entry.responseEnd > 0)
                  && !document.querySelector('.oi-later');",
                Vec::new(),
            )
            .await
    })
    .await;
}

/// The invite form's Emails field, once it is on screen (it arrives after the list).
pub async fn invite_field(browser: &Browser) -> fantoccini::elements::Element {
    browser
        .client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("textarea"))
        .await
        .expect("the Emails field")
}

/// Types `text` into the invite form's Emails field.
pub async fn type_emails(browser: &Browser, text: &str) {
    invite_field(browser)
        .await
        .send_keys(text)
        .await
        .expect("typing");
}

/// A browser signed in to `server` through its sign-in URL, with the list on screen.
pub async fn signed_in(server: &testkit::TestServer) -> Browser {
    let browser = Browser::start(BROWSER_TIME_ZONE).await;
    browser
        .client
        .goto(&server.sign_in_url)
        .await
        .expect("the sign-in URL");
    browser.text_of(selectors::ROWS).await;
    later_parts_in(&browser).await;
    browser
}

/// The browser's time zone in the tests. India has no daylight saving time, so its offset is
/// the same on every date a test runs.
pub const BROWSER_TIME_ZONE: &str = "Asia/Kolkata";

/// A proxy in front of `server` that holds back the console's WebAssembly, so a page shows
/// what it shows before the module has run; `browser` opens `path` through it, not waiting for
/// a load that cannot finish. Check afterwards with [`module_was_held_back`].
pub async fn open_with_the_module_held_back(
    browser: &Browser,
    server: &testkit::TestServer,
    path: &str,
) -> fault_proxy::FaultProxy {
    let proxy = fault_proxy::FaultProxy::start(server.port()).await;
    proxy.fail(MAIN_MODULE_REQUEST, fault_proxy::Fault::Hang, 0);
    let _ = tokio::time::timeout(
        Duration::from_secs(5),
        browser.client.goto(&format!("{}{path}", proxy.origin)),
    )
    .await;
    proxy
}

/// Whether the server never answered the module (the proxy held it back all along).
pub fn module_was_held_back(server: &testkit::TestServer) -> bool {
    !server
        .log()
        .lines()
        .any(|line| line.contains("path=/org-invitations_bg-") && line.contains("status=200"))
}

/// How a request for the main module begins: its name carries the build's hash.
pub const MAIN_MODULE_REQUEST: &str = "GET /org-invitations_bg-";
/// How a request for a module fetched after the first rows begins (src/later.rs).
pub const LATER_MODULE_REQUEST: &str = "GET /split_later-";

/// A server with the demo data, serving the release console (`ORG_INVITATIONS_DIST`, which
/// `cargo xtask test` sets, or the workspace's dist/).
pub fn demo_options() -> testkit::ServerOptions {
    testkit::ServerOptions {
        demo: true,
        dist_dir: std::env::var_os("ORG_INVITATIONS_DIST").map(Into::into),
        ..Default::default()
    }
}

pub struct Browser {
    pub client: Client,
    driver: Child,
    /// ChromeDriver's own address, for commands fantoccini does not speak.
    driver_url: String,
    /// The browser's profile and its temporary files, removed with the browser.
    _scratch: tempfile::TempDir,
}

impl Browser {
    /// Starts ChromeDriver and a headless Chromium whose local time zone is `time_zone`
    /// (an IANA name), so tests can check local-time rendering exactly.
    pub async fn start(time_zone: &str) -> Self {
        Self::start_with_args(time_zone, &[]).await
    }

    /// As [`Browser::start`], with more Chromium flags.
    pub async fn start_with_args(time_zone: &str, extra_args: &[&str]) -> Self {
        let chromedriver =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let port = free_port();
        // Chromium leaves folders in the temporary folder (79 MB each when ChromeDriver makes
        // the profile) unless it shuts down cleanly; a failed test does not. Everything it
        // writes goes under one folder of ours, removed when the browser is dropped.
        let scratch = tempfile::tempdir().expect("browser scratch folder");
        let profile = scratch.path().join("profile");
        let temporary = scratch.path().join("tmp");
        std::fs::create_dir(&temporary).expect("browser temporary folder");
        let mut driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .env("TZ", time_zone)
            .env("TMPDIR", &temporary)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|err| {
                panic!(
                    "cannot start {chromedriver}: {err} (run `cargo xtask test`, which installs it)"
                )
            });
        wait_for_line(driver.stdout.take().expect("piped"), "started successfully");

        let mut args = vec![
            "--headless=new".to_owned(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--window-size=1280,900".into(),
            format!("--user-data-dir={}", profile.display()),
        ];
        args.extend(extra_args.iter().map(|arg| arg.to_string()));
        let mut capabilities = Capabilities::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium,
                // What a headless run needs: no sandbox as root, no GPU, and no background
                // connections to hosts the closed network refuses.
                "args": args,
            }),
        );
        let driver_url = format!("http://127.0.0.1:{port}");
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver_url)
            .await
            .expect("a WebDriver session");
        Self {
            client,
            driver,
            driver_url,
            _scratch: scratch,
        }
    }

    /// Waits for an element matching `css` and returns its text (white space folded).
    pub async fn text_of(&self, css: &str) -> String {
        self.texts_of_all(css).await.swap_remove(0)
    }

    /// Texts of every element matching `css` (white space folded), once at least one is there.
    pub async fn texts_of_all(&self, css: &str) -> Vec<String> {
        let started = std::time::Instant::now();
        loop {
            let texts = self.texts_now(css).await;
            if !texts.is_empty() {
                return texts;
            }
            assert!(
                started.elapsed() < WAIT,
                "no element {css} appeared within {WAIT:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Texts of every element matching `css` right now, without waiting for one; white
    /// space folded, as a person reads it.
    pub async fn texts_now(&self, css: &str) -> Vec<String> {
        // Read in one script, so elements re-rendered meanwhile cannot go stale under us.
        let texts = self
            .client
            .execute(
                "return [...document.querySelectorAll(arguments[0])].map(e => e.innerText);",
                vec![css.into()],
            )
            .await
            .expect("read texts");
        let texts: Vec<String> = serde_json::from_value(texts).expect("a list of texts");
        texts
            .into_iter()
            .map(|text| text.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect()
    }

    /// Clicks the button whose text is `label`, once it is there.
    pub async fn click_button(&self, label: &str) {
        let xpath = format!("//button[starts-with(normalize-space(), '{label}')]");
        let button = self
            .client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|err| panic!("no button {label:?} appeared: {err}"));
        button
            .click()
            .await
            .unwrap_or_else(|err| panic!("cannot click {label:?}: {err}"));
    }

    /// The sort button in the header whose label starts with `label`.
    pub async fn header_button(&self, label: &str) -> fantoccini::elements::Element {
        let xpath = format!("//thead//button[starts-with(normalize-space(), '{label}')]");
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|err| panic!("no header {label:?}: {err}"))
    }

    /// Runs an axe-core accessibility scan of the page as it is now and returns the
    /// violations, each as "rule: what (where)".
    pub async fn accessibility_violations(&self) -> Vec<String> {
        let axe = std::fs::read_to_string(axe_core_path()).unwrap_or_else(|err| {
            panic!(
                "cannot read axe-core at {} ({err}); `cargo xtask test` installs it",
                axe_core_path().display()
            )
        });
        self.client
            .execute(&format!("{axe}\nreturn true;"), Vec::new())
            .await
            .expect("axe-core loads");
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] })
                    .then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' (' + v.nodes.map(n => n.target.join(' ')).join(', ') + ')')))
                    .catch(e => done(['axe failed: ' + e]));",
                Vec::new(),
            )
            .await
            .expect("axe-core runs");
        serde_json::from_value(result).expect("a list of violations")
    }

    /// Fails the test with every violation axe-core finds in the page's current `state`.
    pub async fn assert_accessible(&self, state: &str) {
        let violations = self.accessibility_violations().await;
        assert!(
            violations.is_empty(),
            "axe-core found violations in the {state} state:\n{}",
            violations.join("\n")
        );
    }

    /// Makes the browser's network fail every request whose URL matches one of `patterns`
    /// (`*` wildcards); an empty list lifts the block.
    pub async fn block_urls(&self, patterns: &[String]) {
        self.devtools("Network.enable", json!({})).await;
        self.devtools("Network.setBlockedURLs", json!({ "urls": patterns }))
            .await;
    }

    /// From now on, every page records the Content-Security-Policy violations it reports;
    /// [`Browser::csp_violations`] reads them.
    pub async fn record_csp_violations(&self) {
        let source = "window.__cspViolations = [];
            document.addEventListener('securitypolicyviolation',
                e => window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline')));";
        self.devtools(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": source }),
        )
        .await;
    }

    /// From now on, every page records what it logs as errors (console.error and uncaught
    /// errors); [`Browser::page_errors`] reads them.
    pub async fn record_page_errors(&self) {
        let source = "window.__pageErrors = [];
            const original = console.error;
            console.error = (...args) => { window.__pageErrors.push(args.map(String).join(' ')); original(...args); };
            window.addEventListener('error', e => window.__pageErrors.push(String(e.message)));
            window.addEventListener('unhandledrejection', e => window.__pageErrors.push(String(e.reason)));";
        self.devtools(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": source }),
        )
        .await;
    }

    pub async fn page_errors(&self) -> Vec<String> {
        let found = self
            .client
            .execute(
                "return window.__pageErrors || ['not recording'];",
                Vec::new(),
            )
            .await
            .expect("read");
        serde_json::from_value(found).expect("a list")
    }

    pub async fn csp_violations(&self) -> Vec<String> {
        let found = self
            .client
            .execute(
                "return window.__cspViolations || ['not recording'];",
                Vec::new(),
            )
            .await
            .expect("read");
        serde_json::from_value(found).expect("a list")
    }

    /// Saves every download into `folder`, without asking.
    pub async fn download_into(&self, folder: &std::path::Path) {
        self.devtools(
            "Browser.setDownloadBehavior",
            json!({ "behavior": "allow", "downloadPath": folder.display().to_string() }),
        )
        .await;
    }

    /// Makes pages see `prefers-color-scheme: dark` (or light), as a person's system setting would.
    pub async fn prefer_dark(&self, dark: bool) {
        let value = if dark { "dark" } else { "light" };
        self.devtools(
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-color-scheme", "value": value }] }),
        )
        .await;
    }

    /// Runs `body` in the page (its `arguments` are `args`) and returns what it returns; a
    /// script that throws fails the test, naming the script.
    pub async fn script(&self, body: &str, args: Vec<serde_json::Value>) -> serde_json::Value {
        self.client
            .execute(body, args)
            .await
            .unwrap_or_else(|err| panic!("{body}: {err}"))
    }

    /// Saves what the browser shows as `target/screenshots/NAME.png`, for the docs (`docs/screenshots/`).
    pub async fn save_screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("a screenshot");
        let folder = testkit::workspace_root().join("target/screenshots");
        std::fs::create_dir_all(&folder).expect("the screenshots folder");
        std::fs::write(folder.join(format!("{name}.png")), png).expect("the screenshot saved");
    }

    /// The role assistive technology is given for the first element matching `css` (the
    /// browser's own computation, WebDriver's "Get Computed Role").
    pub async fn computed_role(&self, css: &str) -> String {
        let element = self
            .client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|err| panic!("no element {css}: {err}"));
        let session = self.session_id().await;
        let url = format!(
            "{}/session/{session}/element/{}/computedrole",
            self.driver_url,
            element.element_id()
        );
        let reply = tokio::task::spawn_blocking(move || {
            ureq::get(&url)
                .call()
                .map_err(|err| err.to_string())
                .and_then(|reply| {
                    reply
                        .into_body()
                        .read_json::<serde_json::Value>()
                        .map_err(|err| err.to_string())
                })
        })
        .await
        .expect("task")
        .expect("ChromeDriver answers the computed role");
        reply["value"].as_str().expect("a role").to_owned()
    }

    /// The WebDriver session's id, for commands sent to ChromeDriver directly.
    async fn session_id(&self) -> String {
        self.client
            .session_id()
            .await
            .expect("session")
            .expect("a session id")
            .to_string()
    }

    /// A Chrome DevTools command, through ChromeDriver's bridge (fantoccini does not speak it).
    /// Sends a Chrome DevTools Protocol command to the page's browser.
    pub async fn devtools(&self, command: &str, params: serde_json::Value) {
        let session = self.session_id().await;
        let url = format!("{}/session/{session}/goog/cdp/execute", self.driver_url);
        let body = json!({ "cmd": command, "params": params });
        let reply =
            tokio::task::spawn_blocking(move || ureq::post(&url).send_json(&body).map(|_| ()))
                .await
                .expect("task");
        assert!(reply.is_ok(), "ChromeDriver refused {command}: {reply:?}");
    }

    /// Ends the session and the driver.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // A failed test never reaches close(); do not leave the driver behind.
        let _ = self.driver.kill();
    }
}

/// axe-core from npm, where `cargo xtask test` installs it, unless `AXE_CORE` names the file.
fn axe_core_path() -> std::path::PathBuf {
    std::env::var_os("AXE_CORE")
        .map(Into::into)
        .unwrap_or_else(|| {
            testkit::workspace_root().join("target/tools/npm/node_modules/axe-core/axe.min.js")
        })
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

fn wait_for_line(stdout: std::process::ChildStdout, needle: &'static str) {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains(needle) {
                let _ = sender.send(());
            }
        }
    });
    receiver
        .recv_timeout(WAIT)
        .unwrap_or_else(|_| panic!("ChromeDriver did not start within {WAIT:?}"));
}
