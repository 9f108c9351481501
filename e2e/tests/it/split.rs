//! The console in two modules (src/later.rs, docs/size.md "Split"): the list needs only the
//! main one; the rest arrives after the first rows, says so while someone waits for it, says
//! so when it cannot be fetched, and never comes from another build than the page's.

use e2e::fault_proxy::{Fault, FaultProxy};
use e2e::{BROWSER_TIME_ZONE, Browser, LATER_MODULE_REQUEST, demo_options, wait_for};
use fantoccini::Locator;
use serde_json::{Value, json};
use testkit::{ServerOptions, StaticHost, TestServer, selectors};

/// The requests the server answered for the later module, as `path status` pairs.
fn later_module_answers(server: &TestServer) -> Vec<String> {
    server
        .log()
        .lines()
        .filter(|line| line.contains("path=/split_later-"))
        .filter_map(|line| {
            let path = line.split("path=").nth(1)?.split_whitespace().next()?;
            let status = line.split("status=").nth(1)?.split_whitespace().next()?;
            Some(format!("{path} {status}"))
        })
        .collect()
}

/// Opens the console through `proxy`, signed in with `server`'s token, and waits for rows.
async fn open_through(proxy: &FaultProxy, server: &TestServer) -> Browser {
    let browser = Browser::start(BROWSER_TIME_ZONE).await;
    browser.record_page_errors().await;
    browser
        .client
        .goto(&format!("{}/?token={}", proxy.origin, server.token))
        .await
        .unwrap();
    browser.text_of(selectors::ROWS).await;
    browser
}

