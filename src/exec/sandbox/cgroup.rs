//! A pids cgroup for all commands of this server, so a fork bomb hits a wall long before the
//! machine does. Needs permission to create cgroups (root, or a delegated subtree); without it
//! the per-command RLIMIT_NPROC is the cap.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

#[derive(Debug)]
pub struct Cgroup {
    dir: PathBuf,
    version: u8,
}

impl Cgroup {
    /// Creates `atajo-<pid>-<n>` beneath this process's own pids cgroup, capped at `max`.
    pub fn create(max: u64) -> Option<Self> {
        let own = std::fs::read_to_string("/proc/self/cgroup").ok()?;
        let candidates = [
            (
                2u8,
                Path::new("/sys/fs/cgroup"),
                own_path(&own, |c| c.is_empty()),
            ),
            (
                1u8,
                Path::new("/sys/fs/cgroup/pids"),
                own_path(&own, |c| c.split(',').any(|x| x == "pids")),
            ),
        ];
        for (version, mount, rel) in candidates {
            let Some(rel) = rel else { continue };
            if version == 2 && !mount.join("cgroup.controllers").exists() {
                continue;
            }
            // One per sandbox (a process may build several, tests do).
            static NEXT: AtomicU32 = AtomicU32::new(0);
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let dir = mount
                .join(rel.trim_start_matches('/'))
                .join(format!("atajo-{}-{n}", std::process::id()));
            if std::fs::create_dir(&dir).is_err() {
                continue;
            }
            // The pids controller may not be enabled there (cgroup v2 subtree_control).
            if std::fs::write(dir.join("pids.max"), max.to_string()).is_ok() {
                return Some(Self { dir, version });
            }
            let _ = std::fs::remove_dir(&dir);
        }
        None
    }

    pub fn procs_path(&self) -> PathBuf {
        self.dir.join("cgroup.procs")
    }

    pub fn describe(&self) -> String {
        format!("cgroup v{} {}", self.version, self.dir.display())
    }

    /// Ends whatever is left in the cgroup and removes it.
    pub fn remove(self) {
        for _ in 0..20 {
            if let Ok(procs) = std::fs::read_to_string(self.procs_path()) {
                for pid in procs.lines().filter_map(|l| l.trim().parse::<i32>().ok()) {
                    // SAFETY: kill has no memory-safety preconditions.
                    unsafe {
                        libc::kill(pid, libc::SIGKILL);
                    }
                }
            }
            if std::fs::remove_dir(&self.dir).is_ok() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        tracing::warn!(dir = %self.dir.display(), "cannot remove the commands' cgroup");
    }
}

/// This process's path in the hierarchy whose controller list matches.
fn own_path(proc_cgroup: &str, controllers: impl Fn(&str) -> bool) -> Option<String> {
    proc_cgroup.lines().find_map(|line| {
        let mut parts = line.splitn(3, ':');
        let (_id, ctl, path) = (parts.next()?, parts.next()?, parts.next()?);
        controllers(ctl).then(|| path.to_owned())
    })
}
