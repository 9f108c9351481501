//! What the newest "Copy link" did, announced: on the clipboard, or shown in a field to copy
//! by hand when the browser refused, or why there is no link.

use leptos::prelude::*;

use super::{LinkCopies, LinkCopy};
use crate::i18n::words::{key, t, tf};

#[component]
pub fn LinkCopyReport() -> impl IntoView {
    let copies = expect_context::<LinkCopies>();
    let report = move || {
        copies.latest.get().map(|(email, copy)| {
            let email = email.as_str();
            let withdrawn = |mail_withdrawn: bool| {
                mail_withdrawn.then(|| {
                    view! {
                        " "
                        {t(key!("copy_link.withdrawn"))}
                    }
                })
            };
            let said = match copy {
                LinkCopy::Asking => tf(key!("copy_link.asking"), &[("email", email)]).into_any(),
                LinkCopy::Copied { mail_withdrawn } => view! {
                    {tf(key!("copy_link.copied"), &[("email", email)])}
                    {withdrawn(mail_withdrawn)}
                }
                .into_any(),
                LinkCopy::Shown {
                    url,
                    mail_withdrawn,
                } => {
                    let field = NodeRef::<leptos::html::Input>::new();
                    // Selected at once, so the keyboard's copy takes it.
                    Effect::new(move |_| {
                        if let Some(input) = field.get() {
                            let _ = input.focus();
                            input.select();
                        }
                    });
                    view! {
                        <label>
                            {tf(key!("copy_link.shown"), &[("email", email)])} " "
                            <input
                                type="text"
                                class="oi-link-field"
                                readonly=true
                                dir="ltr"
                                prop:value=url
                                node_ref=field
                            />
                        </label>
                        {withdrawn(mail_withdrawn)}
                    }
                    .into_any()
                }
                LinkCopy::Failed(why) => {
                    tf(key!("copy_link.failed"), &[("email", email), ("why", &why)]).into_any()
                }
            };
            view! {
                <div class="oi-results oi-link-report">
                    <p>{said}</p>
                    <button
                        type="button"
                        class="oi-button"
                        on:click=move |_| copies.latest.set(None)
                    >
                        {t(key!("copy_link.dismiss"))}
                    </button>
                </div>
            }
        })
    };
    view! { <div role="status">{report}</div> }
}
