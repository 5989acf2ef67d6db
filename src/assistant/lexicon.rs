//! The vocabulary of file management in Spanish (Spain and Latin America, tú and usted) and
//! English. Keys are folded (lowercase, no accents), so "múestrame" and "muestrame" are one
//! word. Verbs carry the action they name; ambiguous verbs ("muestra", "abre", "cambia") are
//! settled later by what they act on.

use super::words::within_typo;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Create,
    /// "haz", "make": creates, unless what follows says otherwise ("haz un zip").
    Make,
    Delete,
    Move,
    /// "pon", "put", "mete": move, or write text.
    Put,
    Copy,
    Rename,
    List,
    /// "muestra", "show", "ver": a listing for a folder, the contents for a file.
    Show,
    Read,
    /// "abre", "open": into a folder, or show a file.
    Open,
    Find,
    Count,
    Compress,
    Extract,
    /// "dale", "give", "concede": permissions.
    Give,
    /// "quita", "take away": permissions, or delete.
    Take,
    Write,
    /// "añade", "add", "append": append text, or create.
    Add,
    /// "cambia", "change": rename, replace, permissions, or a cd.
    Change,
    Replace,
    Cd,
    Up,
    Tree,
    Sort,
    Empty,
}

const VERBS: &[(Verb, &[&str])] = &[
    (
        Verb::Create,
        &[
            "crea", "crear", "cree", "creen", "creame", "creeme", "creas", "creo", "genera",
            "generar", "genere", "generame", "create", "creates", "creating", "mkdir", "touch",
            "nueva", "nuevo", "new", "inicia",
        ],
    ),
    (
        Verb::Make,
        &[
            "haz",
            "hacer",
            "haga",
            "hazme",
            "hagame",
            "make",
            "makes",
            "making",
            "prepara",
            "preparar",
            "prepare",
            "setup",
            "build",
            "construye",
        ],
    ),
    (
        Verb::Delete,
        &[
            "borra",
            "borrar",
            "borre",
            "borren",
            "borrame",
            "elimina",
            "eliminar",
            "elimine",
            "eliminame",
            "suprime",
            "suprimir",
            "suprima",
            "delete",
            "deletes",
            "remove",
            "removes",
            "erase",
            "rm",
            "rmdir",
            "del",
            "destruye",
            "destroy",
            "trash",
            "tira",
            "deshazte",
            "unlink",
            "wipe",
            "purge",
            "rid",
        ],
    ),
    (
        Verb::Move,
        &[
            "mueve",
            "mover",
            "mueva",
            "muevan",
            "mv",
            "move",
            "moves",
            "traslada",
            "trasladar",
            "traslade",
            "lleva",
            "llevar",
            "lleve",
            "pasa",
            "pasar",
            "pase",
            "transfer",
            "relocate",
            "manda",
            "mandar",
        ],
    ),
    (
        Verb::Put,
        &[
            "pon", "poner", "ponga", "mete", "meter", "meta", "put", "place", "guarda", "guardar",
            "guarde", "store",
        ],
    ),
    (
        Verb::Copy,
        &[
            "copia",
            "copiar",
            "copie",
            "copien",
            "copiame",
            "cp",
            "copy",
            "copies",
            "duplica",
            "duplicar",
            "duplique",
            "duplicate",
            "clone",
            "clona",
            "clonar",
            "respalda",
            "respaldar",
            "replicate",
        ],
    ),
    (
        Verb::Rename,
        &[
            "renombra",
            "renombrar",
            "renombre",
            "renombrame",
            "rename",
            "renames",
            "renombralo",
            "retitula",
        ],
    ),
    (
        Verb::List,
        &[
            "lista",
            "listar",
            "liste",
            "listame",
            "ls",
            "list",
            "lists",
            "enumera",
            "enumerar",
            "enumere",
            "enumerate",
        ],
    ),
    (
        Verb::Show,
        &[
            "muestra",
            "mostrar",
            "muestre",
            "muestrame",
            "muestreme",
            "ensena",
            "ensenar",
            "ensene",
            "ensename",
            "ver",
            "veo",
            "mira",
            "mirar",
            "mire",
            "show",
            "shows",
            "display",
            "see",
            "view",
            "dime",
            "digame",
            "dices",
            "tell",
            "visualiza",
            "check",
            "revisa",
            "echa",
        ],
    ),
    (
        Verb::Read,
        &[
            "lee", "leer", "lea", "leeme", "read", "cat", "print", "imprime", "imprimir",
            "imprima", "output", "dump",
        ],
    ),
    (Verb::Open, &["abre", "abrir", "abra", "open", "opens"]),
    (
        Verb::Find,
        &[
            "busca",
            "buscar",
            "busque",
            "buscame",
            "busqueme",
            "encuentra",
            "encontrar",
            "encuentre",
            "encuentrame",
            "localiza",
            "localizar",
            "localice",
            "find",
            "finds",
            "search",
            "searching",
            "locate",
            "look",
            "grep",
            "hunt",
        ],
    ),
    (
        Verb::Count,
        &[
            "cuenta", "contar", "cuente", "cuentame", "count", "counts", "cuantos", "cuantas",
            "wc", "tally",
        ],
    ),
    (
        Verb::Compress,
        &[
            "comprime",
            "comprimir",
            "comprima",
            "empaqueta",
            "empaquetar",
            "empaquete",
            "archiva",
            "archivar",
            "archive",
            "compress",
            "zip",
            "zipea",
            "pack",
            "tar",
            "gzip",
            "bundle",
        ],
    ),
    (
        Verb::Extract,
        &[
            "descomprime",
            "descomprimir",
            "descomprima",
            "extrae",
            "extraer",
            "extraiga",
            "desempaqueta",
            "desempaquetar",
            "desempaquete",
            "unzip",
            "unpack",
            "extract",
            "decompress",
            "uncompress",
            "gunzip",
            "untar",
            "expand",
        ],
    ),
    (
        Verb::Give,
        &[
            "dale", "da", "dar", "dele", "concede", "conceder", "otorga", "give", "grant", "allow",
            "permite", "permitir",
        ],
    ),
    (
        Verb::Take,
        &[
            "quita", "quitar", "quite", "quitale", "quitele", "retira", "retirar", "retire",
            "take", "revoke", "strip", "drop",
        ],
    ),
    (
        Verb::Write,
        &[
            "escribe",
            "escribir",
            "escriba",
            "escribeme",
            "write",
            "writes",
            "sobrescribe",
            "overwrite",
            "rellena",
            "fill",
        ],
    ),
    (
        Verb::Add,
        &[
            "anade", "anadir", "anada", "agrega", "agregar", "agregue", "add", "adds", "append",
            "appends", "adjunta", "incluye", "insert", "inserta",
        ],
    ),
    (
        Verb::Change,
        &[
            "cambia",
            "cambiar",
            "cambie",
            "cambiale",
            "cambiele",
            "change",
            "changes",
            "modifica",
            "modificar",
            "modifique",
            "modify",
            "set",
            "ajusta",
            "establece",
            "switch",
            "convierte",
            "convert",
            "turn",
        ],
    ),
    (
        Verb::Replace,
        &[
            "reemplaza",
            "reemplazar",
            "reemplace",
            "sustituye",
            "sustituir",
            "sustituya",
            "substitute",
            "replace",
            "replaces",
            "swap",
            "sed",
        ],
    ),
    (
        Verb::Cd,
        &[
            "entra", "entrar", "entre", "ve", "ir", "vete", "vaya", "vamos", "voy", "go", "goes",
            "enter", "cd", "navega", "navegar", "navegue", "navigate", "accede", "acceder",
            "acceda", "muevete", "situate", "situame", "llevame", "chdir", "pasate", "metete",
        ],
    ),
    (
        Verb::Up,
        &[
            "sube",
            "subir",
            "suba",
            "subamos",
            "regresa",
            "regresar",
            "regrese",
            "vuelve",
            "volver",
            "vuelva",
            "retrocede",
            "retroceder",
        ],
    ),
    (Verb::Tree, &["tree", "arbol"]),
    (
        Verb::Sort,
        &[
            "ordena", "ordenar", "ordene", "ordename", "sort", "sorts", "organiza", "order",
        ],
    ),
    (
        Verb::Empty,
        &[
            "vacia", "vaciar", "vacie", "empty", "clear", "limpia", "limpiar",
        ],
    ),
];

