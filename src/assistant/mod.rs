//! Natural language → a shell command. The default is the embedded Spanish/English rule
//! engine: no model, no network. Nothing here executes anything; every translation is judged
//! by the policy afterwards, like a typed command.

mod build;
mod cache;
mod context;
mod detect;
mod engine;
mod except;
mod lexicon;
mod model;
mod parse;
pub mod plugins;
mod refuse;
mod saved;
mod say;
mod shots;
mod suggest;
mod words;

#[cfg(test)]
mod tests;

pub use cache::{CacheError, Cached, TranslationCache};
pub use context::Context;
pub use engine::{
    Assistant, AssistantError, AssistantSettings, DEFAULT_ORDER, Source, model_settings,
    parse_order,
};
pub use model::{ModelAnswer, ModelClient, ModelError, ModelSettings, Prompt};
pub use plugins::{PluginError, Plugins};
pub use shots::{Shot, for_instruction as examples_for};
pub use words::fold;

use serde::Serialize;

use crate::lang::Lang;
use build::{Builder, Step, Stop};
use say::Say;
use words::{Token, tokenize};

/// The `translate --json` contract: `command` is null when there is nothing safe to run.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Translation {
    pub command: Option<String>,
    pub explanation: String,
    pub source: String,
    pub confidence: f64,
    /// The language of the explanation (and of any refusal that follows).
    #[serde(skip)]
    pub lang: Lang,
    /// False only when nothing in the instruction made sense (a refusal or a question is
    /// an understood instruction): then the next source may try.
    #[serde(skip)]
    pub understood: bool,
    /// What the policy reads in a command that did not come from the rules (a model's or a
    /// plugin's): shown beside it.
    #[serde(skip)]
    pub details: Option<String>,
}

/// Whether a word of `cmd` climbs more folders up (`..`, `../..`, `../x`) than the current one
/// is deep.
fn climbs_above(cmd: &str, depth: usize) -> bool {
    shlex::split(cmd).unwrap_or_default().iter().any(|w| {
        let ups = w
            .trim_start_matches("./")
            .split('/')
            .take_while(|part| *part == "..")
            .count();
        ups > depth
    })
}

/// The instruction's words without the courtesy that ends it ("…, please"), and with set
/// phrases replaced by the word they stand for ("take a look at X" → "show X", "read only" →
/// "readonly"); quoted words never take part in either.
fn plain_words(tokens: Vec<Token>) -> Vec<Token> {
    let keys: Vec<&str> = tokens
        .iter()
        .map(|t| if t.quoted { "\"" } else { t.key.as_str() })
        .collect();
    let end = keys.len() - lexicon::courtesy_tail(&keys);
    let keys = &keys[..end];
    let mut out = Vec::with_capacity(end);
    let mut i = 0;
    while i < end {
        match lexicon::idiom_at(&keys[i..]) {
            // A set phrase meaning nothing ("in one go", "de una vez") is left out.
            Some((len, verb)) if lexicon::filler(verb) => i += len,
            Some((len, verb)) => {
                let last = &tokens[i + len - 1];
                out.push(Token {
                    raw: verb.to_owned(),
                    key: verb.to_owned(),
                    quoted: false,
                    comma: last.comma,
                    end: last.end,
                });
                i += len;
            }
            None => {
                out.push(tokens[i].clone());
                i += 1;
            }
        }
    }
    out
}

/// "find SERVER.PY": `find` before words that are no path here asks for a file by name,
/// not for a command that would fail.
fn names_sought(tokens: &[Token], ctx: &Context<'_>) -> bool {
    tokens.first().is_some_and(|t| t.raw == "find")
        && tokens.len() > 1
        && tokens[1..].iter().all(|t| {
            !t.quoted
                && !t.raw.starts_with(['-', '.', '/', '~', '('])
                && !t.raw.contains(['*', '?', '['])
                && ctx.get(&t.raw).is_none()
        })
}

