//! The embedded rule engine: a small grammar of file-management instructions in Spanish and
//! English. An instruction is split into clauses ("crea X y dentro un archivo Y"), each clause
//! becomes actions, and names are quoted for the shell so they are always literal.

use std::borrow::Cow;

use super::Translation;
use super::words::{Token, tokenize};
use crate::lang::Lang;

const CREATE: &[&str] = &[
    "crea", "crear", "creame", "cree", "creen", "creas", "haz", "hazme", "hacer", "genera",
    "generar", "anade", "anadir", "agrega", "agregar", "create", "make", "add", "mk",
];
const NEW: &[&str] = &["nueva", "nuevo", "nuevas", "nuevos", "new"];
const FOLDER: &[&str] = &[
    "carpeta",
    "carpetas",
    "directorio",
    "directorios",
    "folder",
    "folders",
    "directory",
    "directories",
    "dir",
    "dirs",
];
const FILE: &[&str] = &[
    "archivo",
    "archivos",
    "fichero",
    "ficheros",
    "file",
    "files",
    "documento",
    "documentos",
];
const LIST: &[&str] = &[
    "lista",
    "listar",
    "listame",
    "liste",
    "list",
    "muestra",
    "mostrar",
    "muestrame",
    "muestre",
    "ensena",
    "ensename",
    "ver",
    "show",
    "display",
    "see",
];
const READ: &[&str] = &["lee", "leer", "read", "print", "imprime", "cat"];
const CD: &[&str] = &[
    "entra", "entrar", "entre", "ve", "ir", "vete", "vamos", "cambia", "cambiate", "go", "enter",
    "cd", "open", "abre", "abrir", "switch", "change",
];
const UP: &[&str] = &[
    "sube", "subir", "arriba", "up", "atras", "back", "volver", "vuelve",
];
const FILLER: &[&str] = &[
    "la", "el", "los", "las", "un", "una", "unos", "unas", "the", "a", "an", "llamada", "llamado",
    "llamadas", "llamados", "called", "named", "nombre", "name", "con", "with", "que", "se",
    "llame", "llamen", "de", "nombrada", "nombrado", "vacia", "vacio", "vacias", "vacios", "empty",
    "por", "favor", "please", "me", "mi", "my", "to", "dentro", "inside", "into", "within", "en",
    "in", "a", "al", "of", "del", "folder's", "its",
];
const PLACE: &[&str] = &[
    "en", "in", "inside", "dentro", "into", "within", "bajo", "under",
];
const AND: &[&str] = &[
    "y", "e", "and", "luego", "then", "despues", "after", "tambien", "also",
];
const PRONOUN: &[&str] = &[
    "ella", "el", "ahi", "alli", "alla", "it", "there", "esa", "ese", "that", "this", "esta",
    "este",
];
const HIDDEN: &[&str] = &["ocultos", "ocultas", "oculto", "hidden", "todos", "all"];
const DETAIL: &[&str] = &[
    "detalles", "detalle", "tamano", "tamanos", "details", "detailed", "sizes", "size", "long",
];
/// Programs that make a text a command already (the policy's rules decide what they may do).
const PROGRAMS: &[&str] = &[
    "mkdir", "touch", "ls", "cat", "pwd", "cd", "rm", "rmdir", "cp", "mv", "find", "grep", "sed",
    "tar", "zip", "unzip", "head", "tail", "wc", "sort", "du", "tree", "chmod", "echo", "undo",
];

const ES_HINTS: &[&str] = &[
    "crea",
    "crear",
    "carpeta",
    "archivo",
    "fichero",
    "lista",
    "muestra",
    "entra",
    "donde",
    "estoy",
    "dentro",
    "la",
    "el",
    "y",
    "en",
    "una",
    "un",
    "llamada",
    "directorio",
    "sube",
    "de",
    "con",
    "que",
    "por",
    "para",
    "mi",
    "los",
    "las",
    "del",
    "haz",
    "algo",
    "es",
    "nueva",
    "nuevo",
    "todos",
    "ocultos",
];
const EN_HINTS: &[&str] = &[
    "create",
    "make",
    "folder",
    "file",
    "list",
    "show",
    "go",
    "where",
    "am",
    "inside",
    "the",
    "and",
    "in",
    "a",
    "called",
    "named",
    "directory",
    "up",
    "into",
    "of",
    "with",
    "my",
    "for",
    "to",
    "please",
    "something",
    "new",
    "all",
    "hidden",
    "files",
];

#[derive(Debug, Clone, PartialEq)]
enum Action {
    MakeDirs(Vec<String>),
    MakeFiles(Vec<String>),
    List {
        path: Option<String>,
        hidden: bool,
        long: bool,
    },
    Show(String),
    Cd(String),
    Pwd,
}

