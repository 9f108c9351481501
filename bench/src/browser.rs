//! The console in headless Chromium with 10,000 invitations on the real server, beside a
//! hand-written vanilla-JS table page (bench/vanilla) over the same data in the same run.

use std::path::Path;
use std::time::Duration;

use e2e::Browser;
use serde_json::{Value, json};
use testkit::{Api, ServerOptions, TestServer};

use crate::report::{median, ms};

/// The page size the Anyscale SDK asks for, and the most its API answers.
const SDK_PAGE_SIZE: usize = 50;

pub struct Plan {
    pub rows: usize,
    pub repetitions: usize,
}

struct Page {
    name: &'static str,
    path: &'static str,
    /// A JS expression that is true once the first rows are on screen.
    first_rows: &'static str,
    /// A JS expression that is true once every row is loaded and the list is on screen.
    ready: &'static str,
    /// A JS expression that is true once every part of the page is there to use (the
    /// console's later module in: its invite form).
    interactive: &'static str,
    /// The cell holding the first shown row's id.
    first_id: &'static str,
}

const PAGES: [Page; 2] = [
    Page {
        name: "console",
        path: "/",
        first_rows: "document.querySelector('.oi-table tbody tr.oi-row') !== null",
        ready: "document.querySelector('.oi-table tbody tr.oi-row') !== null && document.querySelector('.oi-status') === null",
        interactive: "document.querySelector('.oi-table tbody tr.oi-row') !== null && document.querySelector('textarea') !== null",
        first_id: ".oi-table tbody tr.oi-row td.oi-id .oi-id-full",
    },
    Page {
        name: "vanilla JS",
        path: "/vanilla/index.html",
        first_rows: "document.querySelector('#table tbody tr') !== null",
        ready: "document.querySelector('#status').textContent.endsWith(' invitations')",
        // The page has nothing to load after its rows.
        interactive: "document.querySelector('#table tbody tr') !== null",
        first_id: "#table tbody tr:not([hidden]) td",
    },
];

/// What one page measured, in milliseconds (heap in bytes).
#[derive(Default)]
struct Figures {
    first_rows: Vec<Duration>,
    interactive: Vec<Duration>,
    load: Vec<Duration>,
    /// On a slow link with nothing cached: the first rows, and every part there to use.
    slow_first_rows: Vec<Duration>,
    slow_interactive: Vec<Duration>,
    /// Click to the DOM holding the new order (script work only).
    sort_work: Vec<Duration>,
    /// Click to the next frame painted with it.
    sort: Vec<Duration>,
    keystroke_work: Vec<Duration>,
    keystroke: Vec<Duration>,
    heap: Vec<Duration>,
}

