//! The console in the viewer's language: each shipped locale chosen in the stand-alone page's
//! menu (remembered in local storage), against the real server in headless Chromium.

use std::collections::BTreeMap;

use e2e::fault_proxy::{Fault, FaultProxy};
use e2e::{BROWSER_TIME_ZONE, Browser, demo_options};
use fantoccini::Locator;
use org_invitations_core::english::MESSAGES;
use org_invitations_core::messages::plural_categories;
use serde_json::{Value, json};
use testkit::{Api, StaticHost, TestServer, selectors};

const LOCALES: [&str; 5] = ["de", "fr", "es", "ja", "ar"];

/// A language's words by key: English's from the built-in table, another's from its file.
fn table(language: &str) -> BTreeMap<String, String> {
    if language == "en" {
        return MESSAGES
            .iter()
            .map(|(key, text)| ((*key).to_owned(), (*text).to_owned()))
            .collect();
    }
    let path = testkit::workspace_root().join(format!("locales/{language}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).expect("the table")).expect("JSON")
}

async fn script(browser: &Browser, body: &str, args: Vec<Value>) -> Value {
    browser.script(body, args).await
}

/// Clicks the first element matching `css`, as a script does (no pointer needed).
async fn click(browser: &Browser, css: &str) {
    script(
        browser,
        "document.querySelector(arguments[0]).click();",
        vec![json!(css)],
    )
    .await;
}

/// Every piece of English the console could show: each message's text between its
/// placeholders, where it has letters enough to be a word, and is not also the locale's own
/// (a word such as "ID" or "CSV" that a language keeps).
fn english_pieces(language: &str) -> Vec<String> {
    let own: Vec<String> = table(language).into_values().collect();
    let mut pieces: Vec<String> = MESSAGES
        .iter()
        .flat_map(|(_, text)| {
            text.split(|c| c == '{' || c == '}')
                .enumerate()
                .filter(|(i, _)| i % 2 == 0)
                .map(|(_, piece)| piece.trim().to_owned())
                .collect::<Vec<_>>()
        })
        .filter(|piece| piece.chars().filter(|c| c.is_alphabetic()).count() >= 4)
        .filter(|piece| !own.iter().any(|text| text.contains(piece.as_str())))
        .collect();
    pieces.sort();
    pieces.dedup();
    pieces
}

/// What a viewer sees and hears: the text of the page and every accessible name, title and
/// placeholder, across the console.
const EVERYTHING_SAID: &str = "
    const said = [document.body.innerText];
    for (const element of document.querySelectorAll('*')) {
      for (const name of ['aria-label', 'title', 'placeholder']) {
        const value = element.getAttribute(name);
        if (value) said.push(value);
      }
    }
    return said.join('\\n');";

/// Addresses, ids, dates, webhook event types and URLs are the data, not the console's words.
fn without_data(said: &str) -> String {
    said.lines()
        .filter(|line| !line.contains('@') && !line.contains("orginv_") && !line.contains(" UTC"))
        .filter(|line| {
            let line = line.trim();
            !org_invitations_core::webhook::EVENT_TYPES.contains(&line)
                && !line.starts_with("https://")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

async fn assert_nothing_english(browser: &Browser, language: &str, state: &str) {
    let said = script(browser, EVERYTHING_SAID, Vec::new()).await;
    let said = without_data(said.as_str().unwrap_or_default());
    let left: Vec<String> = english_pieces(language)
        .into_iter()
        .filter(|piece| said.contains(piece.as_str()))
        .collect();
    assert!(
        left.is_empty(),
        "{language}, {state}: English left on screen: {left:?}"
    );
}

/// Opens the stand-alone page signed in, with `language` chosen in its menu.
async fn open_in(browser: &Browser, server: &TestServer, language: &str) {
    browser.client.goto(&server.sign_in_url).await.unwrap();
    browser.text_of(selectors::ROWS).await;
    choose_language(browser, language).await;
}

/// Chooses `language` as the page's menu does (remembered, the page loaded again), and waits
/// for the list in it.
async fn choose_language(browser: &Browser, language: &str) {
    script(
        browser,
        "localStorage.setItem('org-invitations:locale', arguments[0]); location.reload();",
        vec![json!(language)],
    )
    .await;
    e2e::wait_for("the page in its language", true, || async {
        script(
            browser,
            "return document.documentElement.lang === arguments[0]
               && document.querySelector('tr.oi-row') !== null
               && document.querySelector('.oi-console[lang]')?.lang === arguments[0];",
            vec![json!(language)],
        )
        .await
            == Value::Bool(true)
    })
    .await;
}

/// A server with counts that need every plural form: searching "two", "few", "many" or
/// "other" matches 2, 3, 11 and 100 addresses.
fn server_with_counts() -> TestServer {
    let server = TestServer::start_with(demo_options());
    let mut emails = Vec::new();
    for (word, count) in [("two", 2), ("few", 3), ("many", 11), ("other", 100)] {
        emails.extend((0..count).map(|i| format!("{word}{i:03}@counts.example")));
    }
    Api::new(&server).invite(&emails.iter().map(String::as_str).collect::<Vec<_>>());
    server
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn each_locale_speaks_throughout_with_its_dates_and_plural_forms() {
    let server = server_with_counts();
    let browser = Browser::start(BROWSER_TIME_ZONE).await;
    for language in LOCALES {
        open_in(&browser, &server, language).await;
        let own = table(language);

        // The plural categories the console expects are the browser's own.
        let categories = script(
            &browser,
            "return new Intl.PluralRules(arguments[0]).resolvedOptions().pluralCategories.sort();",
            vec![json!(language)],
        )
        .await;
        let mut expected: Vec<&str> = plural_categories(language).to_vec();
        expected.sort_unstable();
        assert_eq!(categories, json!(expected), "{language}");

        // Dates in the language's own short pattern, in the viewer's time zone.
        let dates = script(
            &browser,
            "const cell = document.querySelector('td.oi-created');
             const exact = cell.getAttribute('title').replace(' ', 'T').replace(' UTC', 'Z');
             const expected = new Intl.DateTimeFormat(arguments[0],
               { dateStyle: 'short', timeStyle: 'short' }).format(new Date(exact));
             return [cell.querySelector('.oi-created-at').textContent.trim(), expected];",
            vec![json!(language)],
        )
        .await;
        assert_eq!(dates[0], dates[1], "{language}: the created date");

        assert_nothing_english(&browser, language, "the list").await;
        if language == "de" {
            // The export's headers and statuses in the viewer's language, its ISO columns as
            // programs read them.
            let downloads = tempfile::tempdir().unwrap();
            browser.download_into(downloads.path()).await;
            browser.click_button(&own["list.export"]).await;
            let file = e2e::wait_for_file(downloads.path()).await;
            let csv = std::fs::read_to_string(file).unwrap();
            let mut lines = csv.lines();
            assert_eq!(
                lines.next(),
                Some(
                    "ID,E-Mail,Erstellt am,Läuft ab am,Status,Erstellt am (UTC),Läuft ab am (UTC)"
                )
            );
            // German dates hold a comma, so they are quoted: the last three cells are plain.
            let last: Vec<&str> = lines.next().unwrap().rsplitn(4, ',').collect();
            assert!(
                ["Offen", "Läuft bald ab", "Abgelaufen"].contains(&last[2]),
                "{last:?}"
            );
            assert!(last[0].ends_with('Z') && last[1].contains('T'), "{last:?}");
        }

        // A count that needs each of the language's plural forms: the dialog's title.
        for (word, count) in [("two", 2), ("few", 3), ("many", 11), ("other", 100)] {
            let search = browser
                .client
                .find(Locator::Css("input[type=search]"))
                .await
                .unwrap();
            search.clear().await.unwrap();
            search.send_keys(word).await.unwrap();
            e2e::wait_for("the matches", count + 1, || async {
                script(
                    &browser,
                    "return Number(document.querySelector('.oi-table').getAttribute('aria-rowcount'));",
                    Vec::new(),
                )
                .await
                .as_u64()
                .unwrap_or(0) as usize
            })
            .await;
            let form = script(
                &browser,
                "return new Intl.PluralRules(arguments[0]).select(arguments[1]);",
                vec![json!(language), json!(count)],
            )
            .await;
            let form = form.as_str().unwrap().to_owned();
            let number = script(
                &browser,
                "return new Intl.NumberFormat(arguments[0]).format(arguments[1]);",
                vec![json!(language), json!(count)],
            )
            .await;
            let title = own[&format!("dialog.title.many#{form}")]
                .replace("{count}", number.as_str().unwrap());
            click(&browser, "thead input[type=checkbox]").await;
            click(&browser, ".oi-bulk .oi-danger").await;
            let shown = browser.text_of("dialog[open] h2").await;
            let bare = |text: &str| text.replace(['\u{2068}', '\u{2069}'], "");
            assert_eq!(bare(&shown), bare(&title), "{language}, {count} ({form})");
            if count == 3 {
                assert_nothing_english(&browser, language, "the dialog").await;
            }
            script(
                &browser,
                "document.querySelector('dialog[open] .oi-button:not(.oi-danger)').click();
                 document.querySelector('thead input[type=checkbox]').click();",
                Vec::new(),
            )
            .await;
        }

        // The invite form with problems, and what sending said.
        let field = browser.client.find(Locator::Css("textarea")).await.unwrap();
        field
            .send_keys(
                "nope, grace.hopper@example.com, new.person@example.com, new.person@example.com",
            )
            .await
            .unwrap();
        browser.text_of(selectors::TALLY).await;
        assert_nothing_english(&browser, language, "the form with problems").await;
        click(&browser, ".oi-invite-form button[type=submit]").await;
        browser.text_of(selectors::RESULTS_HEADLINE).await;
        assert_nothing_english(&browser, language, "the results").await;
        script(&browser, "sessionStorage.clear();", Vec::new()).await;

        // A deletion's notice, with its Undo.
        click(&browser, "button.oi-delete").await;
        browser.text_of("dialog[open] h2").await;
        click(&browser, "dialog[open] .oi-danger").await;
        browser.text_of(selectors::DELETION_NOTICES).await;
        assert_nothing_english(&browser, language, "a deletion's notice").await;
        click(&browser, ".oi-notice-item button").await;
    }
    browser.close().await;
}

/// A load that fails says so in the viewer's language, the server's text kept as its detail.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn a_failed_load_is_worded_in_the_viewers_language() {
    let server = TestServer::start_with(demo_options());
    let proxy = FaultProxy::start(server.port()).await;
    let browser = e2e::signed_in_at(&proxy.origin, &server).await;
    for language in ["de", "ar"] {
        choose_language(&browser, language).await;
        proxy.fail(
            "GET /api/v2/organization_invitations/?",
            Fault::ServerError,
            0,
        );
        let own = table(language);
        browser.click_button(&own["list.refresh"]).await;
        let error = browser.text_of(selectors::LOAD_ERROR).await;
        assert!(error.contains(&own["error.load.title"]), "{error}");
        assert_nothing_english(&browser, language, "a failed load").await;
        proxy.heal();
    }
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn german_and_arabic_are_accessible_and_arabic_mirrors() {
    let server = TestServer::start_with(demo_options());
    let browser = Browser::start(BROWSER_TIME_ZONE).await;
    for language in ["de", "ar"] {
        for (layout, (width, height)) in [("desk", (1280, 900)), ("phone", (390, 844))] {
            browser.client.set_window_size(width, height).await.unwrap();
            for dark in [false, true] {
                browser.prefer_dark(dark).await;
                open_in(&browser, &server, language).await;
                let state = format!(
                    "{language}-{layout}-{}",
                    if dark { "dark" } else { "light" }
                );
                if layout == "phone" {
                    script(
                        &browser,
                        "document.querySelector('.oi-list').scrollIntoView();",
                        Vec::new(),
                    )
                    .await;
                }
                browser.save_screenshot(&state).await;
                browser.assert_accessible(&state).await;
            }
        }
    }
    // Arabic reads right to left: the page and the console say so, the table's first column
    // (the checkboxes) is on the right, and addresses still read left to right.
    browser.client.set_window_size(1280, 900).await.unwrap();
    let found = script(
        &browser,
        "const row = document.querySelector('tr.oi-row');
         const first = row.querySelector('td.oi-select').getBoundingClientRect();
         const email = row.querySelector('td.oi-email').getBoundingClientRect();
         return [document.documentElement.dir,
                 getComputedStyle(document.querySelector('.oi-console')).direction,
                 first.left > email.left,
                 getComputedStyle(row.querySelector('td.oi-email bdi')).direction,
                 getComputedStyle(row.querySelector('.oi-id-short')).direction];",
        Vec::new(),
    )
    .await;
    assert_eq!(found, json!(["rtl", "rtl", true, "ltr", "ltr"]));
    // The timeline runs from the right: its first day (today) is right of the next.
    let timeline = script(
        &browser,
        "const bars = [...document.querySelectorAll('.oi-timeline li')];
         return bars.length > 1
           && bars[0].getBoundingClientRect().left > bars[1].getBoundingClientRect().left;",
        Vec::new(),
    )
    .await;
    assert_eq!(timeline, json!(true), "the timeline mirrored");
    // The dialog and a deletion's notice: right to left, their first part on the right.
    click(&browser, "button.oi-delete").await;
    browser.text_of("dialog[open] h2").await;
    const MIRRORED: &str = "const [box, first, second] = arguments;
         const area = document.querySelector(box);
         const [a, b] = [first, second].map((part) => area.querySelector(part).getBoundingClientRect());
         return [getComputedStyle(area).direction, a.left > b.left];";
    let dialog = script(
        &browser,
        MIRRORED,
        vec![
            json!("dialog[open]"),
            json!(".oi-dialog-actions button:first-child"),
            json!(".oi-dialog-actions button:last-child"),
        ],
    )
    .await;
    assert_eq!(dialog, json!(["rtl", true]), "the dialog mirrored");
    click(&browser, "dialog[open] .oi-danger").await;
    browser.text_of(selectors::DELETION_NOTICES).await;
    let notice = script(
        &browser,
        MIRRORED,
        vec![json!(".oi-notice-item"), json!("span"), json!("button")],
    )
    .await;
    assert_eq!(notice, json!(["rtl", true]), "the notice mirrored");
    click(&browser, ".oi-notice-item button").await;
    // On a phone, a stacked row starts on the right: its checkbox right of its address.
    browser.client.set_window_size(390, 844).await.unwrap();
    let phone = script(
        &browser,
        MIRRORED,
        vec![
            json!("tr.oi-row"),
            json!("td.oi-select"),
            json!("td.oi-email"),
        ],
    )
    .await;
    assert_eq!(phone, json!(["rtl", true]), "the phone layout mirrored");
    browser.close().await;
}

/// Embedded with a `lang` of its own, the console speaks it on its own root inside the shadow
/// root, and the host page's `<html lang>` is left as it was.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn an_embedded_console_speaks_its_elements_language_and_leaves_the_host_alone() {
    let host = StaticHost::start();
    let server = TestServer::start_with(testkit::ServerOptions {
        extra_args: vec!["--allow-origin".into(), host.origin.clone()],
        ..demo_options()
    });
    let page = format!(
        "<!doctype html><html lang=\"en\"><title>Host</title>\n\
         <script type=\"module\" src=\"{base}/org-invitations-element.js\"></script>\n\
         <org-invitations id=\"deutsch\" lang=\"de\" api-base=\"{base}\" token=\"{token}\"></org-invitations>\n\
         <div lang=\"ar\"><org-invitations id=\"inherited\" api-base=\"{base}\" token=\"{token}\"></org-invitations></div>\n",
        base = server.base_url,
        token = server.token
    );
    host.put("host.html", &page);
    let browser = Browser::start(BROWSER_TIME_ZONE).await;
    browser
        .client
        .goto(&format!("{}/host.html", host.origin))
        .await
        .unwrap();
    for (id, language, dir, title) in [
        ("deutsch", "de", "ltr", "Einladungen der Organisation"),
        ("inherited", "ar", "rtl", "دعوات المؤسسة"),
    ] {
        e2e::wait_for(
            &format!("{id} in {language}"),
            json!([language, dir, title]),
            || async {
                script(
                    &browser,
                    "const root = document.getElementById(arguments[0]).shadowRoot;
                 const console = root.querySelector('.oi-console[lang]');
                 if (!console || !root.querySelector('tr.oi-row')) return null;
                 return [console.lang, console.dir, root.querySelector('h1').textContent];",
                    vec![json!(id)],
                )
                .await
            },
        )
        .await;
    }
    let host_page = script(
        &browser,
        "return [document.documentElement.lang, document.documentElement.dir];",
        Vec::new(),
    )
    .await;
    assert_eq!(host_page, json!(["en", ""]));
    browser.close().await;
}

/// Before the module has run (held back by a proxy), the first frame already speaks the
/// viewer's language: the stand-alone page's, with `<html lang dir>` and its title set, and an embedded
/// console's in its shadow root, right to left in Arabic.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn the_first_frame_speaks_the_viewers_language_while_the_module_loads() {
    let server = TestServer::start_with(demo_options());
    let browser = Browser::start(BROWSER_TIME_ZONE).await;
    let proxy = e2e::open_with_the_module_held_back(&browser, &server, "/").await;
    script(
        &browser,
        "localStorage.setItem('org-invitations:locale', 'de'); location.reload();",
        Vec::new(),
    )
    .await;
    const FRAME: &str = "const frame = arguments[0] ? document.getElementById(arguments[0]).shadowRoot : document;
         const text = (selector) => frame.querySelector(selector)?.textContent ?? null;
         const console = arguments[0] ? frame.querySelector('.oi-console') : document.documentElement;
         return [console.lang, console.dir, text('.oi-title'), text('.oi-subtitle'), text('.oi-frame-status')];";
    // What the frame says in `language`: its direction, title, heading and loading line.
    let frame_in = |language: &str, dir: &str| {
        let words = table(language);
        json!([
            language,
            dir,
            words["app.title"],
            words["list.title"],
            words["list.loading"]
        ])
    };
    e2e::wait_for(
        "the stand-alone frame in German",
        frame_in("de", "ltr"),
        || async { script(&browser, FRAME, vec![Value::Null]).await },
    )
    .await;
    assert_eq!(
        script(&browser, "return document.title;", Vec::new()).await,
        json!(table("de")["app.title"]),
        "the page's title"
    );
    script(
        &browser,
        "const element = document.createElement('org-invitations');
         element.id = 'arabic';
         element.lang = 'ar';
         document.body.append(element);",
        Vec::new(),
    )
    .await;
    e2e::wait_for(
        "the embedded frame in Arabic",
        frame_in("ar", "rtl"),
        || async { script(&browser, FRAME, vec![json!("arabic")]).await },
    )
    .await;
    assert!(e2e::module_was_held_back(&server));
    proxy.heal();
    browser.close().await;
}

/// A sentence that names several outcomes lists them as the viewer's language does
/// (`Intl.ListFormat`): a deletion of two invitations, one of them revoked by someone else
/// meanwhile, ends "1 deleted and 1 had already been deleted by someone else." in each
/// language's words, digits and conjunction.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn a_sentence_naming_several_outcomes_lists_them_in_the_language() {
    let server = TestServer::start_with(demo_options());
    let api = Api::new(&server);
    let languages = ["en", "de", "ja", "ar"];
    let emails: Vec<String> = languages
        .iter()
        .flat_map(|language| ["a", "b"].map(|which| format!("{language}-{which}@lists.example")))
        .collect();
    api.invite_all(&emails);
    let browser = e2e::signed_in(&server).await;
    for language in languages {
        choose_language(&browser, language).await;
        let words = table(language);
        let forms = |base: &str| -> Value {
            words
                .iter()
                .filter_map(|(key, text)| {
                    let category = key.strip_prefix(base)?.strip_prefix('#')?;
                    Some((category.to_owned(), Value::from(text.as_str())))
                })
                .collect::<serde_json::Map<_, _>>()
                .into()
        };
        let expected = script(
            &browser,
            "const [language, outcome, deleted, gone] = arguments;
             const category = new Intl.PluralRules(language).select(1);
             const one = language === 'en' ? '1' : (1).toLocaleString(language);
             const said = (forms) => (forms[category] ?? forms.other).replace('{count}', one);
             return outcome.replace('{parts}',
               new Intl.ListFormat(language).format([said(deleted), said(gone)]));",
            vec![
                json!(language),
                json!(words["notice.outcome"]),
                forms("notice.outcome.deleted"),
                forms("notice.outcome.already_gone"),
            ],
        )
        .await;
        let [first, second] = [0, 1].map(|at| {
            emails[languages.iter().position(|l| *l == language).unwrap() * 2 + at].clone()
        });
        script(
            &browser,
            "for (const email of arguments) {
               const row = [...document.querySelectorAll('tr.oi-row')]
                 .find((row) => row.textContent.includes(email));
               row.querySelector('input[type=checkbox]').click();
             }",
            vec![json!(first), json!(second)],
        )
        .await;
        e2e::wait_for("the bulk deletion offered", true, || async {
            script(
                &browser,
                "const bulk = document.querySelector('.oi-bulk .oi-danger');
                 if (bulk.disabled) return false;
                 bulk.click();
                 return true;",
                Vec::new(),
            )
            .await
                == Value::Bool(true)
        })
        .await;
        browser.text_of("dialog[open] h2").await;
        click(&browser, "dialog[open] .oi-danger").await;
        browser.text_of(selectors::DELETION_NOTICES).await;
        let id = api.list_all(&format!("email={}", second.replace('@', "%40")))[0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let revoked = api.post_raw(
            &format!("/api/v2/organization_invitations/{id}/invalidate"),
            "",
        );
        assert_eq!(revoked.status, 200);
        click(&browser, ".oi-notice-item button:nth-of-type(2)").await;
        e2e::wait_for(
            &format!("the outcome in {language}"),
            expected.clone(),
            || async {
                script(
                    &browser,
                    "const said = document.querySelector('.oi-notice-item span')?.textContent ?? '';
                     return said.replace(/[\\u2068\\u2069]/g, '');",
                    Vec::new(),
                )
                .await
            },
        )
        .await;
        click(&browser, ".oi-notice-item button").await;
    }
    browser.close().await;
}

/// With no language chosen in the menu (the stand-alone page) and no `lang` on or around the
/// element (embedded), the browser's languages choose: the first one the console speaks.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn the_browsers_languages_choose_when_nothing_else_does() {
    let server = TestServer::start_with(demo_options());
    // Brazilian Portuguese is not shipped: Canadian French, the next, is spoken as French.
    let browser =
        Browser::start_with_args(BROWSER_TIME_ZONE, &["--accept-lang=pt-BR,fr-CA,en"]).await;
    browser.client.goto(&server.sign_in_url).await.unwrap();
    browser.text_of(selectors::ROWS).await;
    let french = table("fr");
    let page = script(
        &browser,
        "return [navigator.languages[0], document.documentElement.lang,
                 document.documentElement.dir, document.querySelector('h1').textContent];",
        Vec::new(),
    )
    .await;
    assert_eq!(page, json!(["pt-BR", "fr", "ltr", french["app.title"]]));
    script(
        &browser,
        "document.documentElement.removeAttribute('lang');
         const element = document.createElement('org-invitations');
         element.id = 'unmarked';
         document.body.append(element);",
        Vec::new(),
    )
    .await;
    e2e::wait_for(
        "the embedded console in French",
        json!(["fr", french["app.title"]]),
        || async {
            script(
                &browser,
                "const root = document.getElementById('unmarked').shadowRoot;
             const console = root?.querySelector('.oi-console[lang]');
             return console ? [console.lang, root.querySelector('.oi-title')?.textContent] : null;",
                Vec::new(),
            )
            .await
        },
    )
    .await;
    browser.close().await;
}

/// A language whose words cannot be had (its table's request fails) is not half-spoken: the
/// console speaks English throughout, the stand-alone page says so on `<html lang>`, and an
/// embedded console tells its host once on `invitations-error`.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn a_language_whose_words_cannot_be_had_falls_back_to_english() {
    let server = TestServer::start_with(demo_options());
    let proxy = FaultProxy::start(server.port()).await;
    proxy.fail("GET /locales/de.json", Fault::ServerError, 0);
    let browser = e2e::signed_in_at(&proxy.origin, &server).await;
    let english = table("en");
    script(
        &browser,
        "window.consoleErrors = [];
         document.addEventListener('invitations-error', (event) =>
           window.consoleErrors.push(event.detail.message));
         const element = document.createElement('org-invitations');
         element.id = 'deutsch';
         element.lang = 'de';
         document.body.append(element);",
        Vec::new(),
    )
    .await;
    e2e::wait_for(
        "the embedded console in English, its host told why",
        json!(["en", english["app.title"], 1, true]),
        || async {
            script(
                &browser,
                "const root = document.getElementById('deutsch').shadowRoot;
                 const console = root?.querySelector('.oi-console[lang]');
                 if (!console || !root.querySelector('tr.oi-row')) return null;
                 return [console.lang, root.querySelector('h1').textContent,
                         window.consoleErrors.length,
                         window.consoleErrors.every((said) =>
                           said.includes('de') && said.includes('could not be loaded'))];",
                Vec::new(),
            )
            .await
        },
    )
    .await;
    script(
        &browser,
        "localStorage.setItem('org-invitations:locale', 'de'); location.reload();",
        Vec::new(),
    )
    .await;
    e2e::wait_for(
        "the stand-alone page in English",
        json!(["en", "ltr", english["app.title"]]),
        || async {
            script(
                &browser,
                "if (!document.querySelector('tr.oi-row') || !document.querySelector('.oi-language select')) return null;
                 return [document.documentElement.lang, document.documentElement.dir,
                         document.querySelector('h1').textContent];",
                Vec::new(),
            )
            .await
        },
    )
    .await;
    browser.close().await;
}

