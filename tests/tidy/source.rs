//! Tidy: rules on the api's source text. `api` is the composition root and must stay thin:
//!
//! - `anyhow` only in the binary's entry points: `api/src/main.rs` and the `cli` and `bench`
//!   module trees (`api/src/cli.rs` or `cli/mod.rs` and `api/src/cli/**`; the same for `bench`).
//!   Everything else in `api` (the `http` layer, shared code) returns typed errors.
//! - No file over 600 lines and no function over 80 lines, tests left out (`tests.rs` and
//!   `*_tests.rs` files, and every `#[cfg(test)]` item). A function is measured from the line
//!   of its `fn` to the line of its matching closing brace, in rustfmt'd text (`tests/run`
//!   checks the formatting), with comments, strings and char literals blanked first so their
//!   braces do not count.

use std::ops::RangeInclusive;
use std::path::Path;

use super::walk;
use crate::util::root;

const MAX_FILE_LINES: usize = 600;
const MAX_FN_LINES: usize = 80;

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `text` with the contents of comments, string literals and char literals replaced by spaces
/// (newlines kept, so line numbers still hold). Lifetimes are left alone.
fn blank(text: &str) -> String {
    let b: Vec<char> = text.chars().collect();
    let mut out: Vec<char> = b.clone();
    let mut wipe = |from: usize, to: usize| {
        for c in &mut out[from..to.min(b.len())] {
            if *c != '\n' {
                *c = ' ';
            }
        }
    };
    let at = |i: usize| b.get(i).copied();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let starts_token = i == 0 || !is_ident(b[i - 1]);
        let raw_prefix =
            b[i] == 'r' && (starts_token || (b[i - 1] == 'b' && (i < 2 || !is_ident(b[i - 2]))));
        if b[i] == '/' && at(i + 1) == Some('/') {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
        } else if b[i] == '/' && at(i + 1) == Some('*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && at(i + 1) == Some('*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == '*' && at(i + 1) == Some('/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if raw_prefix && matches!(at(i + 1), Some('"' | '#')) {
            let hashes = b[i + 1..].iter().take_while(|&&c| c == '#').count();
            if at(i + 1 + hashes) != Some('"') {
                i += 1;
                continue;
            }
            i += hashes + 2;
            while i < b.len()
                && !(b[i] == '"'
                    && b[i + 1..]
                        .iter()
                        .take(hashes)
                        .filter(|&&c| c == '#')
                        .count()
                        == hashes)
            {
                i += 1;
            }
            i += 1 + hashes;
        } else if b[i] == '"' {
            i += 1;
            while i < b.len() && b[i] != '"' {
                i += if b[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
        } else if b[i] == '\'' && at(i + 1) == Some('\\') {
            i += 3;
            while i < b.len() && b[i] != '\'' {
                i += 1;
            }
            i += 1;
        } else if b[i] == '\'' && at(i + 2) == Some('\'') {
            i += 3;
        } else {
            i += 1;
            continue;
        }
        wipe(start, i);
    }
    out.into_iter().collect()
}

/// 1-based line of every char index of `text`.
fn lines_of(text: &[char]) -> Vec<usize> {
    let mut line = 1;
    text.iter()
        .map(|&c| {
            let l = line;
            if c == '\n' {
                line += 1;
            }
            l
        })
        .collect()
}

/// From `from`, the index of the first `{` or `;` outside parentheses and brackets.
fn item_open(b: &[char], from: usize) -> Option<usize> {
    let mut depth = 0i32;
    for (i, &c) in b.iter().enumerate().skip(from) {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            '{' | ';' if depth == 0 => return Some(i),
            _ => {}
        }
    }
    None
}

/// The index of the `}` matching the `{` at `open`.
fn matching_close(b: &[char], open: usize) -> Option<usize> {
    let mut depth = 0;
    for (i, &c) in b.iter().enumerate().skip(open) {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// A parsed view of one file: blanked text, line of each char, lines of `#[cfg(test)]` items.
struct Source {
    b: Vec<char>,
    line: Vec<usize>,
    tests: Vec<RangeInclusive<usize>>,
}

impl Source {
    fn new(text: &str) -> Source {
        let b: Vec<char> = blank(text).chars().collect();
        let line = lines_of(&b);
        let attr: Vec<char> = "#[cfg(test)]".chars().collect();
        let mut tests = Vec::new();
        for i in 0..b.len() {
            if !b[i..].starts_with(&attr) {
                continue;
            }
            let Some(open) = item_open(&b, i + attr.len()) else {
                continue;
            };
            let end = if b[open] == '{' {
                matching_close(&b, open).unwrap_or(b.len() - 1)
            } else {
                open
            };
            tests.push(line[i]..=line[end]);
        }
        Source { b, line, tests }
    }

    fn in_tests(&self, line: usize) -> bool {
        self.tests.iter().any(|r| r.contains(&line))
    }

    /// Every function with a body: name, first line, last line.
    fn functions(&self) -> Vec<(String, usize, usize)> {
        let b = &self.b;
        let mut out = Vec::new();
        for i in 0..b.len().saturating_sub(3) {
            let keyword = b[i] == 'f'
                && b[i + 1] == 'n'
                && b[i + 2].is_whitespace()
                && (i == 0 || !is_ident(b[i - 1]));
            if !keyword {
                continue;
            }
            let name: String = b[i + 2..]
                .iter()
                .skip_while(|c| c.is_whitespace())
                .take_while(|&&c| is_ident(c))
                .collect();
            if name.is_empty() {
                continue;
            }
            let Some(open) = item_open(b, i + 2) else {
                continue;
            };
            if b[open] == '{' {
                if let Some(close) = matching_close(b, open) {
                    out.push((name, self.line[i], self.line[close]));
                }
            }
        }
        out
    }
}

/// A file over 600 lines or a function over 80 lines outside tests, named with its place.
fn size_problems(rel: &str, text: &str) -> Vec<String> {
    let src = Source::new(text);
    let mut out = Vec::new();
    let n_lines = (1..=text.lines().count())
        .filter(|&l| !src.in_tests(l))
        .count();
    if n_lines > MAX_FILE_LINES {
        out.push(format!(
            "{rel}: {n_lines} lines outside tests, over {MAX_FILE_LINES}: split it by concept"
        ));
    }
    for (name, first, last) in src.functions() {
        let len = last - first + 1;
        if len > MAX_FN_LINES && !src.in_tests(first) {
            out.push(format!(
                "{rel}:{first}: fn {name} is {len} lines, over {MAX_FN_LINES}"
            ));
        }
    }
    out
}

/// Whether `rel` (a path from the workspace root, `/`-separated) is an entry point of the
/// binary, where `anyhow` may be used.
fn anyhow_allowed(rel: &str) -> bool {
    rel == "api/src/main.rs"
        || ["cli", "bench"]
            .iter()
            .any(|m| rel == format!("api/src/{m}.rs") || rel.starts_with(&format!("api/src/{m}/")))
}

/// The lines of `rel` that name `anyhow` in code (not in a comment or string) where it is not
/// allowed, as one problem per file.
fn anyhow_problems(rel: &str, text: &str) -> Option<String> {
    if anyhow_allowed(rel) {
        return None;
    }
    let src = Source::new(text);
    let word: Vec<char> = "anyhow".chars().collect();
    let b = &src.b;
    let mut lines: Vec<String> = (0..b.len())
        .filter(|&i| {
            b[i..].starts_with(&word)
                && (i == 0 || !is_ident(b[i - 1]))
                && !b.get(i + word.len()).copied().is_some_and(is_ident)
        })
        .map(|i| src.line[i].to_string())
        .collect();
    lines.dedup();
    (!lines.is_empty()).then(|| {
        format!(
            "{rel}: anyhow outside main.rs, cli/ and bench/ (lines {}): return a typed error",
            lines.join(", ")
        )
    })
}

/// Every `.rs` file of `api/src` as (path from the workspace root, text).
fn api_sources() -> Vec<(String, String)> {
    let mut files = Vec::new();
    walk(&root().join("api/src"), "rs", &mut files);
    files.sort();
    assert!(!files.is_empty(), "no api/src files");
    files
        .iter()
        .map(|f| {
            let rel = f.strip_prefix(root()).unwrap_or(f);
            let rel = rel.to_string_lossy().replace('\\', "/");
            (rel, std::fs::read_to_string(f).unwrap())
        })
        .collect()
}

fn is_test_file(rel: &str) -> bool {
    let name = Path::new(rel).file_name().unwrap().to_string_lossy();
    name == "tests.rs" || name.ends_with("_tests.rs")
}

#[test]
fn anyhow_stays_in_the_binary_entry_points() {
    let problems: Vec<String> = api_sources()
        .iter()
        .filter_map(|(rel, text)| anyhow_problems(rel, text))
        .collect();
    assert!(
        problems.is_empty(),
        "anyhow is for main.rs, cli/ and bench/ only:\n{}",
        problems.join("\n")
    );
}

#[test]
fn api_files_and_functions_are_small() {
    let problems: Vec<String> = api_sources()
        .iter()
        .filter(|(rel, _)| !is_test_file(rel))
        .flat_map(|(rel, text)| size_problems(rel, text))
        .collect();
    assert!(
        problems.is_empty(),
        "api stays thin (files ≤ {MAX_FILE_LINES} lines, functions ≤ {MAX_FN_LINES}):\n{}",
        problems.join("\n")
    );
}

/// A function of `n` lines (its `fn` line and closing brace included) named `name`.
fn function(name: &str, n: usize) -> String {
    let mut s = format!("fn {name}() {{\n");
    for _ in 0..n - 2 {
        s.push_str("    x();\n");
    }
    s.push_str("}\n");
    s
}

#[test]
fn blanking_keeps_lines_and_hides_braces_in_literals_and_comments() {
    let text = "let a = '{'; let b = b'}'; let c = '\\''; let l: &'static str = \"{\\\"}\";\n\
                // { a comment\n/* { /* nested } */ } */ let r = r#\"}\"#; fn f<'a>() {}\n";
    let blanked = blank(text);
    assert_eq!(blanked.lines().count(), text.lines().count());
    assert_eq!(blanked.matches('{').count(), 1, "{blanked}");
    assert_eq!(blanked.matches('}').count(), 1, "{blanked}");
    assert!(blanked.contains("fn f<'a>() {}"), "{blanked}");
}

#[test]
fn the_size_rules_catch_a_long_function_and_a_long_file() {
    let mut text = String::from("//! A module.\n");
    text += &function("short", 80);
    text += "fn braces() { let s = \"}}}}\"; let c = '}'; // }\n}\n";
    let long_at = text.lines().count() + 1;
    text += &function("long", 81);
    text += "#[cfg(test)]\nmod tests {\n";
    text += &function("long_test", 200);
    text += "}\ntrait T {\n    fn declared(&self) -> [u8; 2];\n}\n";
    assert_eq!(
        size_problems("api/src/x.rs", &text),
        [format!(
            "api/src/x.rs:{long_at}: fn long is 81 lines, over 80"
        )]
    );
    // 600 lines outside tests pass; the 601st fails; test lines never count.
    let body = |n: usize| "const A: u8 = 0;\n".repeat(n);
    let tests = format!("#[cfg(test)]\nmod tests {{\n{}}}\n", body(100));
    assert!(size_problems("api/src/y.rs", &(body(600) + &tests)).is_empty());
    assert_eq!(
        size_problems("api/src/y.rs", &(body(601) + &tests)),
        ["api/src/y.rs: 601 lines outside tests, over 600: split it by concept"]
    );
}

#[test]
fn the_anyhow_rule_allows_the_entry_points_only() {
    let text = "//! About anyhow.\nuse anyhow::Context;\n// anyhow in a comment\nfn f() -> anyhow::Result<()> { let s = \"anyhow\"; Ok(()) }\nfn anyhow_free() {}\n";
    assert_eq!(
        anyhow_problems("api/src/http/mod.rs", text).as_deref(),
        Some("api/src/http/mod.rs: anyhow outside main.rs, cli/ and bench/ (lines 2, 4): return a typed error")
    );
    for ok in [
        "api/src/main.rs",
        "api/src/cli/poll.rs",
        "api/src/cli.rs",
        "api/src/bench/store.rs",
    ] {
        assert_eq!(anyhow_problems(ok, text), None, "{ok}");
    }
    assert!(anyhow_problems("api/src/client.rs", text).is_some());
}
