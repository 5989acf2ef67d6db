//! `atajo history` and `atajo audit export`: a workspace's history and audit, read from its
//! database (the server may be running: reads never block it).

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context as _, bail};

use crate::accounts::{database, report};

/// `--since`: `30m`, `2h`, `7d` ago, or a UTC date (`2026-12-05`, `2026-12-05T10:00:00`).
pub fn parse_since(s: &str) -> anyhow::Result<f64> {
    let s = s.trim();
    let now = atajo::users::now() as f64;
    if let Some(last) = s.chars().last()
        && matches!(last, 's' | 'm' | 'h' | 'd')
        && s[..s.len() - 1].chars().all(|c| c.is_ascii_digit())
        && s.len() > 1
    {
        let n: f64 = s[..s.len() - 1].parse()?;
        let unit = match last {
            's' => 1.0,
            'm' => 60.0,
            'h' => 3600.0,
            _ => 86400.0,
        };
        return Ok(now - n * unit);
    }
    let (date, time) = s.split_once(['T', ' ']).unwrap_or((s, "00:00:00"));
    let d: Vec<i64> = date
        .split('-')
        .map(str::parse)
        .collect::<Result<_, _>>()
        .with_context(|| format!("{s:?} is not a time such as 2h, 7d or 2026-12-05"))?;
    let t: Vec<i64> = time
        .trim_end_matches('Z')
        .split(':')
        .map(str::parse)
        .collect::<Result<_, _>>()
        .with_context(|| format!("{s:?} is not a time such as 2h, 7d or 2026-12-05"))?;
    let ([y, mo, da], [h, mi, rest @ ..]) = (d.as_slice(), t.as_slice()) else {
        bail!("{s:?} is not a time such as 2h, 7d or 2026-12-05");
    };
    if !(1..=12).contains(mo) || !(1..=31).contains(da) || *h > 23 || *mi > 59 {
        bail!("{s:?} is not a valid date and time");
    }
    let sec = rest.first().copied().unwrap_or(0);
    Ok((atajo::clock::days_from_civil(*y, *mo, *da) * 86400 + h * 3600 + mi * 60 + sec) as f64)
}

pub fn history(args: atajo::cli::HistoryArgs) -> ExitCode {
    report(run_history(args))
}

fn run_history(args: atajo::cli::HistoryArgs) -> anyhow::Result<()> {
    use atajo::history::search::{self, HistoryQuery};
    let (_, db) = database(&args.ws)?;
    let conn = search::reader(&db).with_context(|| format!("cannot read {}", db.display()))?;
    let since = args.since.as_deref().map(parse_since).transpose()?;
    let q = HistoryQuery {
        search: args.search,
        user: args.user,
        kind: args.kind,
        verdict: args.verdict,
        since,
        before: None,
        limit: Some(args.limit),
    };
    let rows = search::search(&conn, &q)?;
    let mut out = std::io::stdout().lock();
    for r in rows {
        if args.json {
            serde_json::to_writer(&mut out, &r)?;
            writeln!(out)?;
            continue;
        }
        let what = r.command.as_deref().unwrap_or(&r.input);
        let end = match (r.status.as_str(), r.exit_code) {
            ("done", Some(c)) => format!("exit {c}"),
            (s, _) => s.to_owned(),
        };
        writeln!(
            out,
            "{:>7}  {}  {:<10} {:<14} {:<9} {:<11} {}",
            r.id,
            atajo::clock::utc(r.at),
            r.user,
            r.kind,
            r.verdict,
            end,
            what.replace(['\n', '\r'], " ")
        )?;
        if r.input != what {
            writeln!(
                out,
                "{:>7}  {:>19}  « {} »",
                "",
                "",
                r.input.replace(['\n', '\r'], " ")
            )?;
        }
    }
    Ok(())
}

pub fn audit_cmd(cmd: atajo::cli::AuditCommand) -> ExitCode {
    report(run_audit(cmd))
}

fn run_audit(cmd: atajo::cli::AuditCommand) -> anyhow::Result<()> {
    let atajo::cli::AuditCommand::Export { since, out, ws } = cmd;
    let (_, db) = database(&ws)?;
    let conn = atajo::history::search::reader(&db)
        .with_context(|| format!("cannot read {}", db.display()))?;
    let since = since.as_deref().map(parse_since).transpose()?;
    let n = match out {
        Some(path) => {
            let mut file = std::io::BufWriter::new(
                std::fs::File::create(&path)
                    .with_context(|| format!("cannot create {}", path.display()))?,
            );
            let n = atajo::history::search::export_audit(&conn, since, &mut file)?;
            file.flush()?;
            n
        }
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            let n = atajo::history::search::export_audit(&conn, since, &mut out)?;
            out.flush()?;
            n
        }
    };
    eprintln!("{n} audit line(s)");
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn times() {
        assert_eq!(super::parse_since("1970-01-02").unwrap(), 86400.0);
        assert_eq!(
            super::parse_since("2026-12-05T10:00:00Z").unwrap(),
            1_796_464_800.0
        );
        let ago = super::parse_since("2h").unwrap();
        assert!((atajo::users::now() as f64 - ago - 7200.0).abs() < 2.0);
        for bad in ["", "yesterday", "2026-13-01", "2026-12-05T25:00"] {
            assert!(super::parse_since(bad).is_err(), "{bad}");
        }
    }
}
