//! File modes as chmod, mkdir -m and mkfifo -m read them, checked for the setuid and setgid
//! bits. A program left setuid in a workspace other local users can reach runs with its
//! owner's rights — root's, when the server runs as root — so setting those bits is refused;
//! clearing them (`u-s`, `g-s`) and the sticky bit stay allowed. What a mode copies from a
//! file (`--reference`, `cp --preserve`, `tar -p`) is stopped at run time by the sandbox's
//! seccomp filter instead.

use super::reason::Reason;

const SPECIAL: u32 = 0o6000;

/// Refuses a mode that would set the setuid or setgid bit.
pub fn check(mode: &str) -> Result<(), Reason> {
    if sets_special(mode) {
        Err(Reason::SpecialBits(mode.to_owned()))
    } else {
        Ok(())
    }
}

/// GNU chmod's grammar: comma-separated clauses, each `[ugoa]*` then one or more operations
/// `[-+=]` followed by permission letters (`rwxXst`), a copied class (`u`, `g`, `o`) or, for
/// the whole mode, octal digits.
fn sets_special(mode: &str) -> bool {
    mode.split(',').any(|clause| {
        let ops = clause.trim_start_matches(['u', 'g', 'o', 'a']);
        if ops.bytes().all(|b| b.is_ascii_digit()) && !ops.is_empty() {
            return octal(ops).is_some_and(|m| m & SPECIAL != 0);
        }
        let mut rest = ops;
        while let Some(op) = rest.chars().next().filter(|c| matches!(c, '-' | '+' | '=')) {
            let body = &rest[1..];
            let end = body.find(['-', '+', '=']).unwrap_or(body.len());
            let (perms, next) = body.split_at(end);
            let sets = op != '-';
            if sets
                && (perms.contains('s')
                    || perms.bytes().all(|b| b.is_ascii_digit())
                        && !perms.is_empty()
                        && octal(perms).is_some_and(|m| m & SPECIAL != 0))
            {
                return true;
            }
            rest = next;
        }
        false
    })
}

fn octal(digits: &str) -> Option<u32> {
    u32::from_str_radix(digits, 8).ok()
}

#[cfg(test)]
mod tests {
    use super::sets_special;

    #[test]
    fn setting_setuid_or_setgid_is_seen_in_every_spelling() {
        for m in [
            "u+s", "+s", "g+s", "a+s", "ug+s", "u=rwxs", "4755", "2755", "6755", "04755",
            "u+x,g+s", "o-w,u+s", "=4755", "+2000", "u+rw+s", "u-x+s",
        ] {
            assert!(sets_special(m), "{m} sets a special bit");
        }
        for m in [
            "u-s",
            "g-s",
            "-s",
            "a-s",
            "755",
            "0755",
            "644",
            "1777",
            "+t",
            "o+t",
            "u+x",
            "go-w",
            "u=rwx,g=rx,o=",
            "g=u",
            "-4000",
            "a+X",
            "",
        ] {
            assert!(!sets_special(m), "{m} sets no special bit");
        }
    }
}