/// "una carpeta X con un README.md dentro", "a folder X with a README.md inside", "… con un
/// archivo notas.txt dentro", "… with a notes.txt file inside", "… containing a file
/// notes.txt": said as "… y dentro un (archivo) README.md", so the file is made in the folder,
/// as its own step.
fn inside_with(mut tokens: Vec<Token>) -> Vec<Token> {
    fn key(t: &Token) -> Option<&str> {
        (!t.quoted).then_some(t.key.as_str())
    }
    let said =
        |t: Option<&Token>, group: &str| t.and_then(key).is_some_and(|k| lexicon::says(group, k));
    let file_noun = |t: Option<&Token>| {
        t.and_then(key)
            .and_then(lexicon::noun)
            .is_some_and(|(n, plural)| n == lexicon::Noun::File && !plural)
    };
    let mut i = 0;
    while i + 2 < tokens.len() {
        if !(said(tokens.get(i), "with") && said(tokens.get(i + 1), "a")) {
            i += 1;
            continue;
        }
        // [noun] name [noun] [inside]
        let mut j = i + 2;
        let noun_before = file_noun(tokens.get(j));
        if noun_before {
            j += 1;
        }
        if !tokens
            .get(j)
            .is_some_and(|t| build::looks_like_file(&t.raw))
        {
            i += 1;
            continue;
        }
        let name_at = j;
        j += 1;
        let noun_after = !noun_before && file_noun(tokens.get(j));
        if noun_after {
            j += 1;
        }
        let inside = said(tokens.get(j), "inside_after");
        let end = if inside { j + 1 } else { j };
        // Without "inside" said, only where a clause ends: "with a file notes.txt in docs"
        // says something else.
        let clause_ends = inside || end == tokens.len() || said(tokens.get(end), "and_inside");
        // "con" becomes "y", "with" "and": the same language's word that joins them.
        let joined = lexicon::same_language_cue("with", &tokens[i].key, "and_inside");
        let inside_word = lexicon::same_language_cue("with", &tokens[i].key, "inside_after");
        let (Some(and), Some(inside_word), true) = (joined, inside_word, clause_ends) else {
            i += 1;
            continue;
        };
        let a = tokens[i + 1].clone();
        let name = tokens[name_at].clone();
        let noun = (noun_before || noun_after)
            .then(|| tokens[if noun_before { i + 2 } else { name_at + 1 }].clone());
        let mut and_token = tokens[i].clone();
        and_token.raw = and.to_owned();
        and_token.key = and.to_owned();
        let mut inside_token = tokens[i].clone();
        inside_token.raw = inside_word.to_owned();
        inside_token.key = inside_word.to_owned();
        let mut replacement = vec![and_token, inside_token, a];
        replacement.extend(noun);
        replacement.push(name);
        let len = replacement.len();
        tokens.splice(i..end, replacement);
        i += len;
    }
    tokens
}

