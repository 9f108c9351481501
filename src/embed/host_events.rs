//! Events for the page that embeds the console: `invitations-created`, `invitations-deleted`
//! and `invitations-error`, as bubbling, composed CustomEvents whose `detail` holds the
//! affected addresses (`emails`) and, for errors, a `message`.

use js_sys::{Array, Object, Reflect};
use leptos::prelude::*;
use wasm_bindgen::JsValue;

#[derive(Clone, Copy)]
pub struct HostEvents {
    target: StoredValue<Option<web_sys::EventTarget>, LocalStorage>,
}

impl HostEvents {
    /// Provides the events service; with no target (stand-alone) it sends nothing.
    pub fn provide(target: Option<web_sys::EventTarget>) -> Self {
        let events = Self {
            target: StoredValue::new_local(target),
        };
        provide_context(events);
        events
    }

    /// The service provided above, or one that sends nothing (components used on their own).
    pub fn use_or_silent() -> Self {
        use_context::<Self>().unwrap_or_else(|| Self::provide(None))
    }

    pub fn created(&self, emails: &[String]) {
        self.emit("invitations-created", emails, None);
    }

    pub fn deleted(&self, emails: &[String]) {
        self.emit("invitations-deleted", emails, None);
    }

    pub fn error(&self, emails: &[String], message: &str) {
        self.emit("invitations-error", emails, Some(message));
    }

    fn emit(&self, name: &str, emails: &[String], message: Option<&str>) {
        if emails.is_empty() && message.is_none() {
            return;
        }
        let Some(Some(target)) = self.target.try_get_value() else {
            return;
        };
        let detail = Object::new();
        let list: Array = emails
            .iter()
            .map(|email| JsValue::from_str(email))
            .collect();
        let _ = Reflect::set(&detail, &"emails".into(), &list);
        if let Some(message) = message {
            let _ = Reflect::set(&detail, &"message".into(), &message.into());
        }
        let init = web_sys::CustomEventInit::new();
        init.set_bubbles(true);
        init.set_composed(true);
        init.set_detail(&detail);
        if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
            let _ = target.dispatch_event(&event);
        }
    }
}
