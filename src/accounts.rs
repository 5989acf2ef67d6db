//! `atajo user`, `atajo sessions`, `atajo token`: accounts and sessions of one workspace,
//! edited in its database. A running server notices within a second (it watches the
//! database) and disconnects every session that ended.

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, bail};

use atajo::cli::{RoleArg, ServeArgs, SessionsCommand, TokenCommand, UserCommand, WorkspaceArgs};
use atajo::config::Config;
use atajo::users::{self, Role, SessionKind, Store, jwt, password, scope};

pub fn user(cmd: UserCommand) -> ExitCode {
    report(run_user(cmd))
}

pub fn sessions(cmd: SessionsCommand) -> ExitCode {
    report(run_sessions(cmd))
}

pub fn token(cmd: TokenCommand) -> ExitCode {
    report(run_token(cmd))
}

pub fn report(r: anyhow::Result<()>) -> ExitCode {
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("atajo: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn role(r: RoleArg) -> Role {
    match r {
        RoleArg::Viewer => Role::Viewer,
        RoleArg::Operator => Role::Operator,
        RoleArg::Admin => Role::Admin,
    }
}

/// The served folder (canonical) and its database, as `serve` finds them.
fn open(ws: &WorkspaceArgs) -> anyhow::Result<(PathBuf, Store)> {
    let (root, db) = database(ws)?;
    let store = Store::open(&db)?;
    Ok((root, store))
}

/// Writes an account change into the workspace's audit.
fn audit(ws: &WorkspaceArgs, action: &'static str, user: &str, detail: String) {
    let done = database(ws).and_then(|(_, db)| {
        atajo::history::append_audit(
            &db,
            &atajo::history::AuditEvent {
                user: user.to_owned(),
                session: None,
                action,
                detail,
            },
        )
        .map_err(anyhow::Error::from)
    });
    if let Err(e) = done {
        eprintln!("atajo: warning: not written to the audit: {e:#}");
    }
}

/// The served folder (canonical) and the path of its database.
pub fn database(ws: &WorkspaceArgs) -> anyhow::Result<(PathBuf, PathBuf)> {
    let config = Config::load(&ServeArgs {
        root: ws.workspace.clone(),
        data_dir: ws.data_dir.clone(),
        config: ws.config.clone(),
        ..ServeArgs::default()
    })?;
    let given = match ws.workspace.clone().or(config.root.clone()) {
        Some(r) => r,
        None => std::env::current_dir().context("cannot read the current folder")?,
    };
    let root = given
        .canonicalize()
        .with_context(|| format!("the workspace {} cannot be opened", given.display()))?;
    let Some(data) = config.data_dir() else {
        bail!("no data folder: give --data-dir (or set ATAJO_DATA_DIR, XDG_DATA_HOME or HOME)");
    };
    let db = atajo::history::location(&data, &root);
    let legacy = root
        .join(atajo::workspace::STATE_DIR)
        .join("history.sqlite");
    atajo::history::prepare(&db, &root, &legacy)
        .with_context(|| format!("cannot prepare the data folder {}", data.display()))?;
    Ok((root, db))
}

/// Each folder must be a real folder beneath the root, reached without leaving it through a
/// link: what the account will be confined to.
fn check_roots(root: &Path, roots: &[String]) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for given in roots {
        let rel = scope::normalize(given)?;
        let real = root
            .join(&rel)
            .canonicalize()
            .with_context(|| format!("{given:?} is not a folder in {}", root.display()))?;
        if !real.is_dir() {
            bail!("{given:?} is not a folder");
        }
        if real != root.join(&rel) {
            bail!("{given:?} leads elsewhere through a symbolic link: give the folder itself");
        }
        out.push(rel);
    }
    Ok(out)
}