fn is(t: &Token, set: &[&str]) -> bool {
    !t.quoted && !t.comma && set.contains(&t.key.as_str())
}

fn detect_lang(tokens: &[Token]) -> Lang {
    let count = |set: &[&str]| tokens.iter().filter(|t| is(t, set)).count();
    let (es, en) = (count(ES_HINTS), count(EN_HINTS));
    if es > en
        || (es == en
            && tokens
                .iter()
                .any(|t| t.raw != t.key && t.raw.to_lowercase() != t.key))
    {
        Lang::Es
    } else {
        Lang::En
    }
}

pub fn translate(text: &str, forced: Option<Lang>) -> Translation {
    let tokens = tokenize(text);
    let lang = forced.unwrap_or_else(|| detect_lang(&tokens));
    if tokens.is_empty() {
        return not_understood(lang);
    }
    if is(&tokens[0], PROGRAMS) {
        return Translation {
            command: Some(text.trim().to_owned()),
            explanation: lang.pick(
                "Es ya un comando: se ejecuta tal cual, tras pasar la política.",
                "This is already a command: it runs as written, once the policy allows it.",
            ),
            source: "passthrough".into(),
            confidence: 0.9,
            lang,
        };
    }
    match Grammar::new(&tokens).parse() {
        Some((actions, confidence)) if !actions.is_empty() => render(&actions, lang, confidence),
        _ => not_understood(lang),
    }
}

fn not_understood(lang: Lang) -> Translation {
    Translation {
        command: None,
        explanation: lang.pick(
            "No entendí la instrucción. Prueba, por ejemplo: «crea la carpeta fotos», «crea el archivo notas.txt en docs», «lista los archivos» o «entra en docs».",
            "I did not understand that. Try, for example: \"create a folder called photos\", \"create the file notes.txt in docs\", \"list the files\" or \"go into docs\".",
        ),
        source: "rules".into(),
        confidence: 0.0,
        lang,
    }
}

struct Grammar<'a> {
    t: &'a [Token],
    i: usize,
    /// The folder most recently named, for "dentro", "ella", "it".
    last_dir: Option<String>,
    certain: bool,
}

impl<'a> Grammar<'a> {
    fn new(t: &'a [Token]) -> Self {
        Self {
            t,
            i: 0,
            last_dir: None,
            certain: true,
        }
    }

