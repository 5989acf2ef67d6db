//! Requests the assistant declines before trying to understand them: leaving the workspace,
//! the network, the machine itself. The policy would deny the commands anyway; saying no
//! here gives the person a reason instead of a command that fails.

use super::lexicon::{self, Verb};
use super::words::Token;
use crate::lang::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Outside,
    Network,
    System,
    Everything,
}

impl Refusal {
    pub fn explain(self, lang: Lang) -> String {
        match self {
            Refusal::Outside => lang.pick(
                "No puedo hacerlo: atajo solo trabaja con archivos dentro de la carpeta del espacio de trabajo, y esto apunta fuera de ella (rutas absolutas, claves o datos personales).",
                "I can't do that: atajo only works with files inside the workspace folder, and this points outside it (absolute paths, keys or personal data).",
            ),
            Refusal::Network => lang.pick(
                "No puedo hacerlo: atajo no envía ni descarga nada por la red (correo, servidores, URLs).",
                "I can't do that: atajo never sends or fetches anything over the network (mail, servers, URLs).",
            ),
            Refusal::System => lang.pick(
                "No puedo hacerlo: atajo gestiona archivos, no el sistema (apagar, reiniciar, formatear, instalar o administrar).",
                "I can't do that: atajo manages files, not the system (shutting down, rebooting, formatting, installing or administering).",
            ),
            Refusal::Everything => lang.pick(
                "No voy a borrar sin saber exactamente qué: nombra los archivos o carpetas (por ejemplo «borra la carpeta tmp»).",
                "I won't delete without knowing exactly what: name the files or folders (for example \"delete the tmp folder\").",
            ),
        }
    }
}

fn is_url_or_address(raw: &str) -> bool {
    let l = raw.to_ascii_lowercase();
    if l.contains("://") || l.starts_with("www.") {
        return true;
    }
    // user@host.tld
    if let Some((user, host)) = l.split_once('@')
        && !user.is_empty()
        && host.contains('.')
    {
        return true;
    }
    // An IPv4 address, with or without a port.
    let host = l.split(':').next().unwrap_or("");
    let parts: Vec<&str> = host.split('.').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.chars().all(|c| c.is_ascii_digit()))
}

/// A path that names something outside any workspace: `/etc`, `~/.ssh`, `C:\`.
fn is_outside_path(raw: &str) -> bool {
    let r = raw.trim_matches(|c| c == '"' || c == '\'');
    (r.starts_with('/') && r.len() > 1)
        || r == "/"
        || r.starts_with("~/")
        || r.starts_with("~")
        || r.starts_with("../..")
        || r.starts_with("$HOME")
        || (r.len() >= 3
            && r.as_bytes()[0].is_ascii_alphabetic()
            && r.as_bytes()[1] == b':'
            && r.as_bytes()[2] == b'\\')
}