fn read_password(from_stdin: bool, name: &str) -> anyhow::Result<String> {
    if from_stdin || !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from stdin")?;
        return Ok(line.trim_end_matches(['\n', '\r']).to_owned());
    }
    let first = rpassword::prompt_password(format!("Password for {name}: "))
        .context("cannot read the password")?;
    let again = rpassword::prompt_password("Again: ").context("cannot read the password")?;
    if first != again {
        bail!("the two passwords differ");
    }
    Ok(first)
}

fn run_user(cmd: UserCommand) -> anyhow::Result<()> {
    match cmd {
        UserCommand::Add {
            name,
            role: r,
            roots,
            password_stdin,
            ws,
        } => {
            let (root, store) = open(&ws)?;
            if !users::valid_name(&name) {
                bail!(
                    "{name:?} is not a valid account name (letters, digits, . _ - @; at most 64; not \"owner\")"
                );
            }
            let roots = check_roots(&root, &roots)?;
            if store.user(&name)?.is_some() {
                bail!("there is already an account called {name:?}");
            }
            let hash = password::hash(&read_password(password_stdin, &name)?)?;
            let u = store.add_user(&name, role(r), &roots, &hash)?;
            let place = if u.roots.is_empty() || u.role == Role::Admin {
                "the whole root".to_owned()
            } else {
                u.roots.join(", ")
            };
            println!("added {} ({}) in {place}", u.name, u.role.as_str());
            audit(
                &ws,
                "user_added",
                &u.name,
                format!("{} in {place}", u.role.as_str()),
            );
        }
        UserCommand::List { json, ws } => {
            let (_, store) = open(&ws)?;
            let list = store.users()?;
            if json {
                println!("{}", serde_json::to_string(&list)?);
            } else if list.is_empty() {
                println!("no accounts: atajo is single-user (the start-up token)");
            } else {
                for u in list {
                    let roots = if u.roots.is_empty() || u.role == Role::Admin {
                        ".".to_owned()
                    } else {
                        u.roots.join(" ")
                    };
                    println!("{:<24} {:<9} {roots}", u.name, u.role.as_str());
                }
            }
        }
        UserCommand::Remove { name, ws } => {
            let (_, store) = open(&ws)?;
            let ended = store.remove_user(&name)?;
            println!("removed {name}; {} session(s) ended", ended.len());
            audit(
                &ws,
                "user_removed",
                &name,
                format!("{} session(s) ended", ended.len()),
            );
        }
        UserCommand::Passwd {
            name,
            password_stdin,
            ws,
        } => {
            let (_, store) = open(&ws)?;
            if store.user(&name)?.is_none() {
                bail!("there is no account called {name:?}");
            }
            let hash = password::hash(&read_password(password_stdin, &name)?)?;
            let ended = store.set_password(&name, &hash)?;
            println!("new password for {name}; {} session(s) ended", ended.len());
            audit(
                &ws,
                "password_changed",
                &name,
                format!("{} session(s) ended", ended.len()),
            );
        }
        UserCommand::SetRole {
            name,
            role: r,
            roots,
            ws,
        } => {
            let (root, store) = open(&ws)?;
            let roots = if roots.is_empty() {
                None
            } else {
                Some(check_roots(&root, &roots)?)
            };
            let ended = store.set_role(&name, role(r), roots.as_deref())?;
            let detail = match &roots {
                Some(list) => format!("{} in {}", role(r).as_str(), list.join(", ")),
                None => role(r).as_str().to_owned(),
            };
            audit(&ws, "role_changed", &name, detail);
            println!(
                "{name} is now {}; {} session(s) ended",
                role(r).as_str(),
                ended.len()
            );
        }
    }
    Ok(())
}

fn when(t: i64) -> String {
    let ago = users::now() - t;
    match ago {
        i64::MIN..=-1 => format!("in {}", span(-ago)),
        0..=59 => "now".into(),
        _ => format!("{} ago", span(ago)),
    }
}

fn span(s: i64) -> String {
    if s < 120 {
        format!("{s}s")
    } else if s < 7200 {
        format!("{}m", s / 60)
    } else if s < 172_800 {
        format!("{}h", s / 3600)
    } else {
        format!("{}d", s / 86400)
    }
}

