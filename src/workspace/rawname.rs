//! Names that are not UTF-8, carried through text. Commands are text (typed, shown, parsed,
//! judged by the policy), but a file name on Linux is bytes. A byte that is not part of valid
//! UTF-8 travels as one character of a private-use block (U+10FF80 + byte - 0x80), the way
//! Python's "surrogateescape" carries them; it turns back into the byte where the text meets
//! the file system (a path, a program's argument). In a command it is written `$'\xHH'`, which
//! bash reads the same way. A name that really holds one of those 128 characters (valid UTF-8,
//! in the last private-use plane) has each byte of it carried the same way, so it comes back
//! exact too.

use std::borrow::Cow;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;

/// The character standing for byte 0x80; bytes up to 0xFF follow it.
const BASE: u32 = 0x10_FF80;

fn byte_of(c: char) -> Option<u8> {
    let v = u32::from(c);
    (BASE..=BASE + 0x7F)
        .contains(&v)
        .then(|| u8::try_from(v - BASE + 0x80).ok())
        .flatten()
}

fn char_of(b: u8) -> char {
    // Bytes below 0x80 are always valid UTF-8, so `b` is 0x80..=0xFF here.
    char::from_u32(BASE + u32::from(b.saturating_sub(0x80))).unwrap_or(char::REPLACEMENT_CHARACTER)
}

/// Whether `s` carries bytes that are not UTF-8.
pub fn has_raw(s: &str) -> bool {
    s.chars().any(|c| byte_of(c).is_some())
}

/// Bytes as text: valid UTF-8 as it is, every other byte as its stand-in character.
pub fn text_of_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut buf = [0u8; 4];
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if byte_of(c).is_some() {
                // A stand-in spelt out in the name itself: its bytes, not it, travel.
                out.extend(c.encode_utf8(&mut buf).bytes().map(char_of));
            } else {
                out.push(c);
            }
        }
        out.extend(chunk.invalid().iter().map(|&b| char_of(b)));
    }
    out
}

/// A name or path as text (see `text_of_bytes`).
pub fn text(name: &OsStr) -> Cow<'_, str> {
    match name.to_str() {
        Some(s) if !has_raw(s) => Cow::Borrowed(s),
        _ => Cow::Owned(text_of_bytes(name.as_bytes())),
    }
}

/// For showing only: each byte that is not UTF-8 as U+FFFD, as a lossy conversion would.
pub fn lossy(s: &str) -> Cow<'_, str> {
    if !has_raw(s) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| {
                if byte_of(c).is_some() {
                    char::REPLACEMENT_CHARACTER
                } else {
                    c
                }
            })
            .collect(),
    )
}

/// The real bytes of text made by `text`.
pub fn os(s: &str) -> Cow<'_, OsStr> {
    if !has_raw(s) {
        return Cow::Borrowed(OsStr::new(s));
    }
    let mut bytes = Vec::with_capacity(s.len());
    let mut buf = [0u8; 4];
    for c in s.chars() {
        match byte_of(c) {
            Some(b) => bytes.push(b),
            None => bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes()),
        }
    }
    Cow::Owned(OsString::from_vec(bytes))
}

/// The real path of text made by `text`.
pub fn path(s: &str) -> Cow<'_, Path> {
    match os(s) {
        Cow::Borrowed(o) => Cow::Borrowed(Path::new(o)),
        Cow::Owned(o) => Cow::Owned(o.into()),
    }
}

