use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

/// The part of an element the viewer can see, from its top edge: what a windowed list renders.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VisibleStretch {
    /// How far below the element's top the visible part starts, in px (0 while its top shows).
    pub from: f64,
    /// How tall the visible part is, in px (the view's whole height while the element's top is
    /// below it).
    pub height: f64,
}

/// The height assumed before anything has been measured.
const FIRST_GUESS_PX: f64 = 800.0;

/// What [`use_visible_stretch`] follows, and what moves it.
#[derive(Clone, Copy)]
pub struct Viewport {
    /// The stretch of the element on screen.
    pub visible: Signal<VisibleStretch>,
    measure: StoredValue<Box<dyn Fn()>, LocalStorage>,
    clippers: StoredValue<Vec<web_sys::Element>, LocalStorage>,
}

impl Viewport {
    /// Measures again now (the element's content changed; its clipping ancestors did not,
    /// so they are not looked for again).
    pub fn remeasure(&self) {
        self.measure.with_value(|measure| measure());
    }

    /// Scrolls what the viewer scrolls (the innermost scrolling ancestor, or the page) by
    /// `pixels`, down when positive.
    pub fn scroll_by(&self, pixels: f64) {
        let inner = self.clippers.with_value(|clippers| {
            clippers
                .iter()
                .find(|clipper| clipper.scroll_height() > clipper.client_height())
                .cloned()
        });
        match inner {
            Some(scroller) => {
                scroller.set_scroll_top(scroller.scroll_top() + pixels.round() as i32)
            }
            None => window().scroll_by_with_x_and_y(0.0, pixels.round()),
        }
        self.remeasure();
    }
}

/// Follows which stretch of `target` is on screen. The console has no scrolling box of its
/// own: the page scrolls, or, embedded, whatever ancestor the host made scroll (found across
/// shadow roots), so a phone has one scroll and a flick at the list's end moves the page on.
/// Measured again when anything scrolls, the window resizes, or the console's own height
/// changes (content above the list moving it).
///
/// ```ignore
/// let rows = NodeRef::<leptos::html::Tbody>::new();
/// let viewport = use_visible_stretch(rows);
/// let first_row = move || (viewport.visible.get().from / ROW_HEIGHT) as usize;
/// ```
pub fn use_visible_stretch<E>(target: NodeRef<E>) -> Viewport
where
    E: leptos::html::ElementType,
    E::Output: JsCast + Clone + 'static,
{
    let visible = RwSignal::new(VisibleStretch {
        from: 0.0,
        height: FIRST_GUESS_PX,
    });
    // Ancestors that clip what shows (a host's scrolling box), found once per layout change.
    let clippers = StoredValue::new_local(Vec::<web_sys::Element>::new());
    let element = move || {
        target
            .get_untracked()
            .map(|element| element.unchecked_into::<web_sys::Element>())
    };
    let measure = move || {
        if let Some(element) = element() {
            let seen = clippers.with_value(|clippers| visible_part(&element, clippers));
            if visible.get_untracked() != seen {
                visible.set(seen);
            }
        }
    };
    let relayout = move || {
        if let Some(element) = element() {
            clippers.set_value(clipping_ancestors(&element));
        }
        measure();
    };
    Effect::new(move |_| {
        target.track();
        relayout();
        observe_console_height(element(), relayout);
    });

    // Capturing on the window hears every scroll in the document (scroll events do not bubble),
    // the page's own and a host's box alike; passive, so scrolling never waits for us.
    let on_scroll = Closure::<dyn Fn()>::new(measure);
    let options = web_sys::AddEventListenerOptions::new();
    options.set_capture(true);
    options.set_passive(true);
    let _ = window().add_event_listener_with_callback_and_add_event_listener_options(
        "scroll",
        on_scroll.as_ref().unchecked_ref(),
        &options,
    );
    let resize = window_event_listener(leptos::ev::resize, move |_| relayout());
    let on_scroll = SendWrapper::new(on_scroll);
    on_cleanup(move || {
        resize.remove();
        let _ = window().remove_event_listener_with_callback_and_bool(
            "scroll",
            on_scroll.as_ref().unchecked_ref(),
            true,
        );
    });
    Viewport {
        visible: visible.into(),
        measure: StoredValue::new_local(Box::new(measure)),
        clippers,
    }
}

/// Where the window and every clipping ancestor overlap, against `element`'s top edge.
fn visible_part(element: &web_sys::Element, clippers: &[web_sys::Element]) -> VisibleStretch {
    let mut top = 0.0_f64;
    let mut bottom = window()
        .inner_height()
        .ok()
        .and_then(|height| height.as_f64())
        .unwrap_or(FIRST_GUESS_PX);
    for clipper in clippers {
        let box_top = clipper.get_bounding_client_rect().top() + f64::from(clipper.client_top());
        top = top.max(box_top);
        bottom = bottom.min(box_top + f64::from(clipper.client_height()));
    }
    let element_top = element.get_bounding_client_rect().top();
    // While the element starts below the view, as much of it as fills the view is wanted:
    // the part a viewer scrolling to it sees first.
    VisibleStretch {
        from: (top - element_top).max(0.0),
        height: (bottom - top).max(0.0),
    }
}

/// The ancestors of `element` (across shadow roots, up to but not including the page's root
/// scroller) whose overflow clips their content.
fn clipping_ancestors(element: &web_sys::Element) -> Vec<web_sys::Element> {
    let document = document();
    let page = document.scrolling_element();
    let mut found = Vec::new();
    let mut next = parent_across_shadow(element);
    while let Some(ancestor) = next {
        if Some(&ancestor) == page.as_ref() || Some(&ancestor) == document.body().as_deref() {
            break;
        }
        let clips = window()
            .get_computed_style(&ancestor)
            .ok()
            .flatten()
            .and_then(|style| style.get_property_value("overflow-y").ok())
            .is_some_and(|overflow| overflow != "visible");
        if clips {
            found.push(ancestor.clone());
        }
        next = parent_across_shadow(&ancestor);
    }
    found
}

fn parent_across_shadow(element: &web_sys::Element) -> Option<web_sys::Element> {
    element.parent_element().or_else(|| {
        element
            .get_root_node()
            .dyn_into::<web_sys::ShadowRoot>()
            .ok()
            .map(|root| root.host())
    })
}

/// Calls `changed` whenever the console around `element` changes height: a notice or the
/// invite form's results above the list move it without any scroll.
fn observe_console_height(element: Option<web_sys::Element>, changed: impl Fn() + 'static) {
    let Some(console) = element.and_then(|element| element.closest(".oi-console").ok().flatten())
    else {
        return;
    };
    let callback = Closure::<dyn Fn()>::new(changed);
    let Ok(observer) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) else {
        return;
    };
    observer.observe(&console);
    let held = SendWrapper::new((observer, callback));
    on_cleanup(move || held.0.disconnect());
}
