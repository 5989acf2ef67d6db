//! Flow control by bytes, one window per client. A client acknowledges what its terminal has
//! rendered (xterm.js's write callback); past the high-water mark it gets nothing more until
//! it is back under the low one. The PTY is paused only while no client can take output, so a
//! stalled viewer holds back no one but itself: it is brought up to date with a replay of the
//! screen once it catches up.

/// Unacknowledged bytes above which a client is sent nothing more.
pub const HIGH_WATER: usize = 100_000;
/// Unacknowledged bytes below which a held-back client is sent output again.
pub const LOW_WATER: usize = 5_000;
/// How often a client should acknowledge (bytes); told to clients in `pty_opened`.
pub const ACK_EVERY: usize = 5_000;

/// One client's window.
#[derive(Debug, Default, Clone)]
pub struct Window {
    unacked: usize,
    /// Over the high-water mark and not yet back under the low one.
    held: bool,
    /// Output went by while held: the client's screen is stale.
    missed: bool,
}

impl Window {
    /// Whether output may go to this client now.
    pub fn open(&self) -> bool {
        !self.held
    }

    /// Counts `n` bytes sent.
    pub fn sent(&mut self, n: usize) {
        self.unacked = self.unacked.saturating_add(n);
        if self.unacked > HIGH_WATER {
            self.held = true;
        }
    }

    /// Output of `n` bytes went by without this client (held back, or its connection full).
    pub fn skipped(&mut self) {
        self.held = true;
        self.missed = true;
    }

    /// The client rendered `n` bytes. Returns true when it was held back, has caught up, and
    /// missed output on the way (it needs a replay).
    pub fn acked(&mut self, n: usize) -> bool {
        self.unacked = self.unacked.saturating_sub(n);
        if self.held && self.unacked < LOW_WATER {
            self.held = false;
            return std::mem::take(&mut self.missed);
        }
        false
    }

    /// A replay of `n` bytes replaces whatever was in flight.
    pub fn replayed(&mut self, n: usize) {
        self.unacked = n;
        self.held = n > HIGH_WATER;
        self.missed = false;
    }

    #[cfg(test)]
    pub fn unacked(&self) -> usize {
        self.unacked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_is_held_past_the_high_mark_and_freed_under_the_low_one() {
        let mut w = Window::default();
        w.sent(HIGH_WATER);
        assert!(w.open(), "at the mark, not past it");
        w.sent(1);
        assert!(!w.open());
        assert!(!w.acked(HIGH_WATER - LOW_WATER), "still above the low mark");
        assert!(!w.open());
        assert!(!w.acked(2), "freed, and it missed nothing");
        assert!(w.open());
    }

    #[test]
    fn a_client_that_missed_output_asks_for_a_replay_once() {
        let mut w = Window::default();
        w.sent(HIGH_WATER + 1);
        w.skipped();
        assert!(w.acked(HIGH_WATER + 1));
        assert!(w.open());
        assert!(!w.acked(10), "only once");
    }

    #[test]
    fn acks_beyond_what_was_sent_do_not_underflow() {
        let mut w = Window::default();
        w.sent(10);
        w.acked(1_000_000);
        assert_eq!(w.unacked(), 0);
        w.replayed(HIGH_WATER * 2);
        assert!(
            !w.open(),
            "a replay larger than the window holds the client"
        );
        assert!(
            !w.acked(HIGH_WATER * 2),
            "nothing missed: the replay was the screen"
        );
        assert!(w.open());
    }
}
