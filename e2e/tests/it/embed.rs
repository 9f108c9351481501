//! The console embedded in a host page: the example host (a mock internal console with its
//! own global CSS and two <org-invitations> elements), in headless Chromium.

use e2e::{BROWSER_TIME_ZONE, Browser, demo_options};
use serde_json::{Value, json};
use testkit::selectors;
use testkit::{StaticHost, TestServer};

/// Runs `body` with `root` bound to the shadow root of the element with id `host`.
async fn in_shadow(browser: &Browser, host: &str, body: &str) -> Value {
    let script = format!(
        "const root = document.getElementById(arguments[0])?.shadowRoot; if (!root) return null; {body}"
    );
    browser
        .client
        .execute(&script, vec![json!(host)])
        .await
        .expect("script")
}

async fn rows(browser: &Browser, host: &str) -> usize {
    let count = in_shadow(
        browser,
        host,
        "return root.querySelectorAll('tr.oi-row').length;",
    )
    .await;
    count.as_u64().unwrap_or(0) as usize
}

async fn wait_for_rows(browser: &Browser, host: &str, expected: usize) {
    e2e::wait_for(&format!("rows in {host}"), expected, || rows(browser, host)).await;
}

/// Signs the browser in (the consoles then use its session cookie) and opens the example
/// host page.
async fn open_example_signed_in(browser: &Browser, server: &TestServer) {
    browser.client.goto(&server.sign_in_url).await.unwrap();
    browser.text_of(selectors::ROWS).await;
    browser
        .client
        .goto(&server.url("/example.html"))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn two_consoles_work_side_by_side_in_a_hostile_host_page() {
    let server = TestServer::start_with(demo_options());
    let browser = Browser::start(BROWSER_TIME_ZONE).await;
    browser.record_csp_violations().await;
    browser.record_page_errors().await;
    open_example_signed_in(&browser, &server).await;
    // The host listens once, at the document: the events bubble out of the shadow roots.
    browser
        .client
        .execute(
            "window.__events = [];
             for (const name of ['invitations-created', 'invitations-deleted', 'invitations-error']) {
                 document.addEventListener(name, e => window.__events.push([name, e.target.id, e.detail.emails]));
             }
             return true;",
            Vec::new(),
        )
        .await
        .unwrap();
    wait_for_rows(&browser, "team-a", 5).await;
    wait_for_rows(&browser, "team-b", 5).await;

    // The host keeps its look, and none of it reaches the consoles.
    let host = browser
        .client
        .execute("return [getComputedStyle(document.querySelector('.host-nav')).backgroundColor, getComputedStyle(document.querySelector('h1')).fontFamily];", Vec::new())
        .await
        .unwrap();
    assert_eq!(host[0], "rgb(91, 44, 0)");
    assert!(host[1].as_str().unwrap().contains("Comic Sans"), "{host}");
    let console = in_shadow(
        &browser,
        "team-a",
        "const button = root.querySelector('.oi-button'); const s = getComputedStyle(button);
         return [getComputedStyle(root.querySelector('.oi-console')).display, getComputedStyle(root.querySelector('.oi-console')).fontFamily, s.color, s.borderStyle];",
    )
    .await;
    assert_eq!(
        console[0], "block",
        "the host's `.oi-console {{ display: none }}` stayed out"
    );
    assert!(!console[1].as_str().unwrap().contains("Comic"), "{console}");
    assert_ne!(console[2], "rgb(255, 0, 170)", "{console}");
    assert_ne!(console[3], "dashed", "{console}");

    // Independent: inviting in one leaves the other as it was until it refreshes.
    in_shadow(
        &browser,
        "team-a",
        "const area = root.querySelector('textarea'); area.focus(); document.execCommand('insertText', false, 'embedded@example.com');
         root.querySelector('button[type=submit]').click(); return true;",
    )
    .await;
    wait_for_rows(&browser, "team-a", 6).await;
    assert_eq!(rows(&browser, "team-b").await, 5);
    let events = browser
        .client
        .execute("return window.__events;", Vec::new())
        .await
        .unwrap();
    assert_eq!(
        events,
        json!([["invitations-created", "team-a", ["embedded@example.com"]]])
    );
    in_shadow(&browser, "team-b", "[...root.querySelectorAll('button')].find(b => b.textContent === 'Refresh').click(); return true;").await;
    wait_for_rows(&browser, "team-b", 6).await;

    // A deletion in the other console reaches the host as its own event.
    in_shadow(
        &browser,
        "team-b",
        "root.querySelector(\"button[aria-label='Delete invitation for embedded@example.com']\").click(); return true;",
    )
    .await;
    in_shadow(
        &browser,
        "team-b",
        "root.querySelector('dialog button.oi-danger').click(); return true;",
    )
    .await;
    in_shadow(&browser, "team-b", "[...root.querySelectorAll('button')].find(b => b.textContent === 'Delete now').click(); return true;").await;
    e2e::wait_for(
        "the deletion event",
        json!(["invitations-deleted", "team-b", ["embedded@example.com"]]),
        || async {
            let events = browser
                .client
                .execute("return window.__events;", Vec::new())
                .await
                .unwrap();
            events.get(1).cloned().unwrap_or_default()
        },
    )
    .await;
    wait_for_rows(&browser, "team-b", 5).await;

    // Removing an element tears its console down cleanly; the other carries on.
    browser
        .client
        .execute(
            "document.getElementById('team-a').remove(); return true;",
            Vec::new(),
        )
        .await
        .unwrap();
    in_shadow(&browser, "team-b", "[...root.querySelectorAll('button')].find(b => b.textContent === 'Refresh').click(); return true;").await;
    wait_for_rows(&browser, "team-b", 5).await;
    browser
        .client
        .execute(
            "window.dispatchEvent(new Event('resize')); return true;",
            Vec::new(),
        )
        .await
        .unwrap();

    assert_eq!(browser.page_errors().await, Vec::<String>::new());
    assert_eq!(browser.csp_violations().await, Vec::<String>::new());
    // Last: axe-core itself adds inline styles, which the policy (rightly) reports.
    browser.assert_accessible("example host page").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn attributes_choose_read_only_parts_time_zone_and_theme() {
    let server = TestServer::start_with(demo_options());
    let browser = Browser::start(BROWSER_TIME_ZONE).await;
    open_example_signed_in(&browser, &server).await;
    wait_for_rows(&browser, "team-a", 5).await;
    // Hosts add consoles with options, as any element.
    browser
        .client
        .execute(
            "for (const [id, attributes] of [['viewer', {'read-only': '', 'time-zone': 'utc'}], ['inviter', {'parts': 'invite'}]]) {
                 const element = document.createElement('org-invitations');
                 element.id = id;
                 for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
                 document.querySelector('main').append(element);
             }
             document.getElementById('team-b').style.setProperty('--org-invitations-accent', 'rgb(1, 2, 3)');
             return true;",
            Vec::new(),
        )
        .await
        .unwrap();
    wait_for_rows(&browser, "viewer", 5).await;

    let viewer = in_shadow(
        &browser,
        "viewer",
        "const visible = css => [...root.querySelectorAll(css)].filter(e => e.offsetParent !== null).length;
         return [visible('textarea'), visible('button.oi-delete'), visible('input[type=checkbox][aria-label^=Select]'),
                 root.querySelector('.oi-zone input:checked').parentElement.textContent.trim()];",
    )
    .await;
    assert_eq!(
        viewer,
        json!([0, 0, 0, "UTC"]),
        "read-only: the list alone, in UTC"
    );

    // The two consoles mount independently: wait for the form, then check no list came too.
    e2e::wait_for("the inviter's form", json!(true), || {
        in_shadow(
            &browser,
            "inviter",
            "return !!root.querySelector('textarea');",
        )
    })
    .await;
    let inviter = in_shadow(
        &browser,
        "inviter",
        "return [!!root.querySelector('textarea'), !!root.querySelector('table')];",
    )
    .await;
    assert_eq!(
        inviter,
        json!([true, false]),
        "parts=\"invite\": the form alone"
    );

    let accent = in_shadow(
        &browser,
        "team-b",
        "return getComputedStyle(root.querySelector('.oi-primary')).backgroundColor;",
    )
    .await;
    assert_eq!(
        accent, "rgb(1, 2, 3)",
        "the host's theme property reached the console"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn a_host_token_provider_is_asked_again_when_its_token_is_refused() {
    let server = TestServer::start_with(demo_options());
    let browser = Browser::start(BROWSER_TIME_ZONE).await;
    // No session cookie: the console authenticates with the host's tokens alone.
    browser
        .client
        .goto(&server.url("/example.html"))
        .await
        .unwrap();
    browser
        .client
        .execute(
            "const [good] = arguments;
             window.__asked = 0;
             const element = document.createElement('org-invitations');
             element.id = 'provided';
             // The first token has expired; the second is good.
             element.tokenProvider = async () => (++window.__asked === 1 ? 'sss_expiredexpiredexpired' : good);
             document.querySelector('main').append(element);
             return true;",
            vec![json!(server.token)],
        )
        .await
        .unwrap();
    wait_for_rows(&browser, "provided", 5).await;
    let asked = browser
        .client
        .execute("return window.__asked;", Vec::new())
        .await
        .unwrap();
    assert_eq!(asked, json!(2), "asked once, then once more after the 401");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn the_readme_snippet_works_pasted_into_a_blank_page_on_another_origin() {
    // The host's origin must be known before the API server starts, to allow it.
    let host = StaticHost::start();
    let host_origin = host.origin.clone();
    let server = TestServer::start_with(testkit::ServerOptions {
        extra_args: vec!["--allow-origin".into(), host_origin.clone()],
        ..demo_options()
    });
    // The embedding guide's snippet, with the token a page on another origin must give.
    let snippet = format!(
        "<!doctype html><title>Blank</title>\n\
         <script type=\"module\" src=\"{base}/org-invitations-element.js\"></script>\n\
         <org-invitations id=\"pasted\" api-base=\"{base}\" token=\"{token}\"></org-invitations>\n",
        base = server.base_url,
        token = server.token
    );
    host.put("blank.html", &snippet);

    let browser = Browser::start(BROWSER_TIME_ZONE).await;
    browser.record_page_errors().await;
    browser
        .client
        .goto(&format!("{host_origin}/blank.html"))
        .await
        .unwrap();
    wait_for_rows(&browser, "pasted", 5).await;
    assert_eq!(browser.page_errors().await, Vec::<String>::new());
    browser.close().await;
}

/// While its module is on its way (held back by a proxy), each embedded console already
/// shows its frame in its shadow root, and the host page is whole around it.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn an_embedded_console_shows_its_frame_while_its_module_loads() {
    let server = TestServer::start_with(demo_options());
    let browser = Browser::start(BROWSER_TIME_ZONE).await;
    let proxy = e2e::open_with_the_module_held_back(&browser, &server, "/example.html").await;
    let hosts: Vec<String> = browser
        .client
        .execute(
            "return [...document.querySelectorAll('org-invitations')].map(host => host.id);",
            Vec::new(),
        )
        .await
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(hosts.len(), 2, "{hosts:?}");
    for host in &hosts {
        e2e::wait_for(
            &format!("the frame in {host}"),
            Value::from("Loading invitations…"),
            || {
                in_shadow(
                    &browser,
                    host,
                    "return root.querySelector('.oi-frame-status')?.textContent ?? null;",
                )
            },
        )
        .await;
    }
    assert!(e2e::module_was_held_back(&server));
    proxy.heal();
    browser.close().await;
}

/// A host that puts the console in a box of its own that scrolls: the list follows that box's
/// scroll (its rows rendered as the box reaches them), and nothing else scrolls.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn in_a_hosts_scrolling_box_the_list_follows_that_box() {
    let host = StaticHost::start();
    let server = TestServer::start_with(testkit::ServerOptions {
        extra_args: vec!["--allow-origin".into(), host.origin.clone()],
        ..demo_options()
    });
    let emails: Vec<String> = (0..400)
        .map(|i| format!("boxed{i:03}@example.com"))
        .collect();
    testkit::Api::new(&server).invite(&emails.iter().map(String::as_str).collect::<Vec<_>>());
    let page = format!(
        "<!doctype html><title>Panel</title>\n\
         <script type=\"module\" src=\"{base}/org-invitations-element.js\"></script>\n\
         <div id=\"panel\" style=\"height: 500px; overflow: auto; border: 1px solid\">\n\
         <org-invitations id=\"boxed\" api-base=\"{base}\" token=\"{token}\"></org-invitations>\n\
         </div>\n",
        base = server.base_url,
        token = server.token
    );
    host.put("panel.html", &page);
    let browser = Browser::start(BROWSER_TIME_ZONE).await;
    browser
        .client
        .goto(&format!("{}/panel.html", host.origin))
        .await
        .unwrap();
    e2e::wait_for("every row counted", Some(406), || async {
        in_shadow(
            &browser,
            "boxed",
            "const table = root.querySelector('.oi-table[aria-rowcount]');
             return root.querySelector('.oi-status') ? null
               : table && Number(table.getAttribute('aria-rowcount'));",
        )
        .await
        .as_u64()
    })
    .await;
    let page_scrolls = browser
        .client
        .execute(
            "return document.scrollingElement.scrollHeight > window.innerHeight;",
            Vec::new(),
        )
        .await
        .unwrap();
    assert_eq!(
        page_scrolls,
        Value::Bool(false),
        "only the host's box scrolls"
    );

    // The host's box scrolled to the list's end: its last row is rendered, inside the box.
    browser
        .client
        .execute(
            "const panel = document.getElementById('panel');
             const list = document.getElementById('boxed').shadowRoot.querySelector('.oi-scroller');
             panel.scrollTop += list.getBoundingClientRect().bottom - panel.getBoundingClientRect().bottom;",
            Vec::new(),
        )
        .await
        .unwrap();
    e2e::wait_for("the last row inside the box", true, || async {
        in_shadow(
            &browser,
            "boxed",
            "const rows = root.querySelectorAll('tr.oi-row'), last = rows[rows.length - 1];
             if (!last || last.getAttribute('aria-rowindex') !== '406') return false;
             const panel = document.getElementById('panel').getBoundingClientRect();
             const box = last.getBoundingClientRect();
             return box.top >= panel.top && box.bottom <= panel.bottom + 1;",
        )
        .await
            == Value::Bool(true)
    })
    .await;
    browser.close().await;
}

/// A host renames a message with the `strings` property, set before the element is defined:
/// the console shows the host's words, and a key it does not know is reported once on the
/// error event, not silently ignored.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn a_hosts_strings_override_messages_and_unknown_keys_are_reported() {
    let host = StaticHost::start();
    let server = TestServer::start_with(testkit::ServerOptions {
        extra_args: vec!["--allow-origin".into(), host.origin.clone()],
        ..demo_options()
    });
    let page = format!(
        "<!doctype html><html lang=\"en\"><title>Worded</title>\n\
         <script type=\"module\" src=\"{base}/org-invitations-element.js\"></script>\n\
         <org-invitations id=\"worded\" api-base=\"{base}\" token=\"{token}\"></org-invitations>\n\
         <script>\n\
           window.reported = [];\n\
           document.addEventListener('invitations-error', (e) => reported.push(e.detail.message));\n\
           document.getElementById('worded').strings = {{\n\
             'list.refresh': 'Reload the list',\n\
             'list.invite_people': 'Add teammates',\n\
             'list.refrsh': 'a typo',\n\
           }};\n\
         </script>\n",
        base = server.base_url,
        token = server.token
    );
    host.put("worded.html", &page);
    let browser = Browser::start(BROWSER_TIME_ZONE).await;
    browser
        .client
        .goto(&format!("{}/worded.html", host.origin))
        .await
        .unwrap();
    wait_for_rows(&browser, "worded", 5).await;
    let buttons = in_shadow(
        &browser,
        "worded",
        "return [...root.querySelectorAll('button')].map(b => b.textContent.trim());",
    )
    .await;
    let buttons: Vec<String> = serde_json::from_value(buttons).unwrap();
    assert!(
        buttons.contains(&"Reload the list".to_owned()),
        "{buttons:?}"
    );
    assert!(!buttons.contains(&"Refresh".to_owned()), "{buttons:?}");
    let reported = browser
        .client
        .execute("return window.reported;", Vec::new())
        .await
        .unwrap();
    let reported: Vec<String> = serde_json::from_value(reported).unwrap();
    assert_eq!(
        reported
            .iter()
            .filter(|message| message.contains("list.refrsh"))
            .count(),
        1,
        "the unknown key reported once: {reported:?}"
    );
    assert!(
        reported
            .iter()
            .all(|message| !message.contains("list.refresh\u{201d}")),
        "the known key is not reported: {reported:?}"
    );
    // The host page's language is its own.
    assert_eq!(
        browser
            .client
            .execute("return document.documentElement.lang;", Vec::new())
            .await
            .unwrap(),
        Value::from("en")
    );
    browser.close().await;
}

/// `mountConsole` called with a `locale` that is not text (a host's mistake): the console is
/// mounted all the same, in the language that comes next, and the host is told once.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn mount_console_passes_over_a_locale_that_is_not_text_and_says_so() {
    let host = StaticHost::start();
    let server = TestServer::start_with(testkit::ServerOptions {
        extra_args: vec!["--allow-origin".into(), host.origin.clone()],
        ..demo_options()
    });
    let page = format!(
        "<!doctype html><html lang=\"de\"><title>Called</title>\n\
         <div id=\"called\"></div>\n\
         <script type=\"module\">\n\
           window.reported = [];\n\
           window.thrown = [];\n\
           document.addEventListener('invitations-error', (e) => reported.push(e.detail.message));\n\
           const {{ mountConsole }} = await import('{base}/org-invitations-element.js');\n\
           try {{\n\
             mountConsole(document.getElementById('called'), {{ apiBase: '{base}', token: '{token}', locale: 42 }});\n\
           }} catch (error) {{ thrown.push(String(error)); }}\n\
         </script>\n",
        base = server.base_url,
        token = server.token
    );
    host.put("called.html", &page);
    let browser = Browser::start(BROWSER_TIME_ZONE).await;
    browser
        .client
        .goto(&format!("{}/called.html", host.origin))
        .await
        .unwrap();
    let script = |body: &'static str| {
        let client = browser.client.clone();
        async move { client.execute(body, Vec::new()).await.unwrap() }
    };
    e2e::wait_for("rows in the called console", true, || async {
        script("return document.querySelectorAll('#called tr.oi-row').length >= 5;").await
            == Value::from(true)
    })
    .await;
    assert_eq!(script("return window.thrown;").await, json!([]));
    // The page kept no handle: the console stays through garbage collection (Chromium
    // collected it within this test before the loader held mounted consoles).
    script("if (window.gc) { gc(); } return true;").await;
    assert_eq!(
        script("return document.querySelector('#called .oi-console')?.lang ?? 'gone';").await,
        Value::from("de"),
        "still mounted, in the language the page inherits"
    );
    e2e::wait_for("the host is told", true, || async {
        let reported = script("return window.reported;").await;
        let reported: Vec<String> = serde_json::from_value(reported).unwrap();
        reported
            .iter()
            .filter(|message| message.contains("locale"))
            .count()
            == 1
    })
    .await;
    browser.close().await;
}
