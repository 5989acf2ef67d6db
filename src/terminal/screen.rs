//! The server's copy of a terminal's screen: every byte the shell prints goes through a vt100
//! emulator, so a client that (re)attaches is sent the screen as it is — the visible grid, the
//! modes, the alternate screen of a full-screen program, and the lines that scrolled off —
//! never a replay of raw bytes (which redraws what programs overwrote, and replays terminal
//! queries as garbage).
//!
//! The emulator keeps no scrollback of its own (vt100's costs about 4 KB a line); lines that
//! leave the top of the screen are kept as formatted text in a ring bounded in lines and bytes.

use std::collections::VecDeque;
use std::num::NonZeroU16;

use vt100::capture::{BasicFormattedCaptureState, RowContents};

/// What the shell told the terminal besides drawing, for the server to act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// The window title (OSC 0/2), as plain text.
    Title(String),
    /// The shell's folder (OSC 7 `file://host/path`), as the path it names.
    Cwd(Vec<u8>),
}

/// Lines that scrolled off the top, oldest first.
#[derive(Debug)]
struct History {
    lines: VecDeque<Line>,
    bytes: usize,
    max_lines: usize,
    max_bytes: usize,
}

#[derive(Debug)]
struct Line {
    text: Box<str>,
    /// The row continues on the next one (it was wrapped, not ended).
    wrapped: bool,
}

impl History {
    fn push(&mut self, text: String, wrapped: bool) {
        if self.max_lines == 0 {
            return;
        }
        self.bytes += text.len();
        self.lines.push_back(Line {
            text: text.into_boxed_str(),
            wrapped,
        });
        while self.lines.len() > self.max_lines || self.bytes > self.max_bytes {
            match self.lines.pop_front() {
                Some(old) => self.bytes -= old.text.len(),
                None => break,
            }
        }
    }
}

/// The emulator's callbacks: they collect, the owner drains.
#[derive(Debug)]
struct Hooks {
    history: History,
    notices: Vec<Notice>,
    /// Focus reporting (mode 1004, which vim turns on): vt100 does not keep it, a replay must.
    focus_reports: bool,
}

impl vt100::Callbacks for Hooks {
    fn set_window_title(&mut self, _: &mut vt100::Screen, title: &[u8]) {
        self.notices.push(Notice::Title(plain_title(title)));
    }

    fn set_window_icon_name(&mut self, _: &mut vt100::Screen, _: &[u8]) {}

    fn unhandled_csi(
        &mut self,
        _: &mut vt100::Screen,
        i1: Option<u8>,
        _: Option<u8>,
        params: &[&[u16]],
        c: char,
    ) {
        if i1 == Some(b'?') && matches!(c, 'h' | 'l') && params.iter().any(|p| *p == [1004]) {
            self.focus_reports = c == 'h';
        }
    }

    fn unhandled_osc(&mut self, _: &mut vt100::Screen, params: &[&[u8]]) {
        if let [b"7", rest @ ..] = params {
            // A path may hold ';', which split it into parameters.
            let url = rest.join(&b';');
            if let Some(path) = osc7_path(&url) {
                self.notices.push(Notice::Cwd(path));
            }
        }
    }

    fn on_scroll(&mut self, row: RowContents<'_>, alternate_screen: bool) {
        // A full-screen program's rows are not the shell's history.
        if alternate_screen {
            return;
        }
        let mut text = String::new();
        let mut state = BasicFormattedCaptureState::new();
        if row.write_formatted_basic(&mut text, &mut state).is_ok() {
            self.history.push(text, row_wrapped(&row, &state));
        }
    }
}

/// Whether the row just written continues on the next. vt100 does not expose the row's flag,
/// but writing a row after one that ended begins with a newline: start writing it again and
/// stop at the first character.
fn row_wrapped(row: &RowContents<'_>, state: &BasicFormattedCaptureState) -> bool {
    struct First(Option<char>);
    impl std::fmt::Write for First {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0 = s.chars().next();
            Err(std::fmt::Error)
        }
        fn write_char(&mut self, c: char) -> std::fmt::Result {
            self.0 = Some(c);
            Err(std::fmt::Error)
        }
    }
    let mut first = First(None);
    let _ = row.write_formatted_basic(&mut first, &mut state.clone());
    first.0 != Some('\n')
}

/// A backlog smaller than this is always parsed whole.
const SKIP_FROM: usize = 256 * 1024;

/// Where the part of `bytes` that can be skipped ends: after it come enough whole lines to
/// push everything before them out of the screen and the history, and it holds nothing but
/// text, line ends, tabs, colours and line erasures (nothing that moves the cursor elsewhere,
/// changes a mode or says something: a title, a folder). `None` when nothing may be skipped.
/// Also returns the colour changes of the skipped part, which still count.
fn skippable(bytes: &[u8], lines_needed: usize) -> Option<(usize, usize, Vec<u8>)> {
    if bytes.len() < SKIP_FROM {
        return None;
    }
    // The first line goes through the emulator whole: it completes whatever sequence the
    // previous chunk left open.
    let start = memchr::memchr(b'\n', bytes)? + 1;
    let end = memchr::memrchr_iter(b'\n', bytes).nth(lines_needed)? + 1;
    // Nothing worth the trouble, or a line end without its carriage return (the cursor would
    // not be at the first column).
    if end < start + SKIP_FROM / 2 || end < 2 || bytes[end - 2] != b'\r' {
        return None;
    }
    let mut colours = Vec::new();
    let mut i = start;
    let part = &bytes[..end];
    while i < part.len() {
        match part[i] {
            b'\r' | b'\n' | b'\t' | 0x08 | 0x07 | 0x20..=0x7e | 0x80..=0xff => i += 1,
            0x1b if part.get(i + 1) == Some(&b'[') => {
                let params = part[i + 2..]
                    .iter()
                    .position(|&b| !(b.is_ascii_digit() || b == b';' || b == b':'))?;
                let fin = i + 2 + params;
                match part.get(fin) {
                    Some(b'm') => colours.extend_from_slice(&part[i..=fin]),
                    Some(b'K') => {}
                    _ => return None,
                }
                i = fin + 1;
            }
            _ => return None,
        }
    }
    Some((start, end, colours))
}

