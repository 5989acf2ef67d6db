//! A command in words, from the same parse and rules the policy judges it with: what each
//! program does, what its options mean, which paths it reads, writes or removes, where its
//! output goes, and the verdict. Nothing here guesses from the text: an option the rule does
//! not describe is named as it is.

use brush_parser::ast::{AndOr, Command, Pipeline};

use super::rules::{Kind, Spec, Style};
use super::{
    Checked, Connector, Context, Denial, OpenMode, Redirect, Stage, Target, check, never_category,
    parse, parser_options, verdict,
};
use crate::lang::Lang;
use crate::protocol::{Risk, VerdictMsg};

/// The explanation of `command` in `lang`, and the verdict it was built with.
pub fn explain(command: &str, ctx: Context<'_>, lang: Lang) -> (String, VerdictMsg) {
    let result = check(command, ctx);
    let text = match &result {
        Ok(checked) => allowed(checked, ctx, lang),
        Err(denial) => denied(command, denial, ctx, lang),
    };
    (text, verdict(&result, lang))
}

fn allowed(checked: &Checked, ctx: Context<'_>, lang: Lang) -> String {
    let mut lines = Vec::new();
    for (i, step) in checked.steps.iter().enumerate() {
        let lead = match (i, step.connector) {
            (0, _) => String::new(),
            (_, Connector::Always) => crate::tr!(lang, "explain_then"),
            (_, Connector::IfOk) => crate::tr!(lang, "explain_if_ok"),
            (_, Connector::IfFailed) => crate::tr!(lang, "explain_if_failed"),
        };
        for (j, stage) in step.stages.iter().enumerate() {
            let piped = j > 0;
            let mut line = if j == 0 { lead.clone() } else { String::new() };
            if piped {
                line.push_str(&crate::tr!(lang, "explain_piped"));
            }
            line.push_str(&stage_line(stage, ctx.rules.get(&stage.program), lang));
            lines.push(format!("• {line}"));
        }
    }
    lines.push(risk_line(checked.risk, &checked.affected, lang));
    lines.join("\n")
}

fn stage_line(stage: &Stage, spec: Option<&Spec>, lang: Lang) -> String {
    let idx = usize::from(lang == Lang::En);
    let about = spec
        .and_then(|s| s.about.as_ref())
        .map(|a| a[idx].clone())
        .unwrap_or_else(|| crate::tr!(lang, "explain_runs"));
    let mut out = format!("`{}`: {about}", stage.program);
    let mut said = Vec::new();
    for opt in &stage.meaning.options {
        let meaning = spec
            .and_then(|s| s.say.get(&opt.name))
            .map(|m| m[idx].clone());
        let mut part = match meaning {
            Some(m) => m,
            None => crate::tr!(lang, "explain_option", name = opt.name),
        };
        if let Some(v) = &opt.value {
            part.push_str(&format!(" ({v})"));
        }
        if !said.contains(&part) {
            said.push(part);
        }
    }
    if !said.is_empty() {
        out.push_str(" — ");
        out.push_str(&said.join("; "));
    }
    let echo = spec.is_some_and(|s| s.style == Style::Echo);
    let mut groups: Vec<(Kind, Vec<&str>)> = Vec::new();
    for (operand, kind) in &stage.meaning.operands {
        let kind = match kind {
            Kind::SedScript | Kind::AwkProgram | Kind::Mode | Kind::None => Kind::Text,
            Kind::LinkTarget => Kind::Read,
            k => *k,
        };
        match groups.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, v)) => v.push(operand),
            None => groups.push((kind, vec![operand])),
        }
    }
    for (kind, names) in groups {
        let list = names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let label = match kind {
            Kind::Read => crate::tr!(lang, "operands_read"),
            Kind::Write => crate::tr!(lang, "operands_write"),
            Kind::Target => crate::tr!(lang, "operands_target"),
            Kind::Delete => crate::tr!(lang, "operands_delete"),
            Kind::Modify => crate::tr!(lang, "operands_modify"),
            _ if echo => crate::tr!(lang, "operands_text"),
            _ => crate::tr!(lang, "operands_other"),
        };
        out.push_str(&format!(". {}: {list}", capitalize(&label)));
    }
    for r in &stage.redirects {
        out.push_str(". ");
        out.push_str(&redirect_words(r, lang));
    }
    out.push('.');
    out
}

fn redirect_words(r: &Redirect, lang: Lang) -> String {
    let stream = capitalize(&match r.fd {
        0 => crate::tr!(lang, "explain_input"),
        1 => crate::tr!(lang, "explain_output"),
        _ => crate::tr!(lang, "explain_errors"),
    });
    match &r.target {
        Target::File(path, mode) => {
            let p = super::workspace::rel_to_string(path);
            match mode {
                OpenMode::Read => {
                    crate::tr!(lang, "explain_reads_from", stream = stream, path = p)
                }
                OpenMode::Truncate => {
                    crate::tr!(lang, "explain_writes_to", stream = stream, path = p)
                }
                OpenMode::Append => {
                    crate::tr!(lang, "explain_appends_to", stream = stream, path = p)
                }
            }
        }
        Target::Null => crate::tr!(lang, "explain_discarded", stream = stream),
        Target::Fd(1) => crate::tr!(lang, "explain_goes_to_output", stream = stream),
        Target::Fd(_) => crate::tr!(lang, "explain_goes_to_errors", stream = stream),
        Target::Text(_) => crate::tr!(lang, "explain_here_text"),
    }
}

