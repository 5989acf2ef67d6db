//! Why a command was refused, in words a person understands, in Spanish or English.

use super::never::Category;
use super::rules::Why;
use crate::lang::Lang;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Reason {
    #[error("the command is empty")]
    Empty,
    #[error("the command is too long ({0} bytes; the limit is {1})")]
    TooLong(usize, usize),
    #[error("the command could not be parsed: {0}")]
    Syntax(String),
    #[error("running in the background (&) is not allowed")]
    Background,
    #[error("{0} is not allowed: only simple commands joined by |, ;, && or ||")]
    Compound(&'static str),
    #[error("`{0}` cannot be part of a pipeline or have its input or output redirected")]
    NotInPipeline(String),
    #[error("redirection {0} is not allowed: use <, >, >>, 2>, &>, 2>&1 or a here-document")]
    Redirection(String),
    #[error("the redirection target {0} stands for several files")]
    Ambiguous(String),
    #[error(
        "the here-document expands $ or ` inside: quote its delimiter (<<'EOF') to keep it literal"
    )]
    HereDocExpansion,
    #[error("setting variables ({0}=…) is not allowed")]
    Assignment(String),
    #[error("setting {0} is not allowed: it changes which programs or libraries run")]
    DangerousAssignment(String),
    #[error("command substitution ($(…), `…` or <(…)) is not allowed: it runs a hidden command")]
    Substitution,
    #[error("{0} expansion is not allowed: write the name literally, in quotes if needed")]
    Expansion(&'static str),
    #[error("{0} expands to more than {1} words")]
    TooManyWords(String, usize),
    #[error("{0} is too complex to expand: write the names it stands for")]
    TooComplex(String),
    #[error("parentheses nested {0} deep are not allowed (subshells and substitutions never are)")]
    TooNested(usize),
    #[error("{0} would be given more than {1} arguments")]
    TooManyArgs(String, usize),
    #[error("control characters in {0:?} are not allowed")]
    ControlChars(String),
    #[error("invisible or direction-changing characters ({0}) are not allowed in names")]
    Invisible(String),
    #[error("run programs by name, not by path: {0}")]
    ProgramPath(String),
    #[error("`{0}` is never allowed: {why}", why = .1.describe(Lang::En))]
    Never(String, Category),
    #[error(
        "`{0}` is not one of the programs atajo runs (see `? rules` in the web terminal, `atajo rules` in a shell)"
    )]
    Program(String),
    #[error("option {option} of {program} is not allowed")]
    Option { program: String, option: String },
    #[error("option {option} of {program} is not allowed: {}", why_text(*.why, Lang::En))]
    OptionWhy {
        program: String,
        option: String,
        why: Why,
    },
    #[error("option {option} of {program} needs a value")]
    MissingValue { program: String, option: String },
    #[error("{0} needs at least one more argument")]
    MissingOperand(String),
    #[error("{0} takes at most {1} argument(s)")]
    TooManyOperands(String, usize),
    #[error("sed command `{0}` is not allowed: it runs a program or reads or writes another file")]
    SedCommand(String),
    #[error("the sed script could not be understood: {0}")]
    SedSyntax(String),
    #[error("{0} is outside the workspace")]
    Outside(String),
    #[error("{0} leads outside the workspace through a symbolic link")]
    Symlink(String),
    #[error("{0} is a symbolic link whose target does not exist")]
    Dangling(String),
    #[error(
        "{0} belongs to atajo's own state (.atajo) or to git's internals and cannot be changed"
    )]
    Protected(String),
    #[error("{0} is the workspace itself and cannot be removed")]
    RemoveRoot(String),
    #[error("cannot inspect {0}: {1}")]
    Io(String, String),
}

fn why_text(why: Why, lang: Lang) -> &'static str {
    match (why, lang) {
        (Why::RunsProgram, Lang::En) => "it runs another program",
        (Why::RunsProgram, Lang::Es) => "ejecuta otro programa",
        (Why::FollowsLinks, Lang::En) => {
            "it follows symbolic links, which may lead outside the workspace"
        }
        (Why::FollowsLinks, Lang::Es) => {
            "sigue enlaces simbólicos, que pueden salir del espacio de trabajo"
        }
        (Why::AbsoluteNames, Lang::En) => {
            "it keeps absolute or ../ names, which write outside the workspace"
        }
        (Why::AbsoluteNames, Lang::Es) => {
            "conserva nombres absolutos o con ../, que escriben fuera del espacio de trabajo"
        }
        (Why::Interactive, Lang::En) => "it asks questions, and commands here have no keyboard",
        (Why::Interactive, Lang::Es) => "hace preguntas, y aquí los comandos no tienen teclado",
        (Why::WritesElsewhere, Lang::En) => "it writes to a file given inside the expression",
        (Why::WritesElsewhere, Lang::Es) => "escribe en un archivo indicado dentro de la expresión",
        (Why::Remote, Lang::En) => "it reaches another machine",
        (Why::Remote, Lang::Es) => "accede a otra máquina",
        (Why::NeverEnds, Lang::En) => "it never ends",
        (Why::NeverEnds, Lang::Es) => "no termina nunca",
        (Why::HardLinks, Lang::En) => "hard links share the data of files outside atajo's control",
        (Why::HardLinks, Lang::Es) => {
            "los enlaces duros comparten los datos con archivos que atajo no controla"
        }
        (Why::SymbolicLinks, Lang::En) => "symbolic links may point outside the workspace",
        (Why::SymbolicLinks, Lang::Es) => {
            "los enlaces simbólicos pueden apuntar fuera del espacio de trabajo"
        }
        (Why::NeverAllowed, Lang::En) => "its effect cannot be checked before it runs",
        (Why::NeverAllowed, Lang::Es) => "su efecto no se puede comprobar antes de ejecutarlo",
    }
}

