//! Requests the assistant declines before trying to understand them: leaving the workspace,
//! the network, the machine itself. The policy would deny the commands anyway; saying no
//! here gives the person a reason instead of a command that fails.

use super::lexicon::{self, Verb};
use super::say::Say;
use super::words::Token;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Outside,
    Network,
    System,
    Everything,
}

impl Refusal {
    /// Why, said in the language whose code is `lang`.
    pub fn explain(self, lang: &str) -> String {
        match self {
            Refusal::Outside => Say::new("refuse_outside"),
            Refusal::Network => Say::new("refuse_network"),
            Refusal::System => Say::new("refuse_system"),
            Refusal::Everything => Say::new("refuse_everything"),
        }
        .render(lang)
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

/// Declines what is not about the files in the workspace, or `None` to go on. The words
/// are the language files' `[refusals]` groups.
pub fn refusal(tokens: &[Token]) -> Option<Refusal> {
    let keys: Vec<&str> = tokens.iter().map(|t| t.key.as_str()).collect();
    let any = |group: &str| keys.iter().any(|k| lexicon::refuses(group, k));
    if tokens.iter().any(|t| is_url_or_address(&t.raw)) {
        return Some(Refusal::Network);
    }
    // "mail"/"email" send only as the verb ("email notes.txt to Ann"), not as a word of a
    // text ("replace the word mail with inbox").
    let first_word = keys
        .iter()
        .find(|k| !lexicon::filler(k) && !lexicon::greeting(k) && !lexicon::courtesy_word(k))
        .copied();
    let sending = first_word.is_some_and(|k| lexicon::refuses("mail_verb", k)) || any("send");
    // A verb working on text ("cambia la palabra correo por buzón", "busca 'mail' en
    // todo.txt") makes a mail word part of the text, unless it says how to send ("por correo").
    let by_mail = keys
        .windows(2)
        .any(|w| lexicon::refuses("by_means", w[0]) && lexicon::refuses("mail", w[1]));
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
        && !by_mail;
    // "web" and "red" are also folder names: only as where something is sent.
    let strong_net = keys.iter().any(|k| {
        lexicon::refuses("net_word", k)
            && !lexicon::refuses("net_place", k)
            && !(on_text && lexicon::refuses("mail", k))
    });
    if strong_net && (sending || any("net_sure")) {
        // "ssh" is also a key folder: reading keys is an outside request, handled below.
        if !(any("key_folder") && !sending && !any("server")) {
            return Some(Refusal::Network);
        }
    }
    if sending && lexicon::refuses_phrase("to_the_net", &keys) {
        return Some(Refusal::Network);
    }
    if any("system") {
        // "disco"/"drive"/"sistema" alone are common words; with a verb of power or
        // destruction, or another system word, they are about the machine.
        if any("system_sure") || (any("power") && !only_file_words(&keys)) {
            return Some(Refusal::System);
        }
    }
    if lexicon::refuses_phrase("power_off", &keys) {
        return Some(Refusal::System);
    }
    if tokens.iter().any(|t| is_outside_path(&t.raw)) {
        return Some(Refusal::Outside);
    }
    if any("private") && any("mine") {
        return Some(Refusal::Outside);
    }
    // "the whole computer", "todo el sistema de ficheros", "every disk": beyond the workspace.
    if keys.iter().enumerate().any(|(i, k)| {
        lexicon::refuses("machine", k)
            && keys[i.saturating_sub(3)..i]
                .iter()
                .any(|w| lexicon::refuses("whole", w))
            && !tokens[i].quoted
    }) {
        return Some(Refusal::Outside);
    }
    None
}

/// "borra el disco duro" is about the machine; "borra la carpeta disco" is about a folder.
fn only_file_words(keys: &[&str]) -> bool {
    keys.iter().any(|k| lexicon::refuses("file_noun", k))
        && !keys.iter().any(|k| lexicon::refuses("machine_part", k))
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