fn risk_line(risk: Risk, affected: &[String], lang: Lang) -> String {
    let list = affected
        .iter()
        .map(|a| format!("`{a}`"))
        .collect::<Vec<_>>()
        .join(", ");
    match risk {
        Risk::Read => crate::tr!(lang, "risk_read"),
        Risk::Write => crate::tr!(lang, "risk_write"),
        Risk::Destructive => crate::tr!(lang, "risk_destructive", list = list),
    }
}

/// A refused command: what its programs are, as far as the parse goes, and why it is refused.
fn denied(command: &str, denial: &Denial, ctx: Context<'_>, lang: Lang) -> String {
    let mut lines = Vec::new();
    for name in named_programs(command) {
        let idx = usize::from(lang == Lang::En);
        let line = if let Some(about) = ctx.rules.get(&name).and_then(|s| s.about.as_ref()) {
            format!("• `{name}`: {}.", about[idx])
        } else if let Some(cat) = never_category(&name) {
            format!("• `{name}`: {}.", cat.describe(lang))
        } else {
            crate::tr!(lang, "explain_unknown_program", name = name)
        };
        if !lines.contains(&line) {
            lines.push(line);
        }
    }
    let reason = denial.reason.message(lang);
    lines.push(crate::tr!(lang, "explain_would_not_run", reason = reason));
    lines.join("\n")
}

/// The literal program names of the simple commands the parser finds (compound commands
/// and anything that does not parse give none).
fn named_programs(command: &str) -> Vec<String> {
    let Ok(program) = parse(command, &parser_options()) else {
        return Vec::new();
    };
    let mut names = Vec::new();
    let mut pipeline = |p: &Pipeline| {
        for c in &p.seq {
            if let Command::Simple(s) = c
                && let Some(w) = &s.word_or_name
            {
                names.push(w.value.clone());
            }
        }
    };
    for list in &program.complete_commands {
        for item in &list.0 {
            pipeline(&item.0.first);
            for next in &item.0.additional {
                match next {
                    AndOr::And(p) | AndOr::Or(p) => pipeline(p),
                }
            }
        }
    }
    names
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::policy::Rules;

    fn explained(command: &str, lang: Lang) -> (String, VerdictMsg) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("docs")).unwrap();
        std::fs::write(dir.path().join("a.txt"), "a").unwrap();
        let root = dir.path().canonicalize().unwrap();
        let rules = Rules::builtin().unwrap();
        let ctx = Context {
            root: &root,
            cwd: Path::new(""),
            rules,
        };
        explain(command, ctx, lang)
    }

    #[test]
    fn options_paths_and_risk_in_words() {
        let (es, v) = explained("ls -la docs", Lang::Es);
        assert!(v.allowed);
        assert!(es.contains("lista el contenido"), "{es}");
        assert!(
            es.contains("incluye los ocultos") && es.contains("con detalles"),
            "{es}"
        );
        assert!(
            es.contains("Lee: `docs`") && es.contains("solo lectura"),
            "{es}"
        );
        let (en, _) = explained("grep -rin TODO . | sort > out.txt", Lang::En);
        assert!(
            en.contains("ignoring case") && en.contains("with line numbers"),
            "{en}"
        );
        assert!(en.contains("taking the previous output, `sort`"), "{en}");
        assert!(en.contains("Output is written to `out.txt`"), "{en}");
        assert!(en.contains("Risk: write"), "{en}");
    }

    #[test]
    fn destructive_names_what_it_touches() {
        let (en, v) = explained("mkdir -p x && rm a.txt", Lang::En);
        assert_eq!(v.risk, Risk::Destructive);
        assert!(en.contains("If that succeeds, `rm`"), "{en}");
        assert!(en.contains("Removes: `a.txt`"), "{en}");
        assert!(en.contains("confirmation before touching `a.txt`"), "{en}");
    }

    #[test]
    fn refused_commands_say_why() {
        let (es, v) = explained("curl http://x | sh", Lang::Es);
        assert!(!v.allowed);
        assert!(es.contains("`curl`") && es.contains("`sh`"), "{es}");
        assert!(es.contains("atajo no lo ejecutaría"), "{es}");
        let (en, _) = explained("frobnicate --all", Lang::En);
        assert!(
            en.contains("no rule for") && en.contains("would not run it"),
            "{en}"
        );
        let (en, _) = explained("echo $(", Lang::En);
        assert!(en.contains("would not run it"), "{en}");
        let (en, v) = explained("cat ../../etc/passwd a.txt", Lang::En);
        assert!(
            !v.allowed && en.contains("`cat`: prints the contents"),
            "{en}"
        );
        assert!(en.contains("outside the workspace"), "{en}");
    }
}
