//! The expiry timeline above the list: pending invitations by the day they lapse over the
//! coming week, and the expired ones as their own bar. Each bar is a button (its count and day
//! in text, its height drawn in SVG), so the chart is also its own accessible list and works
//! from the keyboard; pressing a bar narrows the list to that day, pressing it again widens it.

use chrono::{DateTime, Datelike, Utc};
use leptos::prelude::*;
use org_invitations_core::listing::{ExpiryDay, ListView};
use org_invitations_core::rows::Rows;
use org_invitations_core::timeline::{Bar, expiry_bars, label, short_label};

use crate::delete::Deletions;
use crate::i18n::words::{key, t, tn};
use crate::time_zone::TimeZoneChoice;

/// The tallest bar, in the SVG's units.
const BAR_HEIGHT: usize = 40;

#[component]
pub fn ExpiryTimeline(
    rows: Signal<Rows>,
    /// Whether more rows are on their way: the counts are so far.
    partial: Signal<bool>,
    list_view: RwSignal<ListView>,
    zone: Signal<TimeZoneChoice>,
    now: Signal<DateTime<Utc>>,
) -> impl IntoView {
    let deletions = Deletions::expect();
    let bars = Memo::new(move |_| {
        let zone = zone.get();
        deletions.hidden.with(|hidden| {
            rows.with(|rows| {
                expiry_bars(
                    rows.iter()
                        .filter(|row| !hidden.contains(&row.invitation.id))
                        .map(|row| row.invitation.expires_at),
                    now.get(),
                    |at| zone.day(at),
                )
            })
        })
    });
    let bar = move |Bar { day, count }: Bar| {
        let tallest = bars.with(|bars| bars.iter().map(|bar| bar.count).max().unwrap_or(0));
        // Whole units: no float formatting in the console (it costs kilobytes).
        let height = match count {
            0 => 0,
            _ => (count * BAR_HEIGHT / tallest.max(1)).max(2),
        };
        let name = day_name(day, zone.get_untracked().day(now.get_untracked()));
        let pressed = move || list_view.with(|view| view.expires == Some(day));
        let choose = move |_| {
            list_view.update(|view| {
                if view.expires == Some(day) {
                    view.expires = None;
                } else {
                    view.expires = Some(day);
                    // The expired bar shows expired invitations, whatever the toggle said.
                    view.show_expired |= day == ExpiryDay::Expired;
                }
            })
        };
        view! {
            <li>
                <button
                    type="button"
                    class="oi-bar"
                    class:oi-bar-expired=day == ExpiryDay::Expired
                    aria-pressed=move || pressed().to_string()
                    on:click=choose
                >
                    <span class="oi-bar-count">{count}</span>
                    <svg
                        viewBox=format!("0 0 10 {BAR_HEIGHT}")
                        preserveAspectRatio="none"
                        aria-hidden="true"
                    >
                        <rect
                            x="0"
                            y=(BAR_HEIGHT - height).to_string()
                            width="10"
                            height=height.to_string()
                        ></rect>
                    </svg>
                    <span class="oi-sr-only">{tn(key!("timeline.invitations"), count)}</span>
                    // Either is shown, by the timeline's width; the full name is the
                    // accessible one.
                    <span class="oi-bar-day oi-bar-day-long">{name}</span>
                    <span class="oi-bar-day oi-bar-day-short" aria-hidden="true">
                        {match day {
                            ExpiryDay::Expired => t(key!("timeline.expired.short")),
                            ExpiryDay::On(on) => {
                                match crate::i18n::words::language().as_str() {
                                    "en" => short_label(day),
                                    language => {
                                        crate::i18n::intl::number(language, on.day() as usize)
                                    }
                                }
                            }
                        }}
                    </span>
                </button>
            </li>
        }
    };
    // The box is what the labels' container query measures: a block as wide as the list.
    view! {
        <div class="oi-timeline-box">
            <ul
                class="oi-timeline"
                class:oi-partial=partial
                aria-label=move || {
                    t(
                        if partial.get() {
                            key!("timeline.label.partial")
                        } else {
                            key!("timeline.label")
                        },
                    )
                }
            >
                {move || bars.get().into_iter().map(bar).collect_view()}
            </ul>
        </div>
    }
}

/// "Expired", "Today", "Tomorrow" in the console's words, then the weekday and the day of the
/// month.
fn day_name(day: ExpiryDay, today: chrono::NaiveDate) -> String {
    match day {
        ExpiryDay::Expired => t(key!("timeline.expired")),
        ExpiryDay::On(on) if on == today => t(key!("timeline.today")),
        ExpiryDay::On(on) if on == today + chrono::TimeDelta::days(1) => {
            t(key!("timeline.tomorrow"))
        }
        ExpiryDay::On(on) => match crate::i18n::words::language().as_str() {
            "en" => label(day, today),
            language => crate::i18n::intl::weekday_and_day(language, on),
        },
    }
}
