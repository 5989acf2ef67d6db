//! From a clause's slots to the command that does it, with its explanation in both
//! languages. Names are quoted for the shell here and nowhere else, so a name like `a;b`,
//! `$(x)` or `*` is always one literal word; only the globs this module writes itself
//! (`logs/*.log`) are left for the shell to expand.

use std::borrow::Cow;

use super::context::Context;
use super::lexicon::{self, Flag, Noun, Prep, Verb};
use super::parse::{Name, Phrase, Slots};
use super::refuse::Refusal;
use super::say::{Say, shown};
use super::words::Token;

#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub cmd: String,
    /// What it does, said in the person's language when the translation is done.
    pub say: Say,
}

impl Step {
    fn new(cmd: String, say: Say) -> Self {
        Self { cmd, say }
    }
}

/// Why a clause gave no command.
#[derive(Debug, Clone, PartialEq)]
pub enum Stop {
    NotUnderstood,
    Refuse(Refusal),
    /// A question back to the person: what exactly to delete or overwrite.
    Ask(Say),
}

/// Quotes a name for the shell so it is always one literal word.
/// Letters of any script are plain words to the shell, so `música` needs no quotes.
pub fn q(name: &str) -> Cow<'_, str> {
    if name.is_empty() {
        return Cow::Borrowed("''");
    }
    if name
        .chars()
        .all(|c| c.is_alphanumeric() || "-_./,:+@%".contains(c))
    {
        return Cow::Borrowed(name);
    }
    Cow::Owned(format!("'{}'", name.replace('\'', "'\\''")))
}

/// Names as shell words; `--` first when one could be read as an option.
fn args<S: AsRef<str>>(names: &[S]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| word(n.as_ref())).collect();
    let sep = if names.iter().any(|n| n.as_ref().starts_with('-')) {
        "-- "
    } else {
        ""
    };
    format!("{sep}{}", quoted.join(" "))
}

/// One shell word: a plain name quoted, or a glob this module built (`dir/*.ext`), whose
/// folder part is quoted and whose pattern part is left to expand.
fn word(name: &str) -> String {
    match name.split_once("\u{0}GLOB\u{0}") {
        Some((dir, pat)) => {
            if dir.is_empty() {
                pat.to_owned()
            } else {
                format!("{}/{pat}", q(dir))
            }
        }
        None => q(name).into_owned(),
    }
}

fn glob(dir: &str, exts: &[String]) -> Vec<String> {
    let dir = if dir == "." {
        ""
    } else {
        dir.trim_end_matches('/')
    };
    exts.iter()
        .map(|e| format!("{dir}\u{0}GLOB\u{0}*.{}", glob_safe(e)))
        .collect()
}

fn glob_safe(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'))
        .collect()
}

/// The new name of a rename as said: every word after "a" / "como" / "to" up to a place
/// ("en docs") or the end, so "a año viejo" and "a mis proyectos" keep all their words
/// (the parser reads "viejo" as an age and "mis" as a filler elsewhere). Leading articles
/// and "carpeta"/"llamada" are not part of it, nor a closing "por favor".
fn spoken_new_name(toks: &[Token], s: &Slots, new: &Phrase) -> Option<(String, usize)> {
    let mut begin = new.start;
    while begin > 0
        && lexicon::filler(&toks[begin - 1].key)
        && lexicon::prep(&toks[begin - 1].key).is_none()
    {
        begin -= 1;
    }
    let prep_at = begin.checked_sub(1)?;
    if !matches!(
        lexicon::prep(&toks[prep_at].key),
        Some(Prep::To | Prep::As | Prep::By)
    ) && !new.named
    {
        return None;
    }
    while begin < new.start {
        let k = toks[begin].key.as_str();
        if lexicon::says("article", k) {
            begin += 1;
        } else {
            break;
        }
    }
    let mut end = s
        .phrases
        .iter()
        .filter(|p| p.start > new.start && matches!(p.prep, Some(Prep::In | Prep::From)))
        .map(|p| p.start)
        .min()
        .unwrap_or(toks.len());
    // Back over the place's own preposition ("dentro de", "en la carpeta").
    while end > new.end
        && (lexicon::prep(&toks[end - 1].key).is_some()
            || lexicon::filler(&toks[end - 1].key)
            || lexicon::noun(&toks[end - 1].key).is_some())
    {
        end -= 1;
    }
    while end > begin && lexicon::says("please", toks[end - 1].key.as_str()) {
        end -= 1;
        if end > begin && lexicon::says("please_before", &toks[end - 1].key) {
            end -= 1;
        }
    }
    if end <= new.start {
        return None;
    }
    let words: Vec<&str> = toks[begin..end].iter().map(|t| t.raw.as_str()).collect();
    (!words.is_empty()).then(|| (words.join(" "), end))
}