/// The stand-alone page's language menu: choosing a language loads the page again in it,
/// remembered, with what was typed in the form kept.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn the_language_menu_speaks_the_chosen_language_and_keeps_the_draft() {
    let server = TestServer::start_with(demo_options());
    let browser = e2e::signed_in(&server).await;
    let field = browser.client.find(Locator::Css("textarea")).await.unwrap();
    field.send_keys("kept.draft@example.com").await.unwrap();
    browser.text_of(selectors::TALLY).await;
    script(
        &browser,
        "const menu = document.querySelector('.oi-language select');
         menu.value = 'ja';
         menu.dispatchEvent(new Event('change', { bubbles: true }));",
        Vec::new(),
    )
    .await;
    let japanese = table("ja");
    e2e::wait_for(
        "the page in Japanese, the draft kept",
        json!(["ja", japanese["app.title"], "kept.draft@example.com", "ja"]),
        || async {
            script(
                &browser,
                "if (!document.querySelector('tr.oi-row') || !document.querySelector('.oi-language select')) return null;
                 return [document.documentElement.lang, document.querySelector('h1').textContent,
                         document.querySelector('textarea')?.value,
                         document.querySelector('.oi-language select').value];",
                Vec::new(),
            )
            .await
        },
    )
    .await;
    browser.close().await;
}