/// The bytes of the body of a bash `$'…'` word (between the quotes), its escapes read.
pub fn ansi_c_bytes(body: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    let mut buf = [0u8; 4];
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        let Some(e) = chars.next() else {
            out.push(b'\\');
            break;
        };
        let mut digits = |radix: u32, max: usize, first: Option<char>| {
            let mut v: u32 = 0;
            let mut n = 0;
            if let Some(d) = first.and_then(|f| f.to_digit(radix)) {
                v = d;
                n = 1;
            }
            while n < max {
                match chars.peek().and_then(|c| c.to_digit(radix)) {
                    Some(d) => {
                        v = v * radix + d;
                        n += 1;
                        chars.next();
                    }
                    None => break,
                }
            }
            (v, n)
        };
        match e {
            'a' => out.push(0x07),
            'b' => out.push(0x08),
            'e' | 'E' => out.push(0x1b),
            'f' => out.push(0x0c),
            'n' => out.push(b'\n'),
            'r' => out.push(b'\r'),
            't' => out.push(b'\t'),
            'v' => out.push(0x0b),
            '\\' | '\'' | '"' | '?' => out.push(e as u8),
            '0'..='7' => {
                let (v, _) = digits(8, 3, Some(e));
                out.push((v & 0xFF) as u8);
            }
            'x' => match digits(16, 2, None) {
                (_, 0) => out.extend_from_slice(b"\\x"),
                (v, _) => out.push((v & 0xFF) as u8),
            },
            'u' | 'U' => {
                let (v, n) = digits(16, if e == 'u' { 4 } else { 8 }, None);
                match char::from_u32(v).filter(|_| n > 0) {
                    Some(c) => out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes()),
                    None => {
                        out.push(b'\\');
                        out.push(e as u8);
                    }
                }
            }
            'c' => match chars.next() {
                Some(x) => out.push((x as u8) & 0x1f),
                None => out.extend_from_slice(b"\\c"),
            },
            other => {
                out.push(b'\\');
                out.extend_from_slice(other.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out
}

/// One shell word for a name or path given as text: `$'…'` (bytes that are not UTF-8 and
/// control characters as `\xHH`) when it carries such bytes, else `None` (any quoting will do).
pub fn ansi_c_word(s: &str) -> Option<String> {
    if !has_raw(s) {
        return None;
    }
    let mut out = String::from("$'");
    for b in os(s).as_bytes() {
        match b {
            b'\'' => out.push_str("\\'"),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(char::from(*b)),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('\'');
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_survive_the_trip_through_text() {
        for bytes in [
            &b"plain.txt"[..],
            b"caf\xe9.txt",
            b"\xff\xfe",
            "año \u{1F600}".as_bytes(),
            b"mixed \xc3\xb1 and \xf1",
            // Valid UTF-8 that spells a stand-in (U+10FFE9) comes back as itself.
            "odd \u{10FFE9}".as_bytes(),
        ] {
            let t = text(OsStr::from_bytes(bytes));
            assert_eq!(os(&t).as_bytes(), bytes, "{t:?}");
        }
        assert!(!has_raw(&text(OsStr::new("año"))));
        assert!(has_raw(&text(OsStr::from_bytes(b"a\xf1o"))));
    }

    #[test]
    fn ansi_c_words_read_back_as_the_same_bytes() {
        let name = text(OsStr::from_bytes(b"caf\xe9 'x'\\.txt")).into_owned();
        let word = ansi_c_word(&name).expect("raw");
        assert_eq!(word, r"$'caf\xe9 \'x\'\\.txt'");
        let body = &word[2..word.len() - 1];
        assert_eq!(ansi_c_bytes(body), b"caf\xe9 'x'\\.txt");
        assert_eq!(ansi_c_word("plain"), None);
    }

    #[test]
    fn ansi_c_escapes_as_bash_reads_them() {
        assert_eq!(ansi_c_bytes(r"a\tb\n"), b"a\tb\n");
        assert_eq!(ansi_c_bytes(r"\351\0"), b"\xe9\0");
        assert_eq!(ansi_c_bytes(r"\xe9\xZ"), b"\xe9\\xZ");
        assert_eq!(ansi_c_bytes(r"\u00f1\U0001F600"), "ñ😀".as_bytes());
        assert_eq!(ansi_c_bytes(r"\cA\q"), b"\x01\\q");
    }
}
