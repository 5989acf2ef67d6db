//! The server's own words: refusals and their reasons, confirmations, undo and the trash,
//! errors of requests, HTTP error bodies. One catalog per language (`es.toml`, `en.toml`),
//! compiled in; the code names a message and fills its `{slots}` with [`tr!`]. The tests check
//! that both catalogs hold the same messages with the same slots, and that every `tr!` in the
//! sources names a message that exists with exactly the slots it fills.
//!
//! The assistant's explanations live with its language files (`assistant/lang/*.toml`,
//! `[say]`); these are the words of everything else.

use std::collections::HashMap;
use std::fmt::{Display, Write as _};
use std::sync::LazyLock;

use crate::lang::Lang;

const SOURCES: [(Lang, &str); 2] = [
    (Lang::Es, include_str!("es.toml")),
    (Lang::En, include_str!("en.toml")),
];

type Catalog = HashMap<String, String>;

/// Each language's messages. A catalog that does not parse is empty (the tests fail on it;
/// a message then reads as its key, never a panic).
static CATALOGS: LazyLock<Vec<(Lang, Catalog)>> = LazyLock::new(|| {
    SOURCES
        .iter()
        .map(|(lang, src)| (*lang, parse(src).unwrap_or_default()))
        .collect()
});

fn parse(src: &str) -> Result<Catalog, toml::de::Error> {
    toml::from_str(src)
}

fn catalog(lang: Lang) -> Option<&'static Catalog> {
    CATALOGS.iter().find(|(l, _)| *l == lang).map(|(_, c)| c)
}

/// The message `key` in `lang`, its `{slots}` filled from `values`. A slot without a value is
/// left as written; `{{` and `}}` are literal braces.
pub fn render(lang: Lang, key: &str, values: &[(&str, &dyn Display)]) -> String {
    let Some(template) = catalog(lang).and_then(|c| c.get(key)) else {
        return key.to_owned();
    };
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template.as_str();
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        match slot_at(tail) {
            Some(name) => {
                match values.iter().find(|(n, _)| *n == name) {
                    Some((_, v)) => {
                        let _ = write!(out, "{v}");
                    }
                    None => out.push_str(&tail[..name.len() + 2]),
                }
                rest = &tail[name.len() + 2..];
            }
            None => {
                out.push_str(&tail[..1]);
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `{name}` at the start of `s`: the name.
fn slot_at(s: &str) -> Option<&str> {
    let body = s.strip_prefix('{')?;
    let end = body.find('}')?;
    let name = &body[..end];
    (!name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')).then_some(name)
}

/// The slots a message names, sorted.
pub fn slots(template: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            rest = &tail[2..];
        } else if let Some(name) = slot_at(tail) {
            found.push(name);
            rest = &tail[name.len() + 2..];
        } else {
            rest = &tail[1..];
        }
    }
    found.sort_unstable();
    found.dedup();
    found
}

/// An operating system error as a person reads it, in `lang`: the common ones from the
/// catalog, any other as the system words it (without "(os error N)").
pub fn os_error(lang: Lang, e: &std::io::Error) -> String {
    let Some(code) = e.raw_os_error() else {
        return e.to_string();
    };
    match code {
        libc::EEXIST => crate::tr!(lang, "os_exists"),
        libc::ENOENT => crate::tr!(lang, "os_missing"),
        libc::EACCES | libc::EPERM => crate::tr!(lang, "os_denied"),
        libc::ENOSPC | libc::EDQUOT => crate::tr!(lang, "os_full"),
        libc::ENOTDIR => crate::tr!(lang, "os_not_dir"),
        libc::EISDIR => crate::tr!(lang, "os_is_dir"),
        libc::ENOTEMPTY => crate::tr!(lang, "os_not_empty"),
        libc::EROFS => crate::tr!(lang, "os_read_only"),
        libc::ENAMETOOLONG => crate::tr!(lang, "os_too_long"),
        libc::ELOOP => crate::tr!(lang, "os_loop"),
        libc::EFBIG => crate::tr!(lang, "os_too_big"),
        libc::EBUSY | libc::ETXTBSY => crate::tr!(lang, "os_busy"),
        _ => {
            let text = e.to_string();
            let why = text
                .strip_suffix(&format!(" (os error {code})"))
                .unwrap_or(&text)
                .to_owned();
            crate::tr!(lang, "os_other", why = why)
        }
    }
}

/// A message of the catalog in a language: `tr!(lang, "trash_moved", n = count, at = path)`.
#[macro_export]
macro_rules! tr {
    ($lang:expr, $key:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::text::render(
            $lang,
            $key,
            &[$((stringify!($name), &$value as &dyn ::std::fmt::Display)),*],
        )
    };
}

#[cfg(test)]
mod tests;
