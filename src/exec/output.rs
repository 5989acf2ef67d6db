//! A command's combined output: decoded as UTF-8 across chunk boundaries, capped, and handed
//! to a sink (the client) as it arrives.

/// Appended once when the cap is reached, so the user sees that something is missing.
pub fn truncation_marker(limit: usize) -> String {
    format!("\n[atajo: output truncated after {limit} bytes]\n")
}

pub struct Output<'a> {
    text: String,
    limit: usize,
    truncated: bool,
    pending: Vec<u8>,
    sink: &'a mut (dyn FnMut(&str) + Send),
}

impl<'a> Output<'a> {
    pub fn new(limit: usize, sink: &'a mut (dyn FnMut(&str) + Send)) -> Self {
        Self {
            text: String::new(),
            limit,
            truncated: false,
            pending: Vec::new(),
            sink,
        }
    }

    pub fn truncated(&self) -> bool {
        self.truncated
    }

    /// Adds raw bytes; returns false once the cap is reached (the producer should stop).
    pub fn push_bytes(&mut self, bytes: &[u8]) -> bool {
        self.pending.extend_from_slice(bytes);
        let mut decoded = String::new();
        let mut consumed = 0;
        for chunk in self.pending.utf8_chunks() {
            decoded.push_str(chunk.valid());
            consumed += chunk.valid().len();
            let bad = chunk.invalid();
            if bad.is_empty() {
                continue;
            }
            // An incomplete sequence at the very end may be completed by the next read.
            let at_end = consumed + bad.len() == self.pending.len();
            if at_end && bad.len() < 4 && std::str::from_utf8(bad).is_err() && could_continue(bad) {
                break;
            }
            decoded.push('\u{fffd}');
            consumed += bad.len();
        }
        self.pending.drain(..consumed);
        self.push_str(&decoded)
    }

    /// Adds text; returns false once the cap is reached.
    pub fn push_str(&mut self, s: &str) -> bool {
        if self.truncated {
            return false;
        }
        let room = self.limit.saturating_sub(self.text.len());
        if s.len() <= room {
            self.text.push_str(s);
            (self.sink)(s);
            return true;
        }
        let mut cut = room;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        let marker = truncation_marker(self.limit);
        let piece = format!("{}{marker}", &s[..cut]);
        self.text.push_str(&piece);
        (self.sink)(&piece);
        self.truncated = true;
        false
    }

    pub fn finish(mut self) -> (String, bool) {
        if !self.pending.is_empty() && !self.truncated {
            let rest = String::from_utf8_lossy(&std::mem::take(&mut self.pending)).into_owned();
            self.push_str(&rest);
        }
        (self.text, self.truncated)
    }
}

/// Whether `bad` is a prefix of some valid UTF-8 sequence.
fn could_continue(bad: &[u8]) -> bool {
    let need = match bad[0] {
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return false,
    };
    bad.len() < need && bad[1..].iter().all(|b| (0x80..=0xbf).contains(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_across_chunks_and_caps() {
        let mut seen = String::new();
        let mut sink = |s: &str| seen.push_str(s);
        let mut out = Output::new(8, &mut sink);
        let ñ = "ñ".as_bytes();
        assert!(out.push_bytes(&[b'a', ñ[0]]));
        assert!(out.push_bytes(&[ñ[1], b'b', 0xff, b'c']));
        assert!(!out.push_bytes(b"0123456789"));
        assert!(!out.push_bytes(b"more"));
        let (text, truncated) = out.finish();
        assert!(truncated);
        assert_eq!(text, format!("añb\u{fffd}c{}", truncation_marker(8)));
        assert_eq!(text, seen);
    }
}
