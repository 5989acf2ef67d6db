//! From tokens to clauses, and from a clause to its slots: the verb, the names with the
//! preposition that introduced each ("a docs", "en src", "como copia.txt"), the kinds of file
//! ("los .log", "las imágenes"), counts, sizes and modifiers. Names that exist in the
//! workspace are recognised whole, spaces and all ("Mis Documentos", "notas de reunión.md").

use super::context::Context;
use super::lexicon::{self, Flag, Noun, Prep, Verb, says};
use super::words::{Token, number};

#[derive(Debug, Clone, PartialEq)]
pub enum Name {
    /// A name as said; `quoted` when written in quotes.
    Lit { raw: String, quoted: bool },
    /// "ella", "it", "ahí": the folder just named.
    Pronoun,
    /// "aquí", "here", "esta carpeta".
    Here,
    /// "la carpeta de arriba", "the parent folder".
    Up,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Phrase {
    pub prep: Option<Prep>,
    pub noun: Option<(Noun, bool)>,
    pub name: Name,
    /// "una carpeta nueva llamada X": the name is to be created.
    pub new: bool,
    /// Introduced by "llamada", "called", "que se llame".
    pub named: bool,
    /// Matched a name that exists in the workspace.
    pub known: bool,
    /// Token span, for the words around it.
    pub start: usize,
    pub end: usize,
}

impl Phrase {
    pub fn lit(&self) -> Option<&str> {
        match &self.name {
            Name::Lit { raw, .. } => Some(raw),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Slots {
    /// The code of the language the clause is in (for what a command names in words).
    pub lang: &'static str,
    pub verb: Option<Verb>,
    pub verb_at: usize,
    /// The verb was a typo ("delte"), or guessed: lower confidence.
    pub unsure: bool,
    /// "bórralo", "cópialo": the object is the last thing named.
    pub verb_pronoun: bool,
    pub phrases: Vec<Phrase>,
    /// Extensions asked for: "los .log", "las imágenes", "csv files".
    pub kinds: Vec<String>,
    /// Words that only described kinds ("logs", "imágenes"), in order.
    pub kind_words: Vec<String>,
    pub all: bool,
    pub flags: Vec<Flag>,
    pub numbers: Vec<u32>,
    /// `find -size` argument: "+5k".
    pub size: Option<String>,
    /// `find -mtime` argument: "-7".
    pub age: Option<String>,
    /// The first noun said ("carpeta", "files").
    pub noun: Option<(Noun, bool)>,
    /// Quoted text or text after "con el texto", "containing".
    pub text: Option<String>,
    /// Token index where a "containing"/"con el texto" part starts.
    pub text_at: Option<usize>,
    pub new_dest: bool,
    /// What the instruction said to leave out ("menos error.log").
    pub except: super::except::Except,
    /// The top of the workspace was named where it is not known (`translate` without
    /// `--root`).
    pub unknown_top: bool,
}

impl Slots {
    pub fn has(&self, f: Flag) -> bool {
        self.flags.contains(&f)
    }
}

/// Splits an instruction into clauses at "y", "and then", ",", … when what follows starts an
/// action of its own ("crea X y dentro un archivo Y", "… and then delete the folder").
pub fn clauses(tokens: &[Token]) -> Vec<&[Token]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let mut seen_verb = false;
    while i < tokens.len() {
        let t = &tokens[i];
        // Shell characters ("&", "&&", ";", "|") are never connectors: in an instruction they
        // are part of a name ("crea la carpeta informe & touch X" makes one folder).
        let is_and = !t.quoted && lexicon::and(&t.key);
        // "leer y escribir", "read and write": permissions named in pairs, not two actions.
        let perm = |t: Option<&Token>| t.is_some_and(|t| !t.quoted && says("perm_verb", &t.key));
        let paired = is_and && i > 0 && perm(tokens.get(i - 1)) && perm(tokens.get(i + 1));
        let sep = (is_and || (tokens.get(i.wrapping_sub(1)).is_some_and(|p| p.comma) && i > 0))
            && seen_verb
            && !paired
            && starts_action(tokens, if is_and { i + 1 } else { i });
        // A call set off by a comma ("mira, borra…", "ándale, …") is not the verb.
        let call = t.comma && lexicon::greeting(&t.key);
        if !t.quoted && !call && (lexicon::verb(&t.key).is_some() && !lexicon::filler(&t.key)) {
            seen_verb = true;
        }
        if sep && i > start {
            out.push(&tokens[start..i]);
            start = if is_and { i + 1 } else { i };
            // "y luego", "and then"
            while tokens
                .get(start)
                .is_some_and(|t| !t.quoted && lexicon::and(&t.key))
            {
                start += 1;
            }
            i = start;
            // The clause borrows the verb before it ("…, dentro otra llamada Y y en esa un
            // archivo Z"): what follows may start an action of its own.
            seen_verb = true;
            continue;
        }
        i += 1;
    }
    if start < tokens.len() {
        out.push(&tokens[start..]);
    }
    out
}

fn starts_action(tokens: &[Token], mut i: usize) -> bool {
    while tokens
        .get(i)
        .is_some_and(|t| !t.quoted && (lexicon::and(&t.key) || says("lead_in", &t.key)))
    {
        i += 1;
    }
    let Some(t) = tokens.get(i) else { return false };
    if t.quoted {
        return false;
    }
    let k = t.key.as_str();
    // "… and save the result as sorted.txt"
    if lexicon::save(k) {
        return true;
    }
    // "y dentro (crea) un archivo", "and inside it", "y ahí un archivo"
    if says("inside_here", k) {
        return true;
    }
    // "and in it a file", "y en esa un archivo Z", "and in that create…": a word pointing
    // back, then what is made there ("en el archivo" is a place).
    if lexicon::prep(k) == Some(Prep::In) {
        let key = |j: usize| tokens.get(j).map(|t| t.key.as_str());
        return key(i + 1).is_some_and(|n| lexicon::pronoun(n) || says("demonstrative", n))
            && key(i + 2).is_some_and(|a| {
                says("a", a)
                    || says("another", a)
                    || lexicon::verb(a).is_some_and(|v| matches!(v, Verb::Create | Verb::Make))
            });
    }
    if let Some(v) = lexicon::verb(k) {
        // "input, output and cache": a verb alone between commas is a name in a list; one
        // that carries its object ("y luego bórralo") is an action wherever it stands.
        let next = tokens.get(i + 1);
        if (next.is_none_or(|n| !n.quoted && lexicon::and(&n.key)) || t.comma)
            && !lexicon::carries_object_pronoun(k)
        {
            return false;
        }
        // "nueva"/"new" only starts an action before a noun: "y nueva carpeta X".
        return !matches!(v, Verb::Create)
            || !says("new", k)
            || tokens
                .get(i + 1)
                .is_some_and(|n| lexicon::noun(&n.key).is_some());
    }
    if says("a", k) || says("another", k) {
        return tokens
            .get(i + 1)
            .is_some_and(|n| lexicon::noun(&n.key).is_some());
    }
    false
}

/// Token index of the clause's verb: the first word that is one, or one slip from one.
fn find_verb(t: &[Token], ctx: &Context<'_>) -> Option<(usize, Verb, bool)> {
    for (i, tok) in t.iter().enumerate() {
        if tok.quoted || tok.key.contains('.') || tok.key.contains('/') {
            continue;
        }
        // "ándale, bórrame el app.log", "mira, borra…": a call set off by a comma.
        if tok.comma && lexicon::greeting(&tok.key) {
            continue;
        }
        // "back up main.py as main.py.bak": a copy kept aside.
        if i == 0
            && t.get(1)
                .is_some_and(|n| says("copy_aside", &format!("{} {}", tok.key, n.key)))
        {
            return Some((0, Verb::Copy, false));
        }
        if let Some(v) = lexicon::verb(&tok.key) {
            // "nueva carpeta" starts a creation; "la carpeta nueva" does not.
            if says("new", &tok.key) && i > 0 {
                continue;
            }
            // "las líneas de la lista de reproducción", "the list": after a definite article
            // a verb's form is a noun.
            if i > 0 && !t[i - 1].quoted && says("the", &t[i - 1].key) {
                continue;
            }
            // A word nobody knows before it is the clause's real verb ("actualiza los
            // paquetes del sistema", "book a table and drop …"): nothing here was understood.
            // What an earlier sentence said ("any stylesheets here? find the .css files") and
            // the light verb of a verb used as a noun ("stash a copy of") do not count.
            // Words after a preposition there describe a place or a file ("en la receta
            // de paella cambia …").
            let sentence = t[..i].iter().rposition(|w| w.end).map_or(0, |e| e + 1);
            let light = (i >= 2 && says("a", &t[i - 1].key)).then(|| i - 2);
            let mut in_phrase = false;
            for (j, w) in t[sentence..i].iter().enumerate() {
                in_phrase |= !w.quoted && lexicon::prep(&w.key).is_some();
                if !in_phrase && Some(sentence + j) != light && unaccounted(w, ctx) {
                    // Unless it is the verb, misspelt, where a verb goes ("toch a new empty
                    // file", "movve the two .txt files").
                    let opening = t[sentence..sentence + j].iter().all(opening_word);
                    return lexicon::verb_typo(&w.key)
                        .filter(|_| opening)
                        .map(|tv| (sentence + j, tv, true));
                }
            }
            return Some((i, v, false));
        }
    }
    // A misspelt verb is looked for among the first words, after any opening ("I need you
    // to mkae…", "oye, brora…").
    let lead = t.iter().take_while(|w| opening_word(w)).count();
    for (i, tok) in t.iter().enumerate().take(lead + 4) {
        if tok.quoted || ctx.has_name(&tok.raw) || lexicon::known(&tok.key) {
            continue;
        }
        if let Some(v) = lexicon::verb_typo(&tok.key) {
            return Some((i, v, true));
        }
    }
    None
}

/// A word that can come before the verb without being part of the request: a filler, a
/// call, or the "to" of an infinitive ("I need you to …").
fn opening_word(w: &Token) -> bool {
    !w.quoted
        && (lexicon::filler(&w.key) || lexicon::greeting(&w.key) || says("infinitive", &w.key))
}

/// A word the parse cannot account for: not in the vocabulary, not a number, not quoted, not
/// written as a file name, and not the name of anything here.
pub fn unaccounted(w: &Token, ctx: &Context<'_>) -> bool {
    !w.quoted
        && !lexicon::known(&w.key)
        && !lexicon::greeting(&w.key)
        && lexicon::kind(&w.key).is_none()
        && number(&w.key).is_none()
        && !w.key.contains('.')
        && !w.key.contains('/')
        && !ctx.has_name(&w.raw)
}

/// A word that is a name: one nobody knows, or one something here is called.
fn unaccounted_or_named(w: &Token, ctx: &Context<'_>) -> bool {
    unaccounted(w, ctx) || ctx.has_name(&w.raw)
}

/// Words that are not names even when a file is called that.
fn function_word(k: &str) -> bool {
    lexicon::filler(k)
        || lexicon::prep(k).is_some()
        || lexicon::and(k)
        || lexicon::naming(k)
        || lexicon::all(k)
        || lexicon::here(k)
}

/// The longest run of words from `i` that names an existing entry ("Mis Documentos").
fn known_span(t: &[Token], i: usize, ctx: &Context<'_>) -> Option<usize> {
    let max = (t.len() - i).min(7);
    for len in (2..=max).rev() {
        let words = &t[i..i + len];
        if words.iter().any(|w| w.quoted) {
            continue;
        }
        let joined = words
            .iter()
            .map(|w| w.raw.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        if ctx.has_name(&joined) {
            return Some(len);
        }
    }
    None
}

struct Scan<'a> {
    t: &'a [Token],
    ctx: &'a Context<'a>,
    s: Slots,
    prep: Option<Prep>,
    noun: Option<(Noun, bool)>,
    new: bool,
    named: bool,
    broad_kinds: bool,
}

fn is_shouted(t: &Token) -> bool {
    let letters = t.raw.chars().filter(|c| c.is_alphabetic()).count();
    letters >= 2 && t.raw.chars().all(|c| !c.is_lowercase())
}

impl<'a> Scan<'a> {
    /// The whole instruction in capitals: then capitals say nothing.
    fn shouting(&self) -> bool {
        self.t.iter().filter(|t| is_shouted(t)).count() * 2 > self.t.len()
    }

    /// One token taken literally as a name, quoted or not as it was typed.
    fn push_word(&mut self, i: usize, known: bool) {
        let tok = &self.t[i];
        // "the api's requirements.txt": the owner is where the thing is; what follows takes
        // the preposition said before the owner.
        if !tok.quoted
            && let Some(owner) = ["'s", "\u{2019}s"]
                .iter()
                .find_map(|s| tok.raw.strip_suffix(s))
                .filter(|o| !o.is_empty())
            && !self.ctx.has_name(&tok.raw)
        {
            let pending = self.prep.replace(Prep::From);
            let known = known || self.ctx.has_name(owner);
            self.push(
                Name::Lit {
                    raw: owner.to_owned(),
                    quoted: false,
                },
                i,
                i + 1,
                known,
            );
            self.prep = pending;
            return;
        }
        let name = Name::Lit {
            raw: tok.raw.clone(),
            quoted: tok.quoted,
        };
        self.push(name, i, i + 1, known);
    }

    fn push(&mut self, name: Name, start: usize, end: usize, known: bool) {
        let noun = self.noun.take();
        if self.s.noun.is_none() {
            self.s.noun = noun;
        }
        self.s.phrases.push(Phrase {
            prep: self.prep.take(),
            noun,
            name,
            new: std::mem::take(&mut self.new),
            named: std::mem::take(&mut self.named),
            known,
            start,
            end,
        });
    }

    fn key(&self, i: usize) -> Option<&'a str> {
        self.t.get(i).filter(|t| !t.quoted).map(|t| t.key.as_str())
    }

    /// Whether a place phrase ("en docs", "inside it", "in the src folder") starts at `i`.
    fn place_at(&self, i: usize) -> bool {
        let Some(k) = self.key(i) else { return false };
        if !matches!(lexicon::prep(k), Some(Prep::In | Prep::To)) {
            return false;
        }
        let mut j = i + 1;
        while self.key(j).is_some_and(|k| {
            lexicon::filler(k) || says("of", k) || lexicon::prep(k) == Some(Prep::In)
        }) {
            j += 1;
        }
        let Some(next) = self.t.get(j) else {
            return false;
        };
        if next.quoted {
            return self.ctx.is_dir(&next.raw);
        }
        lexicon::noun(&next.key).is_some_and(|(n, _)| n == Noun::Folder)
            || lexicon::pronoun(&next.key)
            || lexicon::here(&next.key)
            || self.ctx.get(&next.raw).is_some_and(|e| e.dir)
            || known_span(self.t, j, self.ctx).is_some()
            || (next.raw.ends_with('/') && next.raw.len() > 1)
    }

    /// After "llamada"/"called" (or a creation's noun), the new name runs to a place, a
    /// content part or the end; "copias de seguridad" is one name.
    fn new_names(&mut self, mut i: usize, plural: bool) -> usize {
        while self.key(i).is_some_and(|k| {
            lexicon::filler(k) && lexicon::prep(k).is_none()
                || lexicon::naming(k)
                || matches!(lexicon::flag(k), Some(Flag::Empty))
                || says("new", k)
                // "a new dir calld archive2": a slip in the naming word, with a name after it.
                || (lexicon::naming_typo(k)
                    && self.t.get(i + 1).is_some()
                    && !self.ctx.has_name(&self.t[i].raw))
        }) {
            i += 1;
        }
        let mut words: Vec<(usize, &Token)> = Vec::new();
        let flush = |scan: &mut Self, words: &mut Vec<(usize, &Token)>| {
            if let (Some(first), Some(last)) = (words.first(), words.last()) {
                let raw = words
                    .iter()
                    .map(|(_, w)| w.raw.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                let quoted = words.len() == 1 && first.1.quoted;
                let (start, end) = (first.0, last.0 + 1);
                scan.named = true;
                scan.push(Name::Lit { raw, quoted }, start, end, false);
                words.clear();
            }
        };
        while let Some(tok) = self.t.get(i) {
            if !tok.quoted {
                let k = tok.key.as_str();
                if self.place_at(i)
                    || matches!(lexicon::flag(k), Some(Flag::Contains))
                    || (says("with", k)
                        && self
                            .key(i + 1)
                            .is_some_and(|n| says("the_one", n) || says("content_word", n)))
                    // "… 'lista de la compra.txt' en Mis Documentos": after a quoted name,
                    // "en"/"in" says where.
                    || (words.last().is_some_and(|(_, w)| w.quoted)
                        && lexicon::prep(k).is_some())
                {
                    break;
                }
                // "a folder 2025 here": "here" after the name says where it goes.
                if !words.is_empty() && lexicon::here(k) && k.chars().all(char::is_alphabetic) {
                    break;
                }
                // "a file README.md that says hola": the name ends where its text begins.
                if lexicon::says("relative", k)
                    && self
                        .key(i + 1)
                        .is_some_and(|n| lexicon::says("text_follows", n))
                    && words
                        .last()
                        .is_some_and(|(_, w)| super::build::looks_like_file(&w.raw))
                {
                    break;
                }
                // "que se llame ventas_2023.csv y quede en data": a file's whole name ends
                // at "y"/"and".
                if lexicon::and(k)
                    && words
                        .last()
                        .is_some_and(|(_, w)| super::build::looks_like_file(&w.raw))
                    && !plural
                {
                    break;
                }
                if plural && (lexicon::and(k) || k == ",") {
                    flush(self, &mut words);
                    i += 1;
                    continue;
                }
            }
            words.push((i, tok));
            if tok.comma {
                flush(self, &mut words);
                // One name ends at a comma: what follows is another thought ("que se llame
                // pruebas, dale").
                if !plural {
                    return i + 1;
                }
            }
            i += 1;
        }
        flush(self, &mut words);
        i
    }

    fn run(mut self, verb_at: Option<usize>) -> Slots {
        let creating = matches!(self.s.verb, Some(Verb::Create | Verb::Make | Verb::Add));
        let mut i = 0;
        while i < self.t.len() {
            if Some(i) == verb_at {
                // "I want to create…", "voy a borrar…": a preposition right before the verb
                // marks the infinitive, not a place.
                if i.checked_sub(1)
                    .and_then(|p| self.key(p))
                    .is_some_and(|p| lexicon::prep(p).is_some())
                {
                    self.prep = None;
                }
                i += 1;
                continue;
            }
            let tok = &self.t[i];
            if tok.quoted {
                self.push_word(i, self.ctx.has_name(&tok.raw));
                i += 1;
                continue;
            }
            let k = tok.key.as_str();
            // "tar up the docs folder", "zip up src"
            if says("particle", k) && !matches!(self.s.verb, Some(Verb::Cd | Verb::Up) | None) {
                i += 1;
                continue;
            }
            // A word calling the listener ("oye", "tío", "cheers") at the start, or set off by a
            // comma at the end.
            let set_off = i > 0 && self.t[i - 1].comma && (tok.comma || i + 1 == self.t.len());
            if lexicon::greeting(k)
                && (set_off || self.s.phrases.is_empty() && verb_at.is_none_or(|v| i < v))
            {
                i += 1;
                continue;
            }
            // "a" is an article in English and a preposition in Spanish: in the instruction's
            // language, an article. "por favor" is politeness, not "by".
            let next_is_name = self
                .t
                .get(i + 1)
                .is_some_and(|n| self.ctx.has_name(&n.raw) || n.raw.contains('/'));
            // "older than a week": "a" counts before a unit of time or of lines.
            let counts = self.key(i + 1).and_then(lexicon::flag).is_some_and(|f| {
                matches!(f, Flag::Lines | Flag::Days | Flag::Weeks | Flag::Levels)
            });
            if lexicon::says_in(self.s.lang, "a", k)
                && lexicon::prep(k).is_some()
                && !next_is_name
                && !counts
            {
                i += 1;
                continue;
            }
            if lexicon::courtesy_word(k) {
                let rest: Vec<&str> = (i..self.t.len().min(i + 3))
                    .map_while(|j| self.key(j))
                    .collect();
                if let Some(len) = lexicon::courtesy_at(&rest).filter(|n| *n > 1) {
                    i += len;
                    continue;
                }
            }
            if let Some(len) = known_span(self.t, i, self.ctx) {
                let raw = self.t[i..i + len]
                    .iter()
                    .map(|w| w.raw.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                self.push(Name::Lit { raw, quoted: false }, i, i + len, true);
                i += len;
                continue;
            }
            // "mete dentro notas.txt y todo.txt": "dentro" with no "de" after it is "inside
            // it", the folder just made; what follows is what goes in.
            if says("inside_it", k)
                && matches!(self.s.verb, Some(Verb::Put | Verb::Move | Verb::Copy))
                && self.prep.is_none()
                && self.key(i + 1).is_some_and(|n| !says("of", n))
            {
                self.prep = Some(Prep::In);
                self.push(Name::Pronoun, i, i + 1, true);
                i += 1;
                continue;
            }
            // "¿en qué archivos aparece X?", "in which files does X appear": the question is
            // which files, not a place called so.
            if lexicon::prep(k) == Some(Prep::In)
                && self.key(i + 1).is_some_and(|n| says("which", n))
                && self
                    .key(i + 2)
                    .and_then(lexicon::noun)
                    .is_some_and(|(n, plural)| n == Noun::File && plural)
            {
                i += 1;
                continue;
            }
            // "otra llamada Y", "another called Y": the kind is the one made before (the
            // clause list sees to it); the word itself names nothing.
            if says("another", k) && self.key(i + 1).is_some_and(lexicon::naming) {
                i += 1;
                continue;
            }
            // A slip in the naming word counts only right after "folder"/"file" ("a new dir
            // calld archive2").
            let slipped_naming = lexicon::naming_typo(k)
                && !self.ctx.has_name(&tok.raw)
                && i.checked_sub(1)
                    .and_then(|p| self.key(p))
                    .is_some_and(|p| lexicon::noun(p).is_some());
            if (lexicon::naming(k) || slipped_naming) && !says("name_word", k) {
                let plural =
                    self.s.noun.is_some_and(|(_, p)| p) || self.noun.is_some_and(|(_, p)| p);
                i = self.new_names(i + 1, plural);
                continue;
            }
            // "… un README.md que diga hola", "a file that says 'coming soon'": what follows
            // is the text of the file made.
            if (creating || self.s.verb.is_none())
                && self.s.text_at.is_none()
                && lexicon::says("relative", k)
                && self
                    .key(i + 1)
                    .is_some_and(|n| lexicon::says("text_follows", n))
                && self.t.get(i + 2).is_some()
                && self
                    .s
                    .phrases
                    .iter()
                    .any(|p| p.lit().is_some_and(super::build::looks_like_file))
            {
                self.s.text_at = Some(i + 2);
                self.prep = None;
                break;
            }
            // "con el nombre paella2.md", "with the name notes.md": the new name.
            if says("name_word", k) && self.prep == Some(Prep::By) {
                self.prep = None;
                let plural = self.s.noun.is_some_and(|(_, p)| p);
                i = self.new_names(i + 1, plural);
                continue;
            }
            // "que se llame", "whose name is"
            if says("name_word", k)
                && self.key(i + 1).is_some_and(|n| says("name_is", n))
                && creating
            {
                let plural = self.s.noun.is_some_and(|(_, p)| p);
                i = self.new_names(i + 2, plural);
                continue;
            }
            // "busca TODO en src", "search for ERROR": a word in capitals among lowercase
            // ones is a literal, even when it spells a word we know.
            if is_shouted(tok) && !self.shouting() && number_with_unit(k, None).is_none() {
                self.push_word(i, self.ctx.has_name(&tok.raw));
                i += 1;
                continue;
            }
            // "comprime viejo en un zip": right after the verb, with no article, a modifier
            // word that names an entry here is that entry ("the oldest" needs its article).
            if verb_at.is_some_and(|v| v + 1 == i)
                && lexicon::flag(k).is_some()
                && lexicon::noun(k).is_none()
                && self.ctx.has_name(&tok.raw)
            {
                self.push_word(i, true);
                i += 1;
                continue;
            }
            let prev = i.checked_sub(1).and_then(|p| self.key(p));
            let after_place_word = prev
                .is_some_and(|p| lexicon::prep(p).is_some() || lexicon::noun(p).is_some())
                || self.prep.is_some()
                || self.noun.is_some();
            let next_noun = self.key(i + 1).and_then(lexicon::noun);
            // A word naming an existing entry is a name, even if it is also a word we know
            // ("en logs", "the scripts folder"), unless it is a function word.
            if !function_word(k)
                && self.ctx.has_name(&tok.raw)
                && (lexicon::known(k) && (after_place_word || next_noun.is_some())
                    || !lexicon::known(k))
                && lexicon::verb(k).is_none_or(|_| after_place_word)
            {
                self.push_word(i, true);
                if let Some(n) = next_noun {
                    if let Some(last) = self.s.phrases.last_mut() {
                        last.noun = Some(n);
                    }
                    if self.s.noun.is_none() {
                        self.s.noun = Some(n);
                    }
                    i += 1;
                }
                i += 1;
                continue;
            }
            // "make a backup folder", "create a notes file": the name before its noun.
            if creating
                && !function_word(k)
                && number(k).is_none()
                && (!lexicon::known(k) || lexicon::kind(k).is_some())
                && lexicon::noun(k).is_none()
                && !k.starts_with('.')
                && self.key(i + 1).and_then(lexicon::noun).is_some()
                // "a text file" is a kind of file; "a backup folder" is a folder's name.
                && !(lexicon::kind(k).is_some() && self.key(i + 1).and_then(lexicon::noun).is_some_and(|(n, _)| n == Noun::File))
                && self.prep.is_none()
                && !self.s.phrases.iter().any(|p| p.prep.is_none())
            {
                let n = self.key(i + 1).and_then(lexicon::noun);
                if self.s.noun.is_none() {
                    self.s.noun = n;
                }
                self.noun = n;
                self.push_word(i, false);
                i += 2;
                continue;
            }
            // "rename logs to projects": a noun that ends the request right after "to",
            // "as" or a naming word is the name said.
            if lexicon::noun(k).is_some()
                && self.t.get(i + 1).is_none()
                && prev.is_some_and(|p| {
                    matches!(lexicon::prep(p), Some(Prep::To | Prep::As)) || lexicon::naming(p)
                })
            {
                self.push_word(i, self.ctx.has_name(&tok.raw));
                i += 1;
                continue;
            }
            if let Some(n) =
                lexicon::noun(k).or_else(|| lexicon::noun_typo(k).filter(|_| !lexicon::known(k)))
            {
                if lexicon::noun(k).is_none() {
                    self.s.unsure = true;
                }
                if self.s.noun.is_none() {
                    self.s.noun = Some(n);
                }
                // "esta carpeta", "this folder", "la carpeta actual"
                let current_after = self.key(i + 1).is_some_and(|n| says("current_after", n));
                if prev.is_some_and(|p| says("this", p) || says("the_one", p)) && current_after
                    || prev.is_some_and(|p| says("this", p))
                {
                    self.noun = Some(n);
                    self.push(Name::Here, i, i + 1, true);
                    i += if current_after { 2 } else { 1 };
                    continue;
                }
                self.noun = Some(n);
                // "la carpeta de arriba", "the parent folder"
                let of_above = self.key(i + 1).is_some_and(|n| says("of", n))
                    && self.key(i + 2).is_some_and(|n| says("up_place", n));
                if self.key(i + 1).is_some_and(|n| says("parent_after", n))
                    || of_above
                    || prev.is_some_and(|p| says("parent_before", p))
                {
                    self.push(Name::Up, i, i + 2, true);
                    i += if of_above { 3 } else { 2 };
                    continue;
                }
                // "créame aquí una carpeta 2025": "here" said before says where, not what.
                if creating
                    && self
                        .s
                        .phrases
                        .iter()
                        .all(|p| (p.prep.is_some() || p.name == Name::Here) && !p.named)
                    && self.prep.is_none()
                {
                    let plural = n.1;
                    // "crea la carpeta copias de seguridad": the rest is the name.
                    if self
                        .key(i + 1)
                        .is_some_and(|n| !function_word(n) || says("new", n))
                        || self.t.get(i + 1).is_some_and(|t| t.quoted || t.comma)
                    {
                        i = self.new_names(i + 1, plural);
                        continue;
                    }
                }
                i += 1;
                continue;
            }
            if let Some(p) = lexicon::prep(k).filter(|_| !(counts && number(k).is_some())) {
                // "la carpeta de tests": the folder's own name, not a place it is in.
                if says("of", k)
                    && self.prep.is_none()
                    && self.noun == Some((Noun::Folder, false))
                    && prev.and_then(lexicon::noun) == Some((Noun::Folder, false))
                    && self
                        .t
                        .get(i + 1)
                        .is_some_and(|n| !n.quoted && unaccounted_or_named(n, self.ctx))
                {
                    i += 1;
                    continue;
                }
                // "dentro de", "al final de", "inside of": one preposition.
                if p == Prep::From && self.prep == Some(Prep::In) {
                    i += 1;
                    continue;
                }
                if p == Prep::In && self.prep == Some(Prep::To) && !says("inside_here", k) {
                    i += 1;
                    continue;
                }
                if says("inside_here", k) && p == Prep::In {
                    self.s.flags.push(Flag::Content);
                    // "y dentro un archivo X": inside the folder just named, not "in X".
                    let mut j = i + 1;
                    while self.key(j).is_some_and(|n| {
                        says("a", n)
                            || says("another", n)
                            || says("new", n)
                            || lexicon::flag(n) == Some(Flag::Empty)
                            || matches!(lexicon::verb(n), Some(Verb::Create | Verb::Put))
                    }) {
                        j += 1;
                    }
                    // … or a new file by its name, after an article ("y dentro un README.md").
                    if self.key(j).and_then(lexicon::noun).is_some()
                        || (j > i + 1
                            && self.t.get(j).is_some_and(|t| {
                                super::build::looks_like_file(&t.raw) && !self.ctx.has_name(&t.raw)
                            }))
                    {
                        i += 1;
                        continue;
                    }
                }
                self.prep = Some(p);
                // "con el texto X", "containing X", "with the text X"
                if says("with", k)
                    && self.key(i + 1).is_some_and(|n| says("the_one", n))
                    && self.key(i + 2).is_some_and(|n| {
                        matches!(lexicon::flag(n), Some(Flag::Word | Flag::Content))
                    })
                {
                    self.s.text_at = Some(i + 3);
                    self.prep = None;
                    i += 3;
                    continue;
                }
                if says("with", k)
                    && self.key(i + 1).is_some_and(|n| {
                        matches!(lexicon::flag(n), Some(Flag::Word | Flag::Content))
                    })
                {
                    self.s.text_at = Some(i + 2);
                    self.prep = None;
                    i += 2;
                    continue;
                }
                i += 1;
                continue;
            }
            if lexicon::and(k) {
                i += 1;
                continue;
            }
            // "en esa un archivo", "in that a file": a demonstrative before an article stands
            // alone for what was just made.
            let before_article = self.key(i + 1).is_some_and(|n| says("a", n));
            let demonstrative = says("demonstrative", k);
            if (lexicon::pronoun(k) || (demonstrative && self.prep.is_some() && before_article))
                && !(says("existential", k) && prev.is_some_and(|p| says("to_be", p)))
                && !((demonstrative || (says("the_one", k) && lexicon::pronoun(k)))
                    && !before_article
                    && self
                        .t
                        .get(i + 1)
                        .is_some_and(|n| !lexicon::and(&n.key) && !n.key.is_empty()))
            {
                self.push(Name::Pronoun, i, i + 1, true);
                i += 1;
                continue;
            }
            // "into the current folder", "a la carpeta actual": here, as a place.
            let folder_at = |j: Option<usize>| {
                j.and_then(|j| self.key(j))
                    .and_then(lexicon::noun)
                    .is_some_and(|(n, plural)| n == Noun::Folder && !plural)
            };
            if says("current_before", k) && folder_at(Some(i + 1)) {
                self.push(Name::Here, i, i + 2, true);
                i += 2;
                continue;
            }
            if says("current_after", k)
                && folder_at(i.checked_sub(1))
                && self.s.verb != Some(Verb::Create)
            {
                self.push(Name::Here, i, i + 1, true);
                i += 1;
                continue;
            }
            if lexicon::here(k) && !says("current_before", k) && !says("current_after", k) {
                // "the .txt files here", "los pdf de aquí": where the things said are.
                if self.prep.is_none()
                    && !self.s.kinds.is_empty()
                    && i.checked_sub(1).and_then(|p| self.key(p)).is_some_and(|p| {
                        lexicon::noun(p).is_some()
                            || lexicon::kind(p).is_some()
                            || p.starts_with('.')
                    })
                {
                    self.prep = Some(Prep::In);
                }
                self.push(Name::Here, i, i + 1, true);
                i += 1;
                continue;
            }
            // "to the top level", "en la raíz": the workspace's top, as a path from here;
            // where the top is not known, nothing can be said of it.
            if lexicon::root(k) {
                match self.ctx.depth() {
                    Some(0) => self.push(Name::Here, i, i + 1, true),
                    Some(d) => self.push(
                        Name::Lit {
                            raw: vec![".."; d].join("/"),
                            quoted: false,
                        },
                        i,
                        i + 1,
                        true,
                    ),
                    None => self.s.unknown_top = true,
                }
                if self.key(i + 1).and_then(lexicon::noun).is_some() {
                    i += 1;
                }
                i += 1;
                continue;
            }
            // "to the parent folder": the noun after it says it, once.
            if says("parent_before", k) && self.key(i + 1).and_then(lexicon::noun).is_some() {
                i += 1;
                continue;
            }
            if (says("up_place", k) || k == "..") && self.prep.is_some() {
                self.push(Name::Up, i, i + 1, true);
                i += 1;
                continue;
            }
            if lexicon::all(k) {
                self.s.all = true;
                i += 1;
                continue;
            }
            if says("new", k) {
                self.new = true;
                if self.prep.is_some() {
                    self.s.new_dest = true;
                }
                i += 1;
                continue;
            }
            // ".log", "*.log", "*.tar.gz"
            if let Some(ext) = k.strip_prefix("*.").or_else(|| {
                k.strip_prefix('.').filter(|e| {
                    !e.is_empty()
                        && !e.contains('.')
                        && !e.contains('/')
                        && e.len() <= 8
                        && !self.ctx.has_name(&tok.raw)
                })
            }) && !ext.is_empty()
                && ext.chars().all(|c| c.is_alphanumeric() || c == '.')
            {
                if self.broad_kinds {
                    self.s.kinds.clear();
                    self.broad_kinds = false;
                }
                self.s.kinds.push(ext.to_owned());
                i += 1;
                continue;
            }
            if let Some(exts) = lexicon::kind(k)
                && (prev.is_none_or(|p| lexicon::prep(p).is_none()) || self.s.kinds.is_empty())
            {
                // "el log más reciente", "los csv", "an image": a kind, not a name. A
                // precise kind narrows a broad one: "las imágenes png" are the png files.
                let precise = exts.len() == 1;
                if precise && self.broad_kinds {
                    self.s.kinds.clear();
                    self.broad_kinds = false;
                }
                if precise || self.s.kinds.is_empty() || self.broad_kinds {
                    for e in exts {
                        if !self.s.kinds.iter().any(|k| k == e) {
                            self.s.kinds.push((*e).to_owned());
                        }
                    }
                    self.broad_kinds = !precise;
                }
                self.s.kind_words.push(k.to_owned());
                i += 1;
                continue;
            }
            if let Some((n, unit)) = number_with_unit(k, self.key(i + 1)) {
                let sign = self.size_sign(i);
                self.s.size = Some(format!("{sign}{n}{unit}"));
                i += if k.parse::<u32>().is_ok() { 2 } else { 1 };
                continue;
            }
            // "sustituye 8080 por 9090", "busca 404 en app.log": a number that counts
            // nothing is a literal.
            if k.chars().all(|c| c.is_ascii_digit())
                && matches!(self.s.verb, Some(Verb::Replace | Verb::Change | Verb::Find))
                && !self
                    .key(i + 1)
                    .is_some_and(|n| lexicon::flag(n).is_some() || lexicon::noun(n).is_some())
            {
                self.push_word(i, false);
                i += 1;
                continue;
            }
            if let Some(n) = number(k)
                && (!says("one_or_a", k)
                    || self.key(i + 1).is_some_and(|n| {
                        matches!(
                            lexicon::flag(n),
                            Some(Flag::Lines | Flag::Days | Flag::Weeks | Flag::Levels)
                        )
                    }))
            {
                self.s.numbers.push(n);
                if let Some(Flag::Days | Flag::Weeks) = self.key(i + 1).and_then(lexicon::flag) {
                    let days =
                        if matches!(self.key(i + 1).and_then(lexicon::flag), Some(Flag::Weeks)) {
                            n * 7
                        } else {
                            n
                        };
                    // "more than 3 days ago", "hace más de 3 días": older than that.
                    let ago = self.key(i + 2).and_then(lexicon::flag) == Some(Flag::Ago)
                        || self.t[i.saturating_sub(2)..i]
                            .iter()
                            .any(|t| lexicon::flag(&t.key) == Some(Flag::Ago));
                    let older =
                        self.t[..i].iter().rev().take(4).any(|t| {
                            matches!(lexicon::flag(&t.key), Some(Flag::More | Flag::Oldest))
                        }) || ago && self.t[..i].iter().any(|t| says("than", &t.key));
                    self.s.age = Some(if older {
                        format!("+{days}")
                    } else {
                        format!("-{days}")
                    });
                    i += 2;
                    continue;
                }
                i += 1;
                continue;
            }
            if let Some(f) = lexicon::flag(k) {
                if f == Flag::Today {
                    self.s.age = Some("-1".into());
                }
                if matches!(f, Flag::Weeks | Flag::Days) && self.s.age.is_none() {
                    // "esta semana", "this week"
                    if prev.is_some_and(|p| says("this_period", p)) {
                        self.s.age = Some(if f == Flag::Weeks {
                            "-7".into()
                        } else {
                            "-1".into()
                        });
                    }
                }
                self.s.flags.push(f);
                i += 1;
                continue;
            }
            // Fillers, naming words, and the words a command is chosen by ("ocupan", "space")
            // when nothing here is called that.
            if lexicon::filler(k)
                || lexicon::naming(k)
                || (lexicon::cue(k) && !self.ctx.has_name(&tok.raw))
            {
                i += 1;
                continue;
            }
            // Another verb inside the clause: "haz una copia de", "show the tree"; after a
            // preposition it is a name ("rename old to archive"), and so is any word a
            // replacement swaps ("replace cat with dog": texts, whatever else they mean).
            if lexicon::verb(k).is_some()
                && self.prep.is_none()
                && self.s.verb != Some(Verb::Replace)
            {
                i += 1;
                continue;
            }
            // An unknown word: a name as said.
            self.push_word(i, false);
            i += 1;
        }
        self.where_it_goes();
        self.s
    }

    /// "…y mueve dentro los .txt", "…y mueve ahí todos los .txt": a move or copy whose
    /// destination is only "dentro" / "ahí" / "there" goes into what was just named.
    fn where_it_goes(&mut self) {
        if !matches!(self.s.verb, Some(Verb::Move | Verb::Copy | Verb::Put)) {
            return;
        }
        let has_objects = !self.s.kinds.is_empty()
            || self
                .s
                .phrases
                .iter()
                .any(|p| p.prep.is_none() && !matches!(p.name, Name::Pronoun));
        if !has_objects {
            return;
        }
        if let Some(p) = self.prep.filter(|p| matches!(p, Prep::In | Prep::To))
            && !self.s.phrases.iter().any(|ph| ph.prep.is_some())
        {
            self.prep = Some(p);
            let end = self.t.len();
            self.push(Name::Pronoun, end, end, true);
            return;
        }
        for ph in &mut self.s.phrases {
            if matches!(ph.name, Name::Pronoun) && ph.prep.is_none() {
                ph.prep = Some(Prep::To);
            }
        }
    }

    fn size_sign(&self, i: usize) -> &'static str {
        let before = &self.t[i.saturating_sub(4)..i];
        if before.iter().any(|t| {
            matches!(lexicon::flag(&t.key), Some(Flag::Less | Flag::Smallest))
                || says("at_most", &t.key)
        }) {
            "-"
        } else if before.iter().any(|t| {
            matches!(lexicon::flag(&t.key), Some(Flag::More | Flag::Biggest))
                || says("at_least", &t.key)
        }) {
            "+"
        } else {
            ""
        }
    }
}

/// "5 KB", "5KB", "10mb", "2 gigas"
fn number_with_unit(k: &str, next: Option<&str>) -> Option<(u32, &'static str)> {
    if let Ok(n) = k.parse::<u32>() {
        return Some((n, lexicon::size_unit(next?)?));
    }
    let split = k.find(|c: char| !c.is_ascii_digit())?;
    if split == 0 {
        return None;
    }
    let n = k[..split].parse().ok()?;
    Some((n, lexicon::size_unit(&k[split..])?))
}

/// The slots of one clause.
pub fn slots(t: &[Token], ctx: &Context<'_>, lang: &'static str) -> Slots {
    let found = find_verb(t, ctx);
    let mut s = Slots {
        lang,
        ..Slots::default()
    };
    if let Some((at, v, typo)) = found {
        s.verb = Some(v);
        s.verb_at = at;
        s.unsure = typo;
        s.verb_pronoun = lexicon::carries_object_pronoun(&t[at].key);
    }
    let scan = Scan {
        t,
        ctx,
        s,
        prep: None,
        noun: None,
        new: false,
        named: false,
        broad_kinds: false,
    };
    scan.run(found.map(|(at, _, _)| at))
}