fn run_sessions(cmd: SessionsCommand) -> anyhow::Result<()> {
    match cmd {
        SessionsCommand::List { all, json, ws } => {
            let (_, store) = open(&ws)?;
            let list = store.sessions(all)?;
            if json {
                println!("{}", serde_json::to_string(&list)?);
                return Ok(());
            }
            if list.is_empty() {
                println!("no sessions");
            }
            let at = users::now();
            for s in list {
                let state = if s.live(at) { "live" } else { "ended" };
                let kind = match s.kind {
                    SessionKind::Browser => "browser",
                    SessionKind::Token => "token",
                };
                println!(
                    "{:>6}  {:<20} {:<7} {:<5} seen {:<9} expires {:<10} {}",
                    s.id,
                    s.user,
                    kind,
                    state,
                    when(s.last_seen),
                    when(s.expires),
                    s.label
                );
            }
        }
        SessionsCommand::Revoke { ids, user, ws } => {
            let (_, store) = open(&ws)?;
            let mut ended = 0;
            if let Some(name) = user {
                let ids: Vec<i64> = store
                    .sessions(false)?
                    .into_iter()
                    .filter(|s| s.user == name)
                    .map(|s| s.id)
                    .collect();
                for id in ids {
                    ended += usize::from(store.revoke(id)?);
                }
            }
            for id in ids {
                if store.revoke(id)? {
                    ended += 1;
                } else {
                    eprintln!("atajo: no live session {id}");
                }
            }
            println!("{ended} session(s) ended");
            audit(
                &ws,
                "sessions_revoked",
                "",
                format!("{ended} session(s) ended"),
            );
        }
    }
    Ok(())
}

/// `90s`, `30m`, `1h`, `7d`, or plain seconds.
pub fn parse_ttl(s: &str) -> anyhow::Result<Duration> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = num
        .parse()
        .with_context(|| format!("{s:?} is not a duration such as 30m, 1h or 7d"))?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n.saturating_mul(60),
        "h" => n.saturating_mul(3600),
        "d" => n.saturating_mul(86400),
        _ => bail!("{s:?} is not a duration such as 30m, 1h or 7d"),
    };
    if secs == 0 || secs > MAX_TOKEN_TTL.as_secs() {
        bail!("a token lives between 1 second and 90 days");
    }
    Ok(Duration::from_secs(secs))
}

const MAX_TOKEN_TTL: Duration = Duration::from_secs(90 * 86400);

fn run_token(cmd: TokenCommand) -> anyhow::Result<()> {
    let TokenCommand::Create {
        user,
        ttl,
        label,
        ws,
    } = cmd;
    let label_shown = label.clone();
    let ttl = parse_ttl(&ttl)?;
    let (_, store) = open(&ws)?;
    let Some(account) = store.user(&user)? else {
        bail!("there is no account called {user:?}");
    };
    let keys = jwt::Keys::from_seed(&store.secret(atajo::users::JWT_SECRET)?);
    let (session, _) = store.open_session(&account, SessionKind::Token, ttl, &label)?;
    let token = keys.issue(&account.name, session, i64::try_from(ttl.as_secs())?)?;
    println!("{token}");
    audit(
        &ws,
        "token_created",
        &account.name,
        format!("session {session}, {} s, {label_shown}", ttl.as_secs()),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations() {
        assert_eq!(super::parse_ttl("90").unwrap().as_secs(), 90);
        assert_eq!(super::parse_ttl("30m").unwrap().as_secs(), 1800);
        assert_eq!(super::parse_ttl("1h").unwrap().as_secs(), 3600);
        assert_eq!(super::parse_ttl("7d").unwrap().as_secs(), 604_800);
        for bad in ["", "0", "1w", "h", "91d", "-1h"] {
            assert!(super::parse_ttl(bad).is_err(), "{bad}");
        }
    }
}