/// The verb a folded word names, exactly.
pub fn verb(key: &str) -> Option<Verb> {
    plain_or_voseo(key).or_else(|| enclitic(key))
}

/// A verb form as listed, or the imperative of "vos" (River Plate, Central America): the
/// infinitive without its final r, stressed ("mostrá", "hacé", "descomprimí"; folded,
/// "mostra", "hace", "descompri").
fn plain_or_voseo(key: &str) -> Option<Verb> {
    let listed = |w: &str| {
        VERBS
            .iter()
            .find(|(_, words)| words.contains(&w))
            .map(|(v, _)| *v)
    };
    listed(key).or_else(|| {
        (key.len() >= 3 && matches!(key.chars().last(), Some('a' | 'e' | 'i')))
            .then(|| listed(&format!("{key}r")))
            .flatten()
    })
}

/// Spanish verbs carry pronouns at the end: "bórralo", "cópialos", "muéstramelos", and with
/// "vos", "mostrame", "haceme".
fn enclitic(key: &str) -> Option<Verb> {
    for suffix in [
        "melos", "melas", "selo", "sela", "los", "las", "les", "lo", "la", "le", "me", "nos",
    ] {
        if let Some(stem) = key.strip_suffix(suffix)
            && stem.len() >= 2
            && let Some(v) = plain_or_voseo(stem)
        {
            return Some(v);
        }
    }
    None
}