    fn peek(&self) -> Option<&'a Token> {
        self.t.get(self.i)
    }

    fn parse(mut self) -> Option<(Vec<Action>, f64)> {
        let mut actions = Vec::new();
        while self.i < self.t.len() {
            while self.peek().is_some_and(|t| is(t, AND)) {
                self.i += 1;
            }
            if self.i >= self.t.len() {
                break;
            }
            let clause = self.clause()?;
            actions.extend(clause);
        }
        Some((actions, if self.certain { 0.95 } else { 0.7 }))
    }

    /// True when the token at `i` begins a new clause rather than continuing a list of names.
    fn starts_clause(&self, i: usize) -> bool {
        let Some(t) = self.t.get(i) else { return false };
        is(t, CREATE)
            || is(t, LIST)
            || is(t, CD)
            || is(t, READ)
            || is(t, UP)
            || is(t, NEW)
            || (is(t, &["dentro", "inside"]))
            || (is(
                t,
                &[
                    "un", "una", "unos", "unas", "a", "an", "otro", "otra", "another",
                ],
            ) && self
                .t
                .get(i + 1)
                .is_some_and(|n| is(n, FOLDER) || is(n, FILE)))
            || (is(t, FOLDER) || is(t, FILE))
            || self.is_pwd_at(i)
    }

    fn is_pwd_at(&self, i: usize) -> bool {
        let key = |k: usize| self.t.get(k).filter(|t| !t.quoted).map(|t| t.key.as_str());
        matches!(
            (key(i), key(i + 1), key(i + 2)),
            (Some("donde"), Some("estoy" | "estamos"), _)
                | (Some("where"), Some("am" | "are"), _)
                | (Some("pwd"), _, _)
                | (Some("carpeta" | "directorio"), Some("actual"), _)
                | (Some("current"), Some("folder" | "directory"), _)
                | (Some("en"), Some("que"), Some("carpeta" | "directorio"))
                | (Some("which" | "what"), Some("folder" | "directory"), _)
        )
    }

    fn clause(&mut self) -> Option<Vec<Action>> {
        if self.is_pwd_at(self.i) {
            self.i = self.t.len().min(self.i + 2);
            while self.peek().is_some_and(|t| !is(t, AND)) {
                self.i += 1;
            }
            return Some(vec![Action::Pwd]);
        }
        let t = self.peek()?;
        if is(t, &["dentro", "inside"]) {
            // "y dentro (de ella) (crea) un archivo notas.txt"
            self.i += 1;
            let place = self.last_dir.clone()?;
            self.skip(&[
                "de", "of", "it", "ella", "el", "esa", "ese", "that", "folder", "carpeta",
            ]);
            if self.peek().is_some_and(|t| is(t, CREATE)) {
                self.i += 1;
            }
            return self.create(Some(place));
        }
        if is(t, UP) {
            self.i += 1;
            self.skip(&[
                "un", "one", "nivel", "level", "a", "la", "carpeta", "folder", "superior",
                "parent", "anterior",
            ]);
            return Some(vec![Action::Cd("..".into())]);
        }
        if is(t, CREATE) || is(t, NEW) {
            self.i += 1;
            return self.create(None);
        }
        if is(t, FOLDER) || is(t, FILE) {
            // "carpeta nueva X", an elided verb after "y": inherit "create".
            self.certain = false;
            return self.create(None);
        }
        if is(t, CD) {
            self.i += 1;
            if self.peek().is_some_and(|t| is(t, UP)) {
                self.i += 1;
                return Some(vec![Action::Cd("..".into())]);
            }
            let target = self.target()?;
            return Some(vec![Action::Cd(target)]);
        }
        if is(t, READ) {
            self.i += 1;
            let target = self.target()?;
            return Some(vec![Action::Show(target)]);
        }
        if is(t, LIST) {
            self.i += 1;
            return self.list();
        }
        None
    }

    fn skip(&mut self, set: &[&str]) {
        while self.peek().is_some_and(|t| is(t, set)) {
            self.i += 1;
        }
    }

    /// One path-like target ("la carpeta docs", "it", "notas.txt").
    fn target(&mut self) -> Option<String> {
        self.skip(FILLER);
        self.skip(FOLDER);
        self.skip(FILE);
        self.skip(FILLER);
        let t = self.peek()?;
        if is(t, PRONOUN) {
            self.i += 1;
            return self.last_dir.clone();
        }
        if is(t, AND) {
            return None;
        }
        self.i += 1;
        Some(t.raw.clone())
    }

    fn create(&mut self, place: Option<String>) -> Option<Vec<Action>> {
        self.skip(FILLER);
        self.skip(NEW);
        let (mut is_dir, mut plural, mut known) = (true, false, false);
        if let Some(t) = self.peek()
            && (is(t, FOLDER) || is(t, FILE))
        {
            is_dir = is(t, FOLDER);
            plural = t.key.ends_with('s');
            known = true;
            self.i += 1;
        }
        self.skip(NEW);
        self.skip(FILLER);
        let mut names: Vec<String> = Vec::new();
        let mut place = place;
        while let Some(t) = self.peek() {
            if is(t, AND) || t.raw == "," {
                if self.starts_clause(self.i + 1) || !plural {
                    break;
                }
                self.i += 1;
                continue;
            }
            if is(t, PLACE) && !names.is_empty() {
                self.i += 1;
                place = self.target();
                continue;
            }
            if !t.quoted && names.is_empty() && is(t, FILLER) {
                self.i += 1;
                continue;
            }
            names.push(t.raw.clone());
            self.i += 1;
        }
        if names.is_empty() || (!known && names.len() > 1) {
            // Without "folder" or "file" said, guess only for a single plain name.
            return None;
        }
        if !plural && names.len() > 1 {
            // "create a folder called my photos": one name with a space.
            names = vec![names.join(" ")];
        }
        if !known {
            self.certain = false;
            is_dir = !names.iter().all(|n| n.contains('.'));
        }
        let names: Vec<String> = names
            .into_iter()
            .map(|n| match &place {
                Some(p) if !p.is_empty() => format!("{}/{}", p.trim_end_matches('/'), n),
                _ => n,
            })
            .collect();
        if is_dir {
            self.last_dir = names.last().cloned();
            Some(vec![Action::MakeDirs(names)])
        } else {
            Some(vec![Action::MakeFiles(names)])
        }
    }

    fn list(&mut self) -> Option<Vec<Action>> {
        let (mut hidden, mut long, mut path, mut is_file) = (false, false, None, false);
        while let Some(t) = self.peek() {
            if is(t, AND) && self.starts_clause(self.i + 1) {
                break;
            }
            self.i += 1;
            if is(t, HIDDEN) {
                hidden = true;
            } else if is(t, DETAIL) {
                long = true;
            } else if is(t, FILE) && t.key.ends_with('s') || is(t, FOLDER) {
                // "los archivos", "the folder docs"
            } else if is(t, FILE) {
                is_file = true;
            } else if is(t, PRONOUN) {
                path = self.last_dir.clone();
            } else if is(t, FILLER)
                || is(t, AND)
                || is(
                    t,
                    &[
                        "contenido",
                        "contents",
                        "content",
                        "todo",
                        "everything",
                        "hay",
                        "what",
                        "s",
                        "is",
                        "incluidos",
                        "including",
                        "incluso",
                        "con",
                        "aqui",
                        "here",
                    ],
                )
            {
            } else {
                path = Some(t.raw.clone());
            }
        }
        match path {
            Some(p) if is_file || looks_like_file(&p) => Some(vec![Action::Show(p)]),
            path => Some(vec![Action::List { path, hidden, long }]),
        }
    }
}

