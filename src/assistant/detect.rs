//! Which language an instruction is in, and whether it is already a shell command.

use super::lexicon;
use super::words::Token;
use crate::lang::Lang;

const ES: &[&str] = &[
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
    "mis",
    "los",
    "las",
    "del",
    "al",
    "haz",
    "algo",
    "es",
    "nueva",
    "nuevo",
    "todos",
    "todas",
    "ocultos",
    "borra",
    "elimina",
    "mueve",
    "copia",
    "renombra",
    "busca",
    "cuenta",
    "cuantos",
    "cuantas",
    "cuanto",
    "lineas",
    "hay",
    "esta",
    "se",
    "llame",
    "ficheros",
    "archivos",
    "carpetas",
    "comprime",
    "descomprime",
    "extrae",
    "dale",
    "quita",
    "escribe",
    "anade",
    "ve",
    "arriba",
    "ordena",
    "reemplaza",
    "primeras",
    "ultimas",
    "aqui",
    "ahi",
    "favor",
    "oye",
    "dime",
    "muestrame",
    "ensena",
    "lee",
    "abre",
    "pasa",
    "mete",
    "pon",
    "borrar",
    "eliminar",
    "mover",
    "copiar",
    "renombrar",
    "buscar",
    "mostrar",
    "listar",
    "cambia",
    "cambiar",
    "nombre",
    "suprime",
    "mueva",
    "copie",
    "cree",
    "genere",
    "elimine",
    "borre",
    "lea",
    "busque",
    "cuente",
    "haga",
    "ponga",
    "sustituye",
    "traslada",
    "lleva",
    "guarda",
    "entra",
    "ve",
    "vete",
    "ir",
    "descarga",
    "tambien",
    "luego",
    "despues",
    "este",
    "estos",
    "estas",
    "su",
    "sus",
    "tu",
    "tus",
    "ficheros",
    "carpetas",
];
const EN: &[&str] = &[
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
    "delete",
    "remove",
    "move",
    "copy",
    "rename",
    "find",
    "search",
    "count",
    "how",
    "many",
    "much",
    "lines",
    "is",
    "are",
    "what",
    "what's",
    "whats",
    "which",
    "compress",
    "extract",
    "unpack",
    "give",
    "write",
    "append",
    "add",
    "sort",
    "replace",
    "first",
    "last",
    "here",
    "there",
    "it",
    "me",
    "from",
    "every",
    "folders",
    "this",
    "that",
    "does",
    "use",
    "an",
    "can",
    "you",
    "u",
    "hey",
];

pub fn language(tokens: &[Token]) -> Lang {
    // A word tells only when one language has it: "a" and "no" are both.
    let (mut es, mut en) = (0, 0);
    for t in tokens.iter().filter(|t| !t.quoted) {
        let k = t.key.as_str();
        let mut langs = lexicon::speakers(k);
        if ES.contains(&k) && !langs.contains(&"es") {
            langs.push("es");
        }
        if EN.contains(&k) && !langs.contains(&"en") {
            langs.push("en");
        }
        match langs.as_slice() {
            ["es"] => es += 1,
            ["en"] => en += 1,
            _ => {}
        }
    }
    let accented = tokens.iter().any(|t| {
        !t.quoted && t.raw.to_lowercase() != t.key && t.raw.chars().any(|c| "áéíóúñü¿¡".contains(c))
    });
    if es > en || (es == en && accented) {
        Lang::Es
    } else {
        Lang::En
    }
}

/// Programs whose name, first, makes a text a command already.
const PROGRAMS: &[&str] = &[
    "mkdir",
    "touch",
    "ls",
    "cat",
    "pwd",
    "cd",
    "rm",
    "rmdir",
    "cp",
    "mv",
    "find",
    "grep",
    "sed",
    "tar",
    "zip",
    "unzip",
    "head",
    "tail",
    "wc",
    "sort",
    "du",
    "tree",
    "chmod",
    "echo",
    "printf",
    "undo",
    "gzip",
    "gunzip",
    "stat",
    "file",
    "diff",
    "uniq",
    "cut",
    "tr",
    "basename",
    "dirname",
    "realpath",
    "ln",
    "truncate",
    "md5sum",
    "sha256sum",
    "bzip2",
    "xz",
    "nl",
    "tac",
    "rev",
];

/// A text is a command when it starts with a program and reads as shell, not as a sentence
/// ("sort data.txt" is a command, "sort the numbers in data.txt" is a sentence).
pub fn is_command(text: &str, tokens: &[Token]) -> bool {
    let Some(first) = tokens.first() else {
        return false;
    };
    if first.quoted || !PROGRAMS.contains(&first.raw.as_str()) {
        return false;
    }
    if text.contains(['|', '>', '<', '&', ';', '$', '`']) || tokens.len() == 1 {
        return true;
    }
    let sentence = tokens[1..].iter().any(|t| {
        !t.quoted
            && !t.raw.starts_with('-')
            && (lexicon::filler(&t.key)
                || lexicon::prep(&t.key).is_some()
                || lexicon::noun(&t.key).is_some()
                || lexicon::all(&t.key)
                || lexicon::and(&t.key)
                || lexicon::naming(&t.key)
                || (lexicon::here(&t.key) && t.key.chars().all(char::is_alphabetic))
                || lexicon::flag(&t.key).is_some())
    });
    // "zip src except config.json": an exclusion is said, not typed.
    let excludes = (1..tokens.len()).any(|i| super::except::starts_at(tokens, i).is_some());
    !sentence && !excludes
}
