//! Splits a program's arguments into options (with their values) and operands the way the
//! program itself will: GNU getopt (options anywhere before `--`, bundled letters, attached
//! or separate values, `--name=value`), tar's dashless first argument, find's expression, and
//! echo's leading flags. Only options the rule names are accepted, spelled out in full, so an
//! abbreviation or an unknown option can never hide a value from the policy.

use super::reason::Reason;
use super::rules::{Kind, Spec, Style};

/// One option as given: its canonical name (`-n`, `--lines`, `-name`) and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opt {
    pub name: String,
    pub value: Option<String>,
}

#[derive(Debug, Default)]
pub struct Parsed {
    pub options: Vec<Opt>,
    pub operands: Vec<String>,
}

impl Parsed {
    pub fn has(&self, name: &str) -> bool {
        match name.split_once('=') {
            // `--update=none` names an option with that value.
            Some((n, v)) => self
                .options
                .iter()
                .any(|o| o.name == n && o.value.as_deref() == Some(v)),
            None => self.options.iter().any(|o| o.name == name),
        }
    }
}

pub fn parse(spec: &Spec, args: &[String]) -> Result<Parsed, Reason> {
    match spec.style {
        Style::Getopt => getopt(spec, &old_style(spec, args)),
        Style::Find => find(spec, args),
        Style::Echo => Ok(echo(spec, args)),
        Style::Test => test(spec, args),
    }
}

fn denied(spec: &Spec, option: &str) -> Reason {
    match spec.denied.get(option) {
        Some(why) => Reason::option_why(&spec.name, option, *why),
        None => Reason::Option {
            program: spec.name.clone(),
            option: option.to_owned(),
        },
    }
}

/// `tar czf a.tgz d` means `tar -c -z -f a.tgz d`: each letter's value is the next argument.
fn old_style(spec: &Spec, args: &[String]) -> Vec<String> {
    let Some(first) = args
        .first()
        .filter(|a| spec.old_style && !a.starts_with('-'))
    else {
        return args.to_vec();
    };
    let mut rest = args[1..].iter();
    let mut out = Vec::new();
    for c in first.chars() {
        let name = format!("-{c}");
        let takes = spec.values.contains_key(&name);
        out.push(name);
        if takes && let Some(v) = rest.next() {
            out.push(v.clone());
        }
    }
    out.extend(rest.cloned());
    out
}

fn getopt(spec: &Spec, args: &[String]) -> Result<Parsed, Reason> {
    let mut parsed = Parsed::default();
    let mut it = args.iter();
    let missing = |option: &str| Reason::MissingValue {
        program: spec.name.clone(),
        option: option.to_owned(),
    };
    while let Some(arg) = it.next() {
        if arg == "--" {
            parsed.operands.extend(it.by_ref().cloned());
            break;
        }
        if arg == "-" || !arg.starts_with('-') {
            parsed.operands.push(arg.clone());
            continue;
        }
        if let Some(long) = arg.strip_prefix("--") {
            let (name, attached) = match long.split_once('=') {
                Some((n, v)) => (format!("--{n}"), Some(v.to_owned())),
                None => (arg.clone(), None),
            };
            if spec.denied.contains_key(&name) || spec.denied.contains_key(arg.as_str()) {
                return Err(denied(spec, &name));
            }
            if spec.values.contains_key(&name) {
                let value = match attached {
                    Some(v) => v,
                    None => it.next().cloned().ok_or_else(|| missing(&name))?,
                };
                parsed.options.push(Opt {
                    name,
                    value: Some(value),
                });
            } else if spec.optional.contains_key(&name) {
                parsed.options.push(Opt {
                    name,
                    value: attached,
                });
            } else if attached.is_none() && spec.long_flags.contains(&name) {
                parsed.options.push(Opt { name, value: None });
            } else if attached.is_some() && spec.long_flags.contains(arg.as_str()) {
                // A flag spelled with its value, such as `--sparse=auto`.
                parsed.options.push(Opt {
                    name: arg.clone(),
                    value: None,
                });
            } else {
                return Err(denied(spec, &name));
            }
            continue;
        }
        if spec.denied.contains_key(arg.as_str()) {
            return Err(denied(spec, arg));
        }
        let body: Vec<char> = arg[1..].chars().collect();
        if spec.numeric && body.iter().all(char::is_ascii_digit) {
            parsed.options.push(Opt {
                name: "-NUM".into(),
                value: Some(body.iter().collect()),
            });
            continue;
        }
        let mut k = 0;
        while k < body.len() {
            let name = format!("-{}", body[k]);
            let rest: String = body[k + 1..].iter().collect();
            if spec.denied.contains_key(&name) {
                return Err(denied(spec, &name));
            }
            if spec.values.contains_key(&name) {
                let value = if rest.is_empty() {
                    it.next().cloned().ok_or_else(|| missing(&name))?
                } else {
                    rest
                };
                parsed.options.push(Opt {
                    name,
                    value: Some(value),
                });
                break;
            }
            if spec.optional.contains_key(&name) {
                parsed.options.push(Opt {
                    name,
                    value: (!rest.is_empty()).then_some(rest),
                });
                break;
            }
            if spec.short_flags.contains(&body[k]) {
                parsed.options.push(Opt { name, value: None });
                k += 1;
                continue;
            }
            if spec.numeric && k == 0 && body[k].is_ascii_digit() {
                return Err(denied(spec, arg));
            }
            return Err(denied(spec, &name));
        }
    }
    Ok(parsed)
}

