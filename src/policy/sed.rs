//! A sed program is code: `e` and the `e` flag run a shell command, `w`/`W` and the `w` flag
//! write other files, `r`/`R` read them. This walks a GNU sed script the way sed's own parser
//! does (addresses, `!`, blocks, labels, `s`/`y` with any delimiter, a/i/c text) and refuses
//! those commands; anything it cannot follow is refused too.

use super::reason::Reason;

pub fn check(script: &str) -> Result<(), Reason> {
    let mut p = Cursor {
        s: script.chars().collect(),
        i: 0,
    };
    loop {
        p.skip(|c| c.is_whitespace() || c == ';');
        let Some(c) = p.peek() else {
            return Ok(());
        };
        if c == '#' {
            p.skip(|c| c != '\n');
            continue;
        }
        p.address()?;
        p.skip(char::is_whitespace);
        if p.peek() == Some(',') {
            p.i += 1;
            p.skip(char::is_whitespace);
            p.address2()?;
            p.skip(char::is_whitespace);
        }
        if p.peek() == Some('!') {
            p.i += 1;
            p.skip(char::is_whitespace);
        }
        let Some(cmd) = p.next() else {
            return Err(syntax("an address without a command"));
        };
        match cmd {
            '{' | '}' | '=' | 'd' | 'D' | 'g' | 'G' | 'h' | 'H' | 'n' | 'N' | 'p' | 'P' | 'x'
            | 'z' | 'F' => {}
            'l' | 'L' | 'q' | 'Q' => p.skip(|c| c.is_ascii_digit() || c == ' '),
            ':' | 'b' | 't' | 'T' | 'v' => p.skip(|c| c != ';' && c != '\n'),
            'a' | 'i' | 'c' => p.text(),
            's' => p.substitute()?,
            'y' => {
                let delim = p.delimiter()?;
                p.until(delim)?;
                p.until(delim)?;
            }
            'e' | 'r' | 'R' | 'w' | 'W' => return Err(Reason::SedCommand(cmd.to_string())),
            other => return Err(syntax(&format!("unknown command `{other}`"))),
        }
    }
}

fn syntax(what: &str) -> Reason {
    Reason::SedSyntax(what.to_owned())
}

struct Cursor {
    s: Vec<char>,
    i: usize,
}

impl Cursor {
    fn peek(&self) -> Option<char> {
        self.s.get(self.i).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }

    fn skip(&mut self, keep: impl Fn(char) -> bool) {
        while self.peek().is_some_and(&keep) {
            self.i += 1;
        }
    }

    /// `N`, `N~M`, `$`, `/re/` or `\cREc` with I/M modifiers; or nothing.
    fn address(&mut self) -> Result<(), Reason> {
        match self.peek() {
            Some(c) if c.is_ascii_digit() => {
                self.skip(|c| c.is_ascii_digit());
                if self.peek() == Some('~') {
                    self.i += 1;
                    self.skip(|c| c.is_ascii_digit());
                }
            }
            Some('$') => self.i += 1,
            Some('/') => {
                self.i += 1;
                self.regex('/')?;
                self.skip(|c| c == 'I' || c == 'M');
            }
            Some('\\') => {
                self.i += 1;
                let delim = self.next().ok_or_else(|| syntax("an unfinished address"))?;
                self.regex(delim)?;
                self.skip(|c| c == 'I' || c == 'M');
            }
            _ => {}
        }
        Ok(())
    }

    /// The second address also takes `+N` and `~N`.
    fn address2(&mut self) -> Result<(), Reason> {
        if matches!(self.peek(), Some('+' | '~')) {
            self.i += 1;
            self.skip(|c| c.is_ascii_digit());
            return Ok(());
        }
        self.address()
    }

    fn delimiter(&mut self) -> Result<char, Reason> {
        match self.next() {
            Some(c) if c != '\n' && c != '\\' => Ok(c),
            _ => Err(syntax("a missing delimiter")),
        }
    }

