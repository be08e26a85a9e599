//! Arrows point down: the layer table in the crate docs (`src/lib.rs`,
//! section "Layers") is the truth, and this test reads `src/` to hold the
//! code to it.
//!
//! - A *module* is a top-level name under `src/`: `src/x.rs` or `src/x/`
//!   (every file below it belongs to `x`). `src/lib.rs` is the crate root
//!   that draws the table; it is not a module.
//! - A *reference* is a path that leaves its module: `crate::x` (and
//!   `$crate::x`, `crate::{x, y}`), or a chain of `super::` long enough to
//!   reach the crate root. `super::` inside a module is internal. A
//!   root-level name that is not a module (`crate::Error`) counts for the
//!   module it is re-exported from in `src/lib.rs`.
//! - Comments (doc comments and their examples included) are ignored.
//!   String literals are not: `#[serde(with = "crate::time::seconds")]` is a
//!   real dependency.
//! - Unit tests count like the code they test (`mod tests`, `tests.rs`),
//!   and so does feature-gated code: a module's tests use what the module
//!   may use. A test that needs a higher layer (a desk, a store) is a
//!   behaviour test and belongs in `tests/it/`. No unit test in `src/`
//!   needed one when this was decided.
//!
//! The test fails on (1) a cycle between modules, (2) an arrow up the table,
//! (3) a module missing from the table, or one in the table that `src/` does
//! not have. Arrows within one row are allowed when they make no cycle; the
//! top row (the desk and the crate `Error`) may name each other freely.
//!
//! It reads nothing but the table and the files under `src/`, so it keeps
//! working whatever the modules hold.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

/// One row of the table: a layer and its modules.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Layer {
    name: String,
    modules: Vec<String>,
}

/// Where a module names another: the first place found.
#[derive(Debug, Clone)]
struct Site {
    file: String,
    line: usize,
    path: String,
}

/// The heading above the table in the crate docs.
const HEADING: &str = "## Layers";

#[test]
fn arrows_point_down_the_layer_table() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let problems = check(&src);
    assert!(
        problems.is_empty(),
        "the code does not keep to the layer table in src/lib.rs ({HEADING}):\n{}",
        problems.join("\n")
    );
}

/// Every problem found, one line each; empty when the code keeps the table.
fn check(src: &Path) -> Vec<String> {
    let lib = match fs::read_to_string(src.join("lib.rs")) {
        Ok(lib) => lib,
        Err(e) => return vec![format!("cannot read src/lib.rs: {e}")],
    };
    let layers = match parse_table(&lib) {
        Ok(layers) => layers,
        Err(e) => return vec![e],
    };
    let modules = match read_modules(src) {
        Ok(modules) => modules,
        Err(e) => return vec![e],
    };
    let reexports = reexports(&lex(&lib));
    let mut problems = Vec::new();

    // (3) The table and src/ name the same modules, each once.
    let mut rank: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, layer) in layers.iter().enumerate() {
        // Rows are drawn top first: the bottom row has rank 0.
        let r = layers.len() - 1 - i;
        for m in &layer.modules {
            if rank.insert(m, r).is_some() {
                problems.push(format!("module `{m}` is in the table twice"));
            }
            if !modules.contains_key(m) {
                problems.push(format!(
                    "the table names module `{m}` (layer {}), which src/ does not have",
                    layer.name
                ));
            }
        }
    }
    for m in modules.keys() {
        if !rank.contains_key(m.as_str()) {
            problems.push(format!(
                "module `{m}` is missing from the layer table: add it to the row of the layer it belongs to"
            ));
        }
    }

    // The arrows, with where each starts.
    let mut arrows: BTreeMap<(String, String), Site> = BTreeMap::new();
    for (module, files) in &modules {
        for file in files {
            let text = match fs::read_to_string(file) {
                Ok(text) => text,
                Err(e) => {
                    problems.push(format!("cannot read {}: {e}", file.display()));
                    continue;
                }
            };
            let shown = display_path(src, file);
            for r in references(&lex(&text), depth(src, file)) {
                let target = if modules.contains_key(&r.name) {
                    r.name.clone()
                } else if let Some(m) = reexports.get(&r.name) {
                    m.clone()
                } else {
                    problems.push(format!(
                        "{shown}:{}: `{}` names `{}` at the crate root, which is neither a module of src/ nor re-exported from one in src/lib.rs",
                        r.line, r.path, r.name
                    ));
                    continue;
                };
                if &target != module {
                    arrows
                        .entry((module.clone(), target))
                        .or_insert_with(|| Site {
                            file: shown.clone(),
                            line: r.line,
                            path: r.path.clone(),
                        });
                }
            }
        }
    }

    // (2) No arrow points up.
    for ((from, to), site) in &arrows {
        let (Some(&rf), Some(&rt)) = (rank.get(from.as_str()), rank.get(to.as_str())) else {
            continue; // reported above as missing from the table
        };
        if rt > rf {
            problems.push(format!(
                "arrow up: `{from}` (layer {}) names `{to}` (layer {}, above it) at {}:{}: `{}`",
                layer_of(&layers, from),
                layer_of(&layers, to),
                site.file,
                site.line,
                site.path
            ));
        }
    }

    // (1) No cycle. The top row may name each other (the desk returns the
    // crate Error, which wraps the desk's errors).
    let top: BTreeSet<&str> = layers
        .first()
        .map(|l| l.modules.iter().map(String::as_str).collect())
        .unwrap_or_default();
    let graph: BTreeMap<&str, Vec<&str>> = arrows
        .keys()
        .filter(|(f, t)| !(top.contains(f.as_str()) && top.contains(t.as_str())))
        .fold(BTreeMap::new(), |mut g, (f, t)| {
            g.entry(f.as_str()).or_default().push(t.as_str());
            g
        });
    for cycle in cycles(&graph) {
        let mut msg = format!("import cycle: {}", cycle.join(" -> "));
        for pair in cycle.windows(2) {
            if let [f, t] = pair
                && let Some(site) = arrows.get(&((*f).to_owned(), (*t).to_owned()))
            {
                let _ = write!(
                    msg,
                    "\n    {f} -> {t} at {}:{}: `{}`",
                    site.file, site.line, site.path
                );
            }
        }
        problems.push(msg);
    }
    problems
}

