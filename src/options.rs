//! What a host page decides when it mounts the console.

/// Options for [`crate::mount`].
#[derive(Debug, Clone)]
pub struct ConsoleOptions {
    /// Where the invitation API lives, without a trailing slash; empty for the page's own origin.
    pub api_base: String,
    /// A token to send as `Authorization: Bearer`. Without one the browser's cookies are used
    /// (the stand-alone page is signed in by a session cookie).
    pub token: Option<String>,
    /// A host function that returns a token (or a promise of one), asked again whenever the
    /// server refuses the current one.
    pub token_provider: Option<crate::api::TokenProvider>,
    /// Keep the list's sort, search and filters in the page's URL query. Stand-alone, yes;
    /// embedded in a host page, usually not.
    pub sync_url: bool,
    /// How long Undo is offered after a deletion before the server is asked.
    pub undo_window: std::time::Duration,
    /// Where the invite form keeps its draft in session storage; consoles sharing a page need
    /// their own. `None`: the stand-alone console's key.
    pub draft_key: Option<String>,
    /// Where `invitations-created`, `invitations-deleted` and `invitations-error` events are
    /// dispatched (they bubble and cross shadow roots); `None` sends none.
    pub events: Option<web_sys::EventTarget>,
    /// Show the list only, with nothing that changes it (no invite form, no deleting).
    pub read_only: bool,
    /// Show the invite form.
    pub show_invite: bool,
    /// Show the list.
    pub show_list: bool,
    /// Which clock dates start in (the viewer can still switch).
    pub time_zone: crate::TimeZoneChoice,
    /// A host's own words for some messages, by key (`docs/strings.md`), merged over the
    /// console's; what cannot be used is reported on the error event.
    pub strings: Vec<(String, String)>,
    /// Entries of `strings` that were not text, reported with the rest.
    pub strings_refused: Vec<String>,
    /// The language the console speaks (the loader chose it: `crate::i18n::locale`), and its table
    /// (empty for English, which is built in).
    pub locale: String,
    pub locale_table: Vec<(String, String)>,
    /// Why the chosen language's table could not be had, reported on the error event.
    pub locale_problem: Option<String>,
    /// Offer a menu of the console's languages (the stand-alone page, which owns its page).
    pub language_menu: bool,
}

impl Default for ConsoleOptions {
    fn default() -> Self {
        Self {
            api_base: String::new(),
            token: None,
            token_provider: None,
            sync_url: true,
            undo_window: crate::delete::UNDO_WINDOW,
            draft_key: None,
            events: None,
            read_only: false,
            strings: Vec::new(),
            strings_refused: Vec::new(),
            locale: "en".into(),
            locale_table: Vec::new(),
            locale_problem: None,
            language_menu: false,
            show_invite: true,
            show_list: true,
            time_zone: crate::TimeZoneChoice::Local,
        }
    }
}