/// Translates one instruction with what is known of the workspace. `lang` forces the
/// language of the explanation; otherwise it is detected from the instruction.
pub fn translate(text: &str, lang: Option<Lang>, ctx: &Context<'_>) -> Translation {
    let tokens = inside_with(plain_words(tokenize(text)));
    // The language file the instruction is in: its `[say]` writes the explanation.
    let code = lang.map_or_else(|| detect::code(&tokens), Lang::code);
    let lang = Lang::from_tag(code).unwrap_or_default();
    if tokens.is_empty() {
        return not_understood(code, &tokens);
    }
    if detect::is_command(text, &tokens) && !names_sought(&tokens, ctx) {
        return Translation {
            command: Some(text.trim().to_owned()),
            explanation: Say::new("already_a_command").render(code),
            source: "passthrough".into(),
            confidence: 0.9,
            lang,
            understood: true,
            details: None,
        };
    }
    if let Some(r) = refuse::refusal(&tokens) {
        return declined(r.explain(code), code);
    }
    let mut builder = Builder::new(ctx);
    let mut steps = Vec::new();
    let mut prev_verb = None;
    let mut prev_noun = None;
    for clause in parse::clauses(&tokens) {
        // "… y guárdalo en ordenados.txt": where the step before sends what it shows.
        if let Some(file) = saved::target(clause)
            && let Some(last) = steps.last_mut()
            && saved::into(last, &file)
        {
            continue;
        }
        let (clause, except) = except::split(clause);
        let clause = clause.as_slice();
        let mut slots = parse::slots(clause, ctx, code);
        // "vacía la carpeta old pero sin borrar la carpeta", "clear out X but keep the folder
        // itself": emptying keeps the folder anyway; the rest only says so.
        let kept;
        let clause = match clause
            .iter()
            .position(|t| !t.quoted && lexicon::says("but", &t.key))
        {
            Some(at)
                if slots.verb == Some(lexicon::Verb::Empty)
                    && clause[at..]
                        .iter()
                        .any(|t| lexicon::says("keeping_it", &t.key)) =>
            {
                kept = clause[..at].to_vec();
                slots = parse::slots(&kept, ctx, code);
                kept.as_slice()
            }
            _ => clause,
        };
        // "swap every WARN for WARNING": with a verb of replacing, "for" says what comes in.
        let swapped;
        let swap = |t: &Token| {
            (!t.quoted)
                .then(|| lexicon::same_language_cue("swap_for", &t.key, "swap_with"))
                .flatten()
        };
        let clause = if slots.verb == Some(lexicon::Verb::Replace)
            && clause.iter().any(|t| swap(t).is_some())
        {
            swapped = clause
                .iter()
                .map(|t| {
                    let mut t = t.clone();
                    if let Some(with) = swap(&t) {
                        t.key = with.into();
                    }
                    t
                })
                .collect::<Vec<_>>();
            slots = parse::slots(&swapped, ctx, code);
            swapped.as_slice()
        } else {
            clause
        };
        slots.except = except;
        // "…, dentro otra llamada Y", "…, inside it another called Y": one more of the kind
        // the clause before made.
        if slots.noun.is_none()
            && clause
                .iter()
                .any(|t| !t.quoted && lexicon::says("another", &t.key))
        {
            slots.noun = prev_noun;
        }
        // "crea X y dentro un archivo Y": the second clause borrows the first one's verb.
        // "… y dentro un README.md (que diga hola)": a new file said inside, or with its
        // text, after a creation, is made too.
        let file_with_text = (slots.text_at.is_some() || slots.has(lexicon::Flag::Content))
            && slots.phrases.iter().any(|p| {
                p.lit()
                    .is_some_and(|n| build::looks_like_file(n) && !ctx.has_name(n))
            });
        if slots.verb.is_none() && (slots.noun.is_some() || file_with_text) {
            slots.verb =
                prev_verb.filter(|v| matches!(v, lexicon::Verb::Create | lexicon::Verb::Make));
        }
        // "quiero un fichero que se llame apuntes.md", "a blank file named notes.md": a
        // folder or file with its new name and no verb is one to create.
        if slots.verb.is_none()
            && prev_verb.is_none()
            && slots.noun.is_some()
            && slots.phrases.iter().any(|p| p.named)
            && !clause.iter().any(|t| {
                parse::unaccounted(t, ctx)
                    && !slots
                        .phrases
                        .iter()
                        .any(|p| p.named && p.lit() == Some(t.raw.as_str()))
            })
        {
            slots.verb = Some(lexicon::Verb::Create);
        }
        prev_verb = slots.verb.or(prev_verb);
        prev_noun = slots.noun.or(prev_noun);
        tracing::debug!(
            clause = ?clause.iter().map(|t| t.raw.as_str()).collect::<Vec<_>>(),
            ?slots,
            "clause"
        );
        if slots.unknown_top {
            return declined(Say::new("ask_top_unknown").render(code), code);
        }
        builder.except_applied = false;
        match builder.clause(clause, &slots) {
            // An exclusion the command cannot honour is never dropped: the whole is declined.
            Ok(_) if !slots.except.is_empty() && !builder.except_applied => {
                return declined(Say::new("ask_except_unsupported").render(code), code);
            }
            Ok(s) => {
                // A word nobody knows that the command does not use either was part of the
                // request, and dropped: what runs would not be what was asked ("cuéntame un
                // chiste de ficheros" is no count of files).
                if let Some(w) = dropped(clause, &slots, &s, ctx)
                    .or_else(|| slots.unsure.then(|| unused(clause, &s, ctx)).flatten())
                    .or_else(|| name_left_out(clause, &s))
                {
                    tracing::debug!(word = %w, "a word of the request is not in the command");
                    return not_understood(code, &tokens);
                }
                steps.extend(s)
            }
            Err(Stop::NotUnderstood) => return not_understood(code, &tokens),
            Err(Stop::Refuse(r)) => return declined(r.explain(code), code),
            Err(Stop::Ask(said)) => return declined(said.render(code), code),
        }
    }
    if steps.is_empty() {
        return not_understood(code, &tokens);
    }
    // "copy X to the parent folder" said at the top of the workspace: there is no folder
    // above that atajo may reach, so say so instead of proposing what the policy refuses. A
    // path written out ("crear carpeta ../fuera") is the person's own: the policy answers it,
    // command and reason shown.
    if let Some(depth) = ctx.depth()
        && !text.contains("..")
        && steps.iter().any(|s| climbs_above(&s.cmd, depth))
    {
        return declined(Say::new("ask_above_top").render(code), code);
    }
    let command = steps
        .iter()
        .map(|s| s.cmd.as_str())
        .collect::<Vec<_>>()
        .join(" && ");
    let mut explanation = String::new();
    for (i, s) in steps.iter().enumerate() {
        let said = s.say.render(code);
        if i == 0 {
            explanation.push_str(&said);
            continue;
        }
        // "Crea X; luego crea Y": a later step goes on the sentence.
        explanation.push_str(&Say::new("then").render(code));
        let mut chars = said.chars();
        if let Some(first) = chars.next() {
            explanation.extend(first.to_lowercase());
            explanation.push_str(chars.as_str());
        }
    }
    explanation.push('.');
    Translation {
        command: Some(command),
        explanation,
        source: "rules".into(),
        confidence: if builder.unsure { 0.7 } else { 0.95 },
        lang,
        understood: true,
        details: None,
    }
}