async fn text_or_null(browser: &Browser, css: &str) -> Value {
    browser
        .script(
            "return document.querySelector(arguments[0])?.textContent ?? null;",
            vec![json!(css)],
        )
        .await
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn the_first_rows_need_only_the_main_module_and_a_click_before_the_rest_waits_visibly() {
    let server = TestServer::start_with(demo_options());
    let proxy = FaultProxy::start(server.port()).await;
    proxy.fail(LATER_MODULE_REQUEST, Fault::Hold, 0);
    let browser = open_through(&proxy, &server).await;
    assert_eq!(browser.texts_of_all(selectors::ROWS).await.len(), 5);
    assert_eq!(
        later_module_answers(&server),
        Vec::<String>::new(),
        "the rows are on screen with the later module still held back"
    );
    // The invite form holds its place, saying it is on its way.
    assert_eq!(
        text_or_null(&browser, ".oi-later").await,
        json!("Loading…"),
        "the invite form's place"
    );
    // Delete, before the dialog's module is in: a pending state, not nothing.
    e2e::delete_button(&browser, "grace.hopper@example.com")
        .await
        .click()
        .await
        .unwrap();
    wait_for("a pending state under the list", 2, || async {
        browser
            .script(
                "return [...document.querySelectorAll('.oi-later[role=status]')]
                    .filter((part) => part.textContent === 'Loading…').length;",
                Vec::new(),
            )
            .await
            .as_u64()
            .unwrap_or(0)
    })
    .await;
    browser.assert_accessible("parts on their way").await;

    proxy.heal();
    wait_for("the dialog, open, naming the address", true, || async {
        browser
            .script(
                "const dialog = document.querySelector('dialog[open]');
                 return !!dialog && dialog.textContent.includes('grace.hopper@example.com');",
                Vec::new(),
            )
            .await
            == json!(true)
    })
    .await;
    e2e::invite_field(&browser).await;
    assert_eq!(text_or_null(&browser, ".oi-later").await, Value::Null);
    assert_eq!(browser.page_errors().await, Vec::<String>::new());
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn a_module_that_cannot_be_fetched_says_so_and_retry_brings_it() {
    let server = TestServer::start_with(demo_options());
    let proxy = FaultProxy::start(server.port()).await;
    proxy.fail(LATER_MODULE_REQUEST, Fault::ServerError, 0);
    let browser = open_through(&proxy, &server).await;
    wait_for(
        "the invite form's place saying it could not be loaded",
        json!("This part of the console could not be loaded. Retry"),
        || text_or_null(&browser, ".oi-later-failed"),
    )
    .await;
    // The list, which needs nothing more, works on.
    assert_eq!(browser.texts_of_all(selectors::ROWS).await.len(), 5);
    browser
        .assert_accessible("a part that could not be loaded")
        .await;

    proxy.heal();
    browser
        .client
        .find(Locator::Css(".oi-later-failed button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    e2e::invite_field(&browser).await;
    assert_eq!(
        text_or_null(&browser, ".oi-later-failed").await,
        Value::Null
    );
    // A failed fetch is an answer, not a crash: the splitter's loader logs each failed fetch
    // (once: the parts share one), and nothing else went wrong.
    assert_eq!(
        browser.page_errors().await,
        vec!["TypeError: Failed to execute 'compile' on 'WebAssembly': HTTP status code is not ok"]
    );
    browser.close().await;
}

/// Copies the built console (without its precompressed twins, so the copy is served as it
/// is) into `folder`.
fn copy_dist(folder: &std::path::Path) {
    let dist = std::env::var_os("ORG_INVITATIONS_DIST")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| testkit::workspace_root().join("dist"));
    for entry in std::fs::read_dir(&dist).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type().unwrap().is_file() && !name.ends_with(".br") && !name.ends_with(".gz")
        {
            std::fs::copy(entry.path(), folder.join(&name)).unwrap();
        }
    }
}

/// What a deployment of another build does to the served folder: every file named by its
/// content gets the new build's name, and the pages name the new files.
fn deploy_another_build(folder: &std::path::Path, old: &str, new: &str) {
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".js") || name.ends_with(".html") {
            let text = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, text.replace(old, new)).unwrap();
        }
        if name.contains(old) {
            std::fs::rename(&path, folder.join(name.replace(old, new))).unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn a_page_of_one_build_never_fetches_a_module_of_another() {
    let served = tempfile::tempdir().unwrap();
    copy_dist(served.path());
    let server = TestServer::start_with(ServerOptions {
        dist_dir: Some(served.path().to_owned()),
        ..demo_options()
    });
    let proxy = FaultProxy::start(server.port()).await;
    proxy.fail(LATER_MODULE_REQUEST, Fault::Hold, 0);
    let browser = open_through(&proxy, &server).await;
    let old = browser
        .script(
            "return document.querySelector('link[rel=modulepreload]').href.match(/-([0-9a-f]{16})\\.js$/)[1];",
            Vec::new(),
        )
        .await;
    let old = old
        .as_str()
        .expect("the page names its glue by the build's hash");
    let new = "0123456789abcdef";
    assert_ne!(old, new);

    deploy_another_build(served.path(), old, new);
    proxy.heal();
    wait_for(
        "the old page saying its part could not be loaded",
        json!("This part of the console could not be loaded. Retry"),
        || text_or_null(&browser, ".oi-later-failed"),
    )
    .await;
    assert_eq!(
        later_module_answers(&server),
        vec![format!("/split_later-{old}.wasm 404")],
        "the old page asked for its own build's module only"
    );

    // A new page is the new build, whole.
    browser.client.refresh().await.unwrap();
    browser.text_of(selectors::ROWS).await;
    e2e::invite_field(&browser).await;
    assert_eq!(
        later_module_answers(&server).last().cloned(),
        Some(format!("/split_later-{new}.wasm 200"))
    );
    assert_eq!(browser.page_errors().await, Vec::<String>::new());
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn an_embedded_console_on_another_origin_loads_its_parts_under_the_documented_policy() {
    let host = StaticHost::start();
    let server = TestServer::start_with(ServerOptions {
        extra_args: vec!["--allow-origin".into(), host.origin.clone()],
        ..demo_options()
    });
    // docs/embedding.md: the strict policy, with the console's origin added where it is another.
    let base = &server.base_url;
    let page = format!(
        "<!doctype html><title>Host</title>\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'; \
         script-src 'self' 'wasm-unsafe-eval' {base}; style-src 'self' {base}; connect-src 'self' {base}\">\n\
         <script type=\"module\" src=\"{base}/org-invitations-element.js\"></script>\n\
         <org-invitations id=\"hosted\" api-base=\"{base}\" token=\"{token}\"></org-invitations>\n",
        token = server.token
    );
    host.put("host.html", &page);
    let browser = Browser::start(BROWSER_TIME_ZONE).await;
    browser.record_csp_violations().await;
    browser.record_page_errors().await;
    browser
        .client
        .goto(&format!("{}/host.html", host.origin))
        .await
        .unwrap();
    wait_for(
        "the invite form in the host's page",
        json!(true),
        || async {
            browser
                .script(
                    "const root = document.getElementById('hosted')?.shadowRoot;
                 return !!root && root.querySelectorAll('tr.oi-row').length === 5
                   && !!root.querySelector('textarea');",
                    Vec::new(),
                )
                .await
        },
    )
    .await;
    let answers = later_module_answers(&server);
    assert_eq!(answers.len(), 1, "{answers:?}");
    assert!(answers[0].ends_with(" 200"), "{answers:?}");
    assert_eq!(browser.csp_violations().await, Vec::<String>::new());
    assert_eq!(browser.page_errors().await, Vec::<String>::new());
    browser.close().await;
}