fn looks_like_file(name: &str) -> bool {
    name.rsplit_once('.')
        .is_some_and(|(stem, ext)| !stem.is_empty() && (1..=5).contains(&ext.len()))
}

/// Quotes a name for the shell so it is always one literal word.
fn q(name: &str) -> Cow<'_, str> {
    shlex::try_quote(name).unwrap_or(Cow::Borrowed("''"))
}

fn names_args(names: &[String]) -> String {
    let quoted: Vec<_> = names.iter().map(|n| q(n).into_owned()).collect();
    let sep = if names.iter().any(|n| n.starts_with('-')) {
        "-- "
    } else {
        ""
    };
    format!("{sep}{}", quoted.join(" "))
}

fn list_names(names: &[String], lang: Lang) -> String {
    let shown: Vec<String> = names
        .iter()
        .map(|n| match lang {
            Lang::Es => format!("«{n}»"),
            Lang::En => format!("\u{201c}{n}\u{201d}"),
        })
        .collect();
    let and = lang.pick(" y ", " and ");
    match shown.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{}{and}{last}", rest.join(", ")),
        _ => shown.concat(),
    }
}

fn render(actions: &[Action], lang: Lang, confidence: f64) -> Translation {
    let mut commands = Vec::new();
    let mut explained = Vec::new();
    for a in actions {
        let (cmd, es, en) = match a {
            Action::MakeDirs(names) => {
                let parents = names.iter().any(|n| n.contains('/'));
                let flag = if parents { "-p " } else { "" };
                let plural = names.len() > 1;
                (
                    format!("mkdir {flag}{}", names_args(names)),
                    format!(
                        "Crea {} {}",
                        if plural { "las carpetas" } else { "la carpeta" },
                        list_names(names, Lang::Es)
                    ),
                    format!(
                        "Creates the {} {}",
                        if plural { "folders" } else { "folder" },
                        list_names(names, Lang::En)
                    ),
                )
            }
            Action::MakeFiles(names) => {
                let plural = names.len() > 1;
                (
                    format!("touch {}", names_args(names)),
                    format!(
                        "Crea {} {} (vacío si no existe)",
                        if plural { "los archivos" } else { "el archivo" },
                        list_names(names, Lang::Es)
                    ),
                    format!(
                        "Creates the {} {} (empty if it does not exist)",
                        if plural { "files" } else { "file" },
                        list_names(names, Lang::En)
                    ),
                )
            }
            Action::List { path, hidden, long } => {
                let mut flags = String::new();
                if *long {
                    flags.push_str("lh");
                }
                if *hidden {
                    flags.push('a');
                }
                let mut cmd = String::from("ls");
                if !flags.is_empty() {
                    cmd.push_str(" -");
                    cmd.push_str(&flags);
                }
                if let Some(p) = path {
                    cmd.push(' ');
                    cmd.push_str(&names_args(std::slice::from_ref(p)));
                }
                let where_es = path.as_ref().map_or("la carpeta actual".to_owned(), |p| {
                    list_names(std::slice::from_ref(p), Lang::Es)
                });
                let where_en = path.as_ref().map_or("the current folder".to_owned(), |p| {
                    list_names(std::slice::from_ref(p), Lang::En)
                });
                (
                    cmd,
                    format!(
                        "Lista el contenido de {where_es}{}",
                        if *hidden {
                            ", incluidos los ocultos"
                        } else {
                            ""
                        }
                    ),
                    format!(
                        "Lists what is in {where_en}{}",
                        if *hidden {
                            ", hidden entries included"
                        } else {
                            ""
                        }
                    ),
                )
            }
            Action::Show(p) => (
                format!("cat {}", names_args(std::slice::from_ref(p))),
                format!(
                    "Muestra el contenido de {}",
                    list_names(std::slice::from_ref(p), Lang::Es)
                ),
                format!(
                    "Shows the contents of {}",
                    list_names(std::slice::from_ref(p), Lang::En)
                ),
            ),
            Action::Cd(p) if p == ".." => (
                "cd ..".to_owned(),
                "Sube a la carpeta superior".to_owned(),
                "Goes up to the parent folder".to_owned(),
            ),
            Action::Cd(p) => (
                format!("cd {}", names_args(std::slice::from_ref(p))),
                format!("Entra en {}", list_names(std::slice::from_ref(p), Lang::Es)),
                format!(
                    "Goes into {}",
                    list_names(std::slice::from_ref(p), Lang::En)
                ),
            ),
            Action::Pwd => (
                "pwd".to_owned(),
                "Muestra en qué carpeta estás".to_owned(),
                "Shows which folder you are in".to_owned(),
            ),
        };
        commands.push(cmd);
        explained.push(lang.pick(&es, &en));
    }
    Translation {
        command: Some(commands.join(" && ")),
        explanation: format!(
            "{}.",
            explained.join(lang.pick("; luego ", "; then ").as_str())
        ),
        source: "rules".into(),
        confidence,
        lang,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(text: &str) -> Option<String> {
        translate(text, None).command
    }

    #[test]
    fn creates_folders_and_files_in_both_languages() {
        assert_eq!(
            cmd("crear carpeta PROYECTO").as_deref(),
            Some("mkdir PROYECTO")
        );
        assert_eq!(
            cmd("Crea la carpeta PROYECTO").as_deref(),
            Some("mkdir PROYECTO")
        );
        assert_eq!(
            cmd("create a folder called PROYECTO").as_deref(),
            Some("mkdir PROYECTO")
        );
        assert_eq!(
            cmd("make a new directory named src").as_deref(),
            Some("mkdir src")
        );
        assert_eq!(
            cmd("nueva carpeta «Mis Fotos»").as_deref(),
            Some("mkdir 'Mis Fotos'")
        );
        assert_eq!(
            cmd("crea las carpetas a, b y c").as_deref(),
            Some("mkdir a b c")
        );
        assert_eq!(
            cmd("crea el archivo notas.txt").as_deref(),
            Some("touch notas.txt")
        );
        assert_eq!(
            cmd("create the file notes.txt in docs").as_deref(),
            Some("touch docs/notes.txt")
        );
        assert_eq!(
            cmd("crea la carpeta PROYECTO y dentro un archivo notas.txt").as_deref(),
            Some("mkdir PROYECTO && touch PROYECTO/notas.txt")
        );
        assert_eq!(
            cmd("crea la carpeta X y luego entra en ella").as_deref(),
            Some("mkdir X && cd X")
        );
    }

    #[test]
    fn names_are_always_literal() {
        assert_eq!(cmd("crea la carpeta 'a;b'").as_deref(), Some("mkdir 'a;b'"));
        assert_eq!(
            cmd("crear carpeta $(reboot)").as_deref(),
            Some("mkdir '$(reboot)'")
        );
        assert_eq!(cmd("crear carpeta *").as_deref(), Some("mkdir '*'"));
        assert_eq!(cmd("crear carpeta -rf").as_deref(), Some("mkdir -- -rf"));
    }

    #[test]
    fn lists_moves_and_asks() {
        assert_eq!(cmd("lista los archivos").as_deref(), Some("ls"));
        assert_eq!(
            cmd("list hidden files in docs").as_deref(),
            Some("ls -a docs")
        );
        assert_eq!(cmd("muestra notas.txt").as_deref(), Some("cat notas.txt"));
        assert_eq!(cmd("entra en docs").as_deref(), Some("cd docs"));
        assert_eq!(cmd("go up").as_deref(), Some("cd .."));
        assert_eq!(cmd("¿dónde estoy?").as_deref(), Some("pwd"));
        assert_eq!(cmd("where am I").as_deref(), Some("pwd"));
    }

    #[test]
    fn explains_in_the_instruction_language_or_declines() {
        let t = translate("crea la carpeta fotos", None);
        assert!(
            t.explanation.starts_with("Crea la carpeta «fotos»"),
            "{}",
            t.explanation
        );
        let t = translate("create a folder called photos", None);
        assert!(
            t.explanation.starts_with("Creates the folder"),
            "{}",
            t.explanation
        );
        let t = translate("haz algo bonito con mi vida", None);
        assert_eq!(t.command, None);
        assert!(t.explanation.contains("No entendí"));
        let t = translate("", Some(Lang::En));
        assert_eq!(t.command, None);
    }
}
