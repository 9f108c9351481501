//! The invitation table, with the Anyscale CLI's four columns and date format.

use chrono::{Local, Utc};
use leptos::prelude::*;
use org_invitations_core::OrganizationInvitation;
use org_invitations_core::datetime::{format_cli, format_utc_exact};

#[component]
pub fn InvitationTable(
    /// The invitations to show, in display order.
    invitations: Vec<OrganizationInvitation>,
) -> impl IntoView {
    if invitations.is_empty() {
        return view! { <p class="oi-empty">"No invitations yet."</p> }.into_any();
    }
    let now = Utc::now();
    view! {
        <table class="oi-table">
            <caption class="oi-caption">{format!("{} invitations", invitations.len())}</caption>
            <thead>
                <tr>
                    <th scope="col">"ID"</th>
                    <th scope="col">"Email"</th>
                    <th scope="col">"Created At"</th>
                    <th scope="col">"Expires At"</th>
                </tr>
            </thead>
            <tbody>
                <For each=move || invitations.clone() key=|invitation| invitation.id.clone() let:invitation>
                    <tr class="oi-row" class:oi-expired=invitation.is_expired(now)>
                        <td class="oi-id">{invitation.id.clone()}</td>
                        <td class="oi-email">{invitation.email.clone()}</td>
                        <td title=format_utc_exact(invitation.created_at)>{format_cli(invitation.created_at, &Local)}</td>
                        <td title=format_utc_exact(invitation.expires_at)>{format_cli(invitation.expires_at, &Local)}</td>
                    </tr>
                </For>
            </tbody>
        </table>
    }
    .into_any()
}
