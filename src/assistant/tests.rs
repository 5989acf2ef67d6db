use super::*;

fn ctx() -> Context<'static> {
    Context::from_entries([
        ("README.md", false),
        ("notas.txt", false),
        ("todo.txt", false),
        ("app.log", false),
        ("src", true),
        ("src/main.py", false),
        ("src/utils.py", false),
        ("docs", true),
        ("docs/guia.txt", false),
        ("logs", true),
        ("logs/error.log", false),
        ("logs/2024-01-01.log", false),
        ("Mis Documentos", true),
        ("música", true),
        ("música/rock", true),
        ("Informe año 2024.txt", false),
    ])
}

fn cmd(text: &str) -> Option<String> {
    translate(text, None, &ctx()).command
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
        cmd("make a new directory named src2").as_deref(),
        Some("mkdir src2")
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
        cmd("crea el archivo notas2.txt").as_deref(),
        Some("touch notas2.txt")
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
    assert_eq!(
        cmd("haz una carpeta que se llame copias de seguridad").as_deref(),
        Some("mkdir 'copias de seguridad'")
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
    assert_eq!(
        cmd("escribe '$(rm -rf ~)' en notas2.txt").as_deref(),
        Some("echo '$(rm -rf ~)' > notas2.txt")
    );
}

#[test]
fn uses_the_names_around() {
    assert_eq!(
        cmd("entra en la carpeta musica").as_deref(),
        Some("cd música")
    );
    assert_eq!(
        cmd("lista Mis Documentos").as_deref(),
        Some("ls 'Mis Documentos'")
    );
    assert_eq!(
        cmd("muestra el informe del año 2024").as_deref(),
        Some("cat 'Informe año 2024.txt'")
    );
    assert_eq!(
        cmd("show the last two lines of the error log in logs").as_deref(),
        Some("tail -n 2 logs/error.log")
    );
    assert_eq!(
        cmd("muestra las últimas 5 líneas del log de la aplicación").as_deref(),
        Some("tail -n 5 app.log")
    );
}

#[test]
fn lists_moves_and_asks() {
    assert_eq!(cmd("lista los archivos").as_deref(), Some("ls"));
    assert_eq!(
        cmd("list hidden files in docs").as_deref(),
        Some("ls -A docs")
    );
    assert_eq!(cmd("muestra notas.txt").as_deref(), Some("cat notas.txt"));
    assert_eq!(cmd("entra en docs").as_deref(), Some("cd docs"));
    assert_eq!(cmd("go up").as_deref(), Some("cd .."));
    assert_eq!(cmd("¿dónde estoy?").as_deref(), Some("pwd"));
    assert_eq!(cmd("where am I").as_deref(), Some("pwd"));
    assert_eq!(
        cmd("mueve notas.txt a docs").as_deref(),
        Some("mv notas.txt docs/")
    );
    assert_eq!(cmd("borra todo").as_deref(), None);
    assert_eq!(cmd("delete everything").as_deref(), None);
}

#[test]
fn explains_in_the_instruction_language_or_declines() {
    let t = translate("crea la carpeta fotos", None, &ctx());
    assert!(
        t.explanation.starts_with("Crea la carpeta «fotos»"),
        "{}",
        t.explanation
    );
    let t = translate("create a folder called photos", None, &ctx());
    assert!(
        t.explanation.starts_with("Creates the folder"),
        "{}",
        t.explanation
    );
    let t = translate("haz algo bonito con mi vida", None, &ctx());
    assert_eq!(t.command, None);
    assert!(t.explanation.contains("No entendí"), "{}", t.explanation);
    for nonsense in [
        "hazme un café",
        "tell me a joke",
        "what's the weather like today?",
    ] {
        assert_eq!(
            translate(nonsense, None, &ctx()).command,
            None,
            "{nonsense}"
        );
    }
    let t = translate("", Some(Lang::En), &ctx());
    assert_eq!(t.command, None);
}

#[test]
fn renames_keep_every_word_of_the_new_name() {
    assert_eq!(
        cmd("renombra notas.txt a notas viejas.txt").as_deref(),
        Some("mv notas.txt 'notas viejas.txt'")
    );
    // "viejo" is also an age word and "mis" a filler: inside a new name they are words.
    assert_eq!(
        cmd("cambia el nombre de docs a mis docs viejos").as_deref(),
        Some("mv docs 'mis docs viejos'")
    );
    assert_eq!(
        cmd("rename the docs folder to old docs please").as_deref(),
        Some("mv docs 'old docs'")
    );
    assert_eq!(
        cmd("cámbiale el nombre a src por código fuente").as_deref(),
        Some("mv src 'código fuente'")
    );
}

#[test]
fn a_name_found_once_below_is_the_one_meant_unless_creating() {
    // guia.txt only exists in docs/; error.log only in logs/.
    assert_eq!(
        cmd("renombra guia.txt a manual.txt").as_deref(),
        Some("mv docs/guia.txt docs/manual.txt")
    );
    assert_eq!(
        cmd("copia error.log a la carpeta rock").as_deref(),
        Some("cp logs/error.log música/rock/")
    );
    // Creating never goes looking for an existing name below.
    assert_eq!(
        cmd("crea el archivo guia.txt").as_deref(),
        Some("touch guia.txt")
    );
}

#[test]
fn dentro_and_ahi_after_a_new_folder_are_that_folder() {
    assert_eq!(
        cmd("crea la carpeta textos y mueve dentro los archivos txt").as_deref(),
        Some("mkdir textos && mv *.txt textos/")
    );
    assert_eq!(
        cmd("crea la carpeta copias y copia ahí los .log").as_deref(),
        Some("mkdir copias && cp *.log copias/")
    );
}

mod names_stay_literal {
    use std::path::Path;

    use proptest::prelude::*;

    use super::*;
    use crate::policy::{self, Rules};

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Any soup of the words the rules read (verbs, the words they are chosen by,
        /// connectors, quotes, names here and not, shell characters) is translated without a
        /// panic, and whatever command comes out is judged by the policy, never run unjudged:
        /// the instruction path a client reaches with any text.
        #[test]
        fn any_mix_of_the_rules_words_is_answered_and_judged(
            words in proptest::collection::vec(proptest::sample::select(vec![
                "borra", "delete", "mueve", "copy", "crea", "make", "the", "la", "de", "en", "in",
                "to", "a", "y", "and", "then", "luego", "más", "most", "biggest", "pesa", "ocupa",
                "líneas", "lines", "first", "last", "header", "cabecera", "o", "or", "WARN",
                "'x y'", "same", "misma", "carpeta", "folder", "up", "level", "nivel", "zip",
                "comprimido", "que", "no", "sean", "not", "pero", "sin", "but", "keep", "with",
                "for", "version=2", "notas.txt", "README", "readme", "src", "logs", "música",
                "nada.txt", "¿", "?", ",", "&", ";", "$(x)", "-rf", "..", "/etc", "aquí", "here",
                "un", "poema", "back", "times", "veces", "every", "todos", "except", "menos",
                "please", "gracias", "take", "look", "at", "échale", "vistazo", "dentro", "otra",
                "another", "called", "save", "guárdalo", "result", "gzip", "solo", "yo", "only",
                "I", "leer", "escribir", "read", "write", "parent", "original", "esa", "that",
                "punto", "empiezan", "por", "go", "one", "dos", "two", "levels", "aparece",
                "api's", "'s", "top", "raíz", "root", "current", "actual", "con", "README.md",
                "says", "diga", "inside", "as", "named", "nombre", "call", "project", "tar",
                "archive", "photos", "recipe", "next", "door", "right", "mismo", "incluir",
                "other", "than", "find", "SERVER.PY", "unzip", "the", "stylesheet", "pon",
            ]), 0..14),
            top in proptest::bool::ANY,
        ) {
            let text = words.join(" ");
            // Said somewhere inside a workspace, or at its very top (where climbs are declined).
            let here = if top { ctx().at_top() } else { ctx() };
            let t = translate(&text, None, &here);
            if let Some(command) = t.command {
                prop_assert!(!command.trim().is_empty(), "{text:?} gave an empty command");
                let dir = tempfile::tempdir().unwrap();
                let root = dir.path().canonicalize().unwrap();
                // Judged, whatever the verdict: the policy parses every command the rules give.
                let _ = policy::check(
                    &command,
                    policy::Context { root: &root, cwd: Path::new(""), rules: Rules::builtin().unwrap() },
                );
            }
        }

        /// Whatever a quoted name holds (`;`, `$(…)`, `*`, quotes, a leading dash), the
        /// command that creates it gives mkdir exactly that one name: the policy's own
        /// parse of the translation finds one literal argument equal to it.
        #[test]
        fn a_quoted_name_reaches_the_program_as_one_literal_word(
            name in "[a-zA-Z0-9 ;&|$(){}*?!<>`'~#=%,.:ñáé\\[\\]\\\\-]{1,24}"
        ) {
            let name = name.trim().to_owned();
            prop_assume!(!name.is_empty() && name != "." && name != "..");
            prop_assume!(!name.starts_with(".atajo"));
            let t = translate(&format!("crea la carpeta «{name}»"), None, &Context::empty());
            // Declining is safe, and only a home-looking name is declined.
            let Some(command) = t.command.clone() else {
                // Users quote paths too ("'~/x'"), so the refusal looks past quote marks.
                let bare = name.trim_matches(|c| c == '\'' || c == '"');
                let drive = bare.len() >= 3 && bare.as_bytes()[0].is_ascii_alphabetic() && bare[1..].starts_with(":\\");
                prop_assert!(bare.starts_with('~') || drive, "declined {name:?}: {}", t.explanation);
                return Ok(());
            };
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path().canonicalize().unwrap();
            let checked = policy::check(
                &command,
                policy::Context { root: &root, cwd: Path::new(""), rules: Rules::builtin().unwrap() },
            );
            let checked = match checked {
                Ok(c) => c,
                Err(d) => return Err(TestCaseError::fail(format!("{command:?} denied: {}", d.reason))),
            };
            let stage = &checked.steps[0].stages[0];
            prop_assert_eq!(&stage.program, "mkdir");
            // The operands as mkdir itself will read them (after its options and `--`).
            let operands: Vec<&str> = stage.meaning.operands.iter().map(|(o, _)| o.as_str()).collect();
            prop_assert_eq!(operands, vec![name.as_str()], "{}", command);
        }
    }
}

#[test]
fn a_file_before_the_verb_of_writing_is_declined_not_a_panic() {
    // The property test found it: the text to write was sliced from after the verb to before
    // the file, and here the file comes first.
    assert_eq!(cmd("nada.txt write"), None);
    assert_eq!(cmd("notas.txt escribe"), None);
}

#[test]
fn an_unknown_verb_is_never_a_command() {
    // The known verb comes after a word nobody knows: that word was the verb.
    for text in [
        "actualiza todos los paquetes del sistema",
        "book a table for two and drop the confirmation in booking.md",
        "guess next week's lottery numbers and write them to lucky.txt",
        "ping google.com and save the output to ping.txt",
    ] {
        assert_eq!(cmd(text), None, "{text}");
    }
    // Greetings, interjections and an earlier question are not verbs of their own.
    assert_eq!(
        cmd("ándale, bórrame el app.log").as_deref(),
        Some("rm app.log")
    );
    assert_eq!(
        cmd("oye chamo, crea la carpeta fotos").as_deref(),
        Some("mkdir fotos")
    );
    assert_eq!(
        cmd("any logs around? show me app.log").as_deref(),
        Some("cat app.log")
    );
    // A verb used as a noun after a light verb: "stash a copy of".
    assert_eq!(
        cmd("stash a copy of notas.txt in docs").as_deref(),
        Some("cp notas.txt docs/")
    );
    // What follows a preposition describes a place or a file.
    assert_eq!(
        cmd("en logs borra error.log").as_deref(),
        Some("rm logs/error.log")
    );
}

#[test]
fn voseo_imperatives_with_and_without_pronouns() {
    assert_eq!(cmd("mostrame notas.txt").as_deref(), Some("cat notas.txt"));
    assert_eq!(cmd("borrá todo.txt").as_deref(), Some("rm todo.txt"));
    assert_eq!(
        cmd("creá una carpeta que se llame pruebas").as_deref(),
        Some("mkdir pruebas")
    );
}

#[test]
fn exclusions_are_honoured_or_the_instruction_declined() {
    assert_eq!(
        cmd("borra todos los .log de la carpeta logs menos error.log").as_deref(),
        Some("rm -r logs/2024-01-01.log")
    );
    assert_eq!(
        cmd("delete everything in src except main.py").as_deref(),
        Some("rm src/utils.py")
    );
    assert_eq!(
        cmd("mueve todos los .txt menos notas.txt a docs").as_deref(),
        Some("mv 'Informe año 2024.txt' todo.txt docs/")
    );
    // An exclusion that names nothing among the targets is said, not ignored.
    let t = translate(
        "borra todos los .log de la carpeta logs menos nada.log",
        None,
        &ctx(),
    );
    assert_eq!(t.command, None);
    assert!(t.explanation.contains("nada.log"), "{}", t.explanation);
    // A command that cannot honour one declines the whole.
    assert_eq!(cmd("crea la carpeta fotos menos videos"), None);
}

#[test]
fn what_is_deleted_moved_or_chmoded_must_be_there() {
    let t = translate("borra fantasma.txt", None, &ctx());
    assert_eq!(t.command, None);
    assert!(t.explanation.contains("fantasma.txt"), "{}", t.explanation);
    // A slip: the closest names are offered.
    let t = translate("borra notass.txt", None, &ctx());
    assert_eq!(t.command, None);
    assert!(t.explanation.contains("notas.txt"), "{}", t.explanation);
    assert_eq!(cmd("mueve fantasma.txt a docs"), None);
    assert_eq!(cmd("dale permisos 777 a todo el sistema de ficheros"), None);
    // "take me to" goes there; it never removes.
    assert_eq!(
        cmd("take me to the rock folder").as_deref(),
        Some("cd música/rock")
    );
    // What an earlier clause made is there.
    assert_eq!(
        cmd("crea el archivo nuevo.txt y luego bórralo").as_deref(),
        Some("touch nuevo.txt && rm nuevo.txt")
    );
    assert_eq!(cmd("borra notas.txt").as_deref(), Some("rm notas.txt"));
}

#[test]
fn shell_characters_in_an_instruction_are_part_of_a_name() {
    for (text, want) in [
        (
            "crea la carpeta informe & touch X",
            "mkdir 'informe & touch X'",
        ),
        (
            "create a folder named x && rm -rf y",
            "mkdir 'x && rm -rf y'",
        ),
        ("crea la carpeta informe | cat", "mkdir 'informe | cat'"),
        ("crea la carpeta $(whoami)", "mkdir '$(whoami)'"),
    ] {
        assert_eq!(cmd(text).as_deref(), Some(want), "{text}");
    }
}

#[test]
fn the_language_files_examples_translate_as_they_say() {
    let failures = super::self_test();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(super::lexicon::examples().len() >= 20);
}

#[test]
fn a_name_said_but_left_out_of_the_command_is_not_understood() {
    // A file said in a place the command does not use: mkdir alone would do only part of
    // what was asked.
    for text in [
        "make a folder PROJECT with a file notes.txt in docs",
        "crea la carpeta PROYECTO, mete notas.txt en un sitio bonito",
    ] {
        assert_eq!(cmd(text), None, "{text}");
    }
    // "with a file … (inside)", "containing a file …": the file is made in the folder.
    for (text, want) in [
        (
            "make a folder PROJECT containing a file notes.txt",
            "mkdir PROJECT && touch PROJECT/notes.txt",
        ),
        (
            "make a folder called PROJECT with a notes.txt file inside",
            "mkdir PROJECT && touch PROJECT/notes.txt",
        ),
        (
            "crea la carpeta PROYECTO con un archivo notas.txt dentro",
            "mkdir PROYECTO && touch PROYECTO/notas.txt",
        ),
    ] {
        assert_eq!(cmd(text).as_deref(), Some(want), "{text}");
    }
    // Every name said is in the command: understood.
    assert_eq!(
        cmd("crea la carpeta X y dentro un archivo notas.txt").as_deref(),
        Some("mkdir X && touch X/notas.txt")
    );
    assert_eq!(
        cmd("comprime la carpeta docs en docs.zip").as_deref(),
        Some("zip -r docs.zip docs")
    );
}