fn layer_of<'a>(layers: &'a [Layer], module: &str) -> &'a str {
    layers
        .iter()
        .find(|l| l.modules.iter().any(|m| m == module))
        .map_or("?", |l| l.name.as_str())
}

fn display_path(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap_or(file);
    format!("src/{}", rel.display()).replace('\\', "/")
}

/// The table: the first ```` ```text ```` block after the `## Layers`
/// heading of the crate docs, top row first. A row starts at the margin:
/// the layer's name, then its modules separated by single spaces
/// (`desk/`, `error.rs` and `error` all name `error`), then, after two or
/// more spaces, a description. Lines that start with a space continue the
/// description.
fn parse_table(lib: &str) -> Result<Vec<Layer>, String> {
    let docs: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("//!"))
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect();
    let start = docs
        .iter()
        .position(|l| l.trim_end() == HEADING)
        .ok_or_else(|| format!("src/lib.rs: no `{HEADING}` heading in the crate docs"))?;
    let fence = docs
        .iter()
        .skip(start)
        .position(|l| l.trim_end() == "```text")
        .map(|i| i + start + 1)
        .ok_or_else(|| format!("src/lib.rs: no ```text block after `{HEADING}`"))?;
    let mut layers = Vec::new();
    let mut closed = false;
    for line in docs.iter().skip(fence) {
        if line.trim_end() == "```" {
            closed = true;
            break;
        }
        if line.trim().is_empty() || line.starts_with(' ') {
            continue;
        }
        let (name, rest) = line.split_once(' ').unwrap_or((line, ""));
        let list = rest.trim_start();
        let list = list.split_once("  ").map_or(list, |(modules, _)| modules);
        let mut modules = Vec::new();
        for word in list.split(' ').filter(|w| !w.is_empty()) {
            let m = word.trim_end_matches('/').trim_end_matches(".rs");
            let ok = m.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
                && m.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !ok {
                return Err(format!(
                    "src/lib.rs: layer `{name}` lists `{word}`, which is not a module name \
                     (separate the description from the modules by two spaces)"
                ));
            }
            modules.push(m.to_owned());
        }
        if modules.is_empty() {
            return Err(format!("src/lib.rs: layer `{name}` lists no modules"));
        }
        layers.push(Layer {
            name: name.to_owned(),
            modules,
        });
    }
    if !closed {
        return Err("src/lib.rs: the layer table's ```text block is not closed".to_owned());
    }
    if layers.is_empty() {
        return Err("src/lib.rs: the layer table has no rows".to_owned());
    }
    Ok(layers)
}