/// True when the enclitic pronoun points at the object ("bórralo" = delete it).
pub fn carries_object_pronoun(key: &str) -> bool {
    verb(key).is_some()
        && ["lo", "los", "la", "las", "melo", "melos", "mela", "melas"]
            .iter()
            .any(|s| key.ends_with(s))
        && !VERBS.iter().any(|(_, w)| w.contains(&key))
}

/// A misspelt verb: one slip from a verb of at least five letters ("delte", "creat").
pub fn verb_typo(key: &str) -> Option<Verb> {
    if key.chars().count() < 4 || !key.chars().all(char::is_alphabetic) {
        return None;
    }
    VERBS.iter().find_map(|(v, words)| {
        words
            .iter()
            .any(|w| w.len() >= 5 && within_typo(key, w, 1))
            .then_some(*v)
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Noun {
    Folder,
    File,
}

const FOLDERS: &[&str] = &[
    "carpeta",
    "carpetas",
    "carpetita",
    "directorio",
    "directorios",
    "subcarpeta",
    "subcarpetas",
    "subdirectorio",
    "subdirectorios",
    "folder",
    "folders",
    "directory",
    "directories",
    "dir",
    "dirs",
    "subfolder",
    "subfolders",
    "subdirectory",
    "subdirectories",
];
const FILES: &[&str] = &[
    "archivo",
    "archivos",
    "fichero",
    "ficheros",
    "file",
    "files",
    "documento",
    "documentos",
    "document",
    "documents",
];

/// "carpeta", "files", … and whether the word is plural.
pub fn noun(key: &str) -> Option<(Noun, bool)> {
    let plural = key.ends_with('s') && !matches!(key, "dirs" | "ls");
    let plural = plural || key == "dirs";
    if FOLDERS.contains(&key) {
        Some((Noun::Folder, plural))
    } else if FILES.contains(&key) {
        Some((Noun::File, plural))
    } else {
        None
    }
}

pub fn noun_typo(key: &str) -> Option<(Noun, bool)> {
    if key.chars().count() < 5 || !key.chars().all(char::is_alphabetic) {
        return None;
    }
    fn hit(key: &str, set: &[&'static str]) -> Option<&'static str> {
        set.iter()
            .find(|w| w.len() >= 5 && within_typo(key, w, 1))
            .copied()
    }
    hit(key, FOLDERS).or_else(|| hit(key, FILES)).and_then(noun)
}

/// Words that name a kind of file, as the extensions they stand for.
pub fn kind(key: &str) -> Option<&'static [&'static str]> {
    Some(match key {
        "log" | "logs" | "registro" | "registros" => &["log"],
        "pdf" | "pdfs" => &["pdf"],
        "csv" | "csvs" => &["csv"],
        "txt" | "txts" | "texto" | "textos" | "text" => &["txt"],
        "markdown" | "md" => &["md"],
        "json" | "jsons" => &["json"],
        "html" => &["html", "htm"],
        "css" => &["css"],
        "python" | "py" => &["py"],
        "javascript" | "js" => &["js"],
        "typescript" | "ts" => &["ts"],
        "rust" => &["rs"],
        "java" => &["java"],
        "script" | "scripts" | "shell" | "sh" => &["sh"],
        "imagen" | "imagenes" | "image" | "images" | "foto" | "fotos" | "photo" | "photos"
        | "picture" | "pictures" | "fotografias" | "pics" => {
            &["jpg", "jpeg", "png", "gif", "webp", "bmp"]
        }
        "jpg" | "jpgs" | "jpeg" | "jpegs" => &["jpg"],
        "png" | "pngs" => &["png"],
        "gif" | "gifs" => &["gif"],
        "cancion" | "canciones" | "song" | "songs" | "audio" | "audios" | "mp3" | "mp3s" => {
            &["mp3", "ogg", "flac", "wav", "m4a"]
        }
        "video" | "videos" | "pelicula" | "peliculas" | "movie" | "movies" | "mp4" => {
            &["mp4", "mkv", "avi", "mov", "webm"]
        }
        "zip" | "zips" => &["zip"],
        "hoja" | "hojas" | "spreadsheet" | "spreadsheets" | "excel" | "xlsx" => {
            &["xlsx", "xls", "ods"]
        }
        "yaml" | "yml" => &["yml", "yaml"],
        "xml" => &["xml"],
        "ini" => &["ini"],
        "bak" | "backup" | "backups" => &["bak"],
        _ => return None,
    })
}

/// Everyday words that hint at the extension behind a name ("the log of the application").
pub fn synonyms(key: &str) -> &'static [&'static str] {
    match key {
        "aplicacion" | "application" | "aplicaciones" => &["app", "application", "aplicacion"],
        "errores" | "error" | "errors" => &["error", "err"],
        "configuracion" | "config" | "configuration" | "ajustes" | "settings" => {
            &["config", "conf", "settings", "ajustes"]
        }
        "principal" | "main" => &["main", "principal", "index"],
        "pruebas" | "tests" | "test" | "prueba" => &["test", "tests", "prueba"],
        "utilidades" | "utils" | "utilities" => &["util", "utils"],
        "notas" | "notes" | "apuntes" => &["nota", "notes", "note", "apuntes"],
        "tareas" | "todo" | "pendientes" | "tasks" => &["todo", "tareas", "tasks", "pendientes"],
        "registro" | "bitacora" => &["log"],
        "clientes" | "customers" | "clients" => &["clientes", "customers", "clients"],
        "ventas" | "sales" => &["ventas", "sales"],
        "despliegue" | "deploy" | "deployment" => &["deploy"],
        "copia" | "respaldo" | "backup" => &["backup", "respaldo", "copia"],
        "instalador" | "installer" => &["instalador", "install", "installer", "setup"],
        "informe" | "report" | "reporte" => &["informe", "report", "reporte"],
        "presupuesto" | "budget" => &["presupuesto", "budget"],
        "reunion" | "meeting" => &["reunion", "meeting"],
        "cambios" | "changelog" | "changes" => &["changelog", "changes", "cambios"],
        "manual" | "guia" | "guide" => &["manual", "guia", "guide"],
        _ => &[],
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prep {
    /// a, al, hacia, to, into, onto
    To,
    /// en, dentro (de), in, inside, within, under
    In,
    /// de, del, desde, of, from, off
    From,
    /// como, as
    As,
    /// por, with (the new value in "cambia X por Y", "replace X with Y")
    By,
}

pub fn prep(key: &str) -> Option<Prep> {
    Some(match key {
        "a" | "al" | "hacia" | "hasta" | "to" | "into" | "onto" | "towards" | "para" => Prep::To,
        "en" | "dentro" | "adentro" | "in" | "inside" | "within" | "under" | "bajo" | "entre" => {
            Prep::In
        }
        "de" | "del" | "desde" | "of" | "from" | "off" => Prep::From,
        "como" | "as" => Prep::As,
        "por" | "with" | "con" | "by" => Prep::By,
        _ => return None,
    })
}

/// Words that carry no meaning for the command: articles, politeness, auxiliaries.
pub fn filler(key: &str) -> bool {
    matches!(
        key,
        "el" | "la"
            | "los"
            | "las"
            | "lo"
            | "un"
            | "una"
            | "unos"
            | "unas"
            | "the"
            | "an"
            | "some"
            | "por favor"
            | "favor"
            | "please"
            | "pls"
            | "plz"
            | "kindly"
            | "me"
            | "mi"
            | "mis"
            | "my"
            | "tu"
            | "su"
            | "sus"
            | "your"
            | "our"
            | "nuestro"
            | "nuestra"
            | "que"
            | "se"
            | "te"
            | "le"
            | "les"
            | "puedes"
            | "podrias"
            | "podria"
            | "puede"
            | "pueden"
            | "quiero"
            | "quisiera"
            | "necesito"
            | "can"
            | "could"
            | "would"
            | "will"
            | "you"
            | "u"
            | "i"
            | "want"
            | "need"
            | "like"
            | "let's"
            | "lets"
            | "let"
            | "us"
            | "vale"
            | "ok"
            | "okay"
            | "bueno"
            | "just"
            | "solo"
            | "only"
            | "also"
            | "tambien"
            | "ahora"
            | "now"
            | "rapido"
            | "quickly"
            | "gracias"
            | "thanks"
            | "thank"
            | "is"
            | "are"
            | "was"
            | "were"
            | "be"
            | "do"
            | "does"
            | "did"
            | "esta"
            | "estan"
            | "es"
            | "son"
            | "hay"
            | "tiene"
            | "tienen"
            | "there"
            | "have"
            | "has"
            | "this"
            | "that"
            | "these"
            | "those"
            | "cual"
            | "cuales"
            | "which"
            | "what"
            | "what's"
            | "whats"
            | "it's"
            | "its"
            | "entero"
            | "entera"
            | "whole"
            | "entire"
            | "actual"
            | "current"
            | "existing"
            | "existente"
            | "so"
            | "it"
            | "ello"
            | "for"
            | "en"
            | "dentro"
            | "incluidos"
            | "incluidas"
            | "incluido"
            | "incluyendo"
            | "including"
            | "included"
            | "ones"
            | "combined"
            | "juntos"
            | "juntas"
            | "total"
            | "donde"
            | "where"
            | "where's"
            | "wheres"
            | "how"
            | "cuanto"
            | "cuanta"
            | "why"
            | "ya"
            | "already"
            | "many"
            | "much"
            | "sorted"
            | "ordered"
            | "ordenados"
            | "ordenadas"
            | "ordenado"
            | "ordenada"
            | "modificados"
            | "modificadas"
            | "modificado"
            | "modificada"
            | "modified"
            | "changed"
            | "edited"
            | "editados"
            | "updated"
            | "actualizados"
            | "touched"
    )
}

/// Greetings and calls for attention, meaningful only as a name later in a sentence.
pub fn greeting(key: &str) -> bool {
    matches!(
        key,
        "oye"
            | "oiga"
            | "hey"
            | "hola"
            | "hi"
            | "hello"
            | "buenas"
            | "yo"
            | "ey"
            | "eh"
            | "porfa"
            | "porfavor"
            | "porfis"
            // "get rid of", "get me a list": the verb that carries the meaning follows.
            | "get"
            // Interjections and ways of addressing someone across the Spanish-speaking world
            // (Mexico, Venezuela, Cuba, Spain, the River Plate, the Andes) and English.
            | "andale"
            | "orale"
            | "chamo"
            | "chama"
            | "asere"
            | "che"
            | "wey"
            | "guey"
            | "pana"
            | "parce"
            | "parcero"
            | "mijo"
            | "mija"
            | "compa"
            | "pues"
            | "venga"
            | "mira"
            | "ahorita"
            | "dude"
            | "buddy"
            | "mate"
            | "alright"
            | "ok"
            | "okay"
            | "well"
    )
}

/// Words that say "the names that follow are the new names": "llamada", "called", "que se llame".
pub fn naming(key: &str) -> bool {
    matches!(
        key,
        "llamada"
            | "llamado"
            | "llamadas"
            | "llamados"
            | "llame"
            | "llamen"
            | "llamara"
            | "llamarse"
            | "nombrada"
            | "nombrado"
            | "denominada"
            | "denominado"
            | "titulada"
            | "titulado"
            | "called"
            | "named"
            | "titled"
            | "nombre"
            | "name"
            | "nombres"
            | "names"
    )
}

pub fn and(key: &str) -> bool {
    matches!(
        key,
        "y" | "e"
            | "and"
            | "luego"
            | "then"
            | "despues"
            | "afterwards"
            | "after"
            | "tras"
            | "finalmente"
            | "finally"
            | "ademas"
            | "plus"
    )
}

/// Words that point back at the folder just named or the current one.
pub fn pronoun(key: &str) -> bool {
    matches!(
        key,
        "ella"
            | "ellas"
            | "el"
            | "ahi"
            | "alli"
            | "alla"
            | "it"
            | "there"
            | "them"
            | "ellos"
            | "esa"
            | "ese"
            | "esta"
            | "este"
            | "eso"
            | "esto"
    )
}

/// The current folder: "aquí", "here", "esta carpeta".
pub fn here(key: &str) -> bool {
    matches!(
        key,
        "aqui" | "aca" | "here" | "." | "./" | "actual" | "current"
    )
}

pub fn all(key: &str) -> bool {
    matches!(
        key,
        "todo"
            | "todos"
            | "todas"
            | "toda"
            | "all"
            | "every"
            | "each"
            | "cada"
            | "everything"
            | "any"
            | "cualquier"
    )
}

/// Modifiers that change a command but name nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    Hidden,
    Details,
    Recursive,
    First,
    Last,
    Lines,
    Words,
    Chars,
    BySize,
    ByDate,
    ByName,
    Numeric,
    Reverse,
    Unique,
    Newest,
    Oldest,
    Biggest,
    Smallest,
    More,
    Less,
    Execute,
    ReadPerm,
    WritePerm,
    ReadOnly,
    Permission,
    Extension,
    Content,
    Contains,
    IgnoreCase,
    OnlyDirs,
    Levels,
    End,
    Word,
    Today,
    Days,
    Weeks,
    Ago,
    Empty,
    /// "conservando el .gz", "keep the compressed file": the original stays.
    Keep,
}

pub fn flag(key: &str) -> Option<Flag> {
    use Flag::*;
    Some(match key {
        "ocultos" | "ocultas" | "oculto" | "oculta" | "hidden" | "escondidos" | "dotfiles" => {
            Hidden
        }
        "detalles" | "detalle" | "detallada" | "detallado" | "details" | "detailed" | "long"
        | "informacion" | "info" => Details,
        "recursivamente" | "recursivo" | "recursive" | "recursively" | "completa" | "completo" => {
            Recursive
        }
        "primeras" | "primeros" | "primera" | "primer" | "first" | "top" | "inicio"
        | "comienzo" | "principio" | "head" | "beginning" | "start" => First,
        "ultimas" | "ultimos" | "ultima" | "last" | "bottom" | "tail" | "final" | "end" => Last,
        "linea" | "lineas" | "line" | "lines" | "renglones" | "filas" | "rows" => Lines,
        "palabras" | "words" => Words,
        "caracteres" | "characters" | "chars" | "letras" | "letters" => Chars,
        "tamano" | "tamanos" | "size" | "sizes" | "peso" | "grandes" | "pesados" => BySize,
        "fecha" | "date" | "modificacion" | "modification" | "time" | "hora" => ByDate,
        "alfabeticamente" | "alfabetico" | "alphabetically" | "alphabetical" | "alfabetica" => {
            ByName
        }
        "numericamente" | "numerico" | "numerica" | "numerically" | "numeric" | "numeros"
        | "numbers" | "numerical" => Numeric,
        "inverso" | "inversa" | "reverse" | "reversed" | "descending" | "descendente"
        | "invertido" | "decreciente" => Reverse,
        "duplicados" | "duplicadas" | "repetidos" | "repetidas" | "unique" | "unicos"
        | "unicas" | "duplicates" | "dupes" => Unique,
        "reciente" | "recientes" | "newest" | "latest" | "recent" | "recently" | "newer" => Newest,
        "antiguo" | "antigua" | "antiguos" | "antiguas" | "oldest" | "viejo" | "vieja"
        | "older" | "earliest" => Oldest,
        "grande" | "biggest" | "largest" | "bigger" | "larger" | "pesado" | "heaviest"
        | "mayor" | "mayores" | "big" | "large" => Biggest,
        "pequeno" | "pequena" | "smallest" | "smaller" | "tiny" | "menor" | "menores" | "chico"
        | "small" | "ligero" => Smallest,
        "mas" | "more" | "over" | "above" | "exceeding" | "than" | "superior" => More,
        "menos" | "less" | "fewer" | "below" | "inferior" => Less,
        "ejecucion" | "ejecutable" | "ejecutables" | "executable" | "execute" | "exec"
        | "execution" | "ejecutar" | "run" | "runnable" | "+x" => Execute,
        "lectura" | "leer" | "readable" => ReadPerm,
        "escritura" | "escribir" | "writable" | "writeable" | "write" => WritePerm,
        "read-only" | "readonly" | "solo-lectura" => ReadOnly,
        "permiso" | "permisos" | "permission" | "permissions" | "rights" | "derechos" | "chmod" => {
            Permission
        }
        "extension" | "extensiones" | "extensions" | "terminacion" => Extension,
        "contenido" | "contents" | "content" | "dentro" => Content,
        "contengan" | "contenga" | "contienen" | "contiene" | "containing" | "contain"
        | "contains" | "mention" | "mentions" | "mencionan" | "menciona" | "mencionen"
        | "incluyan" | "include" | "includes" | "aparece" | "aparezca" | "appears" | "has"
        | "tengan" => Contains,
        "mayusculas" | "minusculas" | "case" | "insensitive" | "case-insensitive"
        | "ignorecase" => IgnoreCase,
        "niveles" | "nivel" | "levels" | "level" | "profundidad" | "depth" => Levels,
        "palabra" | "word" | "texto" | "text" | "cadena" | "string" | "frase" | "phrase"
        | "termino" | "term" | "patron" | "pattern" => Word,
        "hoy" | "today" => Today,
        "dias" | "dia" | "days" | "day" => Days,
        "semanas" | "semana" | "weeks" | "week" => Weeks,
        "hace" | "ago" => Ago,
        "vacios" | "vacias" | "vacio" | "vacia" | "empty" => Empty,
        "conserva" | "conservar" | "conservando" | "conserve" | "manten" | "mantener"
        | "manteniendo" | "mantenga" | "guarda" | "guardando" | "keep" | "keeping" | "preserve"
        | "preserving" | "retain" => Keep,
        _ => return None,
    })
}

/// Size units as `find -size` suffixes.
pub fn size_unit(key: &str) -> Option<&'static str> {
    Some(match key {
        "kb" | "k" | "kib" | "kilobytes" | "kilobyte" | "kilos" | "ka" => "k",
        "mb" | "m" | "mib" | "megabytes" | "megabyte" | "megas" | "mega" | "megs" => "M",
        "gb" | "g" | "gib" | "gigabytes" | "gigabyte" | "gigas" | "giga" => "G",
        "bytes" | "byte" | "b" => "c",
        _ => return None,
    })
}

/// Every word the grammar knows, so a word that is none of these may be a name.
pub fn known(key: &str) -> bool {
    verb(key).is_some()
        || noun(key).is_some()
        || prep(key).is_some()
        || filler(key)
        || naming(key)
        || and(key)
        || pronoun(key)
        || here(key)
        || all(key)
        || flag(key).is_some()
}