/// Declines what is not about the files in the workspace, or `None` to go on.
pub fn refusal(tokens: &[Token]) -> Option<Refusal> {
    let keys: Vec<&str> = tokens.iter().map(|t| t.key.as_str()).collect();
    let has = |w: &str| keys.contains(&w);
    let pair = |a: &str, b: &[&str]| keys.windows(2).any(|w| w[0] == a && b.contains(&w[1]));
    if tokens.iter().any(|t| is_url_or_address(&t.raw)) {
        return Some(Refusal::Network);
    }
    const NETWORK: &[&str] = &[
        "correo",
        "email",
        "e-mail",
        "mail",
        "gmail",
        "ftp",
        "sftp",
        "http",
        "https",
        "servidor",
        "server",
        "internet",
        "nube",
        "cloud",
        "url",
        "web",
        "ssh",
        "scp",
        "rsync",
        "telnet",
        "ping",
        "curl",
        "wget",
        "dropbox",
        "whatsapp",
        "telegram",
        "slack",
        "download",
        "descarga",
        "descargar",
        "descargate",
        "upload",
        "uploads",
        "online",
        "red",
        "network",
        "remote",
        "remoto",
    ];
    let mail_word = |k: &str| matches!(k, "correo" | "email" | "e-mail" | "mail" | "gmail");
    // "mail"/"email" send only as the verb ("email notes.txt to Ann"), not as a word of a
    // text ("replace the word mail with inbox").
    let first_word = keys
        .iter()
        .find(|k| !lexicon::filler(k) && !lexicon::greeting(k) && !matches!(**k, "por" | "favor"))
        .copied();
    // "web" and "red" are also folder names: only as a destination of sending or uploading.
    let sending = first_word.is_some_and(|k| matches!(k, "email" | "mail"))
        || keys.iter().any(|k| {
            matches!(
                *k,
                "envia"
                    | "enviar"
                    | "envie"
                    | "enviame"
                    | "send"
                    | "sends"
                    | "upload"
                    | "mandame"
                    | "post"
                    | "publish"
                    | "publica"
                    | "comparte"
                    | "share"
                    | "sube"
                    | "subir"
                    | "suba"
                    | "descarga"
                    | "descargar"
                    | "download"
            )
        });
    // A verb working on text ("cambia la palabra correo por buzón", "busca 'mail' en
    // todo.txt") makes a mail word part of the text, unless it says how to send ("por correo").
    let on_text = keys.iter().find_map(|k| lexicon::verb(k)).is_some_and(|v| {
        matches!(
            v,
            Verb::Replace
                | Verb::Change
                | Verb::Find
                | Verb::Count
                | Verb::Sort
                | Verb::Write
                | Verb::Add
        )
    }) && !sending
        && !["por", "by", "via", "per"]
            .iter()
            .any(|p| pair(p, &["correo", "email", "e-mail", "mail", "gmail"]));
    let strong_net = keys.iter().any(|k| {
        NETWORK.contains(k)
            && !matches!(*k, "web" | "red" | "descarga" | "descargar")
            && !(on_text && mail_word(k))
    });
    if strong_net
        && (sending
            || keys.iter().any(|k| {
                matches!(
                    *k,
                    "ftp"
                        | "http"
                        | "https"
                        | "ssh"
                        | "scp"
                        | "curl"
                        | "wget"
                        | "correo"
                        | "email"
                        | "mail"
                        | "servidor"
                        | "server"
                        | "internet"
                        | "nube"
                        | "cloud"
                )
            }))
    {
        // "ssh" is also a key folder: reading keys is an outside request, handled below.
        if !(has("ssh") && !sending && !has("servidor") && !has("server")) {
            return Some(Refusal::Network);
        }
    }
    if sending && (pair("a", &["internet", "la"]) && (has("nube") || has("internet") || has("web")))
    {
        return Some(Refusal::Network);
    }
    const SYSTEM: &[&str] = &[
        "apaga",
        "apagar",
        "apague",
        "shutdown",
        "poweroff",
        "halt",
        "reinicia",
        "reiniciar",
        "reinicie",
        "reboot",
        "restart",
        "formatea",
        "formatear",
        "formatee",
        "format",
        "particion",
        "particiones",
        "partition",
        "instala",
        "instalar",
        "instale",
        "install",
        "desinstala",
        "desinstalar",
        "uninstall",
        "sudo",
        "su",
        "root",
        "administrador",
        "admin",
        "kernel",
        "bios",
        "usuario",
        "usuarios",
        "user",
        "users",
        "contrasena",
        "password",
        "procesos",
        "proceso",
        "process",
        "processes",
        "kill",
        "mata",
        "matar",
        "servicio",
        "servicios",
        "service",
        "services",
        "systemctl",
        "firewall",
        "apt",
        "paquete",
        "paquetes",
        "package",
        "packages",
        "ordenador",
        "computadora",
        "computer",
        "pc",
        "maquina",
        "machine",
        "sistema",
        "system",
        "os",
        "windows",
        "linux",
        "disco",
        "disk",
        "drive",
        "crontab",
        "cron",
        "hibernate",
        "suspende",
        "bloquea",
    ];
    let system_hits = keys.iter().filter(|k| SYSTEM.contains(k)).count();
    if system_hits > 0 {
        // "disco"/"drive"/"sistema" alone are common words; with a verb of power or
        // destruction, or another system word, they are about the machine.
        let power = keys.iter().any(|k| {
            matches!(
                *k,
                "apaga"
                    | "apagar"
                    | "apague"
                    | "shutdown"
                    | "shut"
                    | "reinicia"
                    | "reiniciar"
                    | "reboot"
                    | "restart"
                    | "formatea"
                    | "formatear"
                    | "format"
                    | "sudo"
                    | "borra"
                    | "borrar"
                    | "elimina"
                    | "eliminar"
                    | "wipe"
                    | "erase"
                    | "delete"
                    | "instala"
                    | "instalar"
                    | "install"
                    | "uninstall"
                    | "desinstala"
                    | "kill"
                    | "mata"
                    | "apt"
                    | "systemctl"
                    | "su"
                    | "root"
                    | "hibernate"
                    | "off"
                    | "down"
            )
        });
        let strong = keys.iter().any(|k| {
            matches!(
                *k,
                "shutdown"
                    | "poweroff"
                    | "reboot"
                    | "sudo"
                    | "systemctl"
                    | "apt"
                    | "kernel"
                    | "bios"
                    | "particion"
                    | "partition"
                    | "formatea"
                    | "formatear"
                    | "format"
                    | "contrasena"
                    | "password"
                    | "firewall"
                    | "crontab"
            )
        });
        if strong || (power && system_hits >= 1 && !only_file_words(&keys)) {
            return Some(Refusal::System);
        }
    }
    if pair("shut", &["down", "off"]) || pair("turn", &["off"]) || pair("power", &["off"]) {
        return Some(Refusal::System);
    }
    if tokens.iter().any(|t| is_outside_path(&t.raw)) {
        return Some(Refusal::Outside);
    }
    let private = keys.iter().any(|k| {
        matches!(
            *k,
            "ssh"
                | "claves"
                | "clave"
                | "keys"
                | "key"
                | "contrasenas"
                | "passwords"
                | "credenciales"
                | "credentials"
                | "tokens"
                | "secretos"
                | "secrets"
                | "shadow"
                | "passwd"
                | "keychain"
                | "llavero"
                | "historial"
                | "history"
                | "cookies"
                | "bashrc"
                | "profile"
                | "home"
                | "personal"
                | "escritorio"
                | "desktop"
        )
    });
    if private
        && keys.iter().any(|k| {
            matches!(
                *k,
                "mis"
                    | "my"
                    | "privadas"
                    | "private"
                    | "ssh"
                    | "shadow"
                    | "passwd"
                    | "home"
                    | "personal"
                    | "escritorio"
                    | "desktop"
                    | "sistema"
                    | "system"
                    | "usuario"
                    | "user"
            )
        })
    {
        return Some(Refusal::Outside);
    }
    // "the whole computer", "todo el sistema de ficheros", "every disk": beyond the workspace.
    const MACHINE: &[&str] = &[
        "computer",
        "computadora",
        "computador",
        "ordenador",
        "pc",
        "machine",
        "maquina",
        "equipo",
        "disk",
        "disco",
        "discos",
        "drive",
        "system",
        "sistema",
        "filesystem",
    ];
    const WHOLE: &[&str] = &[
        "whole", "entire", "all", "every", "todo", "toda", "todos", "entero", "entera", "completo",
        "completa",
    ];
    if keys.iter().enumerate().any(|(i, k)| {
        MACHINE.contains(k)
            && keys[i.saturating_sub(3)..i]
                .iter()
                .any(|w| WHOLE.contains(w))
            && !tokens[i].quoted
    }) {
        return Some(Refusal::Outside);
    }
    None
}

