// The console's loader, emitted by the release build under this stable name beside the
// WebAssembly and its JS glue. It is a file, not an inline script, so pages work under
// `script-src 'self' 'wasm-unsafe-eval'`.
//
// - The stand-alone page (an element with id "org-invitations") mounts itself.
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
let glue = null;

const STYLESHEET = new URL("./console.css", import.meta.url).href;
// Where the console's own files are: its languages' tables are fetched from here.
const ASSET_BASE = new URL("./", import.meta.url).href;
let instances = 0;

// The console's first frame, as the stand-alone page's index.html has it, made with DOM calls
// (no HTML from strings): its title, and the list saying it is loading.
function frame() {
  const element = (tag, className, text) => {
    const made = document.createElement(tag);
    if (className) made.className = className;
    if (text) made.textContent = text;
    return made;
  };
  const console = element("div", "oi-console");
  const header = element("header", "oi-header");
  const heading = element("div");
  heading.append(element("h1", "oi-title", "Organization invitations"));
  header.append(heading);
  const list = element("div", "oi-list");
  const status = element("p", "oi-status oi-frame-status", "Loading invitations…");
  status.setAttribute("role", "status");
  list.append(element("h2", "oi-subtitle", "Invitations"), status);
  const body = element("div", "oi-body");
  body.append(list);
  console.append(header, body);
  return console;
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
    const root = document.createElement("div");
    if (!glue) {
      // The module is still on its way: the frame stands in, and the console replaces it.
      root.append(frame());
      shadow.replaceChildren(style, root);
      ready.then((loaded) => {
        glue = loaded;
        if (this.isConnected && !this.mounted) this.mount();
      });
      return;
    }
    // The frame stays until the console replaces it (once its language's words are in).
    root.append(frame());
    shadow.replaceChildren(style, root);
    this.mounted = glue.mountConsole(root, {
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
      // The element's own language, else the one it inherits from the host page.
      locale: this.getAttribute("lang") ?? undefined,
      inheritedLang: this.parentElement?.closest("[lang]")?.getAttribute("lang") ?? undefined,
      assetBase: ASSET_BASE,
    });
  }

  unmount() {
    if (this.mounted) {
      this.mounted.unmount();
      this.mounted.free();
      this.mounted = null;
    }
  }
}

if (!customElements.get("org-invitations")) {
  customElements.define("org-invitations", OrgInvitationsElement);
}

glue = await ready;
// The console's own files (its languages' tables) are beside this script, wherever the host is.
export function mountConsole(element, options = {}) {
  return glue.mountConsole(element, { assetBase: ASSET_BASE, ...options });
}
