// The console's loader, emitted by the release build under this stable name beside the
// WebAssembly and its JS glue. It is a file, not an inline script, so pages work under
// `script-src 'self' 'wasm-unsafe-eval'`.
//
// - The stand-alone page (an element with id "org-invitations") is mounted by it, below.
// - Host pages get the <org-invitations> element, rendered in its own shadow root:
//     <script type="module" src="https://console.example/org-invitations-element.js"></script>
//     <org-invitations api-base="https://console.example"></org-invitations>
// - Or the same as a call: import { mountConsole } from ".../org-invitations-element.js".

// Both downloads start at once: the WebAssembly streams in (and compiles as it arrives) while
// the JS glue loads, instead of after it. The element is defined before either has arrived,
// so it shows the console's first frame meanwhile.
const ready = (async () => {
  const wasm = fetch(new URL("./org-invitations_bg.wasm", import.meta.url));
  const glue = await import("./org-invitations.js");
  await glue.default({ module_or_path: wasm });
  return glue;
})();

const STYLESHEET = new URL("./console.css", import.meta.url).href;
let instances = 0;

// The languages the console speaks (core/src/messages.rs, SHIPPED; a test keeps the two in
// step), English built in, each other a table of its own beside this script, fetched once per
// page and only when chosen; those written right to left.
const LANGUAGES = ["en", "de", "fr", "es", "ja", "ar"];
const RIGHT_TO_LEFT = ["ar"];
// Where the stand-alone page's language menu keeps its choice (src/i18n/locale.rs, CHOSEN_KEY).
const CHOSEN_KEY = "org-invitations:locale";
const tables = new Map();

// The first of `wanted` (the element's lang, the one it inherits...), then of the browser's
// languages, that the console speaks, by language ("de" for "de-CH"); else English. What is
// not text (a host's `locale: 42`) is passed over.
function chooseLanguage(...wanted) {
  for (const tag of [...wanted, ...navigator.languages]) {
    const language = (typeof tag === "string" ? tag : "").split(/[-_]/)[0].trim().toLowerCase();
    if (LANGUAGES.includes(language)) return language;
  }
  return "en";
}

// The module's options that make the console speak `language`: `locale` and its
// `localeTable`, or English and the `localeProblem` it reports to its host.
function wordsFor(language) {
  if (language === "en") return Promise.resolve({ locale: "en" });
  if (!tables.has(language)) {
    const url = new URL(`./locales/${language}.json`, import.meta.url);
    const words = fetch(url)
      .then((answer) => (answer.ok ? answer.json() : Promise.reject(`HTTP ${answer.status}`)))
      .then(
        (localeTable) => ({ locale: language, localeTable }),
        (why) => ({
          locale: "en",
          localeProblem: `the ${language} words could not be loaded (${why}): English is shown`,
        }),
      );
    tables.set(language, words);
  }
  return tables.get(language);
}

// Says on `element` (a frame, or the stand-alone page's <html>) which language it is in.
function speakIn(element, language) {
  element.lang = language;
  element.dir = RIGHT_TO_LEFT.includes(language) ? "rtl" : "ltr";
}

// The first frame's parts and their English (core/src/english.rs).
const FRAME_WORDS = [
  [".oi-title", "app.title", "Organization invitations"],
  [".oi-subtitle", "list.title", "Invitations"],
  [".oi-frame-status", "list.loading", "Loading invitations…"],
];

// Puts a language's words (from `wordsFor`) into a first frame, the loader's or index.html's;
// with none yet (null), the frame says nothing rather than another language's words.
function speakFrame(frame, words) {
  for (const [selector, key, english] of FRAME_WORDS) {
    const part = frame.querySelector(selector);
    if (part) part.textContent = words ? (words.localeTable?.[key] ?? english) : "";
  }
}

// The console's first frame in `language`, as the stand-alone page's index.html has it, made
// with DOM calls (no HTML from strings): its title, and the list saying it is loading.
function frame(language) {
  const element = (tag, className) => {
    const made = document.createElement(tag);
    if (className) made.className = className;
    return made;
  };
  const console = element("div", "oi-console");
  speakIn(console, language);
  const header = element("header", "oi-header");
  const heading = element("div");
  heading.append(element("h1", "oi-title"));
  header.append(heading);
  const list = element("div", "oi-list");
  const status = element("p", "oi-status oi-frame-status");
  status.setAttribute("role", "status");
  list.append(element("h2", "oi-subtitle"), status);
  const body = element("div", "oi-body");
  body.append(list);
  console.append(header, body);
  speakFrame(console, language === "en" ? {} : null);
  wordsFor(language).then((words) => {
    speakIn(console, words.locale);
    speakFrame(console, words);
  });
  return console;
}

// The consoles mounted and not unmounted. A mounted console is a WebAssembly object that
// JavaScript frees once nothing refers to it, taking the console off the page: held here, a
// console stays until `unmount()`, whether or not its host kept the returned object.
const live = new Set();

