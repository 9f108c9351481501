//! The console's frame: loads every invitation and shows the list, or why it cannot.

use leptos::prelude::*;

use crate::api::{ApiClient, ApiError, ListOptions};
use crate::invitation_table::InvitationTable;
use crate::options::ConsoleOptions;

#[component]
pub fn App(
    /// Where the API is and how to authenticate to it.
    options: ConsoleOptions,
) -> impl IntoView {
    let client = ApiClient::new(options.api_base, options.token);
    provide_context(client.clone());
    let (loaded, set_loaded) = signal(0usize);
    let invitations = LocalResource::new(move || {
        let client = client.clone();
        async move {
            set_loaded.set(0);
            client
                .list_all(ListOptions { include_expired: true }, |so_far, _total| set_loaded.set(so_far))
                .await
        }
    });

    view! {
        <div class="oi-console">
            <header class="oi-header">
                <h1 class="oi-title">"Organization invitations"</h1>
                <button type="button" class="oi-button" on:click=move |_| invitations.refetch()>
                    "Refresh"
                </button>
            </header>
            {move || match invitations.get() {
                None => view! { <Loading loaded /> }.into_any(),
                Some(Ok(list)) => view! { <InvitationTable invitations=list /> }.into_any(),
                Some(Err(error)) => view! { <LoadError error retry=move || invitations.refetch() /> }.into_any(),
            }}
        </div>
    }
}

#[component]
fn Loading(
    /// How many invitations have arrived so far.
    loaded: ReadSignal<usize>,
) -> impl IntoView {
    view! {
        <p class="oi-status" role="status" aria-live="polite">
            {move || match loaded.get() {
                0 => "Loading invitations…".to_owned(),
                n => format!("Loading invitations… {n} so far"),
            }}
        </p>
    }
}

#[component]
fn LoadError(
    /// What went wrong.
    error: ApiError,
    /// Loads again.
    retry: impl Fn() + 'static,
) -> impl IntoView {
    let title = match error {
        ApiError::SignedOut => "Not signed in",
        ApiError::Unreachable => "Server unreachable",
        _ => "Could not load invitations",
    };
    view! {
        <div class="oi-error" role="alert">
            <p class="oi-error-title">{title}</p>
            <p class="oi-error-detail">{error.to_string()}</p>
            <button type="button" class="oi-button" on:click=move |_| retry()>"Retry"</button>
        </div>
    }
}