/// The modules under `src/` and their files.
fn read_modules(src: &Path) -> Result<BTreeMap<String, Vec<PathBuf>>, String> {
    let mut modules: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    let entries = fs::read_dir(src).map_err(|e| format!("cannot list src/: {e}"))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if path.is_dir() {
            let files = modules.entry(name.to_owned()).or_default();
            rust_files(&path, files)?;
        } else if let Some(stem) = name.strip_suffix(".rs")
            && stem != "lib"
            && stem != "main"
        {
            modules.entry(stem.to_owned()).or_default().push(path);
        }
    }
    for files in modules.values_mut() {
        files.sort();
    }
    modules.retain(|_, files| !files.is_empty());
    Ok(modules)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            rust_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// How many modules deep a file's top level is: 1 for `src/x.rs` and
/// `src/x/mod.rs`, 2 for `src/x/y.rs`, ...
fn depth(src: &Path, file: &Path) -> usize {
    let rel = file.strip_prefix(src).unwrap_or(file);
    let parts = rel.components().count();
    if rel.file_stem().is_some_and(|s| s == "mod") {
        parts.saturating_sub(1)
    } else {
        parts
    }
}

/// A token of source: an identifier, `::`, a string literal's contents,
/// or one other char. Comments, numbers and char literals are dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    Path,
    Str(String),
    Punct(char),
}

/// The tokens of a file, each with its line.
fn lex(text: &str) -> Vec<(Tok, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let at = |i: usize| chars.get(i).copied();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while let Some(c) = at(i) {
        let next = at(i + 1);
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && next == Some('/') {
            while at(i).is_some_and(|c| c != '\n') {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut nesting = 0usize;
            while let Some(c) = at(i) {
                if c == '/' && at(i + 1) == Some('*') {
                    nesting += 1;
                    i += 2;
                } else if c == '*' && at(i + 1) == Some('/') {
                    nesting -= 1;
                    i += 2;
                    if nesting == 0 {
                        break;
                    }
                } else {
                    line += usize::from(c == '\n');
                    i += 1;
                }
            }
        } else if let Some((open, hashes)) = raw_string_start(&chars, i) {
            // r"..", r#".."#, br"..": no escapes, up to the quote and hashes.
            let start_line = line;
            i += open;
            let mut body = String::new();
            while let Some(c) = at(i) {
                i += 1;
                if c == '"' && (0..hashes).all(|k| at(i + k) == Some('#')) {
                    i += hashes;
                    break;
                }
                line += usize::from(c == '\n');
                body.push(c);
            }
            out.push((Tok::Str(body), start_line));
        } else if c == '"' || (c == 'b' && next == Some('"')) {
            let start_line = line;
            i += if c == 'b' { 2 } else { 1 };
            let mut body = String::new();
            while let Some(c) = at(i) {
                i += 1;
                if c == '\\' {
                    if let Some(e) = at(i) {
                        body.push(c);
                        body.push(e);
                        line += usize::from(e == '\n');
                    }
                    i += 1;
                } else if c == '"' {
                    break;
                } else {
                    line += usize::from(c == '\n');
                    body.push(c);
                }
            }
            out.push((Tok::Str(body), start_line));
        } else if c == '\'' || (c == 'b' && next == Some('\'')) {
            // A char literal ('a', '\'', '\u{1F600}', b'x'), or a lifetime.
            let q = if c == 'b' { i + 1 } else { i };
            if at(q + 1) == Some('\\') {
                let mut j = q + 3; // past the quote, the backslash, the escaped char
                while at(j).is_some_and(|c| c != '\'') {
                    j += 1;
                }
                i = j + 1;
            } else if at(q + 2) == Some('\'') {
                i = q + 3;
            } else {
                out.push((Tok::Punct('\''), line));
                i += 1;
            }
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while at(i).is_some_and(|c| c.is_alphanumeric() || c == '_') {
                i += 1;
            }
            out.push((Tok::Ident(chars[start..i].iter().collect()), line));
        } else if c.is_ascii_digit() {
            while at(i).is_some_and(|c| c.is_alphanumeric() || c == '_') {
                i += 1;
            }
        } else if c == ':' && next == Some(':') {
            out.push((Tok::Path, line));
            i += 2;
        } else {
            out.push((Tok::Punct(c), line));
            i += 1;
        }
    }
    out
}

/// At `i`, the start of a raw string: (chars up to and including the
/// opening quote, number of hashes).
fn raw_string_start(chars: &[char], i: usize) -> Option<(usize, usize)> {
    let mut j = i;
    if chars.get(j) == Some(&'b') {
        j += 1;
    }
    if chars.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let mut hashes = 0;
    while chars.get(j) == Some(&'#') {
        hashes += 1;
        j += 1;
    }
    (chars.get(j) == Some(&'"')).then_some((j + 1 - i, hashes))
}

fn is_ident(t: Option<&(Tok, usize)>, name: &str) -> bool {
    matches!(t, Some((Tok::Ident(s), _)) if s == name)
}

fn is_punct(t: Option<&(Tok, usize)>, c: char) -> bool {
    matches!(t, Some((Tok::Punct(p), _)) if *p == c)
}

/// A path that reaches the crate root, and the root-level name it takes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Reference {
    name: String,
    line: usize,
    path: String,
}