/// find [-P] [starting-point…] [expression]: starting points are operands; the expression's
/// predicates and their values are options.
fn find(spec: &Spec, args: &[String]) -> Result<Parsed, Reason> {
    let mut parsed = Parsed::default();
    let mut it = args.iter().peekable();
    while let Some(a) = it.peek() {
        match a.as_str() {
            "-P" => {
                it.next();
            }
            "-D" | "-O" | "-L" | "-H" => return Err(denied(spec, a)),
            _ if a.starts_with("-O") || a.starts_with("-D") => return Err(denied(spec, a)),
            _ => break,
        }
    }
    while let Some(a) = it.peek() {
        if a.starts_with('-') || matches!(a.as_str(), "(" | ")" | "!" | ",") {
            break;
        }
        parsed.operands.push(a.to_string());
        it.next();
    }
    while let Some(a) = it.next() {
        if matches!(
            a.as_str(),
            "(" | ")" | "!" | "," | "-not" | "-a" | "-and" | "-o" | "-or"
        ) {
            continue;
        }
        if spec.denied.contains_key(a.as_str()) {
            return Err(denied(spec, a));
        }
        match spec.predicates.get(a.as_str()) {
            Some(Kind::None) => parsed.options.push(Opt {
                name: a.clone(),
                value: None,
            }),
            Some(_) => {
                let value = it.next().cloned().ok_or_else(|| Reason::MissingValue {
                    program: spec.name.clone(),
                    option: a.clone(),
                })?;
                parsed.options.push(Opt {
                    name: a.clone(),
                    value: Some(value),
                });
            }
            None if !a.starts_with('-') => {
                // find refuses a path after the expression started; so do we, clearly.
                return Err(Reason::Syntax(super::reason::Syntax::FindOrder(a.clone())));
            }
            None => return Err(denied(spec, a)),
        }
    }
    Ok(parsed)
}

/// echo takes leading `-n`/`-e`/`-E` bundles; everything else, options included, is text.
fn echo(spec: &Spec, args: &[String]) -> Parsed {
    let mut parsed = Parsed::default();
    let mut flags_done = spec.name != "echo";
    for a in args {
        if !flags_done
            && a.len() > 1
            && a.starts_with('-')
            && a[1..].chars().all(|c| matches!(c, 'n' | 'e' | 'E'))
        {
            parsed.options.push(Opt {
                name: a.clone(),
                value: None,
            });
            continue;
        }
        flags_done = true;
        parsed.operands.push(a.clone());
    }
    parsed
}

/// Operators of test's grammar that compare two files: both sides are paths.
const TEST_FILE_PAIRS: [&str; 3] = ["-nt", "-ot", "-ef"];

/// `test EXPR` / `[ EXPR ]`: a unary operator the rule lists (`-f`, `-d`, `-n` …) takes the
/// next word as its value, so a file test's path is judged as a path and a string test's word
/// as text; `A -nt B` makes both sides paths; anything else (`=`, `-eq`, `!`, `(`) is text.
fn test(spec: &Spec, args: &[String]) -> Result<Parsed, Reason> {
    let mut words: &[String] = args;
    if spec.name == "[" {
        match words.split_last() {
            Some((last, rest)) if last == "]" => words = rest,
            _ => return Err(Reason::MissingOperand("[ … ]".into())),
        }
    }
    let mut parsed = Parsed::default();
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        if let Some(next) = words.get(i + 1)
            && spec.predicates.contains_key(w)
        {
            parsed.options.push(Opt {
                name: w.clone(),
                value: Some(next.clone()),
            });
            i += 2;
        } else if let (Some(op), Some(rhs)) = (words.get(i + 1), words.get(i + 2))
            && TEST_FILE_PAIRS.contains(&op.as_str())
        {
            for side in [w, rhs] {
                parsed.options.push(Opt {
                    name: op.clone(),
                    value: Some(side.clone()),
                });
            }
            i += 3;
        } else {
            parsed.operands.push(w.clone());
            i += 1;
        }
    }
    Ok(parsed)
}