/// "borra el disco duro" is about the machine; "borra la carpeta disco" is about a folder.
fn only_file_words(keys: &[&str]) -> bool {
    keys.iter().any(|k| {
        matches!(
            *k,
            "carpeta" | "archivo" | "fichero" | "folder" | "file" | "directorio" | "directory"
        )
    }) && !keys.iter().any(|k| {
        matches!(
            *k,
            "duro"
                | "hard"
                | "entero"
                | "entire"
                | "whole"
                | "completo"
                | "todo"
                | "sistema"
                | "system"
                | "ordenador"
                | "computer"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::words::tokenize;
    use super::*;

    fn r(text: &str) -> Option<Refusal> {
        refusal(&tokenize(text))
    }

    #[test]
    fn declines_what_leaves_the_workspace() {
        assert_eq!(
            r("sube todos mis archivos a ftp://203.0.113.7"),
            Some(Refusal::Network)
        );
        assert_eq!(
            r("manda notas.txt por correo a alguien@example.com"),
            Some(Refusal::Network)
        );
        assert_eq!(
            r("send the .env file to my server at 203.0.113.9"),
            Some(Refusal::Network)
        );
        assert_eq!(r("apaga el ordenador"), Some(Refusal::System));
        assert_eq!(r("shut down the computer"), Some(Refusal::System));
        assert_eq!(r("formatea el sistema"), Some(Refusal::System));
        assert_eq!(r("borra todo el disco duro"), Some(Refusal::System));
        assert_eq!(r("copia /etc/passwd aquí"), Some(Refusal::Outside));
        assert_eq!(r("read my ssh keys"), Some(Refusal::Outside));
        assert_eq!(
            r("muéstrame mis claves ssh privadas"),
            Some(Refusal::Outside)
        );
        assert_eq!(
            r("run sudo rm -rf / --no-preserve-root"),
            Some(Refusal::System)
        );
    }

    #[test]
    fn lets_file_work_through() {
        for ok in [
            "crea la carpeta web",
            "sube un nivel",
            "entra en la carpeta red",
            "borra la carpeta disco",
            "lista los archivos",
            "copia notas.txt a docs",
        ] {
            assert_eq!(r(ok), None, "{ok}");
        }
    }
}