/// Extensions as said: ".txt, .md".
fn dotted(exts: &[String]) -> String {
    exts.iter()
        .map(|e| format!(".{e}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() || dir == "." {
        name.to_owned()
    } else {
        format!("{}/{}", dir.trim_end_matches('/'), name)
    }
}

/// Whether `name` matches a shell pattern whose only special character is `*`.
fn star_match(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let [first, middle @ .., last] = parts.as_slice() else {
        return pattern == name;
    };
    if parts.len() == 1 {
        return pattern == name;
    }
    let Some(mut rest) = name.strip_prefix(first) else {
        return false;
    };
    for m in middle {
        match rest.find(m) {
            Some(i) => rest = &rest[i + m.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// A name resolved against the workspace.
#[derive(Debug, Clone, PartialEq)]
struct Target {
    path: String,
    dir: Option<bool>,
    exists: bool,
}

pub struct Builder<'a> {
    ctx: &'a Context<'a>,
    /// The folder named last, for "dentro", "ella", "it", "la carpeta".
    pub last_dir: Option<String>,
    /// The thing named last, for "bórralo", "it".
    last_obj: Option<String>,
    /// The archive the last clause made or unpacked ("… y luego elimina el archivo
    /// comprimido", "… and then get rid of the zip").
    last_archive: Option<String>,
    pub unsure: bool,
    /// Paths created by earlier clauses: they exist by the time this one runs.
    made: Vec<(String, bool)>,
    /// The clause's exclusion ("menos error.log") was honoured by the command built.
    pub except_applied: bool,
}

impl<'a> Builder<'a> {
    pub fn new(ctx: &'a Context<'a>) -> Self {
        Self {
            ctx,
            last_dir: None,
            last_obj: None,
            last_archive: None,
            unsure: false,
            made: Vec::new(),
            except_applied: false,
        }
    }

    /// The targets without what the instruction excluded: a pattern ("logs/*.log") or a
    /// folder holding an excluded name becomes the entries it stands for, from the workspace
    /// model, and the excluded ones are left out. Asks when nothing is left, or when an
    /// excluded name is none of them (a slip the user should see, not a silent no-op).
    fn exclude(&mut self, targets: Vec<Target>, s: &Slots) -> Result<Vec<Target>, Stop> {
        let ex = &s.except;
        if ex.is_empty() {
            return Ok(targets);
        }
        self.except_applied = true;
        let mut out = Vec::new();
        for t in targets {
            let inside = |dir: &str| {
                let prefix = format!("{}/", dir.trim_end_matches('/'));
                ex.names
                    .iter()
                    .any(|n| self.ctx.get(&format!("{prefix}{n}")).is_some())
                    || !ex.kinds.is_empty()
            };
            // A pattern is written `dir\0GLOB\0*.ext` until it is quoted (see `glob`).
            if let Some((dir, pattern)) = t.path.split_once("\u{0}GLOB\u{0}") {
                out.extend(self.expand(dir, pattern));
            } else if t.dir == Some(true) && inside(&t.path) {
                out.extend(self.expand(&t.path, "*"));
            } else {
                out.push(t);
            }
        }
        let before = out.len();
        out.retain(|t| !ex.excludes(&t.path));
        if out.len() == before {
            return Err(Stop::Ask(
                Say::new("ask_except_not_named").names("names", &ex.names),
            ));
        }
        if out.is_empty() {
            return Err(Stop::Ask(Say::new("ask_except_all")));
        }
        Ok(out)
    }

    /// What is deleted, emptied, moved, copied or chmod-ed must be there: a name the workspace
    /// does not hold is never guessed into `rm`, `mv` or `chmod` (it is a word of the
    /// sentence, or a slip). Asks, with the closest names here when there are some.
    fn must_exist(&self, targets: &[Target]) -> Result<(), Stop> {
        let Some(missing) = targets
            .iter()
            .find(|t| !t.exists && !t.path.contains('\u{0}'))
        else {
            return Ok(());
        };
        let name = missing.path.rsplit('/').next().unwrap_or(&missing.path);
        let dir = missing.path.rsplit_once('/').map_or(".", |(d, _)| d);
        let folded = super::words::fold(name);
        let mut near: Vec<&str> = self
            .ctx
            .child_names(dir)
            .map(|(n, _)| n)
            .filter(|n| {
                let f = super::words::fold(n);
                super::words::within_typo(&f, &folded, 2)
                    || (folded.len() >= 3 && f.starts_with(&folded))
            })
            .take(3)
            .collect();
        near.sort_unstable();
        Err(Stop::Ask(match near.as_slice() {
            [] => Say::new("ask_missing").name("name", &missing.path),
            some => Say::new("ask_missing_near")
                .name("name", &missing.path)
                .either("near", some),
        }))
    }

    /// The entries of `dir` a shell pattern of `*`s matches (not hidden ones, as a shell).
    fn expand(&self, dir: &str, pattern: &str) -> Vec<Target> {
        let dir = if dir.is_empty() { "." } else { dir };
        let mut out: Vec<Target> = self
            .ctx
            .child_names(dir)
            .filter(|(name, _)| !name.starts_with('.') && star_match(pattern, name))
            .map(|(name, d)| Target {
                path: if dir == "." {
                    name.to_owned()
                } else {
                    format!("{}/{name}", dir.trim_end_matches('/'))
                },
                dir: Some(d),
                exists: true,
            })
            .collect();
        out.sort_by(|a, b| a.path.cmp(&b.path));
        out
    }

    fn exists(&self, path: &str) -> Option<bool> {
        if path == "." || path == ".." || path.is_empty() {
            return Some(true);
        }
        if let Some(e) = self.ctx.get(path) {
            return Some(e.dir);
        }
        self.made.iter().find(|(p, _)| p == path).map(|(_, d)| *d)
    }

    fn true_path(&self, path: &str) -> String {
        self.ctx
            .get(path)
            .map_or_else(|| path.to_owned(), |e| e.path.clone())
    }

    fn resolve(&self, p: &Phrase, base: Option<&str>) -> Option<Target> {
        let dir_noun = p.noun.map(|(n, _)| n == Noun::Folder);
        let raw = match &p.name {
            Name::Pronoun => {
                let path = self.last_dir.clone().or_else(|| self.last_obj.clone())?;
                let dir = self.exists(&path).or(Some(true));
                return Some(Target {
                    path,
                    dir,
                    exists: true,
                });
            }
            Name::Here => {
                return Some(Target {
                    path: ".".into(),
                    dir: Some(true),
                    exists: true,
                });
            }
            Name::Up => {
                return Some(Target {
                    path: "..".into(),
                    dir: Some(true),
                    exists: true,
                });
            }
            Name::Lit { raw, .. } => raw.as_str(),
        };
        let raw = raw.strip_prefix("./").unwrap_or(raw);
        let mut candidates: Vec<String> = Vec::new();
        if let Some(b) = base.filter(|b| !b.is_empty() && *b != ".") {
            candidates.push(join(b, raw));
        }
        candidates.push(raw.to_owned());
        for c in &candidates {
            if let Some(d) = self.exists(c) {
                return Some(Target {
                    path: self.true_path(c),
                    dir: Some(d),
                    exists: true,
                });
            }
        }
        Some(Target {
            path: candidates.swap_remove(0),
            dir: dir_noun,
            exists: false,
        })
    }

    /// Like `resolve`, but a bare name that is not here is looked for below: the one entry
    /// of that name anywhere beneath ("renombra carta.txt" → `Mis Documentos/carta.txt`).
    /// Only for things that must exist (what is renamed, where something goes), never for
    /// what is created.
    fn resolve_existing(&self, p: &Phrase, base: Option<&str>) -> Option<Target> {
        let t = self.resolve(p, base)?;
        if t.exists || t.path.contains('/') || !matches!(p.name, Name::Lit { .. }) {
            return Some(t);
        }
        let want_dir = p.noun.map(|(n, _)| n == Noun::Folder);
        match self.ctx.unique_named(&t.path) {
            Some(e) if want_dir.is_none_or(|d| d == e.dir) => Some(Target {
                path: e.path.clone(),
                dir: Some(e.dir),
                exists: true,
            }),
            _ => Some(self.by_stem(&t.path, base, want_dir).unwrap_or(t)),
        }
    }

    /// A name said without its extension or its dot ("the readme", "el gitignore"): the one
    /// entry here (or, failing that, beneath) whose name is that word and an extension.
    fn by_stem(&self, said: &str, base: Option<&str>, want_dir: Option<bool>) -> Option<Target> {
        let want = super::words::fold(said.trim_start_matches('.'));
        if want.len() < 3 || said.contains('.') || said.contains(' ') {
            return None;
        }
        let stem_of = |name: &str| {
            let f = super::words::fold(name);
            let f = f.trim_start_matches('.');
            f.split('.').next().unwrap_or_default().to_owned()
        };
        let dir = base.filter(|b| !b.is_empty()).unwrap_or(".");
        let here: Vec<(&str, bool)> = self
            .ctx
            .child_names(dir)
            .filter(|(n, d)| want_dir.is_none_or(|w| w == *d) && *n != said && stem_of(n) == want)
            .take(2)
            .collect();
        let found = match here.as_slice() {
            [(name, d)] => Some((join(dir, name), *d)),
            [] => self
                .ctx
                .describe(
                    std::slice::from_ref(&want),
                    &|_| Vec::new(),
                    None,
                    dir,
                    want_dir,
                )
                .filter(|e| stem_of(e.path.rsplit('/').next().unwrap_or_default()) == want)
                .map(|e| (e.path, e.dir)),
            _ => None,
        }?;
        Some(Target {
            path: found.0.trim_start_matches("./").to_owned(),
            dir: Some(found.1),
            exists: true,
        })
    }

    /// A folder named beside the current one ("a la carpeta docs" from `src/`), or the one
    /// folder of that name below.
    fn resolve_dest(&self, p: &Phrase) -> Option<Target> {
        let t = self.resolve(p, None)?;
        if t.exists || !matches!(p.name, Name::Lit { .. }) {
            return Some(t);
        }
        if let Some(below) = self
            .resolve_existing(p, None)
            .filter(|b| b.exists && b.dir == Some(true))
        {
            return Some(below);
        }
        let mut up = String::from("../");
        for _ in 0..4 {
            let c = format!("{up}{}", t.path);
            if let Some(e) = self.ctx.get(&c) {
                return Some(Target {
                    path: e.path.clone(),
                    dir: Some(e.dir),
                    exists: true,
                });
            }
            up.push_str("../");
        }
        Some(t)
    }

    /// Content words of a description ("el informe del año 2024"), for `Context::describe`.
    /// Words that name the folder it is in, and counts ("las últimas 5 líneas"), are not
    /// part of the name.
    fn describe(
        &self,
        toks: &[Token],
        s: &Slots,
        from: usize,
        to: usize,
        base: &str,
        want_dir: Option<bool>,
    ) -> Option<String> {
        let in_dir = |i: usize| {
            s.phrases.iter().any(|p| {
                (p.start..p.end).contains(&i)
                    && self
                        .resolve(p, None)
                        .is_some_and(|t| t.dir == Some(true) && t.exists)
            })
        };
        let words: Vec<String> = toks
            .iter()
            .enumerate()
            .take(to.min(toks.len()))
            .skip(from)
            .filter(|(i, t)| {
                let k = t.key.as_str();
                let count = super::words::number(k).is_some()
                    && toks
                        .get(i + 1)
                        .is_some_and(|n| lexicon::flag(&n.key).is_some());
                !(count
                    || in_dir(*i)
                    || lexicon::filler(k)
                    || lexicon::prep(k).is_some()
                    || lexicon::noun(k).is_some()
                    || lexicon::kind(k).is_some()
                    || lexicon::flag(k).is_some()
                    || lexicon::all(k)
                    || lexicon::and(k)
                    // "the names file", "el archivo de nombres": a naming word beside a
                    // noun describes.
                    || (lexicon::naming(k)
                        && toks
                            .get(i + 1)
                            .is_none_or(|n| lexicon::noun(&n.key).is_none())
                        && (*i < 2
                            || lexicon::prep(&toks[i - 1].key) != Some(Prep::From)
                            || lexicon::noun(&toks[i - 2].key).is_none()))
                    || lexicon::pronoun(k)
                    || lexicon::verb(k).is_some()
                    || (lexicon::cue(k) && !self.ctx.has_name(&t.raw))
                    || lexicon::says("one_or_a", k)
                    || k.starts_with('.')
                    || k.starts_with("*."))
            })
            .map(|(_, t)| t.key.clone())
            .collect();
        let exts: Vec<&str> = s.kinds.iter().map(String::as_str).collect();
        let exts = (!exts.is_empty()).then_some(exts.as_slice());
        if words.is_empty() && exts.is_none() {
            return None;
        }
        let syn = |w: &str| {
            lexicon::synonyms(w)
                .iter()
                .map(|s| (*s).to_owned())
                .collect::<Vec<_>>()
        };
        self.ctx
            .describe(&words, &syn, exts, base, want_dir)
            .map(|e| e.path.clone())
    }

    /// Direct objects: phrases with no preposition that were not new names.
    fn objects<'s>(&self, s: &'s Slots) -> Vec<&'s Phrase> {
        s.phrases
            .iter()
            .filter(|p| p.prep.is_none() && !p.named)
            .collect()
    }

    /// The folder the objects are in: "de la carpeta logs", "in src", "dentro de música".
    fn place(&self, s: &Slots, skip: &[&Phrase]) -> Option<String> {
        s.phrases
            .iter()
            .filter(|p| matches!(p.prep, Some(Prep::In | Prep::From)))
            .filter(|p| !skip.iter().any(|k| std::ptr::eq(*k, *p)))
            .find_map(|p| {
                let t = self.resolve(p, None)?;
                if t.dir == Some(true) && t.exists {
                    return Some(t.path);
                }
                // "las canciones de rock", "out of the web project": a folder deeper down,
                // if only one has the name.
                if let Some(e) = p.lit().and_then(|r| self.ctx.unique_named(r))
                    && e.dir
                {
                    return Some(e.path.clone());
                }
                (t.dir == Some(true) || p.noun.is_some_and(|(n, _)| n == Noun::Folder))
                    .then_some(t.path)
            })
    }

    /// "el vídeo", "the pdf": one file of a kind, not all of them.
    fn singular_kind(&self, s: &Slots) -> bool {
        !s.kind_words.is_empty() && said_one(s)
    }

    /// A place was said ("de vacaciones") but names no folder here: acting on the current
    /// folder instead would widen the command, so ask.
    fn unknown_place(&self, s: &Slots, place: Option<&str>) -> Result<(), Stop> {
        if place.is_some() {
            return Ok(());
        }
        match s.phrases.iter().find(|p| {
            matches!(p.prep, Some(Prep::In | Prep::From))
                && p.lit().is_some_and(|r| !looks_like_file(r))
                && self.resolve(p, None).is_some_and(|t| !t.exists)
        }) {
            Some(p) => {
                let name = p.lit().unwrap_or_default();
                Err(Stop::Ask(Say::new("ask_no_folder").name("name", name)))
            }
            None => Ok(()),
        }
    }

    /// The steps of one clause. A date or size said ("older than a week", "de más de 1 MB")
    /// that the command does not test would widen it to every file of the kind: declined,
    /// with the search that does test it.
    pub fn clause(&mut self, toks: &[Token], s: &Slots) -> Result<Vec<Step>, Stop> {
        let steps = self.clause_steps(toks, s)?;
        let tested = |test: &[&str]| {
            steps
                .iter()
                .any(|st| test.iter().any(|t| st.cmd.contains(t)))
        };
        let by_age = s.age.is_some() && !tested(&[" -mtime ", " -newermt ", " -mmin "]);
        let by_size = s.size.is_some() && !tested(&[" -size "]);
        if by_age || by_size {
            return Err(Stop::Ask(if by_age {
                Say::new("ask_pick_by_date")
            } else {
                Say::new("ask_pick_by_size")
            }));
        }
        Ok(steps)
    }

    fn clause_steps(&mut self, toks: &[Token], s: &Slots) -> Result<Vec<Step>, Stop> {
        let keys: Vec<&str> = toks.iter().map(|t| t.key.as_str()).collect();
        let says = |group: &str| keys.iter().any(|k| lexicon::says(group, k));
        if s.unsure {
            self.unsure = true;
        }
        // "¿dónde estoy?", "show the current folder"; "copy X into the current folder" is
        // a copy.
        if is_pwd(&keys) && !matches!(s.verb, Some(Verb::Copy | Verb::Move | Verb::Put)) {
            return Ok(vec![Step::new("pwd".into(), Say::new("pwd"))]);
        }
        // "first ten lines of main.py", "dame la cabecera del csv", "give me the last 2 lines
        // of todo.txt": lines of a file asked for without a verb, or with "give", are shown.
        let header = says("header");
        let lines_of = (s.has(Flag::Lines) && (s.has(Flag::First) || s.has(Flag::Last))) || header;
        if lines_of
            && matches!(s.verb, None | Some(Verb::Give))
            && !s.has(Flag::Permission)
            && !s.has(Flag::Execute)
        {
            // The header words are cue words: the parse never read them as names.
            let mut shown = with_verb(s, Verb::Show);
            if header && !s.has(Flag::First) {
                shown.flags.extend([Flag::First, Flag::Lines]);
                shown.numbers = vec![1];
            }
            return self.show(toks, &shown, false);
        }
        // "which of these logs changed last?", "¿qué log se modificó por última vez…?"
        if says("changed")
            && s.has(Flag::Last)
            && !s.has(Flag::Lines)
            && matches!(s.verb, None | Some(Verb::Change))
        {
            let mut newest = s.clone();
            newest.verb = None;
            newest.flags.retain(|f| *f != Flag::Last);
            newest.flags.push(Flag::Newest);
            return self.superlative(toks, &newest, Flag::Newest);
        }
        // "show lines with either INFO or WARN in app.log"
        if matches!(s.verb, None | Some(Verb::Show | Verb::Read | Verb::List))
            && s.has(Flag::Lines)
            && let Some(any) = self.alternatives(toks, s)
        {
            let in_file = s
                .phrases
                .iter()
                .filter(|p| matches!(p.prep, Some(Prep::In | Prep::From)))
                .find_map(|p| self.resolve_existing(p, None).filter(|t| t.exists));
            if in_file.is_some() {
                return self.grep_any(s, &any, in_file);
            }
        }
        // "¿qué pone en el README?": a question about what a file says.
        if keys.first().is_some_and(|k| lexicon::says("what", k))
            && keys
                .get(s.verb_at)
                .is_some_and(|k| lexicon::says("says", k))
        {
            return self.show(toks, &with_verb(s, Verb::Show), true);
        }
        // "que solo yo pueda leer y escribir el .env", "lock down .env so only I can read and
        // write it": whoever the verb, it is about permissions.
        if owner_only(&keys).is_some() {
            return self.chmod(toks, s, true);
        }
        // "make deploy.sh non-executable", "que backup.sh deje de ser ejecutable"
        if says("not_executable") || (says("leave") && s.has(Flag::Execute)) {
            let mut revoked = s.clone();
            revoked.flags.push(Flag::Execute);
            return self.chmod(toks, &revoked, false);
        }
        let verb = s.verb;
        // "¿cuánto ocupa X?", "how much space does X use", "disk usage of X"
        let usage = says("usage") || (says("how") && says("big"))
            || (says("how_much") && says("size"))
            // "dime el tamaño de la carpeta logs", "the size of the src folder": one total,
            // not each file's ("the size of each file" lists them by size).
            || (lexicon::says_phrase("size_of", &keys) && !says("each_file"));
        if usage
            && s.size.is_none()
            && !matches!(
                verb,
                Some(Verb::Sort | Verb::List | Verb::Delete | Verb::Move | Verb::Copy)
            )
        {
            return self.usage(toks, s);
        }
        let count_q = says("count_question") && (says("many") || matches!(verb, Some(Verb::Count)));
        // "¿cuántas veces sale ERROR en app.log?", "count the lines in X that contain 'Y'":
        // matching lines, counted.
        let times = says("times");
        if (count_q || times)
            && (times || (s.has(Flag::Lines) && (s.has(Flag::Contains) || says("they_say"))))
            && let Some(steps) = self.count_matches(s)
        {
            return Ok(steps);
        }
        if count_q && !says("times") || (matches!(verb, Some(Verb::Count)) && !says("times_short"))
        {
            return self.count(toks, s);
        }
        // "from smallest to largest", "del más viejo al más nuevo", "large to small": both
        // ends of one scale say an order, not one entry.
        let first_of = |a: Flag, b: Flag| {
            toks.iter()
                .filter_map(|t| lexicon::flag(&t.key))
                .find(|f| *f == a || *f == b)
        };
        let range = if s.has(Flag::Biggest) && s.has(Flag::Smallest) {
            Some((
                Flag::BySize,
                first_of(Flag::Smallest, Flag::Biggest) == Some(Flag::Smallest),
            ))
        } else if s.has(Flag::Newest) && s.has(Flag::Oldest) {
            Some((
                Flag::ByDate,
                first_of(Flag::Oldest, Flag::Newest) == Some(Flag::Oldest),
            ))
        } else {
            None
        };
        if let Some((by, reverse)) = range
            && matches!(verb, None | Some(Verb::Show | Verb::List | Verb::Sort))
            && self
                .subject(toks, s, true)
                .is_none_or(|t| t.dir != Some(false))
        {
            let mut ordered = with_verb(s, Verb::List);
            ordered.flags.retain(|f| {
                !matches!(
                    f,
                    Flag::Biggest | Flag::Smallest | Flag::Newest | Flag::Oldest
                )
            });
            ordered.flags.push(by);
            if reverse {
                ordered.flags.push(Flag::Reverse);
            }
            ordered.kinds.clear();
            ordered.kind_words.clear();
            return self.list(toks, &ordered);
        }
        let superlative = [Flag::Newest, Flag::Oldest, Flag::Biggest, Flag::Smallest]
            .iter()
            .find(|f| s.has(**f))
            .copied();
        if let Some(sup) = superlative
            && s.size.is_none()
            && !s.has(Flag::BySize)
            && !s.has(Flag::ByDate)
            && matches!(
                verb,
                None | Some(Verb::Show | Verb::List | Verb::Find | Verb::Read | Verb::Open)
            )
            && (says("extreme"))
        {
            return self.superlative(toks, s, sup);
        }
        let archive_word = keys.iter().any(|k| lexicon::says("archive_made", k));
        if archive_word
            && matches!(
                verb,
                Some(Verb::Put | Verb::Make | Verb::Add | Verb::Create | Verb::Copy | Verb::Move)
            )
        {
            return self.compress(toks, s);
        }
        // "list the files modified today", "muéstrame los de más de 1 MB": only a search
        // picks files by date or size.
        if (s.age.is_some() || s.size.is_some()) && matches!(verb, Some(Verb::List | Verb::Show)) {
            return self.find(toks, s);
        }
        match verb {
            Some(Verb::Create) => self.create(toks, s, true),
            Some(Verb::Make) => {
                if says("archive") && !says("folder_word") || says("archive_name") {
                    self.compress(toks, s)
                } else if says("copy_word") {
                    self.copy(toks, s)
                } else if s.has(Flag::Execute) || s.has(Flag::ReadOnly) {
                    self.chmod(toks, s, true)
                } else {
                    self.create(toks, s, false)
                }
            }
            Some(Verb::Add) => {
                if s.has(Flag::Permission) || s.has(Flag::Execute) {
                    self.chmod(toks, s, true)
                } else if self.setting(s) {
                    self.write(toks, s, true)
                } else if s.noun.is_some()
                    && s.text.is_none()
                    && s.text_at.is_none()
                    && !says("line_or_end")
                    && !self
                        .objects(s)
                        .iter()
                        .any(|p| matches!(&p.name, Name::Lit { quoted: true, .. }))
                {
                    self.create(toks, s, false)
                } else {
                    self.write(toks, s, true)
                }
            }
            Some(Verb::Write) => self.write(toks, s, s.has(Flag::End) || s.has(Flag::Last)),
            Some(Verb::Put) => {
                if s.has(Flag::Permission) || s.has(Flag::Execute) || s.has(Flag::ReadOnly) {
                    self.chmod(toks, s, true)
                } else if self
                    .objects(s)
                    .iter()
                    .any(|p| matches!(&p.name, Name::Lit { quoted: true, .. }) && !p.known)
                    || says("text_word")
                    || self.setting(s)
                {
                    self.write(toks, s, s.has(Flag::End) || s.has(Flag::Last))
                } else if self.objects(s).iter().any(|p| p.known)
                    || !s.kinds.is_empty() && s.all
                    || self.puts_described(toks, s)
                {
                    self.mv(toks, s)
                } else {
                    self.create(toks, s, false)
                }
            }
            Some(Verb::Delete)
                if s.has(Flag::Permission)
                    && (s.has(Flag::Execute)
                        || s.has(Flag::WritePerm)
                        || s.has(Flag::ReadPerm)) =>
            {
                self.chmod(toks, s, false)
            }
            Some(Verb::Delete) => self.delete(toks, s),
            Some(Verb::Empty) => self.empty(toks, s),
            Some(Verb::Undo) => undo(s),
            Some(Verb::Move) => self.mv(toks, s),
            Some(Verb::Copy) => self.copy(toks, s),
            Some(Verb::Rename) => self.rename(toks, s),
            Some(Verb::Change) => {
                if s.has(Flag::Extension) {
                    self.extension(toks, s)
                } else if says("name_word") {
                    self.rename(toks, s)
                } else if s.has(Flag::Permission) || s.has(Flag::Execute) || s.has(Flag::ReadOnly) {
                    self.chmod(toks, s, true)
                } else if s.phrases.iter().any(|p| p.prep == Some(Prep::By))
                    // "change London to Berlin in data.csv": a word to another inside a file
                    // that is here, when the first is no name here.
                    || (s.phrases.iter().any(|p| p.prep == Some(Prep::To))
                        && (s.phrases.iter().any(|p| {
                            p.prep == Some(Prep::In)
                                && p.lit().is_some_and(|n| self.exists(n) == Some(false))
                        }) || self.described_file_in(toks, s).is_some())
                        && s.phrases
                            .iter()
                            .find(|p| p.prep.is_none())
                            .and_then(|p| p.lit())
                            .is_some_and(|n| self.exists(n).is_none()))
                {
                    self.replace(toks, s)
                } else if s.phrases.iter().any(|p| {
                    p.prep == Some(Prep::To) && p.noun.is_some_and(|(n, _)| n == Noun::Folder)
                }) || says("folder_word") && !says("name_word")
                {
                    self.cd(s)
                } else {
                    Err(Stop::NotUnderstood)
                }
            }
            Some(Verb::Replace) => self.replace(toks, s),
            Some(Verb::List) => self.list(toks, s),
            Some(Verb::Show) | Some(Verb::Read) => {
                if says("tree_word") {
                    self.tree(toks, s)
                } else {
                    self.show(toks, s, verb == Some(Verb::Read))
                }
            }
            Some(Verb::Open) => self.open(toks, s),
            Some(Verb::Find) => self.find(toks, s),
            Some(Verb::Count) => self.count(toks, s),
            Some(Verb::Compress) => self.compress(toks, s),
            Some(Verb::Extract) => self.extract(toks, s),
            Some(Verb::Give) => self.chmod(toks, s, true),
            // English "take" removes only with a particle ("take away", "take out"); "take me
            // to X" is a way there.
            Some(Verb::Take)
                if toks
                    .get(s.verb_at)
                    .is_some_and(|t| lexicon::says("take_word", &t.key))
                    && !keys.iter().any(|k| lexicon::says("away", k)) =>
            {
                if keys
                    .get(s.verb_at + 1)
                    .is_some_and(|k| lexicon::says("me", k))
                {
                    self.cd(s)
                } else {
                    Err(Stop::NotUnderstood)
                }
            }
            Some(Verb::Take) => {
                if s.has(Flag::Permission)
                    || s.has(Flag::Execute)
                    || s.has(Flag::WritePerm)
                    || s.has(Flag::ReadPerm)
                {
                    self.chmod(toks, s, false)
                } else {
                    self.delete(toks, s)
                }
            }
            Some(Verb::Cd) => {
                if keys.iter().any(|k| lexicon::says("upward", k)) {
                    Ok(vec![levels_up(s)?])
                } else {
                    self.cd(s)
                }
            }
            Some(Verb::Up) => {
                if s.phrases
                    .iter()
                    .any(|p| matches!(&p.name, Name::Lit { .. }) && p.known)
                {
                    // "sube a la carpeta docs" reads as "go to docs" in some places.
                    self.cd(s)
                } else {
                    Ok(vec![levels_up(s)?])
                }
            }
            Some(Verb::Tree) => self.tree(toks, s),
            Some(Verb::Sort) => self.sort(toks, s),
            None => self.question(toks, s, &keys),
        }
    }

    fn question(&mut self, toks: &[Token], s: &Slots, keys: &[&str]) -> Result<Vec<Step>, Stop> {
        // With no verb found, a first word nobody knows is the verb, unknown ("llama al
        // dentista que aparece en mis notas"): never guessed into another command.
        if toks
            .first()
            .is_some_and(|t| super::parse::unaccounted(t, self.ctx))
        {
            return Err(Stop::NotUnderstood);
        }
        let says = |group: &str| keys.iter().any(|k| lexicon::says(group, k));
        // "what files are bigger than 7 KB?", "¿qué archivos ocupan más de 10 KB?"
        if s.size.is_some() {
            // "anything in this folder over 8k?": the folder is where, not what.
            let mut sized = s.clone();
            if sized
                .phrases
                .iter()
                .any(|p| p.name == Name::Here && p.noun.is_some_and(|(n, _)| n == Noun::Folder))
            {
                sized.noun = None;
            }
            return self.find(toks, &sized);
        }
        // "which songs are in jazz?", "¿qué fotos hay en vacaciones?": what a folder holds.
        if says("which")
            && s.phrases.iter().any(|p| {
                p.prep == Some(Prep::In)
                    && self
                        .resolve_existing(p, None)
                        .is_some_and(|t| t.exists && t.dir == Some(true))
            })
            && !s.has(Flag::Contains)
        {
            let mut listed = with_verb(s, Verb::List);
            listed.kinds.clear();
            listed.kind_words.clear();
            return self.list(toks, &listed);
        }
        // "what does the readme say?", "¿qué pone en el README?", "¿qué dice notas.txt?"
        if says("says") {
            return self.show(toks, &with_verb(s, Verb::Show), true);
        }
        if says("where") && !says("am") {
            return self.find(toks, s);
        }
        if says("tree_word") {
            return self.tree(toks, s);
        }
        if s.has(Flag::Contains) && says("which_files") {
            return self.find(toks, s);
        }
        if says("what_content") && (says("there_is") || s.has(Flag::Content)) {
            return self.show(toks, s, false);
        }
        if says("back") && s.phrases.is_empty() {
            return Ok(vec![levels_up(s)?]);
        }
        Err(Stop::NotUnderstood)
    }

    // ---- creating --------------------------------------------------------------------

    fn create(&mut self, toks: &[Token], s: &Slots, strong: bool) -> Result<Vec<Step>, Stop> {
        // "crea una carpeta para facturas", "make a folder for invoices": what a new folder
        // is for, when nothing here has that name, is its name.
        let purpose;
        let s = match s.phrases.as_slice() {
            [p] if s.noun.is_some_and(|(n, _)| n == Noun::Folder)
                && matches!(p.name, Name::Lit { .. })
                && p.start
                    .checked_sub(1)
                    .and_then(|b| toks.get(b))
                    .is_some_and(|t| !t.quoted && lexicon::says("purpose", t.key.as_str()))
                && p.lit().is_some_and(|n| self.exists(n).is_none()) =>
            {
                let mut named = s.clone();
                named.phrases[0].prep = None;
                named.phrases[0].named = true;
                purpose = named;
                &purpose
            }
            _ => s,
        };
        let place_phrase = s
            .phrases
            .iter()
            .find(|p| matches!(p.prep, Some(Prep::In | Prep::To)) && !p.named);
        let mut place = match place_phrase {
            Some(p) => Some(self.resolve(p, None).ok_or(Stop::NotUnderstood)?.path),
            None => None,
        };
        if place.is_none() && s.has(Flag::Content) {
            place = self.last_dir.clone();
        }
        let content_at = s.text_at.or_else(|| {
            toks.iter()
                .position(|t| !t.quoted && matches!(lexicon::flag(&t.key), Some(Flag::Contains)))
        });
        let names: Vec<&Phrase> = s
            .phrases
            .iter()
            .filter(|p| content_at.is_none_or(|c| p.start < c))
            .filter(|p| p.named || (p.prep.is_none() && matches!(p.name, Name::Lit { .. })))
            .collect();
        if names.is_empty() {
            return Err(Stop::NotUnderstood);
        }
        // "make the src folder smell like coffee", "haz que la carpeta src huela a vainilla":
        // what is named is already there and the rest is no name: nothing to create.
        let exists_already =
            |n: &str| !n.contains('/') && place.is_none() && self.exists(n).is_some();
        let said_over = names.iter().any(|p| {
            p.lit().is_some_and(|n| {
                let first = n.split(' ').next().unwrap_or(n);
                n.contains(' ')
                    && !matches!(p.name, Name::Lit { quoted: true, .. })
                    && exists_already(first)
            })
        }) || (names.len() > 1 && names.iter().any(|p| !p.named && p.known));
        if said_over {
            return Err(Stop::NotUnderstood);
        }
        // A name of several words said without quotes is taken only when none of them is a
        // word of the language or a file's name ("proyecto con un README.md dentro…").
        // After "que se llame"/"called" the words are the name ("copias de seguridad"),
        // unless one is a verb or a file's name.
        // A name written with shell characters is one literal name, as written.
        let glued = names.iter().any(|p| {
            let Name::Lit { raw, quoted: false } = &p.name else {
                return false;
            };
            raw.contains(' ')
                && !raw.contains(['&', '|', ';', '$', '`', '<', '>'])
                && raw.split(' ').any(|w| {
                    let k = super::words::fold(w);
                    let word = if p.named {
                        lexicon::verb(&k).is_some()
                    } else {
                        lexicon::known(&k)
                    };
                    word || looks_like_file(w)
                })
        });
        if glued {
            return Err(Stop::NotUnderstood);
        }
        let noun = names.iter().find_map(|p| p.noun).or(s.noun).map(|(n, _)| n);
        let raw: Vec<String> = names
            .iter()
            .filter_map(|p| p.lit().map(str::to_owned))
            .collect();
        let is_dir = match noun {
            Some(n) => n == Noun::Folder,
            None => {
                // Without "carpeta" or "archivo", a name with an extension is a file; a
                // bare word is a folder only after a plain "crea"/"create".
                if raw.iter().all(|n| looks_like_file(n)) {
                    false
                } else if strong && raw.len() == 1 {
                    self.unsure = true;
                    true
                } else {
                    return Err(Stop::NotUnderstood);
                }
            }
        };
        let text = self.content_text(toks, s);
        let paths: Vec<String> = raw
            .iter()
            .map(|n| match &place {
                Some(p) => join(p, n),
                None => n.clone(),
            })
            .collect();
        let mut steps = Vec::new();
        let parent_missing = place.as_deref().is_some_and(|p| self.exists(p).is_none());
        if is_dir {
            let nested = paths.iter().any(|p| p.contains('/'));
            let flag = if nested { "-p " } else { "" };
            let plural = paths.len() > 1;
            let said = if plural {
                Say::new("make_folders")
            } else {
                Say::new("make_folder")
            };
            steps.push(Step::new(
                format!("mkdir {flag}{}", args(&paths)),
                said.names("names", &paths),
            ));
            for p in &paths {
                self.made.push((p.clone(), true));
            }
            self.last_dir = paths.last().cloned();
        } else {
            if parent_missing && let Some(p) = &place {
                steps.push(mkdir_step(p));
                self.made.push((p.clone(), true));
            }
            match text {
                Some(text) if paths.len() == 1 => steps.push(write_step(&text, &paths[0], false)),
                _ => {
                    let plural = paths.len() > 1;
                    let said = if plural {
                        Say::new("make_files")
                    } else {
                        Say::new("make_file")
                    };
                    steps.push(Step::new(
                        format!("touch {}", args(&paths)),
                        said.names("names", &paths),
                    ))
                }
            }
            for p in &paths {
                self.made.push((p.clone(), false));
            }
        }
        self.last_obj = paths.last().cloned();
        Ok(steps)
    }

    /// The text after "con el texto", "containing", "que contenga".
    fn content_text(&self, toks: &[Token], s: &Slots) -> Option<String> {
        let start = s.text_at.or_else(|| {
            toks.iter()
                .position(|t| !t.quoted && matches!(lexicon::flag(&t.key), Some(Flag::Contains)))
                .map(|i| i + 1)
        })?;
        let rest: Vec<&Token> = toks[start.min(toks.len())..]
            .iter()
            .skip_while(|t| {
                !t.quoted
                    && (lexicon::filler(&t.key)
                        || matches!(lexicon::flag(&t.key), Some(Flag::Word | Flag::Content)))
            })
            .collect();
        if let Some(q) = rest.iter().find(|t| t.quoted) {
            return Some(q.raw.clone());
        }
        let text = rest
            .iter()
            .map(|t| t.raw.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        (!text.is_empty()).then_some(text)
    }

    fn write(&mut self, toks: &[Token], s: &Slots, append: bool) -> Result<Vec<Step>, Stop> {
        // The file: the last name after "en", "a", "to", "into", "al final de".
        // What is said "with" is the text ("sobreescribe todo.txt con el texto 'X'"); then
        // the file is the object, a name written as a file.
        let is_text = |p: &Phrase| {
            p.prep == Some(Prep::By) || matches!(p.name, Name::Lit { quoted: true, .. })
        };
        let target = s
            .phrases
            .iter()
            .rev()
            .find(|p| {
                p.prep.is_some()
                    && !(p.prep == Some(Prep::By)
                        && matches!(p.name, Name::Lit { quoted: true, .. }))
                    && matches!(p.name, Name::Lit { .. } | Name::Pronoun)
            })
            .filter(|p| !is_text(p))
            .or_else(|| {
                s.phrases.iter().find(|p| {
                    p.prep.is_none() && p.lit().is_some_and(|n| !is_text(p) && looks_like_file(n))
                })
            })
            .ok_or(Stop::NotUnderstood)?;
        // Text is added to a file that is there ("al gitignore": `.gitignore`); written text
        // may make a new one, here.
        let file = if append {
            self.resolve_existing(target, None)
        } else {
            self.resolve(target, None)
        }
        .ok_or(Stop::NotUnderstood)?;
        if file.dir == Some(true) {
            return Err(Stop::NotUnderstood);
        }
        // The text: quoted, or the words between the verb and the file's preposition.
        let text = if let Some(q) = s.phrases.iter().find(|p| {
            !std::ptr::eq(*p, target) && matches!(&p.name, Name::Lit { quoted: true, .. })
        }) {
            q.lit().map(str::to_owned)
        } else {
            let mut end = target.start;
            while end > s.verb_at + 1
                && toks.get(end - 1).is_some_and(|t| {
                    lexicon::prep(&t.key).is_some()
                        || lexicon::naming(&t.key)
                        || lexicon::says("article", t.key.as_str())
                        || matches!(lexicon::flag(&t.key), Some(Flag::End | Flag::Last))
                        || lexicon::noun(&t.key).is_some()
                })
            {
                end -= 1;
            }
            let mut start = s.verb_at + 1;
            while start < end
                && toks.get(start).is_some_and(|t| {
                    lexicon::says("text_opening", t.key.as_str())
                        || lexicon::says("text_said", &t.key)
                        || (lexicon::says("text_article", &t.key) && start == s.verb_at + 1)
                })
            {
                start += 1;
            }
            // "escribe un poema en notas.txt", "write a poem in poem.txt": what to write is
            // described, not given; atajo does not compose it.
            // The file may come before the verb ("nada.txt write"): then nothing lies between.
            let skipped: Vec<&str> = toks
                .get(s.verb_at + 1..start)
                .unwrap_or_default()
                .iter()
                .map(|t| t.key.as_str())
                .collect();
            let described = skipped.iter().any(|k| lexicon::says("a", k))
                && !skipped
                    .iter()
                    .any(|k| *k == "dice" || lexicon::says("text_said", k));
            if described {
                return Err(Stop::NotUnderstood);
            }
            let words: Vec<&str> = toks
                .get(start..end)
                .unwrap_or_default()
                .iter()
                .map(|t| t.raw.as_str())
                .collect();
            (!words.is_empty()).then(|| words.join(" "))
        }
        .ok_or(Stop::NotUnderstood)?;
        self.last_obj = Some(file.path.clone());
        Ok(vec![write_step(&text, &file.path, append)])
    }

    /// A `key=value` line said as what to put or add ("pon version=2 en config.ini", "add
    /// LOG_LEVEL=debug to the .env file"): text, not a name.
    fn setting(&self, s: &Slots) -> bool {
        self.objects(s).iter().any(|p| {
            p.lit().is_some_and(|n| {
                n.contains('=')
                    && !n.starts_with('=')
                    && !n.contains(' ')
                    && self.exists(n).is_none()
            })
        })
    }

    // ---- deleting --------------------------------------------------------------------

    fn targets(&self, toks: &[Token], s: &Slots) -> Result<Vec<Target>, Stop> {
        let objects = self.objects(s);
        let place = self.place(s, &objects);
        let mut out = Vec::new();
        for p in &objects {
            // With a kind of file named ("the jazz song"), a word that names nothing here
            // describes the file: it is not looked for beneath as a name of its own.
            let described = !s.kinds.is_empty() && p.noun.is_none();
            let t = if described {
                self.resolve(p, place.as_deref()).filter(|t| t.exists)
            } else {
                self.resolve_existing(p, place.as_deref())
            };
            if let Some(t) = t {
                out.push(t);
            }
        }
        if out.is_empty()
            && s.verb_pronoun
            && let Some(o) = self.last_obj.clone().or_else(|| self.last_dir.clone())
        {
            out.push(Target {
                dir: self.exists(&o),
                path: o,
                exists: true,
            });
        }
        if out.is_empty()
            && self.singular_kind(s)
            && let Some(path) = self.describe(
                toks,
                s,
                s.verb_at + 1,
                toks.len(),
                place.as_deref().unwrap_or(""),
                Some(false),
            )
        {
            out.push(Target {
                dir: Some(false),
                path,
                exists: true,
            });
        }
        if out.is_empty() && !s.kinds.is_empty() {
            self.unknown_place(s, place.as_deref())?;
            let dir = place.clone().unwrap_or_else(|| ".".into());
            let exts = self.present_exts(&dir, &s.kinds);
            for g in glob(&dir, &exts) {
                out.push(Target {
                    path: g,
                    dir: Some(false),
                    exists: true,
                });
            }
        }
        if out.is_empty() {
            // "el log de la aplicación": a description of one existing entry.
            if let Some(path) = self.describe(
                toks,
                s,
                s.verb_at + 1,
                toks.len(),
                place.as_deref().unwrap_or(""),
                None,
            ) {
                out.push(Target {
                    dir: self.exists(&path),
                    path,
                    exists: true,
                });
            }
        }
        if out.is_empty() {
            // "borra la carpeta" after a clause that named one: that folder.
            if s.noun.is_some_and(|(n, _)| n == Noun::Folder)
                && let Some(d) = &self.last_dir
            {
                out.push(Target {
                    path: d.clone(),
                    dir: Some(true),
                    exists: true,
                });
            } else if let Some(p) = s.phrases.iter().find(|p| {
                matches!(p.prep, Some(Prep::From | Prep::In | Prep::To)) && p.lit().is_some()
            }) {
                // "cámbiale el nombre a la carpeta docs", "las líneas de notas.txt"
                if let Some(t) = self.resolve(p, None) {
                    out.push(t);
                }
            }
        }
        Ok(out)
    }

    /// Extensions of `exts` that some file in `dir` has, so a glob never comes back empty.
    fn present_exts(&self, dir: &str, exts: &[String]) -> Vec<String> {
        let present: Vec<String> = exts
            .iter()
            .filter(|e| self.ctx.has_ext(dir, e))
            .cloned()
            .collect();
        if present.is_empty() {
            exts.iter().take(1).cloned().collect()
        } else {
            present
        }
    }

    /// "the biggest file in vacaciones", "el archivo que más pesa", "la imagen más grande":
    /// one file, chosen now from the model and named in the command, never the folder it is
    /// in. `None` when no extreme was asked for; a tie or nothing of the kind declines.
    fn extreme_file(
        &self,
        keys: &[&str],
        s: &Slots,
        skip: &[&Phrase],
    ) -> Result<Option<String>, Stop> {
        let heaviest = keys
            .windows(2)
            .any(|w| lexicon::says("most", w[0]) && lexicon::says("weighs", w[1]));
        // "older than a week", "bigger than 1 MB" compare with a date or a size: no
        // superlative.
        let Some(sup) = [Flag::Biggest, Flag::Smallest, Flag::Newest, Flag::Oldest]
            .into_iter()
            .filter(|f| match f {
                Flag::Biggest | Flag::Smallest => s.size.is_none(),
                _ => s.age.is_none(),
            })
            .find(|f| s.has(*f))
            .or(heaviest.then_some(Flag::Biggest))
        else {
            return Ok(None);
        };
        let dir = s
            .phrases
            .iter()
            .filter(|p| !skip.iter().any(|k| std::ptr::eq(*k, *p)))
            .find_map(|p| {
                self.resolve_existing(p, None)
                    .filter(|t| t.exists && t.dir == Some(true))
                    .map(|t| t.path)
            })
            .unwrap_or_else(|| ".".into());
        let by_size = matches!(sup, Flag::Biggest | Flag::Smallest);
        let most = matches!(sup, Flag::Biggest | Flag::Newest);
        let found = self
            .ctx
            .extreme(
                &dir,
                by_size,
                most,
                (!s.kinds.is_empty()).then_some(s.kinds.as_slice()),
            )
            .ok_or(Stop::NotUnderstood)?;
        Ok(Some(found.path.clone()))
    }

    fn delete(&mut self, toks: &[Token], s: &Slots) -> Result<Vec<Step>, Stop> {
        let keys: Vec<&str> = toks.iter().map(|t| t.key.as_str()).collect();
        // "… y luego elimina el archivo comprimido", "… then get rid of the zip": the archive
        // just made or unpacked, when nothing here is called what was said.
        let archive_word = keys.iter().any(|k| lexicon::says("archive_word", k));
        if archive_word
            && let Some(archive) = self.last_archive.clone()
            && self
                .targets(toks, s)
                .is_ok_and(|t| t.iter().all(|t| !t.exists))
        {
            self.last_obj = None;
            return Ok(vec![rm_step(&[&archive], false)]);
        }
        if let Some(found) = self.extreme_file(&keys, s, &[])? {
            self.last_obj = None;
            return Ok(vec![rm_step(&[&found], false)]);
        }
        let targets = self.targets(toks, s)?;
        self.must_exist(&targets)?;
        let targets = self.exclude(targets, s)?;
        // "el archivo … de vacaciones": a file was asked for, and a folder is no file.
        if s.noun.is_some_and(|(n, _)| n == Noun::File)
            && s.kinds.is_empty()
            && targets.iter().any(|t| t.dir == Some(true))
        {
            return Err(Stop::NotUnderstood);
        }
        // ".", "..", "../..": a folder this one is in holds everything here.
        if targets.is_empty()
            || targets
                .iter()
                .any(|t| t.path.split('/').all(|p| matches!(p, "." | ".." | "")))
        {
            return Err(Stop::Refuse(Refusal::Everything));
        }
        let recursive = targets.iter().any(|t| t.dir == Some(true))
            || s.noun.is_some_and(|(n, _)| n == Noun::Folder)
            || s.has(Flag::Recursive);
        let paths: Vec<&str> = targets.iter().map(|t| t.path.as_str()).collect();
        self.last_obj = None;
        Ok(vec![rm_step(&paths, recursive)])
    }

    fn empty(&mut self, toks: &[Token], s: &Slots) -> Result<Vec<Step>, Stop> {
        let targets = self.targets(toks, s)?;
        self.must_exist(&targets)?;
        let [t] = targets.as_slice() else {
            return Err(Stop::Refuse(Refusal::Everything));
        };
        if t.dir != Some(true) {
            return Err(Stop::NotUnderstood);
        }
        let cmd = if t.path == "." {
            return Err(Stop::Refuse(Refusal::Everything));
        } else {
            format!("rm -r {}/*", q(&t.path))
        };
        Ok(vec![Step::new(
            cmd,
            Say::new("empty_folder").name("name", &t.path),
        )])
    }

    // ---- moving and copying ----------------------------------------------------------

    /// Sources and destination of a move or a copy.
    fn sources_and_dest(
        &mut self,
        toks: &[Token],
        s: &Slots,
    ) -> Result<(Vec<Target>, Target, bool), Stop> {
        // "in the same folder", "en su misma carpeta": beside the source, under the new name
        // said elsewhere; never a folder called "same".
        let is_same = |p: &Phrase| {
            p.lit()
                .is_some_and(|n| lexicon::says("same", super::words::fold(n).as_str()))
        };
        let same_dir = s.phrases.iter().any(&is_same) || s.has(Flag::Beside);
        let found_dest = s
            .phrases
            .iter()
            .rev()
            .filter(|p| !is_same(p))
            .find(|p| matches!(p.prep, Some(Prep::To | Prep::In | Prep::As)) || p.named)
            .or_else(|| {
                // "mueve ahí los .jpg": a pronoun before the sources.
                s.phrases
                    .iter()
                    .find(|p| p.name == Name::Pronoun && p.prep.is_none())
            });
        // "move api.md up one level", "copia utils.py un nivel más arriba": the folder that
        // many levels up.
        let keys: Vec<&str> = toks.iter().map(|t| t.key.as_str()).collect();
        let upward = s.has(Flag::Levels) && keys.iter().any(|k| lexicon::says("up_word", k));
        let up_phrase;
        let mut dest_phrase = match found_dest {
            Some(p) if !upward => p,
            _ if upward => {
                let n = s.numbers.first().copied().unwrap_or(1).clamp(1, 16) as usize;
                let path = vec![".."; n].join("/");
                up_phrase = Phrase {
                    prep: Some(Prep::To),
                    noun: None,
                    name: Name::Lit {
                        raw: path,
                        quoted: false,
                    },
                    new: false,
                    named: false,
                    known: true,
                    start: toks.len(),
                    end: toks.len(),
                };
                &up_phrase
            }
            _ => return Err(Stop::NotUnderstood),
        };
        // "copia notas.txt a docs con el nombre notas2.txt", "… se llame X y quede en data":
        // into that folder, under the new name.
        // A new folder's name ("into a new folder called X") is where things go, not the
        // copy's name.
        let new_name = |p: &Phrase| {
            (p.named || p.prep == Some(Prep::As))
                && p.lit().is_some()
                && !p.new
                && !s.new_dest
                && p.noun.is_none_or(|(n, _)| n != Noun::Folder)
        };
        let folder = |p: &Phrase| {
            !p.named
                && p.name != Name::Here
                && matches!(p.prep, Some(Prep::To | Prep::In))
                && self
                    .resolve(p, None)
                    .is_some_and(|t| t.exists && t.dir == Some(true))
        };
        let mut renamed_into = None;
        if !same_dir && !upward {
            let name = s.phrases.iter().rev().find(|p| new_name(p));
            let place = s.phrases.iter().rev().find(|p| folder(p));
            if let (Some(n), Some(f)) = (name, place)
                && (std::ptr::eq(n, dest_phrase) || std::ptr::eq(f, dest_phrase))
            {
                dest_phrase = n;
                renamed_into = Some(f);
            }
        }
        let dest_phrase_ptr: *const Phrase = dest_phrase;
        let folder_ptr: *const Phrase = renamed_into.map_or(std::ptr::null(), |p| p);
        // "copia la imagen más grande a thumbs": one file of the kind, chosen now.
        if said_one(s)
            && s.age.is_none()
            && let Some(found) = self.extreme_file(&keys, s, &[dest_phrase])?
        {
            let dest = self.resolve_dest(dest_phrase).ok_or(Stop::NotUnderstood)?;
            let source = Target {
                dir: Some(false),
                path: found,
                exists: true,
            };
            let new_dir = (dest_phrase.new || s.new_dest) && !dest.exists;
            return Ok((vec![source], dest, new_dir));
        }
        let objects: Vec<&Phrase> = s
            .phrases
            .iter()
            .filter(|p| p.prep.is_none() && !p.named && !std::ptr::eq(*p, dest_phrase_ptr))
            .collect();
        // Where the sources are: "from data", and "in data" when the destination is said
        // apart ("move the .txt files in data to docs").
        let place = s
            .phrases
            .iter()
            .filter(|p| {
                matches!(p.prep, Some(Prep::From | Prep::In))
                    && !std::ptr::eq(*p, dest_phrase_ptr)
                    && !std::ptr::eq(*p, folder_ptr)
            })
            .find_map(|p| {
                let t = self.resolve(p, None)?;
                (t.dir == Some(true)).then_some(t.path)
            });
        let mut sources = Vec::new();
        for p in &objects {
            if let Some(t) = self.resolve_existing(p, place.as_deref()) {
                sources.push(t);
            }
        }
        if sources.is_empty() {
            // "haz una copia de notas.txt": the object after "de".
            for p in s
                .phrases
                .iter()
                .filter(|p| p.prep == Some(Prep::From) && !std::ptr::eq(*p, dest_phrase_ptr))
            {
                if let Some(t) = self.resolve_existing(p, None).filter(|t| {
                    t.exists && t.dir == Some(false) || p.lit().is_some_and(looks_like_file)
                }) {
                    sources.push(t);
                }
            }
        }
        // "el informe del año 2024": words that describe one existing entry. A file name
        // written out ("a.txt") is that name, never a part of another ("guia.txt").
        if !sources.is_empty()
            && sources.iter().all(|t| !t.exists)
            && objects.iter().all(|p| {
                matches!(&p.name, Name::Lit { quoted: false, .. })
                    && p.lit().is_none_or(|n| !looks_like_file(n))
            })
            && let Some(path) = self.describe(
                toks,
                s,
                s.verb_at + 1,
                dest_phrase.start,
                place.as_deref().unwrap_or(""),
                None,
            )
        {
            sources = vec![Target {
                dir: self.exists(&path),
                path,
                exists: true,
            }];
        }
        if sources.is_empty()
            && self.singular_kind(s)
            && let Some(path) = self.describe(
                toks,
                s,
                s.verb_at + 1,
                dest_phrase.start,
                place.as_deref().unwrap_or(""),
                Some(false),
            )
        {
            sources.push(Target {
                dir: Some(false),
                path,
                exists: true,
            });
        }
        if sources.is_empty() && !s.kinds.is_empty() {
            self.unknown_place(s, place.as_deref())?;
            let dir = place.clone().unwrap_or_else(|| ".".into());
            for g in glob(&dir, &self.present_exts(&dir, &s.kinds)) {
                sources.push(Target {
                    path: g,
                    dir: Some(false),
                    exists: true,
                });
            }
        }
        // "copy every file in docs into old": each file there, by name (so that an exclusion
        // can leave one out).
        if sources.is_empty()
            && s.all
            && s.noun.is_some_and(|(n, _)| n == Noun::File)
            && let Some(dir) = place.as_deref()
        {
            sources.extend(
                self.expand(dir, "*")
                    .into_iter()
                    .filter(|t| t.dir == Some(false)),
            );
            if sources.is_empty() {
                return Err(Stop::NotUnderstood);
            }
        }
        if sources.is_empty()
            && s.verb_pronoun
            && let Some(o) = self.last_obj.clone()
        {
            sources.push(Target {
                dir: self.exists(&o),
                path: o,
                exists: true,
            });
        }
        if sources.is_empty() {
            let end = dest_phrase.start;
            if let Some(path) = self.describe(
                toks,
                s,
                s.verb_at + 1,
                end,
                place.as_deref().unwrap_or(""),
                None,
            ) {
                sources.push(Target {
                    dir: self.exists(&path),
                    path,
                    exists: true,
                });
            }
        }
        if sources.is_empty() {
            return Err(Stop::NotUnderstood);
        }
        self.must_exist(&sources)?;
        let sources = self.exclude(sources, s)?;
        let mut dest = self.resolve_dest(dest_phrase).ok_or(Stop::NotUnderstood)?;
        if let Some(folder) = renamed_into {
            let name = dest_phrase.lit().ok_or(Stop::NotUnderstood)?;
            let dir = self.resolve(folder, None).ok_or(Stop::NotUnderstood)?;
            if name.contains('/') || sources.len() != 1 {
                return Err(Stop::NotUnderstood);
            }
            let path = join(&dir.path, name);
            let kind = self.exists(&path);
            dest = Target {
                dir: kind,
                exists: kind.is_some(),
                path,
            };
            return Ok((sources, dest, false));
        }
        if same_dir {
            // The new name, in the source's folder.
            let [one] = sources.as_slice() else {
                return Err(Stop::NotUnderstood);
            };
            let name = dest_phrase.lit().ok_or(Stop::NotUnderstood)?;
            if name.contains('/') || dest.dir == Some(true) {
                return Err(Stop::NotUnderstood);
            }
            let parent = one.path.rsplit_once('/').map_or("", |(d, _)| d);
            dest = Target {
                path: join(parent, name),
                dir: None,
                exists: false,
            };
            dest.exists = self.exists(&dest.path).is_some();
            return Ok((sources, dest, false));
        }
        let new_dir = (dest_phrase.new || s.new_dest) && !dest.exists;
        Ok((sources, dest, new_dir))
    }

    fn mv(&mut self, toks: &[Token], s: &Slots) -> Result<Vec<Step>, Stop> {
        let (sources, dest, new_dir) = self.sources_and_dest(toks, s)?;
        let mut steps = Vec::new();
        if new_dir {
            steps.push(mkdir_step(&dest.path));
        }
        let into = new_dir
            || dest.dir == Some(true)
            || sources.len() > 1
            || sources.iter().any(|t| t.path.contains('\u{0}'));
        let dest_word = if into {
            format!("{}/", dest.path.trim_end_matches('/'))
        } else {
            dest.path.clone()
        };
        let src: Vec<&str> = sources.iter().map(|t| t.path.as_str()).collect();
        let mut all = src.clone();
        all.push(&dest_word);
        let said = if into {
            Say::new("move_into")
        } else {
            Say::new("move_to")
        };
        steps.push(Step::new(
            format!("mv {}", args(&all)),
            said.names("names", &src).name("to", &dest.path),
        ));
        if into {
            self.last_dir = Some(dest.path.clone());
        }
        self.last_obj = Some(dest.path);
        Ok(steps)
    }

    fn copy(&mut self, toks: &[Token], s: &Slots) -> Result<Vec<Step>, Stop> {
        let (sources, dest, new_dir) = self.sources_and_dest(toks, s)?;
        let mut steps = Vec::new();
        if new_dir {
            steps.push(mkdir_step(&dest.path));
        }
        let recursive = sources.iter().any(|t| t.dir == Some(true));
        let into = new_dir
            || dest.dir == Some(true)
            || sources.len() > 1
            || sources.iter().any(|t| t.path.contains('\u{0}'));
        let dest_word = if into {
            format!("{}/", dest.path.trim_end_matches('/'))
        } else {
            dest.path.clone()
        };
        let src: Vec<&str> = sources.iter().map(|t| t.path.as_str()).collect();
        let mut all = src.clone();
        all.push(&dest_word);
        let flag = if recursive { "-r " } else { "" };
        let said = match (recursive, into) {
            (false, true) => Say::new("copy_into"),
            (false, false) => Say::new("copy_as"),
            (true, true) => Say::new("copy_all_into"),
            (true, false) => Say::new("copy_all_as"),
        };
        steps.push(Step::new(
            format!("cp {flag}{}", args(&all)),
            said.names("names", &src).name("to", &dest.path),
        ));
        if into {
            self.last_dir = Some(dest.path.clone());
        }
        self.last_obj = Some(dest.path);
        Ok(steps)
    }

    fn rename(&mut self, toks: &[Token], s: &Slots) -> Result<Vec<Step>, Stop> {
        if s.has(Flag::Extension) || (!s.kinds.is_empty() && s.all) {
            return self.extension(toks, s);
        }
        // New name: "por X", "como X", "a X", "to X", "llamada X".
        let new = s
            .phrases
            .iter()
            .rev()
            .find(|p| matches!(p.prep, Some(Prep::By | Prep::As)) || p.named)
            .or_else(|| s.phrases.iter().rev().find(|p| p.prep == Some(Prep::To)))
            .or_else(|| {
                // "call notas.txt notes-old.txt", "rename a.txt b.txt": the second of two
                // plain names, when the first is here and the second is not.
                match s.phrases.as_slice() {
                    [a, b]
                        if a.prep.is_none()
                            && b.prep.is_none()
                            && a.lit().is_some_and(|n| {
                                self.exists(n).is_some() || self.ctx.has_name(n)
                            })
                            && b.lit().is_some_and(|n| !self.ctx.has_name(n)) =>
                    {
                        Some(b)
                    }
                    _ => None,
                }
            })
            .ok_or(Stop::NotUnderstood)?;
        let new_ptr: *const Phrase = new;
        let place = s
            .phrases
            .iter()
            .filter(|p| matches!(p.prep, Some(Prep::In | Prep::From)) && !std::ptr::eq(*p, new_ptr))
            .find_map(|p| {
                let t = self.resolve(p, None)?;
                (t.dir == Some(true)).then_some(t.path)
            });
        let mut new_name = new.lit().ok_or(Stop::NotUnderstood)?.to_owned();
        let mut name_end = new.end;
        if !matches!(new.name, Name::Lit { quoted: true, .. })
            && let Some((whole, end)) = spoken_new_name(toks, s, new)
        {
            new_name = whole;
            name_end = end;
        }
        // Phrases inside the new name are not the thing renamed.
        let in_new = |p: &Phrase| p.start >= new.start && p.start < name_end;
        let old = s
            .phrases
            .iter()
            .filter(|p| !std::ptr::eq(*p, new_ptr) && !in_new(p))
            .find(|p| p.prep.is_none() && !p.named)
            .or_else(|| {
                // "cámbiale el nombre a docs por X", "cambia el nombre de notas.txt a X"
                s.phrases
                    .iter()
                    .filter(|p| !std::ptr::eq(*p, new_ptr) && !in_new(p))
                    .find(|p| matches!(p.prep, Some(Prep::To | Prep::From)) && p.lit().is_some())
            });
        let old = match old {
            Some(p) => {
                let t = self
                    .resolve_existing(p, place.as_deref())
                    .ok_or(Stop::NotUnderstood)?;
                // "renombra el CV a …": the one entry the words describe, or ask.
                match self.describe(
                    toks,
                    s,
                    p.start,
                    p.end,
                    place.as_deref().unwrap_or(""),
                    None,
                ) {
                    Some(path) if !t.exists => Target {
                        dir: self.exists(&path),
                        path,
                        exists: true,
                    },
                    _ => {
                        self.must_exist(std::slice::from_ref(&t))?;
                        t
                    }
                }
            }
            None if s.verb_pronoun => {
                let o = self.last_obj.clone().ok_or(Stop::NotUnderstood)?;
                Target {
                    dir: self.exists(&o),
                    path: o,
                    exists: true,
                }
            }
            None => return Err(Stop::NotUnderstood),
        };
        let new_name = new_name.as_str();
        let parent = old.path.rsplit_once('/').map_or("", |(p, _)| p);
        let new_path = if new_name.contains('/') {
            new_name.to_owned()
        } else {
            join(parent, new_name)
        };
        let cmd = format!("mv {}", args(&[&old.path, &new_path]));
        self.last_obj = Some(new_path.clone());
        if old.dir == Some(true) {
            self.last_dir = Some(new_path.clone());
        }
        Ok(vec![Step::new(
            cmd,
            Say::new("rename")
                .name("name", &old.path)
                .name("to", &new_path),
        )])
    }

    /// "cambia la extensión de los .txt a .bak": one `mv` per file, named here, so the
    /// command is as plain as the person would type it.
    fn extension(&mut self, _toks: &[Token], s: &Slots) -> Result<Vec<Step>, Stop> {
        let to = s
            .phrases
            .iter()
            .rev()
            .find(|p| matches!(p.prep, Some(Prep::To | Prep::By | Prep::As)))
            .and_then(|p| p.lit())
            .map(|e| {
                e.trim_start_matches("*.")
                    .trim_start_matches('.')
                    .to_owned()
            })
            .or_else(|| s.kinds.get(1).cloned())
            .ok_or(Stop::NotUnderstood)?;
        let from = s.kinds.first().ok_or(Stop::NotUnderstood)?;
        if from == &to || to.is_empty() {
            return Err(Stop::NotUnderstood);
        }
        let place = self.place(s, &[]).unwrap_or_else(|| ".".into());
        let mut files: Vec<String> = self
            .ctx
            .children(&place)
            .filter(|e| {
                !e.dir && e.name.ends_with(&format!(".{from}")) && e.name.len() > from.len() + 1
            })
            .map(|e| e.path.clone())
            .collect();
        // In name order, as `ls` would list them: the same instruction, the same command.
        files.sort_unstable();
        if files.is_empty() {
            return Err(Stop::Ask(
                Say::new("ask_no_such_extension")
                    .plain("ext", from)
                    .name("dir", &place),
            ));
        }
        let cmds: Vec<String> = files
            .iter()
            .map(|f| {
                let stem = &f[..f.len() - from.len() - 1];
                format!("mv {}", args(&[f.as_str(), &format!("{stem}.{to}")]))
            })
            .collect();
        Ok(vec![Step::new(
            cmds.join(" && "),
            Say::new("change_extension")
                .plain("ext", from)
                .plain("to", &to)
                .plain("count", files.len())
                .name("dir", &place),
        )])
    }

    // ---- looking -----------------------------------------------------------------------

    fn list(&mut self, toks: &[Token], s: &Slots) -> Result<Vec<Step>, Stop> {
        let objects = self.objects(s);
        let place = self.place(s, &objects);
        let mut dir: Option<String> = place.clone();
        for p in &objects {
            if matches!(p.name, Name::Here) {
                continue;
            }
            let Some(t) = self.resolve_existing(p, place.as_deref()) else {
                continue;
            };
            if t.exists && t.dir == Some(false) {
                return self.show(toks, s, false);
            }
            if t.exists || p.noun.is_some() || p.name == Name::Pronoun {
                dir = Some(t.path);
            } else if let Some(e) = p
                .lit()
                .and_then(|r| self.ctx.unique_named(r))
                .filter(|e| e.dir)
            {
                dir = Some(e.path.clone());
            } else {
                return Err(Stop::NotUnderstood);
            }
        }
        self.ls(s, dir)
    }

    fn ls(&mut self, s: &Slots, path: Option<String>) -> Result<Vec<Step>, Stop> {
        let dir = path.clone().unwrap_or_else(|| ".".into());
        let mut flags = String::new();
        if s.has(Flag::Details) {
            flags.push_str("lh");
        }
        if s.has(Flag::Hidden) {
            flags.push('A');
        }
        if s.has(Flag::BySize) {
            flags.push('S');
        } else if s.has(Flag::ByDate) {
            flags.push('t');
        }
        if s.has(Flag::Reverse)
            || (s.has(Flag::Smallest) && s.has(Flag::BySize))
            || (s.has(Flag::Oldest) && s.has(Flag::ByDate))
        {
            flags.push('r');
        }
        if s.has(Flag::Recursive) {
            flags.push('R');
        }
        let only_dirs =
            s.noun.is_some_and(|(n, p)| n == Noun::Folder && p) && path.as_deref() != Some(&dir);
        let only_dirs = only_dirs && s.phrases.iter().all(|p| !p.known || p.prep.is_some());
        let mut operand: Vec<String> = Vec::new();
        let exts = if s.kinds.is_empty() {
            Vec::new()
        } else {
            self.present_exts(&dir, &s.kinds)
        };
        let every_file_fits = !exts.is_empty()
            && self.ctx.child_names(&dir).next().is_some()
            && self
                .ctx
                .child_names(&dir)
                .all(|(name, d)| !d && exts.iter().any(|e| name.ends_with(&format!(".{e}"))));
        if only_dirs {
            let cmd = format!("find {} -mindepth 1 -maxdepth 1 -type d", q(&dir));
            return Ok(vec![Step::new(
                cmd,
                Say::new("list_folders").place("dir", &dir),
            )]);
        }
        if !exts.is_empty() && !every_file_fits {
            operand = glob(&dir, &exts);
        } else if let Some(p) = &path
            && p != "."
        {
            operand.push(p.clone());
        }
        let mut cmd = String::from("ls");
        if !flags.is_empty() {
            cmd.push_str(" -");
            cmd.push_str(&flags);
        }
        if !operand.is_empty() {
            cmd.push(' ');
            cmd.push_str(&args(&operand));
        }
        let mut said = if exts.is_empty() || every_file_fits {
            Say::new("list")
        } else {
            Say::new("list_kinds").plain("exts", dotted(&exts))
        }
        .place("dir", &dir);
        if s.has(Flag::Hidden) {
            said.then(Say::new("hidden_too"));
        }
        if s.has(Flag::BySize) {
            said.then(Say::new("sorted_by_size"));
        } else if s.has(Flag::ByDate) {
            said.then(Say::new("sorted_by_date"));
        }
        if s.has(Flag::Details) {
            said.then(Say::new("with_details"));
        }
        if let Some(p) = path
            && p != "."
        {
            self.last_dir = Some(p);
        }
        Ok(vec![Step::new(cmd, said)])
    }

    /// The one file (or folder) a clause is about: a name that exists, else a description
    /// of one ("el log de la aplicación"), else a folder, else a file name taken as said.
    fn subject(&self, toks: &[Token], s: &Slots, any_depth: bool) -> Option<Target> {
        let objects = self.objects(s);
        let place = self.place(s, &objects);
        let candidates: Vec<&Phrase> = if objects.is_empty() {
            s.phrases
                .iter()
                .filter(|p| p.prep.is_some() && p.lit().is_some() || p.name == Name::Pronoun)
                .collect()
        } else {
            objects.clone()
        };
        let mut dir: Option<Target> = None;
        for p in &candidates {
            if p.name == Name::Here || p.name == Name::Up {
                return self.resolve_existing(p, None);
            }
            let Some(t) = self.resolve_existing(p, place.as_deref()) else {
                continue;
            };
            if t.exists {
                if t.dir == Some(true) {
                    dir = dir.or(Some(t));
                    continue;
                }
                return Some(t);
            }
            if any_depth
                && let Some(raw) = p.lit()
                && let Some(e) = self.ctx.unique_named(raw)
            {
                return Some(Target {
                    path: e.path.clone(),
                    dir: Some(e.dir),
                    exists: true,
                });
            }
        }
        let base = place
            .as_deref()
            .or(dir.as_ref().map(|d| d.path.as_str()))
            .unwrap_or("");
        if let Some(path) = self.describe(toks, s, s.verb_at + 1, toks.len(), base, Some(false)) {
            return Some(Target {
                dir: Some(false),
                path,
                exists: true,
            });
        }
        if dir.is_some() {
            return dir;
        }
        // A name we cannot see, said plainly as a file: take it as said.
        candidates.iter().find_map(|p| {
            let raw = p.lit()?;
            (looks_like_file(raw)
                || p.noun.is_some()
                || matches!(&p.name, Name::Lit { quoted: true, .. }))
            .then(|| self.resolve_existing(p, place.as_deref()))
            .flatten()
        })
    }

    fn show(&mut self, toks: &[Token], s: &Slots, read: bool) -> Result<Vec<Step>, Stop> {
        let first = s.has(Flag::First);
        let last = s.has(Flag::Last);
        let lines_said = s.has(Flag::Lines);
        let target = self.subject(toks, s, true);
        let Some(t) = target else {
            if read || lines_said {
                return Err(Stop::NotUnderstood);
            }
            if s.phrases.iter().any(|p| p.lit().is_some()) {
                return Err(Stop::NotUnderstood);
            }
            return self.ls(s, None);
        };
        if t.dir == Some(true) {
            return self.ls(s, Some(t.path));
        }
        self.last_obj = Some(t.path.clone());
        let keys: Vec<&str> = toks.iter().map(|t| t.key.as_str()).collect();
        // "la última línea": one; "el final de app.log": tail's ten.
        let singular_line = keys.iter().any(|k| lexicon::says("line", k));
        let n = s.numbers.first().copied().or(singular_line.then_some(1));
        let edge_said = keys.iter().any(|k| lexicon::says("line_place", k));
        if (first || last) && (lines_said || n.is_some() || edge_said) {
            let (prog, many, ten) = if last
                && !(first
                    && toks
                        .iter()
                        .position(|x| matches!(lexicon::flag(&x.key), Some(Flag::First)))
                        < toks
                            .iter()
                            .position(|x| matches!(lexicon::flag(&x.key), Some(Flag::Last))))
            {
                ("tail", Say::new("last_lines"), Say::new("last_ten_lines"))
            } else {
                ("head", Say::new("first_lines"), Say::new("first_ten_lines"))
            };
            return Ok(vec![match n {
                Some(n) => Step::new(
                    format!("{prog} -n {n} {}", args(&[&t.path])),
                    many.plain("count", n).name("name", &t.path),
                ),
                None => Step::new(
                    format!("{prog} {}", args(&[&t.path])),
                    ten.name("name", &t.path),
                ),
            }]);
        }
        // "sin líneas repetidas", "without the duplicate lines"
        if s.has(Flag::Unique) {
            return Ok(vec![Step::new(
                format!("sort -u {}", args(&[&t.path])),
                Say::new("unique_lines").name("name", &t.path),
            )]);
        }
        Ok(vec![Step::new(
            format!("cat {}", args(&[&t.path])),
            Say::new("show_file").name("name", &t.path),
        )])
    }

    fn open(&mut self, toks: &[Token], s: &Slots) -> Result<Vec<Step>, Stop> {
        match self.subject(toks, s, true) {
            Some(t) if t.dir == Some(true) => self.cd(s),
            Some(_) => self.show(toks, s, true),
            None => Err(Stop::NotUnderstood),
        }
    }

    fn cd(&mut self, s: &Slots) -> Result<Vec<Step>, Stop> {
        let p = s
            .phrases
            .iter()
            .find(|p| !p.named)
            .ok_or(Stop::NotUnderstood)?;
        if p.name == Name::Up {
            return Ok(vec![levels_up(s)?]);
        }
        let t = self.resolve_dest(p).ok_or(Stop::NotUnderstood)?;
        if p.name == Name::Here {
            return Err(Stop::NotUnderstood);
        }
        let t = if t.exists {
            t
        } else if let Some(e) = p
            .lit()
            .and_then(|r| self.ctx.unique_named(r))
            .filter(|e| e.dir)
        {
            Target {
                path: e.path.clone(),
                dir: Some(true),
                exists: true,
            }
        } else {
            if self.last_dir.as_deref() != Some(&t.path) && p.noun.is_none() {
                return Err(Stop::NotUnderstood);
            }
            t
        };
        if t.dir == Some(false) {
            return Err(Stop::NotUnderstood);
        }
        self.last_dir = Some(t.path.clone());
        Ok(vec![Step::new(
            format!("cd {}", args(&[&t.path])),
            Say::new("go_into").name("name", &t.path),
        )])
    }

    fn tree(&mut self, toks: &[Token], s: &Slots) -> Result<Vec<Step>, Stop> {
        let keys: Vec<&str> = toks.iter().map(|t| t.key.as_str()).collect();
        let says = |group: &str| keys.iter().any(|k| lexicon::says(group, k));
        // "solo las carpetas", "just the directories", "sin los archivos", "no files".
        let only_dirs = (says("only") && says("folders")) || (says("without") && says("files"));
        let dir = s.phrases.iter().find_map(|p| {
            self.resolve_existing(p, None)
                .filter(|t| t.exists && t.dir == Some(true))
                .map(|t| t.path)
        });
        let mut cmd = String::from("tree");
        if s.has(Flag::Hidden) {
            cmd.push_str(" -a");
        }
        if only_dirs {
            cmd.push_str(" -d");
        }
        if s.has(Flag::Levels)
            && let Some(n) = s.numbers.first()
        {
            cmd.push_str(&format!(" -L {n}"));
        }
        if let Some(d) = &dir
            && d != "."
        {
            cmd.push(' ');
            cmd.push_str(&args(&[d]));
        }
        let d = dir.unwrap_or_else(|| ".".into());
        Ok(vec![Step::new(cmd, Say::new("tree").place("dir", &d))])
    }

    fn sort(&mut self, toks: &[Token], s: &Slots) -> Result<Vec<Step>, Stop> {
        let t = self.subject(toks, s, true);
        match t {
            Some(t) if t.dir == Some(false) => {
                let keys: Vec<&str> = toks.iter().map(|t| t.key.as_str()).collect();
                // "de mayor a menor", "highest to lowest": magnitudes, so numbers.
                let then_says = |from: &str, to: &str| {
                    lexicon::phrase_ends(from, &keys)
                        .into_iter()
                        .any(|e| keys.get(e).is_some_and(|k| lexicon::says(to, k)))
                };
                let down = then_says("high_to", "lowest");
                let up_order = then_says("low_to", "highest");
                let mut flags = String::new();
                if s.has(Flag::Numeric) || down || up_order {
                    flags.push('n');
                }
                if s.has(Flag::Reverse) || down {
                    flags.push('r');
                }
                if s.has(Flag::Unique) {
                    flags.push('u');
                }
                let f = if flags.is_empty() {
                    String::new()
                } else {
                    format!("-{flags} ")
                };
                // Said as the command does it: "de mayor a menor" is numeric and reversed.
                let mut said = if flags.contains('n') {
                    Say::new("sort_numbers")
                } else {
                    Say::new("sort_lines")
                }
                .name("name", &t.path);
                if flags.contains('r') {
                    said.then(Say::new("in_reverse"));
                }
                if s.has(Flag::Unique) {
                    said.then(Say::new("without_repeats"));
                }
                said.then(Say::new("file_unchanged"));
                Ok(vec![Step::new(
                    format!("sort {f}{}", args(&[&t.path])),
                    said,
                )])
            }
            other => {
                let path = other.filter(|t| t.dir == Some(true)).map(|t| t.path);
                let mut s2 = s.clone();
                if !(s.has(Flag::BySize) || s.has(Flag::ByDate)) {
                    if s.has(Flag::Biggest) || s.has(Flag::Smallest) {
                        s2.flags.push(Flag::BySize);
                    } else if s.has(Flag::Newest) || s.has(Flag::Oldest) {
                        s2.flags.push(Flag::ByDate);
                    }
                }
                self.ls(&s2, path)
            }
        }
    }

    /// "el log más reciente de logs", "the biggest file": sorted listing, first N.
    fn superlative(&mut self, toks: &[Token], s: &Slots, sup: Flag) -> Result<Vec<Step>, Stop> {
        let dir = self
            .place(s, &[])
            .or_else(|| {
                self.objects(s).iter().find_map(|p| {
                    self.resolve_existing(p, None)
                        .filter(|t| t.dir == Some(true))
                        .map(|t| t.path)
                })
            })
            .unwrap_or_else(|| ".".into());
        let n = s.numbers.first().copied().unwrap_or(1);
        let flags = match sup {
            Flag::Newest => "-t",
            Flag::Oldest => "-tr",
            Flag::Biggest => "-S",
            _ => "-Sr",
        };
        let exts = if s.kinds.is_empty() {
            Vec::new()
        } else {
            self.present_exts(&dir, &s.kinds)
        };
        let every_fits = self.ctx.child_names(&dir).all(|(name, d)| {
            !d && (exts.is_empty() || exts.iter().any(|e| name.ends_with(&format!(".{e}"))))
        });
        let _ = toks;
        let operand = if exts.is_empty() || every_fits {
            if dir == "." {
                String::new()
            } else {
                format!(" {}", args(&[&dir]))
            }
        } else {
            format!(" -d {}", args(&glob(&dir, &exts)))
        };
        let said = match (sup, n == 1) {
            (Flag::Newest, true) => Say::new("newest_one"),
            (Flag::Newest, false) => Say::new("newest_many"),
            (Flag::Oldest, true) => Say::new("oldest_one"),
            (Flag::Oldest, false) => Say::new("oldest_many"),
            (Flag::Biggest, true) => Say::new("biggest_one"),
            (Flag::Biggest, false) => Say::new("biggest_many"),
            (_, true) => Say::new("smallest_one"),
            (_, false) => Say::new("smallest_many"),
        };
        Ok(vec![Step::new(
            format!("ls {flags}{operand} | head -n {n}"),
            said.plain("count", n).place("dir", &dir),
        )])
    }

    fn find(&mut self, toks: &[Token], s: &Slots) -> Result<Vec<Step>, Stop> {
        let keys: Vec<&str> = toks.iter().map(|t| t.key.as_str()).collect();
        let says = |group: &str| keys.iter().any(|k| lexicon::says(group, k));
        let objects = self.objects(s);
        // Searching text inside files: "busca la palabra X en F", "which files mention X".
        let word_said = s.has(Flag::Word)
            || s.has(Flag::Contains)
            || says("for") && !objects.iter().any(|p| p.lit().is_some_and(looks_like_file));
        let pattern_phrase = objects
            .iter()
            .find(|p| {
                p.lit().is_some()
                    && !(looks_like_file(p.lit().unwrap_or_default())
                        && !matches!(&p.name, Name::Lit { quoted: true, .. })
                        && !s.has(Flag::Word))
            })
            .copied();
        let mut in_file = s
            .phrases
            .iter()
            .filter(|p| matches!(p.prep, Some(Prep::In | Prep::From)))
            .find_map(|p| {
                self.resolve_existing(p, None)
                    .filter(|t| t.exists || p.lit().is_some_and(looks_like_file))
            });
        // "busca 'timeout' en el log de la aplicación": a quoted text in a described file.
        if in_file.is_none()
            && pattern_phrase.is_some_and(|p| matches!(p.name, Name::Lit { quoted: true, .. }))
            && let Some(at) = s
                .phrases
                .iter()
                .find(|p| p.prep == Some(Prep::In))
                .map(|p| p.start)
            && let Some(path) = self.describe(toks, s, at, toks.len(), "", Some(false))
        {
            in_file = Some(Target {
                path,
                dir: Some(false),
                exists: true,
            });
        }
        // "busca los archivos X" looks for files; "busca X en los archivos de src" looks
        // inside them: the noun before the word or after it.
        let noun_at = toks
            .iter()
            .position(|t| !t.quoted && lexicon::noun(&t.key).is_some());
        let noun_first = match (noun_at, pattern_phrase) {
            (Some(n), Some(p)) => n < p.start,
            (Some(_), None) => true,
            _ => false,
        };
        let grep = pattern_phrase.is_some()
            && s.size.is_none()
            && s.age.is_none()
            && (word_said
                || in_file.as_ref().is_some_and(|t| t.dir == Some(false))
                || (pattern_phrase.is_some_and(|p| !p.known) && s.kinds.is_empty() && !noun_first));
        let where_is = says("where_locate");
        // "where"/"locate" ask where a file is, unless what is sought is said to be a word
        // or is sought inside one file ("localiza la palabra pan en notas.txt").
        let in_one_file = in_file.as_ref().is_some_and(|t| t.dir == Some(false));
        // "localiza ERROR en todos los archivos de logs": inside every file, so in their text.
        let in_all_files = keys.windows(3).any(|w| {
            lexicon::all(w[0])
                && (lexicon::noun(w[1]) == Some((Noun::File, true))
                    || (lexicon::filler(w[1]) && lexicon::noun(w[2]) == Some((Noun::File, true))))
        });
        if grep
            && (!where_is || word_said || in_one_file || in_all_files)
            && let Some(pat) = pattern_phrase.and_then(|p| p.lit())
        {
            if let Some(any) = self.alternatives(toks, s) {
                return self.grep_any(s, &any, in_file);
            }
            return self.grep(toks, s, pat, in_file);
        }
        // Finding files by name, kind, size or age.
        let place = self.place(s, &[]);
        self.unknown_place(s, place.as_deref())?;
        let place = place.unwrap_or_else(|| ".".into());
        // "where is the CV?": the one name that holds those words, if there is one.
        if where_is
            && s.kinds.is_empty()
            && let Some(p) = objects
                .iter()
                .find(|p| p.lit().is_some_and(|r| !self.ctx.has_name(r)))
            && let Some(found) = self.describe(
                toks,
                s,
                s.verb_at,
                toks.len(),
                if place == "." { "" } else { &place },
                None,
            )
        {
            let name = found.rsplit('/').next().unwrap_or(&found).to_owned();
            let _ = p;
            return Ok(vec![Step::new(
                format!("find {} -name {}", q(&place), q(&glob_name(&name))),
                Say::new("find_where")
                    .name("name", &name)
                    .place("dir", &place),
            )]);
        }
        let mut cmd = format!("find {}", q(&place));
        let mut text = Say::new("find_in").place("dir", &place);
        let dirs = s.noun.is_some_and(|(n, _)| n == Noun::Folder)
            && s.kinds.is_empty()
            && !objects.iter().any(|p| p.lit().is_some_and(looks_like_file));
        let name = objects
            .iter()
            .find_map(|p| p.lit())
            .map(str::to_owned)
            .or_else(|| {
                s.phrases
                    .iter()
                    .find(|p| p.named)
                    .and_then(|p| p.lit())
                    .map(str::to_owned)
            });
        if dirs {
            cmd.push_str(" -type d");
            text.then(Say::new("for_folders"));
        } else if s.size.is_some()
            || !s.kinds.is_empty()
            || s.age.is_some()
            || s.noun.is_some() && name.is_none()
        {
            cmd.push_str(" -type f");
            text.then(Say::new("for_files"));
        }
        let mut said = false;
        // "busca el archivo ESTILO.CSS": written in other capitals than the one file that
        // has that name, it is that file's name.
        let name = name.map(|n| {
            if self.ctx.get(&n).is_none()
                && !n.contains(['*', '?', '/'])
                && let Some(e) = self.ctx.unique_named(&n)
                && e.name != n
                && e.name.to_lowercase() == n.to_lowercase()
            {
                e.name
            } else {
                n
            }
        });
        if let Some(n) = &name
            && s.kinds.is_empty()
        {
            cmd.push_str(&format!(" -name {}", q(&glob_name(n))));
            text.then(Say::new("named").name("name", n));
            said = true;
        }
        if !s.kinds.is_empty() {
            let names: Vec<String> = s
                .kinds
                .iter()
                .map(|e| format!("*.{}", glob_safe(e)))
                .collect();
            let test = if s.has(Flag::IgnoreCase) {
                "-iname"
            } else {
                "-name"
            };
            if names.len() == 1 {
                cmd.push_str(&format!(" {test} {}", q(&names[0])));
            } else {
                let alts: Vec<String> = names.iter().map(|n| format!("{test} {}", q(n))).collect();
                cmd.push_str(&format!(" \\( {} \\)", alts.join(" -o ")));
            }
            text.then(Say::new("ending_in").plain("patterns", names.join(", ")));
            said = true;
        }
        if let Some(size) = &s.size {
            cmd.push_str(&format!(" -size {size}"));
            let by = match size.chars().next() {
                Some('-') => Say::new("smaller_than"),
                Some('+') => Say::new("bigger_than"),
                _ => Say::new("of_about"),
            };
            let amount = human_size(size.trim_start_matches(['+', '-']));
            text.then(by.say("amount", amount));
            said = true;
        }
        if let Some(age) = &s.age {
            cmd.push_str(&format!(" -mtime {age}"));
            let days = age.trim_start_matches(['+', '-']);
            if age.starts_with('+') {
                text.then(Say::new("older_than_days").plain("days", days));
            } else {
                text.then(Say::new("within_days").plain("days", days));
            }
            said = true;
        }
        if s.has(Flag::Empty) {
            cmd.push_str(" -empty");
            text.then(Say::new("that_are_empty"));
            said = true;
        }
        if !said && !dirs {
            return Err(Stop::NotUnderstood);
        }
        Ok(vec![Step::new(cmd, text)])
    }

    /// "WARN o ERROR", "either 'INFO' or 'WARN'": words quoted or in capitals with "o"/"or"
    /// between them.
    fn alternatives<'s>(&self, toks: &[Token], s: &'s Slots) -> Option<Vec<&'s str>> {
        let literal = |p: &'s Phrase| -> Option<&'s str> {
            let n = p.lit()?;
            let shouted = n.chars().filter(|c| c.is_alphabetic()).count() >= 2
                && n.chars().all(|c| !c.is_lowercase());
            (matches!(p.name, Name::Lit { quoted: true, .. })
                || (shouted && self.exists(n).is_none()))
            .then_some(n)
        };
        let words: Vec<(usize, &str)> = s
            .phrases
            .iter()
            .filter(|p| matches!(p.prep, None | Some(Prep::By)))
            .filter_map(|p| literal(p).map(|n| (p.start, n)))
            .collect();
        let joined = words.windows(2).all(|w| {
            w[1].0
                .checked_sub(1)
                .and_then(|i| toks.get(i))
                .is_some_and(|t| !t.quoted && lexicon::says("or", t.key.as_str()))
        });
        (words.len() >= 2 && joined).then(|| words.into_iter().map(|(_, n)| n).collect())
    }

    /// Lines with any of several words: `grep -E 'A|B'` (each word taken literally).
    fn grep_any(
        &mut self,
        s: &Slots,
        words: &[&str],
        in_file: Option<Target>,
    ) -> Result<Vec<Step>, Stop> {
        let (target, recursive) = match in_file {
            Some(t) => {
                let dir = t.dir != Some(false);
                (t.path, dir)
            }
            None => (".".into(), true),
        };
        let escaped: Vec<String> = words
            .iter()
            .map(|w| {
                w.chars()
                    .flat_map(|c| {
                        let special = ".[]*^$\\+?(){}|".contains(c);
                        special
                            .then_some('\\')
                            .into_iter()
                            .chain(std::iter::once(c))
                    })
                    .collect()
            })
            .collect();
        let mut flags = String::from("E");
        if recursive {
            flags.push('r');
        }
        if s.has(Flag::IgnoreCase) {
            flags.push('i');
        }
        Ok(vec![Step::new(
            format!(
                "grep -{flags} {} {}",
                q(&escaped.join("|")),
                args(&[&target])
            ),
            Say::new("lines_with_any")
                .either("words", words)
                .name("name", &target),
        )])
    }

    fn grep(
        &mut self,
        toks: &[Token],
        s: &Slots,
        pat: &str,
        in_file: Option<Target>,
    ) -> Result<Vec<Step>, Stop> {
        let keys: Vec<&str> = toks.iter().map(|t| t.key.as_str()).collect();
        let says = |group: &str| keys.iter().any(|k| lexicon::says(group, k));
        // "which files mention X" names files; "which lines of F contain X" shows lines, and
        // so does a search inside one file.
        let which_files = ((says("which_files") && s.has(Flag::Contains))
            || (says("which") && says("file_words")))
            && !s.has(Flag::Lines)
            && in_file.as_ref().is_none_or(|t| t.dir != Some(false));
        let place = in_file.map(|t| (t.path, t.dir != Some(false)));
        let (target, recursive) = match place {
            Some((p, is_dir)) => (p, is_dir),
            None => (".".into(), true),
        };
        let mut flags = String::new();
        if recursive {
            flags.push('r');
        }
        if which_files {
            flags.push('l');
        }
        if s.has(Flag::IgnoreCase) {
            flags.push('i');
        }
        if says("number") && s.has(Flag::Lines) {
            flags.push('n');
        }
        let fixed = pat.chars().any(|c| ".[]*^$\\+?(){}|".contains(c));
        if fixed {
            flags.push('F');
        }
        let mut cmd = String::from("grep");
        if !flags.is_empty() {
            cmd.push_str(&format!(" -{flags}"));
        }
        let pat_word = if pat.starts_with('-') {
            format!("-e {}", q(pat))
        } else {
            q(pat).into_owned()
        };
        cmd.push_str(&format!(" {pat_word}"));
        if !(recursive && target == ".") || which_files {
            cmd.push_str(&format!(" {}", args(&[&target])));
        } else {
            cmd.push_str(" .");
        }
        let said = if which_files {
            Say::new("which_files_contain")
                .place("dir", &target)
                .name("text", pat)
        } else {
            let mut said = if recursive {
                Say::new("search_files").place("dir", &target)
            } else {
                Say::new("search_file").name("name", &target)
            }
            .name("text", pat);
            if s.has(Flag::IgnoreCase) {
                said.then(Say::new("ignoring_case"));
            }
            said
        };
        Ok(vec![Step::new(cmd, said)])
    }

    /// `grep -c`: the text is what is quoted, or a word in capitals; the file one that is
    /// there.
    fn count_matches(&mut self, s: &Slots) -> Option<Vec<Step>> {
        let text = s
            .phrases
            .iter()
            .find(|p| matches!(p.name, Name::Lit { quoted: true, .. }))
            .and_then(|p| p.lit())
            .or_else(|| {
                s.phrases.iter().filter_map(|p| p.lit()).find(|n| {
                    let letters = n.chars().filter(|c| c.is_alphabetic()).count();
                    letters >= 2 && n.chars().all(|c| !c.is_lowercase()) && self.exists(n).is_none()
                })
            })?
            .to_owned();
        let file = s
            .phrases
            .iter()
            .filter(|p| p.lit() != Some(text.as_str()))
            .find_map(|p| {
                self.resolve_existing(p, None)
                    .filter(|t| t.exists && t.dir == Some(false))
            })?;
        let pat = if text.starts_with('-') {
            format!("-e {}", q(&text))
        } else {
            q(&text).into_owned()
        };
        self.last_obj = Some(file.path.clone());
        Some(vec![Step::new(
            format!("grep -c {pat} {}", args(&[&file.path])),
            Say::new("count_lines_with")
                .name("name", &file.path)
                .name("text", &text),
        )])
    }

    fn count(&mut self, toks: &[Token], s: &Slots) -> Result<Vec<Step>, Stop> {
        let keys: Vec<&str> = toks.iter().map(|t| t.key.as_str()).collect();
        let word_count = lexicon::says_phrase("word_count", &keys);
        let unit = if s.has(Flag::Words) || word_count {
            Some((
                "-w",
                Say::new("count_words"),
                Say::new("count_words_together"),
            ))
        } else if s.has(Flag::Chars) {
            Some((
                "-m",
                Say::new("count_chars"),
                Say::new("count_chars_together"),
            ))
        } else if s.has(Flag::Lines) {
            Some((
                "-l",
                Say::new("count_lines"),
                Say::new("count_lines_together"),
            ))
        } else {
            None
        };
        let objects = self.objects(s);
        let place = self.place(s, &objects);
        if let Some((flag, of_one, of_all)) = unit {
            // "¿cuántas líneas tiene el log de errores?": one file of a kind, described.
            if self.singular_kind(s)
                && objects.iter().all(|p| !p.known)
                && let Some(path) = self.describe(toks, s, 0, toks.len(), "", Some(false))
            {
                return Ok(vec![Step::new(
                    format!("wc {flag} {}", args(&[&path])),
                    of_one.name("name", &path),
                )]);
            }
            // Lines of one file, or of every file of a kind in a folder.
            if !s.kinds.is_empty() && objects.iter().all(|p| !p.known) {
                self.unknown_place(s, place.as_deref())?;
                let dir = place.unwrap_or_else(|| ".".into());
                let files = glob(&dir, &self.present_exts(&dir, &s.kinds));
                return Ok(vec![Step::new(
                    format!("cat {} | wc {flag}", args(&files)),
                    of_all.names("names", &files),
                )]);
            }
            let t = self.subject(toks, s, true).ok_or(Stop::NotUnderstood)?;
            if t.dir == Some(true) {
                return Err(Stop::NotUnderstood);
            }
            return Ok(vec![Step::new(
                format!("wc {flag} {}", args(&[&t.path])),
                of_one.name("name", &t.path),
            )]);
        }
        // Files or folders in a folder.
        self.unknown_place(s, place.as_deref())?;
        let dir = place
            .or_else(|| {
                s.phrases.iter().find_map(|p| {
                    self.resolve_existing(p, None)
                        .filter(|t| t.dir == Some(true))
                        .map(|t| t.path)
                })
            })
            .unwrap_or_else(|| ".".into());
        let folders = s.noun.is_some_and(|(n, _)| n == Noun::Folder);
        let mut cmd = format!("find {}", q(&dir));
        if folders {
            cmd.push_str(" -mindepth 1 -type d");
        } else {
            cmd.push_str(" -type f");
        }
        if !s.kinds.is_empty() {
            let names: Vec<String> = s
                .kinds
                .iter()
                .map(|e| format!("*.{}", glob_safe(e)))
                .collect();
            if names.len() == 1 {
                cmd.push_str(&format!(" -name {}", q(&names[0])));
            } else {
                let alts: Vec<String> = names.iter().map(|n| format!("-name {}", q(n))).collect();
                cmd.push_str(&format!(" \\( {} \\)", alts.join(" -o ")));
            }
        }
        // "cuántos archivos de más de 1 MB hay", "how many files changed this week".
        if let Some(size) = s.size.as_ref().filter(|_| !folders) {
            cmd.push_str(&format!(" -size {size}"));
        }
        if let Some(age) = &s.age {
            cmd.push_str(&format!(" -mtime {age}"));
        }
        cmd.push_str(" | wc -l");
        let said = if folders {
            Say::new("count_folders")
        } else {
            Say::new("count_files")
        };
        Ok(vec![Step::new(cmd, said.place("dir", &dir))])
    }

    fn usage(&mut self, toks: &[Token], s: &Slots) -> Result<Vec<Step>, Stop> {
        let keys: Vec<&str> = toks.iter().map(|t| t.key.as_str()).collect();
        let each = keys.iter().any(|k| lexicon::says("each", k));
        let target = self.subject(toks, s, true);
        let path = target.map(|t| t.path).unwrap_or_else(|| ".".into());
        if each && self.exists(&path) == Some(true) {
            let pat = if path == "." {
                "*/".to_owned()
            } else {
                format!("{}/*/", q(&path))
            };
            return Ok(vec![Step::new(
                format!("du -sh {pat}"),
                Say::new("usage_each").place("dir", &path),
            )]);
        }
        Ok(vec![Step::new(
            format!("du -sh {}", args(&[&path])),
            Say::new("usage").place("dir", &path),
        )])
    }

    fn compress(&mut self, toks: &[Token], s: &Slots) -> Result<Vec<Step>, Stop> {
        let keys: Vec<&str> = toks.iter().map(|t| t.key.as_str()).collect();
        let is_archive = |n: &str| {
            let l = n.to_ascii_lowercase();
            l.ends_with(".zip")
                || l.ends_with(".tar.gz")
                || l.ends_with(".tgz")
                || l.ends_with(".tar")
                || l.ends_with(".tar.bz2")
                || l.ends_with(".tar.xz")
        };
        let out_phrase = s.phrases.iter().find(|p| p.lit().is_some_and(is_archive));
        let zip = out_phrase.and_then(|p| p.lit()).map_or_else(
            || {
                keys.iter().any(|k| lexicon::says("zip_word", k))
                    && !keys.iter().any(|k| k.contains("tar"))
            },
            |n| n.to_ascii_lowercase().ends_with(".zip"),
        );
        let mut sources: Vec<String> = Vec::new();
        let place = self.place(s, &[]);
        for p in s
            .phrases
            .iter()
            .filter(|p| !out_phrase.is_some_and(|o| std::ptr::eq(o, *p)))
        {
            if matches!(p.prep, Some(Prep::To | Prep::As)) || p.named {
                continue;
            }
            if let Some(t) = self.resolve(
                p,
                if p.prep.is_none() {
                    place.as_deref()
                } else {
                    None
                },
            ) && (t.exists || p.prep.is_none())
                && !(p.prep.is_some() && place.as_deref() == Some(&t.path) && !sources.is_empty())
                && t.path != "."
                && !sources.contains(&t.path)
            {
                // A word that names nothing here is no file to pack ("comprime src sin X").
                self.must_exist(std::slice::from_ref(&t))?;
                sources.push(t.path);
            }
        }
        if sources.is_empty()
            && !s.kinds.is_empty()
            && !s.kinds.iter().all(|k| matches!(k.as_str(), "zip"))
        {
            let dir = place.clone().unwrap_or_else(|| ".".into());
            sources = glob(&dir, &self.present_exts(&dir, &s.kinds));
        }
        if sources.is_empty()
            && s.verb_pronoun
            && let Some(o) = self.last_obj.clone().or(self.last_dir.clone())
        {
            sources.push(o);
        }
        if sources.is_empty() {
            return Err(Stop::NotUnderstood);
        }
        // "comprime notas.txt con gzip", "gzip app.log": one file compressed in place, the
        // way gzip does it (notas.txt becomes notas.txt.gz), when no archive is named.
        if out_phrase.is_none()
            && !zip
            && keys.iter().any(|k| lexicon::says("gzip_word", k))
            && let [one] = sources.as_slice()
            && self.exists(one) == Some(false)
        {
            let step = Step::new(
                format!("gzip {}", args(std::slice::from_ref(one))),
                Say::new("gzip")
                    .name("name", one)
                    .plain("becomes", format!("{one}.gz")),
            );
            self.last_obj = Some(format!("{one}.gz"));
            return Ok(vec![step]);
        }
        // Named after what is packed; a pattern ("*.txt") after the files, in words.
        let one = Say::new("archive_name").render(s.lang);
        let many = Say::new("archive_name_files").render(s.lang);
        let base = sources
            .first()
            .map(|src| {
                shown(src)
                    .trim_end_matches('/')
                    .rsplit('/')
                    .next()
                    .unwrap_or(&one)
                    .replace('*', &many)
            })
            .unwrap_or_else(|| one.clone());
        let base = base
            .split('.')
            .next()
            .filter(|b| !b.is_empty())
            .unwrap_or(&one)
            .to_owned();
        let out = out_phrase
            .and_then(|p| p.lit())
            .map(str::to_owned)
            .or_else(|| {
                // "como respaldo", "llamado copia": a name without the extension.
                s.phrases
                    .iter()
                    .find(|p| (matches!(p.prep, Some(Prep::As)) || p.named) && p.lit().is_some())
                    .and_then(|p| p.lit())
                    .map(|n| {
                        if zip {
                            format!("{n}.zip")
                        } else {
                            format!("{n}.tar.gz")
                        }
                    })
            })
            .unwrap_or_else(|| {
                if zip {
                    format!("{base}.zip")
                } else {
                    format!("{base}.tar.gz")
                }
            });
        // "… pero sin incluir config.json", "except the logs": left out by name or pattern,
        // as the archiver matches them anywhere inside.
        let mut left_out: Vec<String> = s.except.names.clone();
        left_out.extend(s.except.kinds.iter().map(|k| format!("*.{k}")));
        if !left_out.is_empty() {
            if sources.iter().any(|p| self.exists(p) != Some(true)) {
                return Err(Stop::NotUnderstood);
            }
            self.except_applied = true;
        }
        let cmd = if zip {
            let mut cmd = format!("zip -r {} {}", q(&out), args(&sources));
            if !left_out.is_empty() {
                let patterns: Vec<String> = left_out.iter().map(|n| format!("*/{n}")).collect();
                cmd.push_str(&format!(" -x {}", args(&patterns)));
            }
            cmd
        } else {
            let l = out.to_ascii_lowercase();
            let flag = if l.ends_with(".tar.bz2") {
                "-cjf"
            } else if l.ends_with(".tar.xz") {
                "-cJf"
            } else if l.ends_with(".tar") {
                "-cf"
            } else {
                "-czf"
            };
            let excludes: String = left_out
                .iter()
                .map(|n| format!("--exclude={} ", q(n)))
                .collect();
            format!("tar {flag} {} {excludes}{}", q(&out), args(&sources))
        };
        if let [one] = sources.as_slice()
            && self.exists(one) == Some(true)
        {
            self.last_dir = Some(one.clone());
        }
        // "comprime la carpeta old y después bórrala": "it" is what was packed.
        self.last_obj = match sources.as_slice() {
            [one] => Some(one.clone()),
            _ => Some(out.clone()),
        };
        self.last_archive = Some(out.clone());
        let mut said = Say::new("pack")
            .names("names", &sources)
            .name("archive", &out);
        if !left_out.is_empty() {
            said.then(Say::new("leaving_out").names("names", &left_out));
        }
        Ok(vec![Step::new(cmd, said)])
    }

    /// "mete la captura de pantalla en thumbs": something described that is here, put into
    /// a folder that is here, is moved.
    fn puts_described(&self, toks: &[Token], s: &Slots) -> bool {
        let Some(into) = s.phrases.iter().rev().find(|p| {
            matches!(p.prep, Some(Prep::In | Prep::To))
                && self
                    .resolve(p, None)
                    .is_some_and(|t| t.exists && t.dir == Some(true))
        }) else {
            return false;
        };
        self.objects(s).iter().all(|p| p.start < into.start)
            && self
                .describe(toks, s, s.verb_at + 1, into.start, "", None)
                .is_some()
    }

    /// "in the tortilla recipe, change …", "… in the tortilla recipe": the one file that the
    /// words after "in" describe (up to the verb when they come first), and their tokens.
    fn described_file_in(
        &self,
        toks: &[Token],
        s: &Slots,
    ) -> Option<(Target, std::ops::Range<usize>)> {
        let p = s
            .phrases
            .iter()
            .find(|p| p.prep == Some(Prep::In) && p.lit().is_some())?;
        let from = (0..p.start)
            .rev()
            .find(|&i| lexicon::prep(&toks[i].key) == Some(Prep::In))
            .unwrap_or(p.start);
        let to = if from < s.verb_at {
            s.verb_at
        } else {
            toks.len()
        };
        let path = self.describe(toks, s, from, to, "", Some(false))?;
        Some((
            Target {
                path,
                dir: Some(false),
                exists: true,
            },
            from..to,
        ))
    }

    /// "unzip the photos archive", "el tar de descargas": the one archive whose path holds
    /// the words said (a kind's word among them: "photos" names the archive, not images).
    fn described_archive(&self, s: &Slots) -> Option<Target> {
        const ARCHIVES: &[&str] = &["zip", "tar.gz", "tgz", "tar", "tar.bz2", "tar.xz", "gz"];
        let mut words: Vec<String> = Vec::new();
        let mut base = String::new();
        for p in &s.phrases {
            let Some(raw) = p.lit() else { continue };
            match self.resolve(p, None) {
                Some(t) if t.exists && t.dir == Some(true) => base = t.path,
                _ => words.push(super::words::fold(raw)),
            }
        }
        let archive_kind = s
            .kinds
            .iter()
            .any(|k| ARCHIVES.contains(&k.as_str()) || k == "bz2" || k == "xz");
        if !archive_kind {
            words.extend(s.kind_words.iter().cloned());
        }
        let exts: Vec<&str> = if archive_kind {
            s.kinds.iter().map(String::as_str).collect()
        } else {
            ARCHIVES.to_vec()
        };
        let syn = |w: &str| {
            lexicon::synonyms(w)
                .iter()
                .map(|s| (*s).to_owned())
                .collect::<Vec<_>>()
        };
        let e = self
            .ctx
            .describe(&words, &syn, Some(&exts), &base, Some(false))?;
        Some(Target {
            path: e.path.clone(),
            dir: Some(false),
            exists: true,
        })
    }

    fn extract(&mut self, toks: &[Token], s: &Slots) -> Result<Vec<Step>, Stop> {
        // "descomprimí el zip de fotos acá": here is where it goes (as it would anyway), not
        // what is unpacked.
        let without_here;
        let s = if s.phrases.iter().any(|p| p.name == Name::Here) {
            let mut t = s.clone();
            t.phrases.retain(|p| p.name != Name::Here);
            without_here = t;
            &without_here
        } else {
            s
        };
        let archive = match self.subject(toks, s, true) {
            Some(a) if a.dir != Some(true) => a,
            _ => self.described_archive(s).ok_or(Stop::NotUnderstood)?,
        };
        let archive_path = archive.path.clone();
        self.last_archive = Some(archive_path.clone());
        self.last_obj = Some(archive_path.clone());
        let dest = s
            .phrases
            .iter()
            .filter(|p| matches!(p.prep, Some(Prep::In | Prep::To)) && p.name != Name::Here)
            .filter(|p| p.lit() != Some(archive_path.as_str()))
            .find_map(|p| self.resolve_existing(p, None))
            .filter(|t| t.dir != Some(false) && t.path != archive_path)
            .or_else(|| {
                // "en la misma carpeta", "right next to it": where the archive is.
                let parent = archive_path.rsplit_once('/').map(|(d, _)| d)?;
                s.has(Flag::Beside).then(|| Target {
                    path: parent.to_owned(),
                    dir: Some(true),
                    exists: true,
                })
            });
        let l = archive.path.to_ascii_lowercase();
        let a = q(&archive.path).into_owned();
        let cmd = if l.ends_with(".zip") {
            match &dest {
                Some(d) => format!("unzip {a} -d {}", q(&d.path)),
                None => format!("unzip {a}"),
            }
        } else if l.ends_with(".tar.gz")
            || l.ends_with(".tgz")
            || l.ends_with(".tar.bz2")
            || l.ends_with(".tar.xz")
            || l.ends_with(".tar")
        {
            let flag = if l.ends_with(".tar.bz2") {
                "-xjf"
            } else if l.ends_with(".tar.xz") {
                "-xJf"
            } else if l.ends_with(".tar") {
                "-xf"
            } else {
                "-xzf"
            };
            match &dest {
                Some(d) => {
                    let mk = if d.exists {
                        String::new()
                    } else {
                        format!("mkdir -p {} && ", q(&d.path))
                    };
                    format!("{mk}tar {flag} {a} -C {}", q(&d.path))
                }
                None => format!("tar {flag} {a}"),
            }
        } else if l.ends_with(".gz") {
            let keep = if s.has(Flag::Keep) { "-k " } else { "" };
            format!("gunzip {keep}{}", args(&[&archive.path]))
        } else if l.ends_with(".bz2") {
            let keep = if s.has(Flag::Keep) { "-k " } else { "" };
            format!("bzip2 -d {keep}{}", args(&[&archive.path]))
        } else if l.ends_with(".xz") {
            let keep = if s.has(Flag::Keep) { "-k " } else { "" };
            format!("xz -d {keep}{}", args(&[&archive.path]))
        } else {
            return Err(Stop::NotUnderstood);
        };
        let said = match &dest {
            Some(d) => Say::new("extract_into").name("to", &d.path),
            None => Say::new("extract_here"),
        };
        Ok(vec![Step::new(cmd, said.name("name", &archive.path))])
    }

    fn chmod(&mut self, toks: &[Token], s: &Slots, grant: bool) -> Result<Vec<Step>, Stop> {
        let keys: Vec<&str> = toks.iter().map(|t| t.key.as_str()).collect();
        let grant = grant && !keys.iter().any(|k| lexicon::says("take_away", k));
        // "que solo yo pueda leer el .env": the one thing named here, whatever the words
        // around it.
        let owner = owner_only(&keys).and_then(|_| {
            s.phrases
                .iter()
                .filter_map(|p| self.resolve_existing(p, None))
                .find(|t| t.exists)
                .or_else(|| {
                    // A hidden file read as a kind (".env").
                    toks.iter().find_map(|t| {
                        let dir = self.exists(&t.raw)?;
                        Some(Target {
                            path: t.raw.clone(),
                            dir: Some(dir),
                            exists: true,
                        })
                    })
                })
        });
        let t = owner
            .or_else(|| self.subject(toks, s, true))
            .or_else(|| {
                s.phrases
                    .iter()
                    .find(|p| p.lit().is_some())
                    .and_then(|p| self.resolve_existing(p, None))
            })
            .ok_or(Stop::NotUnderstood)?;
        self.must_exist(std::slice::from_ref(&t))?;
        let everyone = keys.iter().any(|k| lexicon::says("everyone", k));
        let mode = if let Some(m) = owner_only(&keys) {
            m
        } else if s.has(Flag::ReadOnly) || lexicon::says_phrase("read_only", &keys) {
            "a-w".to_owned()
        } else if let Some(n) = keys
            .iter()
            .find(|k| k.len() == 3 && k.chars().all(|c| ('0'..='7').contains(&c)))
        {
            (*n).to_owned()
        } else {
            let what = if s.has(Flag::Execute) {
                "x"
            } else if s.has(Flag::WritePerm) {
                "w"
            } else if s.has(Flag::ReadPerm) {
                "r"
            } else {
                return Err(Stop::NotUnderstood);
            };
            match (grant, everyone) {
                (true, false) => format!("u+{what}"),
                (true, true) => format!("a+{what}"),
                (false, _) => format!("a-{what}"),
            }
        };
        let recursive = t.dir == Some(true) && s.has(Flag::Recursive);
        let cmd = format!(
            "chmod {}{mode} {}",
            if recursive { "-R " } else { "" },
            args(&[&t.path])
        );
        Ok(vec![Step::new(
            cmd,
            Say::new("chmod")
                .name("name", &t.path)
                .say("change", describe_mode(&mode)),
        )])
    }

    fn replace(&mut self, toks: &[Token], s: &Slots) -> Result<Vec<Step>, Stop> {
        let with = s
            .phrases
            .iter()
            .find(|p| {
                matches!(p.prep, Some(Prep::By | Prep::To | Prep::As))
                    && p.lit().is_none_or(|n| self.exists(n) != Some(false))
            })
            .ok_or(Stop::NotUnderstood)?;
        let with_ptr: *const Phrase = with;
        let file_phrase = s
            .phrases
            .iter()
            .rev()
            .filter(|p| !std::ptr::eq(*p, with_ptr))
            .find(|p| matches!(p.prep, Some(Prep::In | Prep::From)) || p.known && p.prep.is_none())
            .ok_or(Stop::NotUnderstood)?;
        let mut file = self
            .resolve_existing(file_phrase, None)
            .ok_or(Stop::NotUnderstood)?;
        let mut span = file_phrase.start..file_phrase.end;
        if let Some((described, at)) = self.described_file_in(toks, s)
            && (!file.exists || described.path == file.path)
        {
            file = described;
            span = at;
        }
        if file.dir == Some(true) {
            return Err(Stop::NotUnderstood);
        }
        let from = s
            .phrases
            .iter()
            .find(|p| p.prep.is_none() && !std::ptr::eq(*p, with_ptr) && !span.contains(&p.start))
            .and_then(|p| p.lit())
            .ok_or(Stop::NotUnderstood)?;
        let to = with.lit().ok_or(Stop::NotUnderstood)?;
        let _ = toks;
        let script = format!("s/{}/{}/g", sed_pattern(from), sed_replacement(to));
        Ok(vec![Step::new(
            format!("sed -i {} {}", q(&script), args(&[&file.path])),
            Say::new("replace")
                .name("text", from)
                .name("with", to)
                .name("name", &file.path),
        )])
    }
}

/// `rm` of what was chosen; the explanation says it goes to the trash and comes back with
/// `undo`.
fn rm_step(paths: &[&str], recursive: bool) -> Step {
    let flag = if recursive { "-r " } else { "" };
    let said = if recursive {
        Say::new("delete_all")
    } else {
        Say::new("delete")
    };
    Step::new(
        format!("rm {flag}{}", args(paths)),
        said.names("names", paths),
    )
}

/// `undo`: what was deleted last comes back from the trash. It cannot pick one file by name
/// (the trash knows entries, not what they were called to the person), so a name is a
/// question rather than a guess.
fn undo(s: &Slots) -> Result<Vec<Step>, Stop> {
    if s.phrases.iter().any(|p| p.lit().is_some()) {
        return Err(Stop::Ask(Say::new("ask_undo_named")));
    }
    Ok(vec![Step::new("undo".into(), Say::new("undo"))])
}

/// The same slots, read with another verb ("first ten lines of X" is a show).
fn with_verb(s: &Slots, verb: Verb) -> Slots {
    let mut t = s.clone();
    t.verb = Some(verb);
    t
}

fn up() -> Step {
    up_levels(1)
}

/// How far up "sube dos niveles" / "go back two folders" goes: a number counts levels only
/// with a word that says so; any other number is not understood rather than guessed.
fn levels_up(s: &Slots) -> Result<Step, Stop> {
    let counted = s.has(Flag::Levels)
        || matches!(s.noun, Some((Noun::Folder, _)))
        || s.phrases
            .iter()
            .any(|p| matches!(p.noun, Some((Noun::Folder, _))));
    match s.numbers.first() {
        None => Ok(up()),
        Some(&n) if counted && (1..=16).contains(&n) => Ok(up_levels(n)),
        Some(_) => Err(Stop::NotUnderstood),
    }
}

/// `cd ../..`: up `n` folders ("sube dos niveles", "go up two levels").
fn up_levels(n: u32) -> Step {
    let n = n.clamp(1, 16) as usize;
    let path = vec![".."; n].join("/");
    if n == 1 {
        return Step::new(format!("cd {path}"), Say::new("go_up"));
    }
    Step::new(
        format!("cd {path}"),
        Say::new("go_up_levels").plain("count", n),
    )
}

fn mkdir_step(path: &str) -> Step {
    Step::new(
        format!("mkdir -p {}", args(&[path])),
        Say::new("make_folder").name("names", path),
    )
}

fn write_step(text: &str, file: &str, append: bool) -> Step {
    // echo would read a leading "-n" or backslashes; printf prints the text as it is.
    let print = if text.starts_with('-') || text.contains('\\') {
        format!("printf '%s\\n' {}", q(text))
    } else {
        format!("echo {}", q(text))
    };
    let op = if append { ">>" } else { ">" };
    let said = if append {
        Say::new("append_line")
    } else {
        Say::new("write_text")
    };
    Step::new(
        format!("{print} {op} {}", word(file)),
        said.name("text", text).name("name", file),
    )
}

/// One thing was said, not many: no "all", no plural noun or kind ("el vídeo", "the biggest
/// file"; "js", "css" and "ts" end in s in the singular).
fn said_one(s: &Slots) -> bool {
    !s.all
        && s.noun.is_none_or(|(_, plural)| !plural)
        && s.kind_words
            .iter()
            .all(|w| !w.ends_with('s') || matches!(w.as_str(), "js" | "css" | "ts"))
}

pub fn looks_like_file(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name);
    base.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty() && (1..=5).contains(&ext.len()) && ext.chars().all(char::is_alphanumeric)
    })
}

