//! The server's modules import one way (`server/src/lib.rs` draws the floors): this reads every
//! `crate::` path in `server/src` and fails on an import circle of any length, so the picture
//! stays true. A module is a file; a folder's own file and the files under it are one family
//! (the parent declares its children, the children use the parent's types), so imports between
//! them do not count. Comments and test modules are not read.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::{Result, paths};

/// `cargo xtask test checks`: fails naming every circle it finds.
pub fn check() -> Result {
    let sources = read_modules(&paths::root().join("server").join("src"))?;
    let circles = circles(&graph(&sources));
    if circles.is_empty() {
        println!(
            "xtask: the server's {} modules import one way",
            sources.len()
        );
        return Ok(());
    }
    let named: Vec<String> = circles
        .iter()
        .map(|circle| format!("  {}", circle.join(" ⇄ ")))
        .collect();
    Err(format!(
        "the server's modules import each other in a circle (move what both need below both):\n{}",
        named.join("\n")
    ))
}

/// Every module under `source` by its path (`http/routes`), with its text.
fn read_modules(source: &Path) -> Result<BTreeMap<String, String>> {
    let mut modules = BTreeMap::new();
    let mut folders = vec![source.to_owned()];
    while let Some(folder) = folders.pop() {
        let entries = std::fs::read_dir(&folder)
            .map_err(|err| format!("cannot read {}: {err}", folder.display()))?;
        for entry in entries {
            let path = entry.map_err(|err| err.to_string())?.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|extension| extension == "rs") {
                let name = path
                    .strip_prefix(source)
                    .expect("under the source folder")
                    .with_extension("")
                    .to_string_lossy()
                    .into_owned();
                let text = std::fs::read_to_string(&path)
                    .map_err(|err| format!("cannot read {}: {err}", path.display()))?;
                modules.insert(name, text);
            }
        }
    }
    // The crate's roots declare everything; test-only modules are not the server.
    modules.retain(|name, _| {
        name != "lib" && name != "main" && !name.split('/').any(|part| part == "contract_tests")
    });
    Ok(modules)
}

/// Which modules each module imports.
fn graph(modules: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    modules
        .iter()
        .map(|(name, text)| {
            let imported = crate_paths(&code_of(text))
                .iter()
                .filter_map(|path| module_of(modules, path))
                .filter(|other| !same_family(name, other))
                .collect();
            (name.clone(), imported)
        })
        .collect()
}

