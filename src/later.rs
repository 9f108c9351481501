//! The parts of the console nobody needs before the list: their code lives in a WebAssembly
//! module of its own (`later`), fetched when the browser is idle after the first rows, or at
//! once when someone asks for one of them sooner (docs/size.md, "Split").
//!
//! A part is a function declared with [`split!`]: in the release build (cargo feature `split`,
//! set by `cargo xtask build`) the splitter moves it, and all code only it reaches, into the
//! other module; everywhere else (`trunk serve`, the browser tests) it is the same Rust, called
//! directly. [`deferred`] shows a part where it belongs: nothing or a pending state until the
//! module is in, the error in words with a retry if it could not be fetched, then the part.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use leptos::prelude::*;
pub use wasm_split_helpers::SplitLoaderError;

use crate::i18n::words::{key, t};

/// Declares a function whose code lives in the `later` module: it becomes `async`, and a module
/// that cannot be fetched is its `Err` (the function returns `Result<_, SplitLoaderError>`).
macro_rules! split {
    ($(#[$attr:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty $body:block) => {
        #[cfg(feature = "split")]
        $(#[$attr])*
        #[wasm_split_helpers::wasm_split(later, fallible)]
        $vis fn $name($($arg: $ty),*) -> $ret $body

        #[cfg(not(feature = "split"))]
        $(#[$attr])*
        $vis async fn $name($($arg: $ty),*) -> $ret $body
    };
}
pub(crate) use split;

/// A part's view, made from its props once its module is in.
pub type Part<P> = fn(P) -> AnyView;

/// What a part's split function returns.
pub type Loading<P> = Pin<Box<dyn Future<Output = Result<Part<P>, SplitLoaderError>>>>;

/// Where the `later` module is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Module {
    NotAsked,
    Fetching,
    In,
    Failed,
}

/// The `later` module, one for the console: fetched when the browser is idle after the list's
/// first answer (or at once where there is no list), so no click waits on it in practice, or
/// at once when someone waits for one of its parts; after a failed fetch, again with the list's
/// next answer (the server was away and is back) or when someone asks.
#[derive(Clone, Copy)]
pub struct Later {
    module: RwSignal<Module>,
    /// An idle callback is on its way.
    idle_asked: StoredValue<bool>,
}

split! {
    /// Nothing but the module's arrival: every part's code is in it.
    fn later_module() -> Result<(), SplitLoaderError> {
        Ok(())
    }
}

impl Later {
    pub fn provide() -> Self {
        let later = Self {
            module: RwSignal::new(Module::NotAsked),
            idle_asked: StoredValue::new(false),
        };
        provide_context(later);
        later
    }

    /// Fetches the module now, unless it is in or on its way.
    fn fetch(self) {
        if matches!(self.module.get_untracked(), Module::Fetching | Module::In) {
            return;
        }
        self.module.set(Module::Fetching);
        leptos::task::spawn_local(async move {
            let arrived = later_module().await.is_ok();
            self.module
                .try_set(if arrived { Module::In } else { Module::Failed });
        });
    }

    /// Fetches the module when the browser is next idle (within two seconds), unless it is in
    /// or on its way.
    pub fn when_idle(self) {
        if matches!(self.module.get_untracked(), Module::Fetching | Module::In)
            || self.idle_asked.get_value()
        {
            return;
        }
        self.idle_asked.set_value(true);
        let now = move || {
            self.idle_asked.try_set_value(false);
            self.fetch();
        };
        let callback = wasm_bindgen::closure::Closure::once_into_js(now);
        let window = window();
        let idle = js_sys::Reflect::get(&window, &"requestIdleCallback".into())
            .ok()
            .and_then(|idle| wasm_bindgen::JsCast::dyn_into::<js_sys::Function>(idle).ok());
        let asked = match idle {
            Some(idle) => {
                let options = js_sys::Object::new();
                let _ = js_sys::Reflect::set(&options, &"timeout".into(), &2000.into());
                idle.call2(&window, &callback, &options).is_ok()
            }
            None => false,
        };
        if !asked {
            let _ =
                window.set_timeout_with_callback(wasm_bindgen::JsCast::unchecked_ref(&callback));
        }
    }
}

/// Where a part that is not in yet says so.
#[derive(Clone, Copy)]
pub enum Pending {
    /// Only while someone waits for it (`true`): then the module is fetched at once.
    WhenNeeded(Signal<bool>),
    /// Always: it holds its place on the screen.
    Always,
}

/// Shows a part once the `later` module is in; before, its pending state where it is shown
/// ([`Pending`]); if the module could not be fetched, that in words with a retry, where it is
/// shown. A part nobody waits for stays quiet.
pub fn deferred<P: Clone + Send + Sync + 'static>(
    load: fn() -> Loading<P>,
    props: P,
    pending: Pending,
) -> impl IntoView {
    // Only this is made once per kind of part; the rest is one copy for all of them.
    let make: Make = Rc::new(move || {
        let props = props.clone();
        Box::pin(async move {
            let part = load().await.ok()?;
            Some(Rc::new(move || part(props.clone())) as View)
        })
    });
    shown_when_in(make, pending)
}

/// A part's view, made where it is shown.
type View = Rc<dyn Fn() -> AnyView>;
/// Asks for a part's view; `None` if its function did not answer.
type Make = Rc<dyn Fn() -> Pin<Box<dyn Future<Output = Option<View>>>>>;

fn shown_when_in(make: Make, pending: Pending) -> impl IntoView {
    let make = StoredValue::new_local(make);
    let later = use_context::<Later>().unwrap_or_else(|| {
        // A part outside the console's frame: nothing else will ask for the module.
        let later = Later::provide();
        later.fetch();
        later
    });
    let part = RwSignal::new_local(None::<View>);
    // Someone pressed Retry: they wait for it, as for a part that is needed.
    let retried = RwSignal::new(false);
    let needed = move || match pending {
        Pending::WhenNeeded(needed) => needed.get(),
        Pending::Always => false,
    };
    let shown = move || matches!(pending, Pending::Always) || needed() || retried.get();
    Effect::new(move |_| {
        if needed() {
            later.fetch();
        }
    });
    // With the module in, the part's own function answers at once.
    Effect::new(move |_| {
        if later.module.get() == Module::In && part.get_untracked().is_none() {
            let asked = make.with_value(|make| make());
            leptos::task::spawn_local(async move {
                if let Some(made) = asked.await {
                    part.try_set(Some(made));
                }
            });
        }
    });
    move || {
        if let Some(part) = part.get() {
            return Some(part());
        }
        if !shown() {
            return None;
        }
        Some(if later.module.get() == Module::Failed {
            // An alert where someone waits for the part; where it only holds its place, a
            // status (the list's own error, if the server is away, is the one to hear).
            let role = if needed() || retried.get() {
                "alert"
            } else {
                "status"
            };
            view! {
                <div class="oi-notice oi-later-failed" role=role>
                    {t(key!("later.failed"))}
                    " "
                    <button
                        type="button"
                        class="oi-button"
                        on:click=move |_| {
                            retried.set(true);
                            later.fetch();
                        }
                    >
                        {t(key!("error.retry"))}
                    </button>
                </div>
            }
            .into_any()
        } else {
            view! {
                <p class="oi-status oi-later" role="status">
                    {t(key!("later.loading"))}
                </p>
            }
            .into_any()
        })
    }
}
