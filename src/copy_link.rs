//! "Copy link": a fresh link to a pending invitation, for an admin to hand to the person
//! another way when the mail was lost to spam (this project's server only). The link sent
//! before stops working, and mail still waiting is withdrawn (the server does both). Asking,
//! the clipboard and the report are in the `later` module; the row holds only the button.

mod report;

pub use report::LinkCopyReport;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{ApiClient, ApiError};
use crate::i18n::words::{key, t};
use crate::later::{Part, SplitLoaderError, split};

/// How the newest "Copy link" went, for the address it was for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkCopy {
    Asking,
    /// On the clipboard.
    Copied {
        mail_withdrawn: bool,
    },
    /// Made, but the browser would not take it on the clipboard: shown, to copy by hand.
    Shown {
        url: String,
        mail_withdrawn: bool,
    },
    Failed(String),
}

#[derive(Clone, Copy)]
pub struct LinkCopies {
    client: StoredValue<ApiClient>,
    /// The address, and how its newest link went.
    pub latest: RwSignal<Option<(String, LinkCopy)>>,
}

impl LinkCopies {
    /// Creates the service and provides it to the components below.
    pub fn provide(client: ApiClient) -> Self {
        let copies = Self {
            client: StoredValue::new(client),
            latest: RwSignal::new(None),
        };
        provide_context(copies);
        copies
    }

    /// Asks the server for a fresh link to invitation `id` (to `email`) and puts it on the
    /// clipboard; one at a time.
    pub fn copy(&self, id: String, email: String) {
        if matches!(self.latest.get_untracked(), Some((_, LinkCopy::Asking))) {
            return;
        }
        let this = *self;
        self.latest.set(Some((email.clone(), LinkCopy::Asking)));
        spawn_local(async move {
            if start_copy(this, id, email.clone()).await.is_err() {
                let why = LinkCopy::Failed(t(key!("later.failed")));
                this.latest.try_set(Some((email, why)));
            }
        });
    }
}

split! {
    /// Asks for the link, then offers it to the clipboard (the `later` module).
    fn start_copy(copies: LinkCopies, id: String, email: String) -> Result<(), SplitLoaderError> {
        let client = copies.client.get_value();
        spawn_local(async move {
            let outcome = match client.copy_link(&id).await {
                Ok(link) => {
                    let clipboard = window().navigator().clipboard().write_text(&link.url);
                    match wasm_bindgen_futures::JsFuture::from(clipboard).await {
                        Ok(_) => LinkCopy::Copied {
                            mail_withdrawn: link.mail_withdrawn,
                        },
                        Err(_) => LinkCopy::Shown {
                            url: link.url,
                            mail_withdrawn: link.mail_withdrawn,
                        },
                    }
                }
                Err(ApiError::Server { status: 404, .. }) => {
                    LinkCopy::Failed(t(key!("copy_link.why.gone")))
                }
                Err(ApiError::Server { status: 409, .. }) => {
                    LinkCopy::Failed(t(key!("copy_link.why.expired")))
                }
                Err(error) => LinkCopy::Failed(error.in_words()),
            };
            copies.latest.try_set(Some((email, outcome)));
        });
        Ok(())
    }
}

split! {
    /// What the newest "Copy link" did, in the `later` module.
    pub fn copy_link_report_part() -> Result<Part<()>, SplitLoaderError> {
        Ok(|()| view! { <LinkCopyReport /> }.into_any())
    }
}
