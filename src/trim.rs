//! Once the server is up, the code and read-only data that only starting needed (settings,
//! argument parsing, the rules' self-test, the database's set-up, the dynamic loader's
//! relocations…) are let go: the process drops its clean file-backed pages, and the ones
//! serving needs come back on first use from the page cache (a minor fault each, once). Such a
//! page costs nothing to give back (it is an unchanged copy of the file) and is most of an idle
//! server's resident memory.

/// Drops this process's clean, read-only, file-backed mappings (code and constants of the
/// executable and its libraries). Never a page that was written: a mapping with any anonymous
/// (copied-on-write) page, such as relocated data, is left alone.
pub fn release_start_up_pages() {
    let Ok(smaps) = std::fs::read_to_string("/proc/self/smaps") else {
        return;
    };
    let mut released = 0usize;
    let mut current: Option<(usize, usize)> = None;
    for line in smaps.lines() {
        if let Some(range) = mapping(line) {
            current = range;
            continue;
        }
        // Each mapping's fields follow its header; "Anonymous" says whether any page of it
        // was copied on write.
        if let Some(rest) = line.strip_prefix("Anonymous:")
            && let Some((start, end)) = current.take()
            && rest.trim().trim_end_matches("kB").trim() == "0"
        {
            // SAFETY: a whole read-only, private, file-backed mapping none of whose pages was
            // ever written: dropping it loses nothing, the next access reads the file again.
            let done = unsafe {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED)
            };
            if done == 0 {
                released += end - start;
            }
        }
    }
    // Memory start-up allocated and freed (settings, the vocabulary's parse, the rules'
    // self-test) goes back to the system too, not only to the allocator's free lists.
    // SAFETY: glibc's malloc_trim only returns free memory of its own arenas.
    unsafe {
        libc::malloc_trim(0);
    }
    tracing::debug!(bytes = released, "start-up pages released");
}

/// For a mapping's header line: `Some(range)` when it may be released (read-only, private,
/// backed by a file), `Some(None)` for any other mapping; `None` for a field line.
fn mapping(line: &str) -> Option<Option<(usize, usize)>> {
    let mut parts = line.split_whitespace();
    let range = parts.next()?;
    let (start, end) = range.split_once('-')?;
    let start = usize::from_str_radix(start, 16).ok()?;
    let end = usize::from_str_radix(end, 16).ok()?;
    let perms = parts.next()?;
    let path = parts.nth(3).unwrap_or("");
    let releasable = perms.len() == 4
        && !perms.contains('w')
        && perms.ends_with('p')
        && perms.starts_with('r')
        && path.starts_with('/');
    Some(releasable.then_some((start, end)))
}

/// Allocations of 4 MiB and more come straight from the system and go straight back. glibc
/// otherwise raises its mmap threshold after the first such block is freed, and keeps every
/// later one in its arenas: each Argon2 check (19 MiB) left its memory behind, and a burst of
/// logins grew an idle server by hundreds of MiB (measured 374 MiB after 1,000 logins).
pub fn return_large_allocations() {
    // SAFETY: mallopt only changes a glibc tunable; setting the threshold also stops glibc
    // from moving it.
    let ok = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, 4 << 20) };
    if ok != 1 {
        tracing::debug!("mallopt(M_MMAP_THRESHOLD) refused");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_read_only_private_file_mappings_are_released() {
        let m = |l: &str| mapping(l);
        assert_eq!(
            m("55e585a80000-55e58639f000 r-xp 00428000 08:01 123 /usr/bin/atajo"),
            Some(Some((0x55e585a80000, 0x55e58639f000)))
        );
        assert_eq!(
            m("7f00-8f00 rw-p 00000000 08:01 123 /usr/lib/libc.so.6"),
            Some(None)
        );
        assert_eq!(
            m("7f00-8f00 r--s 00000000 08:01 123 /dev/shm/x"),
            Some(None)
        );
        assert_eq!(m("7f00-8f00 r--p 00000000 00:00 0 [vvar]"), Some(None));
        assert_eq!(m("7f00-8f00 r-xp 00000000 00:00 0"), Some(None));
        assert_eq!(m("Anonymous:             0 kB"), None);
    }

    #[test]
    fn releasing_keeps_the_process_working() {
        let before = crate::fold::fold("Árbol");
        release_start_up_pages();
        assert_eq!(crate::fold::fold("Árbol"), before);
    }
}