fn glob_name(n: &str) -> String {
    // A name is matched literally by find: escape its pattern characters.
    let mut out = String::new();
    for c in n.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn human_size(s: &str) -> Say {
    let (n, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let unit = match unit {
        "k" => "KB",
        "M" => "MB",
        "G" => "GB",
        "c" => "bytes",
        _ => return Say::new("blocks").plain("count", n),
    };
    Say::new("amount").plain("count", n).plain("unit", unit)
}

/// "que solo yo pueda leer y escribir", "so only I can read and write it": those permissions
/// for the owner and none for anyone else (`u=rw,go=`).
fn owner_only(keys: &[&str]) -> Option<String> {
    if !lexicon::says_phrase("only_me", keys) {
        return None;
    }
    let said = |group: &str| keys.iter().any(|k| lexicon::says(group, k));
    let mut perms = String::new();
    for (group, perm) in [
        ("read_words", 'r'),
        ("write_words", 'w'),
        ("run_words", 'x'),
    ] {
        if said(group) {
            perms.push(perm);
        }
    }
    (!perms.is_empty()).then(|| format!("u={perms},go="))
}

/// What a mode does, in words ("only you can read and write").
fn describe_mode(mode: &str) -> Say {
    if let Some(perms) = mode.strip_prefix("u=").and_then(|m| m.strip_suffix(",go=")) {
        let mut can: Option<Say> = None;
        for c in perms.chars() {
            let one = match c {
                'r' => Say::new("can_read"),
                'w' => Say::new("can_write"),
                _ => Say::new("can_run"),
            };
            match can.as_mut() {
                Some(all) => {
                    all.then(Say::new("and"));
                    all.then(one);
                }
                None => can = Some(one),
            }
        }
        return Say::new("only_you_can").say("can", can.unwrap_or_else(|| Say::new("can_read")));
    }
    if mode.chars().all(|c| c.is_ascii_digit()) {
        return Say::new("mode").plain("mode", mode);
    }
    let perm = match mode.chars().nth(2) {
        Some('x') => Say::new("perm_execute"),
        Some('w') => Say::new("perm_write"),
        _ => Say::new("perm_read"),
    };
    let said = match (mode.chars().nth(1) == Some('+'), mode.chars().next()) {
        (true, Some('u')) => Say::new("grant_you"),
        (true, Some('a')) => Say::new("grant_all"),
        (true, _) => Say::new("grant"),
        (false, Some('u')) => Say::new("revoke_you"),
        (false, Some('a')) => Say::new("revoke_all"),
        (false, _) => Say::new("revoke"),
    };
    said.say("perm", perm)
}

/// A literal text as a basic regular expression for sed's `s` command (delimiter `/`).
fn sed_pattern(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if matches!(c, '\\' | '/' | '.' | '*' | '[' | ']' | '^' | '$') {
            out.push('\\');
        }
        if c == '\n' {
            out.push_str("\\n");
            continue;
        }
        out.push(c);
    }
    out
}

fn sed_replacement(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if matches!(c, '\\' | '/' | '&') {
            out.push('\\');
        }
        if c == '\n' {
            out.push_str("\\n");
            continue;
        }
        out.push(c);
    }
    out
}

/// "¿dónde estoy?", "which folder am I in", `pwd`: where the person is, unless the words
/// ask what is there ("what's in the current folder", "lista la carpeta actual").
fn is_pwd(keys: &[&str]) -> bool {
    (keys.contains(&"pwd") || lexicon::says_phrase("where_am_i", keys))
        && !lexicon::says_phrase("in_the_current", keys)
        && !keys.iter().any(|k| lexicon::says("asks_contents", k))
}
