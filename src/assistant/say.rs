//! What a command does, and why one was not given, said in the person's language. The code
//! names a message and its values; each language file's `[say]` section writes the message
//! out, so a language's explanations are data like its words.

use super::lexicon;

/// Every message the code says, and the words the values are written with: each language
/// file's `[say]` must write all of them (checked when the files load).
pub const SAY_KEYS: &[&str] = &[
    // How values are written.
    "quote_open",
    "quote_close",
    "and",
    "or",
    "then",
    "place_here",
    "place_up",
    // Messages.
    "ask_except_not_named",
    "ask_except_all",
    "ask_missing",
    "ask_missing_near",
    "ask_no_folder",
    "ask_pick_by_date",
    "ask_pick_by_size",
    "pwd",
    "make_folder",
    "make_folders",
    "make_file",
    "make_files",
    "empty_folder",
    "move_into",
    "move_to",
    "copy_into",
    "copy_as",
    "copy_all_into",
    "copy_all_as",
    "rename",
    "ask_no_such_extension",
    "change_extension",
    "list_folders",
    "list",
    "list_kinds",
    "hidden_too",
    "sorted_by_size",
    "sorted_by_date",
    "with_details",
    "last_lines",
    "last_ten_lines",
    "first_lines",
    "first_ten_lines",
    "unique_lines",
    "show_file",
    "go_into",
    "tree",
    "sort_numbers",
    "sort_lines",
    "in_reverse",
    "without_repeats",
    "file_unchanged",
    "newest_one",
    "newest_many",
    "oldest_one",
    "oldest_many",
    "biggest_one",
    "biggest_many",
    "smallest_one",
    "smallest_many",
    "find_where",
    "find_in",
    "for_folders",
    "for_files",
    "named",
    "ending_in",
    "smaller_than",
    "bigger_than",
    "of_about",
    "older_than_days",
    "within_days",
    "that_are_empty",
    "amount",
    "blocks",
    "lines_with_any",
    "which_files_contain",
    "search_files",
    "search_file",
    "ignoring_case",
    "count_lines_with",
    "count_words",
    "count_chars",
    "count_lines",
    "count_words_together",
    "count_chars_together",
    "count_lines_together",
    "count_folders",
    "count_files",
    "usage_each",
    "usage",
    "gzip",
    "pack",
    "leaving_out",
    "extract_into",
    "extract_here",
    "chmod",
    "can_read",
    "can_write",
    "can_run",
    "only_you_can",
    "mode",
    "perm_execute",
    "perm_write",
    "perm_read",
    "grant_you",
    "grant_all",
    "grant",
    "revoke_you",
    "revoke_all",
    "revoke",
    "replace",
    "delete",
    "delete_all",
    "go_up",
    "go_up_levels",
    "append_line",
    "write_text",
    "saves_into",
    "already_a_command",
    "refuse_outside",
    "refuse_network",
    "refuse_system",
    "refuse_everything",
    "ask_top_unknown",
    "ask_except_unsupported",
    "ask_above_top",
    "not_understood",
    "not_understood_near",
    "archive_name",
    "undo",
    "ask_undo_named",
    "archive_name_files",
    "proposed_by_model",
    "model_failed",
    "plugin_command",
];

/// A value in a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Names, quoted and joined with the language's "and".
    Names(Vec<String>),
    /// Names, quoted and joined with the language's "or".
    Either(Vec<String>),
    /// A folder: "." and ".." are said in words, any other is quoted.
    Place(String),
    /// Written as is (a number, an extension, a pattern).
    Plain(String),
    /// Another message, in the same language.
    Say(Box<Say>),
}

/// A message and its values, written out in a language only when asked.
#[derive(Debug, Clone, PartialEq)]
pub struct Say {
    key: &'static str,
    values: Vec<(&'static str, Value)>,
    /// Said after it, in the same sentence (", and saves the result in …").
    more: Vec<Say>,
}

impl Say {
    pub fn new(key: &'static str) -> Self {
        debug_assert!(SAY_KEYS.contains(&key), "no [say] key {key:?}");
        Self {
            key,
            values: Vec::new(),
            more: Vec::new(),
        }
    }

    pub fn names<S: AsRef<str>>(mut self, slot: &'static str, names: &[S]) -> Self {
        let names = names.iter().map(|n| n.as_ref().to_owned()).collect();
        self.values.push((slot, Value::Names(names)));
        self
    }

    pub fn name(self, slot: &'static str, name: &str) -> Self {
        self.names(slot, &[name])
    }

    pub fn either<S: AsRef<str>>(mut self, slot: &'static str, names: &[S]) -> Self {
        let names = names.iter().map(|n| n.as_ref().to_owned()).collect();
        self.values.push((slot, Value::Either(names)));
        self
    }

    pub fn place(mut self, slot: &'static str, dir: &str) -> Self {
        self.values.push((slot, Value::Place(dir.to_owned())));
        self
    }

    pub fn plain(mut self, slot: &'static str, text: impl ToString) -> Self {
        self.values.push((slot, Value::Plain(text.to_string())));
        self
    }

