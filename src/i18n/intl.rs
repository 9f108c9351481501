//! Dates, relative times, numbers and lists in the viewer's language, by the browser's own `Intl`
//! (and `Number.prototype.toLocaleString`, its smaller door to the same)
//! (no locale data in the WebAssembly). English keeps the Anyscale CLI's formats, written in
//! `core`; every other language reads as its speakers write.

use chrono::{DateTime, Utc};
use js_sys::{Array, Function, Intl, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

fn options(pairs: &[(&str, &str)]) -> Object {
    let options = Object::new();
    for (name, value) in pairs {
        let _ = Reflect::set(&options, &(*name).into(), &(*value).into());
    }
    options
}

fn locales(language: &str) -> Array {
    Array::of1(&language.into())
}

/// `instant` as a short date and time in `language` ("25.11.2024, 22:24" in German), in the
/// viewer's time zone or UTC.
pub fn date_time(language: &str, instant: DateTime<Utc>, utc: bool) -> String {
    let mut pairs = vec![("dateStyle", "short"), ("timeStyle", "short")];
    if utc {
        pairs.push(("timeZone", "UTC"));
    }
    format_date(language, instant, &pairs)
}

/// `instant`'s time of day with seconds, in `language`.
pub fn time_of_day(language: &str, instant: DateTime<Utc>, utc: bool) -> String {
    let mut pairs = vec![("timeStyle", "medium")];
    if utc {
        pairs.push(("timeZone", "UTC"));
    }
    format_date(language, instant, &pairs)
}

thread_local! {
    /// The `Intl` objects made so far, by what they are for (language and options): a
    /// 10,000-row export makes one date formatter, not 20,000, and every row's relative time
    /// and every count reuse their language's.
    static MADE: std::cell::RefCell<Vec<(String, JsValue)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// The `Intl` object `id` names, made by `make` the first time it is asked for.
fn kept<T: JsCast>(id: String, make: impl FnOnce() -> T) -> T {
    let made = MADE.with(|made| {
        made.borrow()
            .iter()
            .find(|(known, _)| *known == id)
            .map(|(_, object)| object.clone())
    });
    let object = made.unwrap_or_else(|| {
        let object: JsValue = make().into();
        MADE.with(|made| made.borrow_mut().push((id, object.clone())));
        object
    });
    object.unchecked_into()
}

fn format_date(language: &str, instant: DateTime<Utc>, pairs: &[(&str, &str)]) -> String {
    let mut id = language.to_owned();
    for (name, value) in pairs {
        id.push_str(&format!(";{name}={value}"));
    }
    let format: Function = kept(id, || {
        Intl::DateTimeFormat::new(&locales(language), &options(pairs)).format()
    });
    let date = js_sys::Date::new(&JsValue::from_f64(instant.timestamp_millis() as f64));
    format
        .call1(&JsValue::NULL, &date)
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or_default()
}

/// "in 6 days", "vor 2 Stunden": `value` of `unit` ("day", "hour", "minute") from now,
/// negative in the past.
pub fn relative(language: &str, value: i64, unit: &str) -> String {
    let format: Intl::RelativeTimeFormat = kept(format!("{language};relative"), || {
        Intl::RelativeTimeFormat::new(&locales(language), &options(&[("numeric", "always")]))
    });
    format.format(value as f64, unit).into()
}

/// The plural category of `count` in `language`'s rules (`Intl.PluralRules`): "one", "few"…
pub fn plural_category(language: &str, count: usize) -> &'static str {
    let rules: Intl::PluralRules = kept(format!("{language};plural"), || {
        Intl::PluralRules::new(&locales(language), &Object::new())
    });
    match String::from(rules.select(count as f64)).as_str() {
        "zero" => "zero",
        "one" => "one",
        "two" => "two",
        "few" => "few",
        "many" => "many",
        _ => "other",
    }
}

/// Phrases as one list the way `language` writes it ("2 deleted and 1 already gone", "2
/// gelöscht und 1 bereits entfernt", "2件削除、1件削除済み"): `Intl.ListFormat`.
pub fn list(language: &str, phrases: &[String]) -> String {
    let list = Array::new();
    for phrase in phrases {
        list.push(&JsValue::from_str(phrase));
    }
    let format: Intl::ListFormat = kept(format!("{language};list"), || {
        Intl::ListFormat::new(&locales(language), &Object::new())
    });
    format.format(&list).into()
}

/// `count` written in `language`'s digits and grouping.
pub fn number(language: &str, count: usize) -> String {
    js_sys::Number::from(count as f64)
        .to_locale_string(language)
        .into()
}

/// A day as its weekday and day of the month in `language` ("Do., 3." in German).
pub fn weekday_and_day(language: &str, day: chrono::NaiveDate) -> String {
    let noon = day.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc();
    format_date(
        language,
        noon,
        &[
            ("weekday", "short"),
            ("day", "numeric"),
            ("timeZone", "UTC"),
        ],
    )
}