/// Every reference to a root-level name in a file whose top level is
/// `depth` modules deep.
fn references(toks: &[(Tok, usize)], depth: usize) -> Vec<Reference> {
    let mut out = Vec::new();
    // Brace depths at which inline modules (`mod m { ... }`) opened.
    let mut inline: Vec<usize> = Vec::new();
    let mut braces = 0usize;
    let mut i = 0;
    while i < toks.len() {
        match &toks[i].0 {
            Tok::Punct('{') => braces += 1,
            Tok::Punct('}') => {
                braces = braces.saturating_sub(1);
                if inline.last() == Some(&braces) {
                    inline.pop();
                }
            }
            Tok::Ident(kw)
                if kw == "mod"
                    && matches!(toks.get(i + 1), Some((Tok::Ident(_), _)))
                    && is_punct(toks.get(i + 2), '{') =>
            {
                inline.push(braces);
            }
            Tok::Str(text) => {
                // `#[serde(with = "crate::time::seconds")]` names `time`.
                for (k, _) in text.match_indices("crate::") {
                    let before = text[..k].chars().next_back();
                    if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                        continue;
                    }
                    let name: String = text[k + 7..]
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        out.push(Reference {
                            path: format!("\"crate::{name}\""),
                            name,
                            line: toks[i].1,
                        });
                    }
                }
            }
            Tok::Ident(kw) if kw == "crate" && matches!(toks.get(i + 1), Some((Tok::Path, _))) => {
                out.extend(root_names(toks, i + 2, "crate::"));
            }
            Tok::Ident(kw) if kw == "super" && matches!(toks.get(i + 1), Some((Tok::Path, _))) => {
                let preceded = i >= 1 && matches!(toks[i - 1].0, Tok::Path);
                if !preceded {
                    let mut j = i;
                    let mut ups = 0;
                    while is_ident(toks.get(j), "super")
                        && matches!(toks.get(j + 1), Some((Tok::Path, _)))
                    {
                        ups += 1;
                        j += 2;
                    }
                    if ups >= depth + inline.len() {
                        let prefix = "super::".repeat(ups);
                        out.extend(root_names(toks, j, &prefix));
                    }
                    i = j;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The root-level names a path takes at `i` (just after `crate::`): one
/// name, or each first name of a `{a::b, c}` group.
fn root_names(toks: &[(Tok, usize)], i: usize, prefix: &str) -> Vec<Reference> {
    let line = toks.get(i).map_or(0, |t| t.1);
    match toks.get(i) {
        Some((Tok::Ident(name), _)) => vec![Reference {
            name: name.clone(),
            line,
            path: format!("{prefix}{name}"),
        }],
        Some((Tok::Punct('{'), _)) => {
            let mut out = Vec::new();
            let mut depth = 0usize;
            let mut expect = true;
            for (t, l) in &toks[i..] {
                match t {
                    Tok::Punct('{') => depth += 1,
                    Tok::Punct('}') => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    Tok::Punct(',') if depth == 1 => expect = true,
                    Tok::Ident(name) if depth == 1 && expect => {
                        expect = false;
                        out.push(Reference {
                            name: name.clone(),
                            line: *l,
                            path: format!("{prefix}{{{name}, ..}}"),
                        });
                    }
                    _ if depth == 1 => expect = false,
                    _ => {}
                }
            }
            out
        }
        _ => vec![Reference {
            name: "*".to_owned(),
            line,
            path: format!("{prefix}*"),
        }],
    }
}

/// Root-level names `src/lib.rs` re-exports, and the module each comes
/// from (`pub use error::Error;` maps `Error` to `error`).
fn reexports(toks: &[(Tok, usize)]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for i in 0..toks.len() {
        if !(is_ident(toks.get(i), "pub") && is_ident(toks.get(i + 1), "use")) {
            continue;
        }
        // The path's names up to a group, a glob or the end.
        let mut names = Vec::new();
        let mut j = i + 2;
        while let Some((t, _)) = toks.get(j) {
            match t {
                Tok::Ident(s) if s != "as" => names.push(s.clone()),
                Tok::Ident(_) | Tok::Path => {}
                _ => break,
            }
            j += 1;
        }
        if names.first().is_some_and(|n| n == "crate") {
            names.remove(0);
        }
        if let (Some(module), Some(name), true) = (names.first(), names.last(), names.len() > 1) {
            out.insert(name.clone(), module.clone());
        }
    }
    out
}

/// The cycles of a graph, one per strongly connected component of more
/// than one module (shown as a closed path through it).
fn cycles<'a>(graph: &BTreeMap<&'a str, Vec<&'a str>>) -> Vec<Vec<&'a str>> {
    let nodes: BTreeSet<&str> = graph
        .iter()
        .flat_map(|(f, ts)| std::iter::once(*f).chain(ts.iter().copied()))
        .collect();
    let reach = |from: &'a str| -> BTreeSet<&'a str> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from];
        while let Some(n) = stack.pop() {
            for &t in graph.get(n).into_iter().flatten() {
                if seen.insert(t) {
                    stack.push(t);
                }
            }
        }
        seen
    };
    let reachable: BTreeMap<&str, BTreeSet<&str>> = nodes.iter().map(|&n| (n, reach(n))).collect();
    let mut done = BTreeSet::new();
    let mut out = Vec::new();
    for &n in &nodes {
        if done.contains(n) || !reachable[n].contains(n) {
            continue;
        }
        let component: BTreeSet<&str> = reachable[n]
            .iter()
            .copied()
            .filter(|m| reachable[m].contains(n))
            .collect();
        done.extend(component.iter().copied());
        // A shortest way round from n, through the component.
        let mut prev: BTreeMap<&str, &str> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([n]);
        let mut closing = None;
        while let Some(m) = queue.pop_front() {
            for &t in graph.get(m).into_iter().flatten() {
                if t == n {
                    closing = Some(m);
                    break;
                }
                if component.contains(t) && !prev.contains_key(t) {
                    prev.insert(t, m);
                    queue.push_back(t);
                }
            }
            if closing.is_some() {
                break;
            }
        }
        // prev leads back from the closing module to n: walk it, then
        // turn it round.
        let mut path = Vec::new();
        let mut at = closing.unwrap_or(n);
        while at != n {
            path.push(at);
            at = prev.get(at).copied().unwrap_or(n);
        }
        path.push(n);
        path.reverse();
        path.push(n);
        out.push(path);
    }
    out
}

mod checker {
    //! The checker's own pieces, on small inputs.

    use super::*;

    fn refs(code: &str, depth: usize) -> Vec<String> {
        references(&lex(code), depth)
            .into_iter()
            .map(|r| r.name)
            .collect()
    }

    #[test]
    fn comments_are_ignored_and_strings_kept() {
        let code = r#"
            //! [`crate::desk::Desk`] in a doc comment
            /* crate::store /* nested crate::view */ still a comment */
            #[serde(with = "crate::time::seconds")]
            const URL: &str = "https://example.com/crate::not_code";
            const Q: char = '"';
            fn f<'a>(x: &'a str) -> crate::id::TicketId { todo!() }
        "#;
        assert_eq!(refs(code, 1), ["time", "not_code", "id"]);
    }

    #[test]
    fn grouped_and_nested_paths_name_each_module() {
        let code = "use crate::{agent::Role, id::{TicketId, AgentId}, channel};";
        assert_eq!(refs(code, 1), ["agent", "id", "channel"]);
    }

    #[test]
    fn super_reaches_the_root_only_from_deep_enough() {
        // In src/x.rs, `super::y` is the root's `y`; in src/x/a.rs it is x's.
        assert_eq!(refs("use super::y::Z;", 1), ["y"]);
        assert!(refs("use super::y::Z;", 2).is_empty());
        assert_eq!(refs("use super::super::y::Z;", 2), ["y"]);
        // Inside an inline module one more `super` is needed.
        assert!(refs("mod inner { use super::y::Z; }", 1).is_empty());
        assert_eq!(
            refs("mod inner { use super::super::y::Z; } use super::w;", 1),
            ["y", "w"]
        );
    }

    #[test]
    fn unit_tests_count() {
        let code = "
            use crate::id::X;
            #[cfg(test)]
            mod tests { use crate::desk::Desk; }
            #[cfg(any(test, feature = \"conformance\"))]
            pub mod conformance { use crate::customer::C; }
        ";
        assert_eq!(refs(code, 1), ["id", "desk", "customer"]);
    }

    #[test]
    fn the_table_reads_rows_and_refuses_a_bad_one() {
        let lib = "//! ## Layers\n//! ```text\n//! top     desk/ error.rs   the desk\n\
                   //!                          and more words\n\
                   //! base    id time          bottom\n//! ```\n";
        let layers = parse_table(lib).unwrap();
        assert_eq!(layers[0].modules, ["desk", "error"]);
        assert_eq!(layers[1].name, "base");
        assert_eq!(layers[1].modules, ["id", "time"]);
        let bad = lib.replace("id time          bottom", "id time Bottom row");
        assert!(parse_table(&bad).unwrap_err().contains("`Bottom`"));
    }

    #[test]
    fn cycles_are_found_and_shown_in_order() {
        let g = BTreeMap::from([
            ("a", vec!["b"]),
            ("b", vec!["c"]),
            ("c", vec!["a", "d"]),
            ("d", vec![]),
        ]);
        assert_eq!(cycles(&g), [vec!["a", "b", "c", "a"]]);
        let acyclic = BTreeMap::from([("a", vec!["b"]), ("b", vec!["c"])]);
        assert!(cycles(&acyclic).is_empty());
    }

    #[test]
    fn a_crate_with_an_upward_arrow_and_a_cycle_fails() {
        let dir = std::env::temp_dir().join(format!("fanatical-layering-{}", std::process::id()));
        let src = dir.join("src");
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(src.join("desk")).unwrap();
        let write = |p: &str, s: &str| fs::write(src.join(p), s).unwrap();
        write(
            "lib.rs",
            "//! ## Layers\n//! ```text\n//! top    desk error  top\n//! model  ticket customer  model\n\
             //! base   id  base\n//! ```\npub mod desk;\npub use error::Error;\n",
        );
        write("desk/mod.rs", "use crate::Error;\nuse crate::ticket::T;\n");
        write("error.rs", "use crate::desk::DeskError;\n");
        write(
            "ticket.rs",
            "use crate::customer::C;\nfn f() -> crate::desk::Desk { todo!() }\n",
        );
        write("customer.rs", "use crate::ticket::T;\nuse super::id::X;\n");
        write("id.rs", "");
        write("stray.rs", "");
        let problems = check(&src);
        let _ = fs::remove_dir_all(&dir);
        let all = problems.join("\n");
        assert!(
            all.contains("arrow up: `ticket` (layer model) names `desk` (layer top"),
            "{all}"
        );
        assert!(
            all.contains("import cycle: customer -> ticket -> customer"),
            "{all}"
        );
        assert!(
            all.contains("module `stray` is missing from the layer table"),
            "{all}"
        );
        // The top floor naming each other is no cycle; same-row arrows are fine.
        assert!(!all.contains("desk -> error"), "{all}");
        assert_eq!(problems.len(), 3, "{all}");
    }
}
