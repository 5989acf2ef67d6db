//! Which process wrote a `running` row, so that a server starting beside another one on the
//! same workspace (a restart that overlaps, a second port) marks as interrupted only what
//! dead servers left running — never what a live one is running now.
//!
//! An id is `BOOT/PID/START`: the kernel's boot id, the process id and its start time in clock
//! ticks since boot (`/proc/PID/stat`), so a reused pid or a reboot is never taken for the
//! process that wrote the row.

use std::sync::OnceLock;

/// This process's id (computed once).
pub fn this_process() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| {
        let pid = std::process::id();
        format!("{}/{pid}/{}", boot_id(), start_time(pid).unwrap_or(0))
    })
}

/// Whether the process that wrote `id` still runs (and is not a zombie).
pub fn alive(id: &str) -> bool {
    let mut parts = id.split('/');
    let (Some(boot), Some(pid), Some(start)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let (Ok(pid), Ok(start)) = (pid.parse::<u32>(), start.parse::<u64>()) else {
        return false;
    };
    boot == boot_id() && start_time(pid) == Some(start)
}

fn boot_id() -> &'static str {
    static BOOT: OnceLock<String> = OnceLock::new();
    BOOT.get_or_init(|| {
        std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    })
}

/// The start time of a live (not zombie) process, from `/proc/PID/stat`.
fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces and parentheses: fields count from its end.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3 (the state); the start time is field 22.
    if fields.first() == Some(&"Z") || fields.first() == Some(&"X") {
        return None;
    }
    fields.get(22 - 3)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_finished_one_is_not() {
        assert!(alive(this_process()));
        let mut child = std::process::Command::new("true")
            .spawn()
            .expect("true runs");
        let pid = child.id();
        let start = start_time(pid);
        child.wait().expect("true ends");
        let gone = format!("{}/{pid}/{}", boot_id(), start.unwrap_or(1));
        assert!(!alive(&gone));
        // Another boot, or a pid now held by another process, is not the writer.
        let mine = this_process().replacen(boot_id(), "another-boot", 1);
        assert!(!alive(&mine));
        let pid = std::process::id();
        assert!(!alive(&format!("{}/{pid}/1", boot_id())));
        assert!(!alive("nonsense"));
    }
}