/// The path of a `file://host/path` URL, percent-decoded.
fn osc7_path(url: &[u8]) -> Option<Vec<u8>> {
    let rest = url.strip_prefix(b"file://")?;
    let slash = rest.iter().position(|&b| b == b'/')?;
    let path = &rest[slash..];
    let mut out = Vec::with_capacity(path.len());
    let mut i = 0;
    while i < path.len() {
        let b = path[i];
        if b == b'%' && i + 2 < path.len() {
            let hex = std::str::from_utf8(&path[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    Some(out)
}

/// A title as text that cannot be markup or control: printable characters only, at most 200.
fn plain_title(raw: &[u8]) -> String {
    super::plain(&String::from_utf8_lossy(raw), 200)
}

/// A terminal's screen and history.
pub struct Screen {
    parser: vt100::Parser<Hooks>,
}

impl std::fmt::Debug for Screen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (rows, cols) = self.size();
        f.debug_struct("Screen")
            .field("rows", &rows)
            .field("cols", &cols)
            .finish_non_exhaustive()
    }
}

/// Bytes of history kept at most, whatever the line count: a line full of colour changes
/// costs ten times a plain one.
const HISTORY_MAX_BYTES: usize = 3 * 1024 * 1024;

pub(super) fn nz(v: u16) -> NonZeroU16 {
    NonZeroU16::new(v.max(1)).unwrap_or(NonZeroU16::MIN)
}

impl Screen {
    pub fn new(rows: u16, cols: u16, history_lines: usize) -> Self {
        let hooks = Hooks {
            history: History {
                lines: VecDeque::new(),
                bytes: 0,
                max_lines: history_lines,
                max_bytes: HISTORY_MAX_BYTES,
            },
            notices: Vec::new(),
            focus_reports: false,
        };
        Self {
            parser: vt100::Parser::new_with_callbacks(nz(rows), nz(cols), 0, hooks),
        }
    }

    pub fn process(&mut self, bytes: &[u8]) {
        self.parser.process(bytes);
    }

    /// Processes a backlog (everything the shell printed while the emulator was busy). In a
    /// flood — megabytes of plain or coloured lines — only the lines that can still be seen
    /// (the screen and the history) are drawn; of the rest, only the colour changes are kept.
    /// The screen and the history come out the same as `process` would leave them.
    pub fn process_backlog(&mut self, bytes: &[u8]) {
        let (rows, _) = self.size();
        let keep = self.parser.callbacks().history.max_lines + usize::from(rows) + 1;
        match skippable(bytes, keep).filter(|_| !self.parser.screen().alternate_screen()) {
            Some((start, end, colours)) => {
                self.parser.process(&bytes[..start]);
                self.parser.process(&colours);
                self.parser.process(&bytes[end..]);
            }
            None => self.parser.process(bytes),
        }
    }

    /// What the shell said besides drawing since the last call.
    pub fn notices(&mut self) -> Vec<Notice> {
        std::mem::take(&mut self.parser.callbacks_mut().notices)
    }

    pub fn resize(&mut self, rows: u16, cols: u16) {
        self.parser.set_size(nz(rows), nz(cols));
    }

    /// (rows, cols)
    pub fn size(&self) -> (u16, u16) {
        let (rows, cols) = self.parser.screen().size();
        (rows.get(), cols.get())
    }

    /// Lines of history kept, and their bytes.
    #[cfg(test)]
    pub fn history_len(&self) -> (usize, usize) {
        let h = &self.parser.callbacks().history;
        (h.lines.len(), h.bytes)
    }

    /// What a freshly reset terminal of the same size must be sent to show this one: the
    /// history (which scrolls into the client's own scrollback), then the screen — the normal
    /// one under a full-screen program's alternate one, so that leaving the program shows
    /// what was there — with the cursor, the colours and the input modes.
    pub fn replay(&self) -> Vec<u8> {
        let screen = self.parser.screen();
        let (rows, _) = self.size();
        let history = &self.parser.callbacks().history;
        let mut out = String::with_capacity(history.bytes + history.lines.len() * 6 + 16 * 1024);
        for line in &history.lines {
            out.push_str("\x1b[m");
            out.push_str(&line.text);
            if !line.wrapped {
                out.push_str("\r\n");
            }
        }
        if !history.lines.is_empty() {
            // Push the history off the visible screen, into the client's scrollback.
            for _ in 1..rows {
                out.push('\n');
            }
        }
        if screen.alternate_screen() {
            // vt100 keeps the normal screen but shows only the active one: switch a copy back.
            let (r, c) = screen.size();
            let mut normal = vt100::Parser::new(r, c, 0);
            *normal.screen_mut() = screen.clone();
            normal.process(b"\x1b[?1049l");
            out.push_str(&normal.screen().contents_formatted());
            out.push_str("\x1b[?1049h");
        }
        out.push_str(&screen.state_formatted());
        if self.parser.callbacks().focus_reports {
            out.push_str("\x1b[?1004h");
        }
        out.into_bytes()
    }

    /// The visible text.
    #[cfg(test)]
    pub fn contents(&self) -> String {
        self.parser.screen().contents()
    }
}

#[cfg(test)]
mod tests;
