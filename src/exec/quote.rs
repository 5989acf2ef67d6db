//! GNU coreutils' two ways of quoting a file name in messages, so that in-process file
//! operations print exactly what the real tools print (under LC_ALL=C.UTF-8).

use std::ffi::OsStr;
use std::fmt::Write;
use std::os::unix::ffi::OsStrExt;

/// One piece of a name: a valid character or a byte that is not UTF-8.
enum Unit {
    Char(char),
    Byte(u8),
}

fn units(name: &OsStr) -> Vec<Unit> {
    let mut out = Vec::new();
    for chunk in name.as_bytes().utf8_chunks() {
        out.extend(chunk.valid().chars().map(Unit::Char));
        out.extend(chunk.invalid().iter().map(|b| Unit::Byte(*b)));
    }
    out
}

fn c_escape(c: char) -> Option<&'static str> {
    Some(match c {
        '\x07' => "\\a",
        '\x08' => "\\b",
        '\x0c' => "\\f",
        '\n' => "\\n",
        '\r' => "\\r",
        '\t' => "\\t",
        '\x0b' => "\\v",
        _ => return None,
    })
}

fn push_escaped(out: &mut String, c: char) {
    match c_escape(c) {
        Some(e) => out.push_str(e),
        None => {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(out, "\\{b:03o}");
            }
        }
    }
}

/// `quote()`: the locale style used in error messages: ‘name’ with C escapes.
pub fn locale(name: &OsStr) -> String {
    let mut out = String::from("\u{2018}");
    for u in units(name) {
        match u {
            Unit::Char('\\') => out.push_str("\\\\"),
            Unit::Char(c) if c.is_control() => push_escaped(&mut out, c),
            Unit::Char(c) => out.push(c),
            Unit::Byte(b) => {
                let _ = write!(out, "\\{b:03o}");
            }
        }
    }
    out.push('\u{2019}');
    out
}

/// `quoteaf()`: the shell-escape-always style used by `mkdir -v` and `touch`: a string a
/// shell would read back as the same name.
pub fn shell_always(name: &OsStr) -> String {
    let us = units(name);
    let needs_dollar = us.iter().any(|u| match u {
        Unit::Byte(_) => true,
        Unit::Char(c) => c.is_control(),
    });
    let has_single = us.iter().any(|u| matches!(u, Unit::Char('\'')));
    let double_unsafe = us
        .iter()
        .any(|u| matches!(u, Unit::Char('"' | '$' | '`' | '\\' | '!')));
    if has_single && !needs_dollar && !double_unsafe {
        return format!("\"{}\"", name.to_string_lossy());
    }
    let mut out = String::from("'");
    for u in us {
        match u {
            Unit::Char('\'') => out.push_str("'\\''"),
            Unit::Char(c) if c.is_control() => {
                out.push_str("'$'");
                push_escaped(&mut out, c);
                out.push_str("''");
            }
            Unit::Char(c) => out.push(c),
            Unit::Byte(b) => {
                let _ = write!(out, "'$'\\{b:03o}''");
            }
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(s: &[u8]) -> &OsStr {
        OsStr::from_bytes(s)
    }

    #[test]
    fn matches_coreutils_9() {
        // Expected strings copied from GNU coreutils 9.1 output under LC_ALL=C.UTF-8.
        assert_eq!(shell_always(os(b"a")), "'a'");
        assert_eq!(shell_always(os(b"it's")), "\"it's\"");
        assert_eq!(shell_always(os(b"it's $x")), "'it'\\''s $x'");
        assert_eq!(shell_always(os(b"tab\tx")), "'tab'$'\\t''x'");
        assert_eq!(shell_always(os(b"\x01")), "''$'\\001'''");
        assert_eq!(shell_always(os(b"a\xffb")), "'a'$'\\377''b'");
        assert_eq!(locale(os(b"a\\b")), "\u{2018}a\\\\b\u{2019}");
        assert_eq!(locale(os(b"nl\nx")), "\u{2018}nl\\nx\u{2019}");
        assert_eq!(locale(os(b"\xff")), "\u{2018}\\377\u{2019}");
    }
}