/// The language files' examples that do not translate as they say, as messages: the
/// vocabulary tests itself, like the policy's program rules.
pub fn self_test() -> Vec<String> {
    let mut failures = Vec::new();
    for (lang, e) in lexicon::examples() {
        let here: Vec<(&str, bool)> = e
            .here
            .iter()
            .map(|h| (h.trim_end_matches('/'), h.ends_with('/')))
            .collect();
        let ctx = if e.top {
            Context::from_entries(here).at_top()
        } else {
            Context::from_entries(here)
        };
        let got = translate(&e.say, None, &ctx).command;
        if got != e.want {
            failures.push(format!(
                "lang/{lang}.toml: {:?} gives {got:?}, not {:?}",
                e.say, e.want
            ));
        }
    }
    failures
}

/// No command, and why, in the language whose code is `code`.
fn declined(explanation: String, code: &str) -> Translation {
    Translation {
        command: None,
        explanation,
        source: "rules".into(),
        confidence: 0.0,
        lang: Lang::from_tag(code).unwrap_or_default(),
        understood: true,
        details: None,
    }
}

/// Not understood: the general hint, or the closest things atajo can do ("did you mean").
fn not_understood(code: &str, tokens: &[Token]) -> Translation {
    let near = suggest::closest(tokens, code);
    let said = if near.is_empty() {
        Say::new("not_understood")
    } else {
        Say::new("not_understood_near").either("near", &near)
    };
    let mut t = declined(said.render(code), code);
    t.understood = false;
    t
}

/// The first word of `clause` read as the name of something to act on, that is neither
/// vocabulary nor a name here, and that no step's command holds (nor a synonym of it): the
/// request was about something the command does not touch.
fn dropped<'t>(
    clause: &'t [Token],
    slots: &parse::Slots,
    steps: &[Step],
    ctx: &Context<'_>,
) -> Option<&'t str> {
    let objects = slots
        .phrases
        .iter()
        .filter(|p| {
            !p.named
                && !p.known
                && p.prep.is_none()
                && matches!(p.name, parse::Name::Lit { quoted: false, .. })
                // What the verb acts on: right after it, but for articles.
                && clause.get(slots.verb_at + 1..p.start).is_some_and(|between| {
                    between
                        .iter()
                        .all(|t| lexicon::filler(&t.key) || lexicon::says("a", &t.key))
                })
        })
        .flat_map(|p| clause.get(p.start..p.end).unwrap_or_default());
    not_in_command(objects, steps, ctx)
}

/// A name the person wrote — quoted, with an extension or a folder in it ("notes.txt",
/// "docs/a") — that no step's command holds: the command would do only part of what was
/// asked ("make a folder X containing a file notes.txt" is more than `mkdir X`).
fn name_left_out<'t>(clause: &'t [Token], steps: &[Step]) -> Option<&'t str> {
    // The commands' words as the shell reads them: a name is quoted there ('0'\''é').
    let commands: Vec<String> = steps
        .iter()
        .flat_map(|s| shlex::split(&s.cmd).unwrap_or_else(|| vec![s.cmd.clone()]))
        .map(|w| fold(&w))
        .collect();
    clause
        .iter()
        .filter(|t| {
            let k = &t.key;
            let letters = k.chars().any(char::is_alphabetic);
            let dotted = k.split('.').filter(|part| !part.is_empty()).count() >= 2;
            letters && (t.quoted || dotted || k.contains('/'))
        })
        .find(|t| !commands.iter().any(|c| c.contains(t.key.as_str())))
        .map(|t| t.raw.as_str())
}

/// With a verb read through a slip ("paint" for "print"?), every word nobody knows must be
/// in the command: "paint the src folder blue" is no print.
fn unused<'t>(clause: &'t [Token], steps: &[Step], ctx: &Context<'_>) -> Option<&'t str> {
    not_in_command(clause.iter(), steps, ctx)
}

/// The first of `words` that nobody knows (not vocabulary, a slip of it, or a name here) and
/// that no step's command holds, nor a synonym of it.
fn not_in_command<'t>(
    words: impl Iterator<Item = &'t Token>,
    steps: &[Step],
    ctx: &Context<'_>,
) -> Option<&'t str> {
    let commands: Vec<String> = steps.iter().map(|s| fold(&s.cmd)).collect();
    let held = |w: &str| commands.iter().any(|c| c.contains(w));
    words
        .filter(|t| parse::unaccounted(t, ctx) && t.key.chars().any(char::is_alphabetic))
        .filter(|t| {
            lexicon::verb_typo(&t.key).is_none()
                && lexicon::noun_typo(&t.key).is_none()
                && !lexicon::naming_typo(&t.key)
        })
        .find(|t| !held(&t.key) && !lexicon::synonyms(&t.key).iter().any(|s| held(s)))
        .map(|t| t.raw.as_str())
}
