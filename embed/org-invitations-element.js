// The console's loader, emitted by the release build under this stable name beside the
// WebAssembly and its JS glue. Loading it starts the console: the stand-alone page (an
// element with id "org-invitations") mounts itself. It is a file, not an inline script, so
// the page works under `script-src 'self' 'wasm-unsafe-eval'`.
import init from "./org-invitations.js";

await init({ module_or_path: new URL("./org-invitations_bg.wasm", import.meta.url) });