/// `text` without its comments and its test module (which comes last).
fn code_of(text: &str) -> String {
    let text = text
        .find("#[cfg(test)]\nmod tests")
        .map_or(text, |start| &text[..start]);
    text.lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every path that starts `crate::`, with `{…}` groups written out (`crate::a::{b, c::d}` is
/// `a::b` and `a::c::d`).
fn crate_paths(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(start) = rest.find("crate::") {
        rest = &rest[start + "crate::".len()..];
        expand("", rest, &mut found);
    }
    found
}

/// Reads the path at the start of `text` onto `prefix`, pushing each path it names.
fn expand(prefix: &str, text: &str, found: &mut Vec<String>) {
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .unwrap_or(text.len());
    let path = format!("{prefix}{}", &text[..end]);
    if text[end..].starts_with('{') && (path.is_empty() || path.ends_with("::")) {
        for item in group_items(&text[end + 1..]) {
            expand(&path, item.trim_start(), found);
        }
    } else {
        found.push(path.trim_end_matches(':').to_owned());
    }
}

/// The items of a `{…}` group whose text starts after its `{`, split at its own commas.
fn group_items(text: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let (mut depth, mut start) = (0usize, 0);
    for (at, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                items.push(&text[start..at]);
                break;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&text[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    items
}

/// The module a path is in: its longest start that names a module (`http::routes::site` is
/// `http/routes`).
fn module_of(modules: &BTreeMap<String, String>, path: &str) -> Option<String> {
    let parts: Vec<&str> = path.split("::").filter(|part| !part.is_empty()).collect();
    (1..=parts.len())
        .rev()
        .map(|length| parts[..length].join("/"))
        .find(|name| modules.contains_key(name))
}

/// Whether one module is the other's folder file or under it.
fn same_family(a: &str, b: &str) -> bool {
    a == b || a.starts_with(&format!("{b}/")) || b.starts_with(&format!("{a}/"))
}

/// The circles: every group of modules that reach each other (Tarjan's strongly connected
/// components of more than one module), each in order.
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Walk<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, module: &'a str) {
            let number = self.index.len();
            self.index.insert(module, number);
            self.low.insert(module, number);
            self.stack.push(module);
            self.on_stack.insert(module);
            for next in self.graph.get(module).into_iter().flatten() {
                let next = next.as_str();
                if !self.index.contains_key(next) {
                    self.visit(next);
                    let low = self.low[module].min(self.low[next]);
                    self.low.insert(module, low);
                } else if self.on_stack.contains(next) {
                    let low = self.low[module].min(self.index[next]);
                    self.low.insert(module, low);
                }
            }
            if self.low[module] == self.index[module] {
                let mut circle = Vec::new();
                while let Some(member) = self.stack.pop() {
                    self.on_stack.remove(member);
                    circle.push(member.to_owned());
                    if member == module {
                        break;
                    }
                }
                if circle.len() > 1 {
                    circle.sort();
                    self.found.push(circle);
                }
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for module in graph.keys() {
        if !walk.index.contains_key(module.as_str()) {
            walk.visit(module);
        }
    }
    walk.found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn modules(files: &[(&str, &str)]) -> BTreeMap<String, String> {
        files
            .iter()
            .map(|(name, text)| ((*name).to_owned(), (*text).to_owned()))
            .collect()
    }

    #[test]
    fn a_circle_of_any_length_is_found_and_one_way_imports_are_not() {
        let tree = modules(&[
            ("http", ""),
            ("http/routes", "use crate::handlers::invitations::list;"),
            (
                "handlers/invitations",
                "use crate::{error::ApiError, store::{Store, audit}};",
            ),
            ("error", ""),
            ("store", "use crate::telemetry;"),
            ("store/audit", "fn f() { crate::telemetry::count(); }"),
            (
                "telemetry",
                "// crate::http::routes is only named in a comment",
            ),
        ]);
        assert!(circles(&graph(&tree)).is_empty());
        let mut looped = tree.clone();
        looped.insert("telemetry".into(), "use crate::http::routes::PATH;".into());
        assert_eq!(
            circles(&graph(&looped)),
            [[
                "handlers/invitations",
                "http/routes",
                "store",
                "store/audit",
                "telemetry"
            ]]
        );
    }

    #[test]
    fn a_folder_and_its_files_are_one_family_and_tests_are_not_read() {
        let tree = modules(&[
            ("store", "mod sqlite; use crate::store::sqlite::Backend;"),
            ("store/sqlite", "use crate::store::StoreError;"),
            ("auth", ""),
            (
                "auth/permit",
                "use crate::state::Site;\n#[cfg(test)]\nmod tests { use crate::handlers::me; }",
            ),
            ("state", "use crate::auth::permit;"),
            ("handlers/me", "use crate::auth::permit::Permit;"),
        ]);
        let found = graph(&tree);
        assert!(found["store"].is_empty() && found["store/sqlite"].is_empty());
        assert_eq!(circles(&found), [["auth/permit", "state"]]);
    }

    #[test]
    fn groups_are_written_out_to_the_module_each_path_is_in() {
        assert_eq!(
            crate_paths(
                "use crate::a::{b, c::{d, e::F}, g};\ncrate::h::i(); use crate::{k, l::m};"
            ),
            ["a::b", "a::c::d", "a::c::e::F", "a::g", "h::i", "k", "l::m"]
        );
    }
}