pub fn run(plan: Plan, dist: &Path) {
    let site = tempfile::tempdir().expect("site folder");
    copy_dir(dist, site.path());
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("vanilla"),
        &site.path().join("vanilla"),
    );
    // Pages of 50, as the Anyscale API caps them: 200 requests for 10,000 invitations.
    let server = TestServer::start_with(ServerOptions {
        dist_dir: Some(site.path().to_owned()),
        extra_args: vec!["--max-page-size".into(), SDK_PAGE_SIZE.to_string()],
        ..Default::default()
    });
    let api = Api::new(&server);
    let emails: Vec<String> = (0..plan.rows)
        .map(|i| format!("user{i:05}@example.com"))
        .collect();
    api.invite_all(&emails);

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let figures = runtime.block_on(async {
        // `gc()` collects before the heap is read: what a page keeps, not what it has yet to
        // collect.
        let browser = Browser::start_with_args(
            "UTC",
            &["--enable-precise-memory-info", "--js-flags=--expose-gc"],
        )
        .await;
        // On the slow link the vanilla page shows nothing before every page is in: minutes.
        browser
            .client
            .update_timeouts(e2e::fantoccini::wd::TimeoutConfiguration::new(
                Some(Duration::from_secs(300)),
                Some(Duration::from_secs(300)),
                None,
            ))
            .await
            .expect("timeouts");
        browser
            .client
            .goto(&server.sign_in_url)
            .await
            .expect("sign in");
        let mut figures: Vec<Figures> = PAGES.iter().map(|_| Figures::default()).collect();
        // Alternate pages, so drift in the machine's state affects both alike.
        for _ in 0..plan.repetitions {
            for (page, figures) in PAGES.iter().zip(figures.iter_mut()) {
                measure(&browser, &server, page, figures).await;
                measure_slow_link(&browser, &server, page, figures).await;
            }
        }
        let typing = measure_invite_typing(&browser, &server, plan.repetitions).await;
        browser.close().await;
        (figures, typing)
    });
    let (figures, (mut console_typing, mut plain_typing)) = figures;

    println!(
        "\n### Console in headless Chromium: {} invitations in pages of {SDK_PAGE_SIZE}, {} runs, medians\n",
        plan.rows, plan.repetitions
    );
    println!("| measurement | console | vanilla JS (same run) | ratio |");
    println!("|---|---|---|---|");
    let [mut console, mut vanilla] = <[Figures; 2]>::try_from(figures).ok().expect("two pages");
    for (what, a, b) in [
        (
            "navigation to the first rows painted",
            &mut console.first_rows,
            &mut vanilla.first_rows,
        ),
        (
            "navigation to every part there to use (the console's later module in)",
            &mut console.interactive,
            &mut vanilla.interactive,
        ),
        (
            "navigation to every row in and painted",
            &mut console.load,
            &mut vanilla.load,
        ),
        (
            "on a slow link, nothing cached: navigation to the first rows painted",
            &mut console.slow_first_rows,
            &mut vanilla.slow_first_rows,
        ),
        (
            "on a slow link, nothing cached: navigation to every part there to use",
            &mut console.slow_interactive,
            &mut vanilla.slow_interactive,
        ),
        (
            "sort-header click to the DOM updated",
            &mut console.sort_work,
            &mut vanilla.sort_work,
        ),
        (
            "sort-header click to the next frame",
            &mut console.sort,
            &mut vanilla.sort,
        ),
        (
            "keystroke in the search box to the DOM updated",
            &mut console.keystroke_work,
            &mut vanilla.keystroke_work,
        ),
        (
            "keystroke in the search box to the next frame",
            &mut console.keystroke,
            &mut vanilla.keystroke,
        ),
    ] {
        let (a, b) = (median(a), median(b));
        println!(
            "| {what} | {} | {} | {:.2}× |",
            ms(a),
            ms(b),
            a.as_secs_f64() / b.as_secs_f64()
        );
    }
    // Heap sizes travel as Durations of nanoseconds only to reuse `median`.
    let (a, b) = (
        median(&mut console.heap).as_nanos() as f64,
        median(&mut vanilla.heap).as_nanos() as f64,
    );
    println!(
        "| JS heap after loading (collected) | {:.1} MiB | {:.1} MiB | {:.2}× |",
        a / 1048576.0,
        b / 1048576.0,
        a / b
    );

    println!(
        "\n### Invite form in headless Chromium: typing after 5,000 pasted addresses, medians\n"
    );
    println!(
        "| measurement | console's Emails field | plain textarea, no script (same run) | ratio |"
    );
    println!("|---|---|---|---|");
    for (what, index) in [
        ("keystroke to its handlers done", 0),
        ("keystroke to the next frame", 1),
    ] {
        let mut a: Vec<Duration> = console_typing.iter().map(|pair| pair[index]).collect();
        let mut b: Vec<Duration> = plain_typing.iter().map(|pair| pair[index]).collect();
        let (a, b) = (median(&mut a), median(&mut b));
        println!(
            "| {what} | {} | {} | {:.2}× |",
            ms(a),
            ms(b),
            a.as_secs_f64() / b.as_secs_f64()
        );
    }
    console_typing.clear();
    plain_typing.clear();
}

/// Keystrokes at the end of a field holding 5,000 addresses: the console's Emails field, and
/// a plain textarea with no script on the vanilla page (the browser's own cost).
async fn measure_invite_typing(
    browser: &Browser,
    server: &TestServer,
    repetitions: usize,
) -> (Vec<[Duration; 2]>, Vec<[Duration; 2]>) {
    let client = &browser.client;
    let paste: String = (0..5000)
        .map(|i| format!("Person {i} <typed{i}@example.com>"))
        .collect::<Vec<_>>()
        .join(",\n");
    let mut results = (Vec::new(), Vec::new());
    for (path, samples) in [
        ("/", &mut results.0),
        ("/vanilla/index.html", &mut results.1),
    ] {
        client.goto(&server.url(path)).await.expect("navigation");
        let typed = client
            .execute_async(
                "const [initial, rounds, done] = arguments;
                 let area = document.querySelector('textarea');
                 if (!area) { area = document.createElement('textarea'); document.body.append(area); }
                 area.value = initial;
                 area.dispatchEvent(new Event('input', { bubbles: true }));
                 area.focus();
                 const times = [];
                 let i = 0;
                 function next() {
                     if (i++ === rounds) { done(times); return; }
                     area.setSelectionRange(area.value.length, area.value.length);
                     const started = performance.now();
                     // Typed as a person types: an edit at the caret, which fires `input`.
                     document.execCommand('insertText', false, 'x');
                     let work;
                     setTimeout(() => { work = performance.now() - started; });
                     requestAnimationFrame(() => setTimeout(() => { times.push([work, performance.now() - started]); next(); }));
                 }
                 requestAnimationFrame(() => setTimeout(next));",
                vec![Value::from(paste.as_str()), Value::from(repetitions * 4)],
            )
            .await
            .expect("typing into the field");
        for pair in typed.as_array().expect("times") {
            samples.push([millis(&pair[0]), millis(&pair[1])]);
        }
        // Leave no draft behind for the next run.
        client
            .execute("sessionStorage.clear();", Vec::new())
            .await
            .expect("clear");
    }
    results
}