impl Reason {
    pub fn option_why(program: &str, option: &str, why: Why) -> Reason {
        Reason::OptionWhy {
            program: program.into(),
            option: option.into(),
            why,
        }
    }

    pub fn never(name: &str, category: Category) -> Reason {
        Reason::Never(name.into(), category)
    }

    pub fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            Reason::Empty => "el comando está vacío".into(),
            Reason::TooLong(n, max) => format!("el comando es demasiado largo ({n} bytes; el límite es {max})"),
            Reason::Syntax(e) => format!("no se pudo analizar el comando: {e}"),
            Reason::Background => "no se permite ejecutar en segundo plano (&)".into(),
            Reason::Compound(what) => format!("{what} no está permitido: solo comandos simples unidos por |, ;, && o ||"),
            Reason::NotInPipeline(p) => format!("`{p}` no puede formar parte de una tubería ni redirigir su entrada o salida"),
            Reason::Redirection(r) => format!("la redirección {r} no está permitida: usa <, >, >>, 2>, &>, 2>&1 o un here-document"),
            Reason::Ambiguous(w) => format!("el destino de la redirección {w} equivale a varios archivos"),
            Reason::HereDocExpansion => "el here-document expande $ o ` en su interior: pon el delimitador entre comillas (<<'EOF') para que sea literal".into(),
            Reason::Assignment(name) => format!("no se permite asignar variables ({name}=…)"),
            Reason::DangerousAssignment(name) => format!("no se permite asignar {name}: cambia qué programas o bibliotecas se ejecutan"),
            Reason::Substitution => "la sustitución de comandos ($(…), `…` o <(…)) no está permitida: ejecuta un comando oculto".into(),
            Reason::Expansion(what) => format!("la expansión {what} no está permitida: escribe el nombre tal cual, entre comillas si hace falta"),
            Reason::TooManyWords(w, n) => format!("{w} se expande a más de {n} palabras"),
            Reason::TooNested(n) => format!("no se permiten paréntesis anidados a {n} niveles (las subshells y las sustituciones nunca se permiten)"),
            Reason::TooManyArgs(p, n) => format!("{p} recibiría más de {n} argumentos"),
            Reason::TooComplex(w) => format!("{w} es demasiado complejo de expandir: escribe los nombres que representa"),
            Reason::ControlChars(w) => format!("no se permiten caracteres de control en {w:?}"),
            Reason::Invisible(w) => format!("no se permiten caracteres invisibles o que cambian la dirección del texto ({w}) en los nombres"),
            Reason::ProgramPath(p) => format!("ejecuta los programas por su nombre, no por su ruta: {p}"),
            Reason::Never(p, c) => format!("`{p}` nunca está permitido: {}", c.describe(Lang::Es)),
            Reason::Program(p) => format!("`{p}` no es uno de los programas que ejecuta atajo (mira `? rules` en el terminal web, `atajo rules` en una consola)"),
            Reason::Option { program, option } => format!("la opción {option} de {program} no está permitida"),
            Reason::OptionWhy { program, option, why } => format!("la opción {option} de {program} no está permitida: {}", why_text(*why, Lang::Es)),
            Reason::MissingValue { program, option } => format!("la opción {option} de {program} necesita un valor"),
            Reason::MissingOperand(p) => format!("{p} necesita al menos un argumento más"),
            Reason::TooManyOperands(p, n) => format!("{p} admite como mucho {n} argumento(s)"),
            Reason::SedCommand(c) => format!("la orden `{c}` de sed no está permitida: ejecuta un programa o lee o escribe otro archivo"),
            Reason::SedSyntax(e) => format!("no se entiende el guion de sed: {e}"),
            Reason::Outside(p) => format!("{p} está fuera del espacio de trabajo"),
            Reason::Symlink(p) => format!("{p} sale del espacio de trabajo a través de un enlace simbólico"),
            Reason::Dangling(p) => format!("{p} es un enlace simbólico cuyo destino no existe"),
            Reason::Protected(p) => format!("{p} pertenece al estado de atajo (.atajo) o a los datos internos de git y no se puede modificar"),
            Reason::RemoveRoot(p) => format!("{p} es el propio espacio de trabajo y no se puede borrar"),
            Reason::Io(p, e) => format!("no se puede inspeccionar {p}: {e}"),
        }
    }
}
