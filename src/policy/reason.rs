//! Why a command was refused, in words a person understands, in Spanish or English.

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
    #[error("pipelines (|) are not supported yet")]
    Pipeline,
    #[error("{0} is not allowed: only simple commands joined by ;, && or ||")]
    Compound(&'static str),
    #[error("redirections (>, <) are not supported yet")]
    Redirection,
    #[error("setting variables ({0}=…) is not allowed")]
    Assignment(String),
    #[error("command substitution ($(…) or `…`) is not allowed: it runs a hidden command")]
    Substitution,
    #[error("{0} expansion is not allowed: write the name literally, in quotes if needed")]
    Expansion(&'static str),
    #[error("patterns such as {0} are not supported yet: name the files one by one")]
    Pattern(String),
    #[error("control characters in {0:?} are not allowed")]
    ControlChars(String),
    #[error("`{0}` is not allowed: atajo runs mkdir, touch, ls, cat, pwd and cd")]
    Program(String),
    #[error("option {option} of {program} is not allowed")]
    Option { program: String, option: String },
    #[error("{0} needs at least one name")]
    MissingOperand(String),
    #[error("{0} takes at most {1} name(s)")]
    TooManyOperands(String, usize),
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
    #[error("cannot inspect {0}: {1}")]
    Io(String, String),
}

impl Reason {
    pub fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            Reason::Empty => "el comando está vacío".into(),
            Reason::TooLong(n, max) => format!("el comando es demasiado largo ({n} bytes; el límite es {max})"),
            Reason::Syntax(e) => format!("no se pudo analizar el comando: {e}"),
            Reason::Background => "no se permite ejecutar en segundo plano (&)".into(),
            Reason::Pipeline => "las tuberías (|) aún no están soportadas".into(),
            Reason::Compound(what) => format!("{what} no está permitido: solo comandos simples unidos por ;, && o ||"),
            Reason::Redirection => "las redirecciones (>, <) aún no están soportadas".into(),
            Reason::Assignment(name) => format!("no se permite asignar variables ({name}=…)"),
            Reason::Substitution => "la sustitución de comandos ($(…) o `…`) no está permitida: ejecuta un comando oculto".into(),
            Reason::Expansion(what) => format!("la expansión {what} no está permitida: escribe el nombre tal cual, entre comillas si hace falta"),
            Reason::Pattern(p) => format!("los patrones como {p} aún no están soportados: nombra los archivos uno a uno"),
            Reason::ControlChars(w) => format!("no se permiten caracteres de control en {w:?}"),
            Reason::Program(p) => format!("`{p}` no está permitido: atajo ejecuta mkdir, touch, ls, cat, pwd y cd"),
            Reason::Option { program, option } => format!("la opción {option} de {program} no está permitida"),
            Reason::MissingOperand(p) => format!("{p} necesita al menos un nombre"),
            Reason::TooManyOperands(p, n) => format!("{p} admite como mucho {n} nombre(s)"),
            Reason::Outside(p) => format!("{p} está fuera del espacio de trabajo"),
            Reason::Symlink(p) => format!("{p} sale del espacio de trabajo a través de un enlace simbólico"),
            Reason::Dangling(p) => format!("{p} es un enlace simbólico cuyo destino no existe"),
            Reason::Protected(p) => format!("{p} pertenece al estado de atajo (.atajo) o a los datos internos de git y no se puede modificar"),
            Reason::Io(p, e) => format!("no se puede inspeccionar {p}: {e}"),
        }
    }
}
