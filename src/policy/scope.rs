//! The folders of the person a command is judged for. Every path the policy resolves goes
//! through a handful of helpers that take the root and the cwd; a person's folders narrow the
//! root for all of them during one check. A check runs start to end on one thread, so the
//! narrowing is set for that thread around it instead of being threaded through each helper.

use std::cell::RefCell;
use std::path::Path;

use super::{Denial, Reason};
use crate::users::Scope;

thread_local! {
    static CURRENT: RefCell<Scope> = const { RefCell::new(Scope::All) };
}

/// Runs `f` (a check) with paths confined to `scope`.
pub fn within<R>(scope: &Scope, f: impl FnOnce() -> R) -> R {
    struct Restore(Scope);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = std::mem::take(&mut self.0);
            CURRENT.with(|c| *c.borrow_mut() = previous);
        }
    }
    let previous = CURRENT.with(|c| c.replace(scope.clone()));
    let _restore = Restore(previous);
    f()
}

/// A root-relative path the command names must lie in the person's folders.
pub(super) fn allowed(rel: &Path, shown: &str) -> Result<(), Denial> {
    CURRENT.with(|c| {
        let scope = c.borrow();
        if scope.allows_path(rel) {
            Ok(())
        } else {
            Err(Reason::NotYours(shown.to_owned()).into())
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrows_only_inside_and_restores() {
        let s = Scope::of(&["a".into()]).unwrap();
        assert!(allowed(Path::new("b"), "b").is_ok());
        within(&s, || {
            assert!(allowed(Path::new("a/x"), "x").is_ok());
            assert!(allowed(Path::new("b"), "../b").is_err());
            assert!(allowed(Path::new(""), "..").is_err());
        });
        assert!(allowed(Path::new("b"), "b").is_ok());
        let _ = std::panic::catch_unwind(|| within(&s, || panic!("during a check")));
        assert!(allowed(Path::new("b"), "b").is_ok());
    }
}