    /// Up to and past the next unescaped `delim`.
    fn until(&mut self, delim: char) -> Result<(), Reason> {
        while let Some(c) = self.next() {
            if c == '\\' {
                self.i += 1;
            } else if c == delim {
                return Ok(());
            }
        }
        Err(syntax(&format!("an unterminated `{delim}`")))
    }

    /// A regex up to and past the next unescaped `delim`. sed versions differ on whether the
    /// delimiter may appear inside a bracket expression; a script relying on either reading
    /// is refused, so both readings agree on where the regex ends.
    fn regex(&mut self, delim: char) -> Result<(), Reason> {
        while let Some(c) = self.next() {
            if c == '\\' {
                self.i += 1;
            } else if c == delim {
                return Ok(());
            } else if c == '[' {
                if self.peek() == Some('^') {
                    self.i += 1;
                }
                if self.peek() == Some(']') {
                    self.i += 1;
                }
                loop {
                    match self.next() {
                        None | Some('\n') => return Err(syntax("an unterminated [")),
                        Some(']') => break,
                        Some(c) if c == delim => {
                            return Err(syntax(&format!(
                                "`{delim}` inside [ ]: escape it or use another delimiter"
                            )));
                        }
                        Some('[') if matches!(self.peek(), Some(':' | '=' | '.')) => {
                            let kind = self.next().unwrap_or(':');
                            while let Some(c) = self.next() {
                                if c == kind && self.peek() == Some(']') {
                                    self.i += 1;
                                    break;
                                }
                            }
                        }
                        Some(_) => {}
                    }
                }
            }
        }
        Err(syntax(&format!("an unterminated `{delim}`")))
    }

    /// a/i/c text: the rest of the line, with backslash-newline continuing it.
    fn text(&mut self) {
        while let Some(c) = self.next() {
            if c == '\\' {
                self.i += 1;
            } else if c == '\n' {
                return;
            }
        }
    }

    fn substitute(&mut self) -> Result<(), Reason> {
        let delim = self.delimiter()?;
        self.regex(delim)?;
        self.until(delim)?;
        while let Some(c) = self.peek() {
            match c {
                'g' | 'p' | 'i' | 'I' | 'm' | 'M' => self.i += 1,
                d if d.is_ascii_digit() => self.i += 1,
                'e' => return Err(Reason::SedCommand("s///e".into())),
                'w' => return Err(Reason::SedCommand("s///w".into())),
                ';' | '\n' | '}' | ' ' | '\t' => return Ok(()),
                other => return Err(syntax(&format!("unknown s flag `{other}`"))),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn ordinary_scripts_pass() {
        for s in [
            "s/a/b/g",
            "s|/usr|/opt|g",
            "1,5p",
            "/^#/d",
            "$d",
            "2~3d",
            "/a/,+2d",
            "s/x/y/2p;s/q/r/I",
            "y/abc/xyz/",
            "1!G;h;$!d",
            ":a;N;$!ba;s/\\n/ /g",
            "/start/,/end/{s/a/b/;p}",
            "1i\\\nheader",
            "a hello world",
            "\\,foo,d",
            "s/[a-z]*/x/",
            "s,[[:space:]]\\+, ,g",
            "s/[]x]/y/",
            "# comment\np",
            "10q",
        ] {
            assert!(check(s).is_ok(), "{s}: {:?}", check(s));
        }
    }

    #[test]
    fn commands_that_run_or_touch_files_fail() {
        for s in [
            "e id",
            "1e id",
            "s/a/id/e",
            "s/a/b/w /tmp/x",
            "s/a/b/gw out",
            "w out",
            "/x/W out",
            "r /etc/passwd",
            "R /etc/passwd",
            "1!e",
            "{e ls\n}",
            "s/a/b/;e",
            "y/a/b/;w x",
            "s/a\\/b/c/e",
            "s/[/]/x/e",
            "s/[/]/g;e id;s/x/",
        ] {
            assert!(check(s).is_err(), "{s}");
        }
    }

    #[test]
    fn what_cannot_be_followed_fails() {
        for s in ["s/a/b", "s", "y/ab/", "/unterminated", "k", "s/a/b/Z"] {
            assert!(check(s).is_err(), "{s}");
        }
    }
}
