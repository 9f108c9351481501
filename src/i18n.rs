//! Localization, in one place: the console's words by key from the catalog, with a host's
//! overrides (`words`); the language the loader chose and its table (`locale`); dates,
//! relative times, numbers and lists by the browser's own `Intl` (`intl`). The messages
//! themselves are `core`'s (`core/src/english.rs`, `locales/*.json`).

pub mod intl;
pub mod locale;
pub mod words;