    pub fn say(mut self, slot: &'static str, said: Say) -> Self {
        self.values.push((slot, Value::Say(Box::new(said))));
        self
    }

    /// Adds a message said right after this one.
    pub fn then(&mut self, more: Say) {
        self.more.push(more);
    }

    /// The message written out in the language whose code is `lang`; a language file that
    /// lacks it (none that loads does) falls back to English, then to the key.
    pub fn render(&self, lang: &str) -> String {
        let mut out = String::new();
        self.render_into(lang, &mut out);
        out
    }

    fn render_into(&self, lang: &str, out: &mut String) {
        let mut rest = template(lang, self.key);
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after.find('}') {
                Some(close) => {
                    let slot = &after[..close];
                    match self.values.iter().find(|(s, _)| *s == slot) {
                        Some((_, v)) => write_value(v, lang, out),
                        None => out.push_str(&rest[open..open + close + 2]),
                    }
                    rest = &after[close + 1..];
                }
                None => {
                    out.push_str(&rest[open..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        for m in &self.more {
            m.render_into(lang, out);
        }
    }
}

fn template(lang: &str, key: &'static str) -> &'static str {
    lexicon::template(lang, key)
        .or_else(|| lexicon::template("en", key))
        .unwrap_or(key)
}

fn write_value(v: &Value, lang: &str, out: &mut String) {
    match v {
        Value::Names(names) => join(names, template(lang, "and"), lang, out),
        Value::Either(names) => join(names, template(lang, "or"), lang, out),
        Value::Place(dir) => match dir.as_str() {
            "." | "" => out.push_str(template(lang, "place_here")),
            ".." => out.push_str(template(lang, "place_up")),
            d => quoted(d, lang, out),
        },
        Value::Plain(text) => out.push_str(text),
        Value::Say(said) => said.render_into(lang, out),
    }
}

/// "«a», «b» y «c»".
fn join(names: &[String], last_sep: &str, lang: &str, out: &mut String) {
    for (i, n) in names.iter().enumerate() {
        if i > 0 {
            out.push_str(if i + 1 == names.len() { last_sep } else { ", " });
        }
        quoted(n, lang, out);
    }
}

fn quoted(name: &str, lang: &str, out: &mut String) {
    out.push_str(template(lang, "quote_open"));
    out.push_str(&shown(name));
    out.push_str(template(lang, "quote_close"));
}

/// A name as the person reads it: a glob the builders made (`dir\0GLOB\0*.log`) as the
/// pattern it is.
pub fn shown(name: &str) -> String {
    match name.split_once("\u{0}GLOB\u{0}") {
        Some(("", pat)) => pat.to_owned(),
        Some((dir, pat)) => format!("{dir}/{pat}"),
        None => name.to_owned(),
    }
}

/// The `{slots}` a template fills, in order.
pub fn slots_of(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        out.push(&after[..close]);
        rest = &after[close + 1..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_writes_every_message_with_the_same_slots() {
        for (lang, _) in lexicon::languages() {
            for key in SAY_KEYS {
                let t = lexicon::template(lang, key)
                    .unwrap_or_else(|| panic!("lang/{lang}.toml has no [say] {key}"));
                let mut got = slots_of(t);
                let mut want = slots_of(lexicon::template("en", key).unwrap_or_default());
                got.sort_unstable();
                got.dedup();
                want.sort_unstable();
                want.dedup();
                assert_eq!(
                    got, want,
                    "lang/{lang}.toml [say] {key}: other slots than English's"
                );
            }
        }
    }

    #[test]
    fn every_message_the_code_says_is_a_key() {
        // The sources that build messages: a key they name that SAY_KEYS lacks would be said
        // as the bare key.
        let sources = [
            include_str!("build.rs"),
            include_str!("mod.rs"),
            include_str!("refuse.rs"),
            include_str!("engine.rs"),
            include_str!("plugins.rs"),
            include_str!("saved.rs"),
        ];
        let mut seen = 0;
        for src in sources {
            for part in src.split("Say::new(\"").skip(1) {
                let key = part.split('"').next().unwrap_or_default();
                assert!(
                    SAY_KEYS.contains(&key),
                    "Say::new({key:?}) is not in SAY_KEYS"
                );
                seen += 1;
            }
        }
        assert!(seen > 20, "only {seen} messages found");
    }

    #[test]
    fn values_are_written_in_the_language() {
        let s = Say::new("and");
        assert_eq!(s.render("es"), " y ");
        let mut out = String::new();
        join(
            &["a".into(), "b".into(), "c".into()],
            template("es", "and"),
            "es",
            &mut out,
        );
        assert_eq!(out, "«a», «b» y «c»");
        let mut out = String::new();
        write_value(&Value::Place("..".into()), "en", &mut out);
        assert_eq!(out, "the parent folder");
        let mut out = String::new();
        write_value(
            &Value::Names(vec!["logs\u{0}GLOB\u{0}*.log".into()]),
            "en",
            &mut out,
        );
        assert_eq!(out, "\u{201c}logs/*.log\u{201d}");
    }
}