// Calls `mount` with the options of `language`'s words once they and the module are in; what
// the console's element shows meanwhile (a first frame) stays until then. The returned
// object's `unmount()` removes the console, or keeps it from ever being mounted.
function mountSpeaking(language, mount) {
  let mounted = null;
  let gone = false;
  const handle = {
    unmount() {
      gone = true;
      live.delete(handle);
      mounted?.unmount();
      mounted?.free();
      mounted = null;
    },
  };
  live.add(handle);
  Promise.all([ready, wordsFor(language)]).then(([glue, words]) => {
    if (!gone) mounted = mount(glue, words);
  });
  return handle;
}

class OrgInvitationsElement extends HTMLElement {
  static observedAttributes = ["api-base", "token", "draft-key", "read-only", "parts", "time-zone", "lang"];

  constructor() {
    super();
    this.instance = ++instances;
    this.mounted = null;
    this.provider = undefined;
    this.ownStrings = undefined;
    // Set on the element before this script defined it: take the values over.
    if (Object.prototype.hasOwnProperty.call(this, "tokenProvider")) {
      const provider = this.tokenProvider;
      delete this.tokenProvider;
      this.provider = provider;
    }
    if (Object.prototype.hasOwnProperty.call(this, "strings")) {
      const strings = this.strings;
      delete this.strings;
      this.ownStrings = strings;
    }
  }

  // The host's own words for some messages, by key (docs/strings.md), merged over the
  // console's: `element.strings = { "list.invite_people": "Add teammates" }`.
  get strings() {
    return this.ownStrings;
  }

  set strings(strings) {
    this.ownStrings = strings;
    if (this.mounted) this.mount();
  }

  // A function returning a token (or a promise of one), asked again whenever the server
  // refuses the current token: `element.tokenProvider = () => fetchFreshToken()`.
  get tokenProvider() {
    return this.provider;
  }

  set tokenProvider(provider) {
    this.provider = provider;
    if (this.mounted) this.mount();
  }

  connectedCallback() {
    this.mount();
  }

  disconnectedCallback() {
    this.unmount();
  }

  attributeChangedCallback() {
    if (this.mounted) this.mount();
  }

  mount() {
    this.unmount();
    const shadow = this.shadowRoot ?? this.attachShadow({ mode: "open" });
    const style = document.createElement("link");
    style.rel = "stylesheet";
    style.href = STYLESHEET;
    // The element's own language, else the one it inherits from the host page.
    const language = chooseLanguage(
      this.getAttribute("lang"),
      this.parentElement?.closest("[lang]")?.getAttribute("lang"),
    );
    const root = document.createElement("div");
    root.append(frame(language));
    shadow.replaceChildren(style, root);
    this.mounted = mountSpeaking(language, (glue, words) =>
      glue.mountConsole(root, {
        apiBase: this.getAttribute("api-base") ?? "",
        token: this.getAttribute("token") ?? undefined,
        tokenProvider: this.provider,
        draftKey: this.getAttribute("draft-key") ?? `org-invitations:draft:${this.id || this.instance}`,
        syncUrl: false,
        eventTarget: this,
        readOnly: this.hasAttribute("read-only"),
        parts: this.getAttribute("parts") ?? undefined,
        timeZone: this.getAttribute("time-zone") ?? undefined,
        strings: this.ownStrings,
        ...words,
      }),
    );
  }

  unmount() {
    this.mounted?.unmount();
    this.mounted = null;
  }
}

if (!customElements.get("org-invitations")) {
  customElements.define("org-invitations", OrgInvitationsElement);
}

// The stand-alone page (index.html) is the console's own: it speaks the language chosen in its
// menu, else the browser's, and says so on <html> and in its first frame at once.
const page = document.getElementById("org-invitations");
if (page) {
  const language = chooseLanguage(localStorage.getItem(CHOSEN_KEY));
  speakIn(document.documentElement, language);
  speakFrame(page, language === "en" ? {} : null);
  // English, if the language's words could not be had.
  wordsFor(language).then((words) => {
    speakIn(document.documentElement, words.locale);
    speakFrame(page, words);
    document.title = words.localeTable?.["app.title"] ?? document.title;
  });
  // The stand-alone console lives as long as the page.
  mountSpeaking(language, (glue, words) => glue.mountStandalone(page, words));
}

// The console as a call: `mountConsole(element, { apiBase, locale, strings, ... })`
// (docs/embedding.md); `locale`, else the `lang` the element has or inherits, else the
// browser's languages. The returned object's `unmount()` removes it.
// A `locale` that is not text is passed over and reported to the host, as `strings` entries
// that are not text are.
export function mountConsole(element, options = {}) {
  const { locale } = options;
  const language = chooseLanguage(locale, element.closest("[lang]")?.getAttribute("lang"));
  const notText =
    locale === undefined || locale === null || typeof locale === "string"
      ? {}
      : { localeProblem: `locale: a ${typeof locale} is not text, so it was passed over` };
  return mountSpeaking(language, (glue, words) =>
    glue.mountConsole(element, { ...options, ...notText, ...words }),
  );
}