async fn measure(browser: &Browser, server: &TestServer, page: &Page, figures: &mut Figures) {
    let client = &browser.client;
    client
        .goto(&server.url(page.path))
        .await
        .expect("navigation");
    let [first_rows, interactive, load] =
        timed_load(browser, [page.first_rows, page.interactive, page.ready]).await;
    figures.first_rows.push(first_rows);
    figures.interactive.push(interactive);
    figures.load.push(load);

    let heap = client
        .execute(
            "window.gc(); return performance.memory.usedJSHeapSize;",
            Vec::new(),
        )
        .await
        .expect("heap");
    figures
        .heap
        .push(Duration::from_nanos(heap.as_u64().unwrap_or_default()));

    // Sort by email, then flip it: both must change the first row.
    for _ in 0..2 {
        let result = client
            .execute_async(
                "const [firstId, done] = arguments;
                 const before = document.querySelector(firstId).textContent;
                 const started = performance.now();
                 document.querySelector('thead th:nth-child(2) button').click();
                 // A task queued now runs after the click's own microtasks: the DOM is updated.
                 let work;
                 setTimeout(() => { work = performance.now() - started; });
                 requestAnimationFrame(() => setTimeout(() => done({
                     work,
                     ms: performance.now() - started,
                     changed: document.querySelector(firstId).textContent !== before,
                 })));",
                vec![Value::from(page.first_id)],
            )
            .await
            .expect("sort");
        assert_eq!(
            result["changed"],
            Value::Bool(true),
            "{}: sorting changed nothing",
            page.name
        );
        figures.sort.push(millis(&result["ms"]));
        figures.sort_work.push(millis(&result["work"]));
    }

    let typed = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const input = document.querySelector('input[type=search]');
             const text = 'user0999';
             const times = [];
             let i = 0;
             function next() {
                 if (i === text.length) { done(times); return; }
                 input.value += text[i++];
                 const started = performance.now();
                 input.dispatchEvent(new Event('input', { bubbles: true }));
                 let work;
                 setTimeout(() => { work = performance.now() - started; });
                 requestAnimationFrame(() => setTimeout(() => { times.push([work, performance.now() - started]); next(); }));
             }
             input.focus();
             requestAnimationFrame(() => setTimeout(next));",
            Vec::new(),
        )
        .await
        .expect("typing");
    for pair in typed.as_array().expect("times") {
        figures.keystroke_work.push(millis(&pair[0]));
        figures.keystroke.push(millis(&pair[1]));
    }
}

/// The time from the navigation to each condition holding (JS expressions), each taken once
/// the frame after it is painted (the task after it).
async fn timed_load<const N: usize>(browser: &Browser, conditions: [&str; N]) -> [Duration; N] {
    let conditions: Vec<String> = conditions
        .iter()
        .map(|condition| format!("() => ({condition})"))
        .collect();
    let loaded = browser
        .client
        .execute_async(
            &format!(
                "const done = arguments[arguments.length - 1];
                 const conditions = [{}];
                 const times = conditions.map(() => null);
                 (function poll() {{
                   conditions.forEach((holds, i) => {{
                     if (times[i] === null && holds()) {{ times[i] = 0; setTimeout(() => {{ times[i] = performance.now(); }}); }}
                   }});
                   if (times.every((time) => time !== null && time > 0)) done(times);
                   else requestAnimationFrame(poll);
                 }})();",
                conditions.join(", "),
            ),
            Vec::new(),
        )
        .await
        .expect("the list renders");
    std::array::from_fn(|i| millis(&loaded[i]))
}

/// Loads `page` over a slow link (1.6 Mbit/s down, 150 ms round trips: Chromium's network
/// emulation) with the browser's cache off, where what a first screen downloads shows.
async fn measure_slow_link(
    browser: &Browser,
    server: &TestServer,
    page: &Page,
    figures: &mut Figures,
) {
    browser.devtools("Network.enable", json!({})).await;
    browser
        .devtools("Network.setCacheDisabled", json!({ "cacheDisabled": true }))
        .await;
    browser
        .devtools(
            "Network.emulateNetworkConditions",
            json!({
                "offline": false,
                "latency": 150,
                "downloadThroughput": 200_000,
                "uploadThroughput": 96_000,
            }),
        )
        .await;
    browser
        .client
        .goto(&server.url(page.path))
        .await
        .expect("navigation");
    let [first_rows, interactive] = timed_load(browser, [page.first_rows, page.interactive]).await;
    figures.slow_first_rows.push(first_rows);
    figures.slow_interactive.push(interactive);
    browser
        .devtools(
            "Network.emulateNetworkConditions",
            json!({ "offline": false, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1 }),
        )
        .await;
    browser
        .devtools(
            "Network.setCacheDisabled",
            json!({ "cacheDisabled": false }),
        )
        .await;
}

fn millis(value: &Value) -> Duration {
    Duration::from_secs_f64(value.as_f64().expect("a number of milliseconds") / 1000.0)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).unwrap_or_else(|err| {
        panic!(
            "cannot read {} ({err}): build the console first",
            from.display()
        )
    }) {
        let entry = entry.expect("entry");
        if entry.file_type().expect("type").is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
        }
    }
}
