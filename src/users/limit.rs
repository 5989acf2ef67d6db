//! Limits on guessing passwords and tokens. Only failures count (GCRA buckets from
//! `governor`): per address, per account and for the whole server. A bucket that runs dry
//! blocks until it refills one attempt.
//!
//! What it must never do is let an attacker lock the right person out, as code-server's one
//! global limiter does. So the account's and the server's limits hold back only addresses
//! that have failed several times recently: someone typing the right password from their own
//! address (a typo or two allowed) always gets through, however many wrong ones arrive from
//! elsewhere.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Failures are remembered per address this long…
const CLEAN_AFTER: Duration = Duration::from_secs(15 * 60);
/// …and an address with fewer than this many of them counts as clean.
const CLEAN_BELOW: u32 = 3;
/// Past this many remembered addresses, the clean ones are forgotten (memory stays bounded
/// under a flood from many addresses).
const REMEMBERED: usize = 16_384;

#[derive(Debug, Clone, Copy)]
pub struct Quotas {
    /// Failures one address may make in a burst, then one per `ip_period`.
    pub ip_burst: u32,
    pub ip_period: Duration,
    pub user_burst: u32,
    pub user_period: Duration,
    pub global_burst: u32,
    pub global_period: Duration,
}

impl Default for Quotas {
    fn default() -> Self {
        Self {
            ip_burst: 10,
            ip_period: Duration::from_secs(6),
            user_burst: 10,
            user_period: Duration::from_secs(6),
            global_burst: 100,
            global_period: Duration::from_millis(100),
        }
    }
}

fn quota(burst: u32, period: Duration) -> Quota {
    let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(period.max(Duration::from_millis(1)))
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(burst)
}

pub struct Limiter {
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    per_user: DefaultKeyedRateLimiter<String>,
    global: DefaultDirectRateLimiter,
    clock: DefaultClock,
    state: Mutex<Blocks>,
}

#[derive(Default)]
struct Blocks {
    ip: HashMap<IpAddr, Instant>,
    user: HashMap<String, Instant>,
    global: Option<Instant>,
    /// Each address's recent failures: how many, and when the last one was.
    failed: HashMap<IpAddr, (u32, Instant)>,
}

/// Why an attempt was not even tried, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Blocked {
    pub retry_after: Duration,
}

impl Limiter {
    pub fn new(q: Quotas) -> Self {
        Self {
            per_ip: RateLimiter::keyed(quota(q.ip_burst, q.ip_period)),
            per_user: RateLimiter::keyed(quota(q.user_burst, q.user_period)),
            global: RateLimiter::direct(quota(q.global_burst, q.global_period)),
            clock: DefaultClock::default(),
            state: Mutex::new(Blocks::default()),
        }
    }

    fn blocks(&self) -> std::sync::MutexGuard<'_, Blocks> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Before checking a password or token: may this attempt be tried?
    pub fn gate(&self, ip: IpAddr, user: Option<&str>) -> Result<(), Blocked> {
        let now = Instant::now();
        let b = self.blocks();
        let left = |until: Option<&Instant>| until.and_then(|u| u.checked_duration_since(now));
        if let Some(wait) = left(b.ip.get(&ip)) {
            return Err(Blocked { retry_after: wait });
        }
        let clean = b
            .failed
            .get(&ip)
            .is_none_or(|(n, t)| *n < CLEAN_BELOW || now.duration_since(*t) >= CLEAN_AFTER);
        if clean {
            return Ok(());
        }
        let user_wait = user.and_then(|u| left(b.user.get(u)));
        match user_wait.or_else(|| left(b.global.as_ref())) {
            Some(wait) => Err(Blocked { retry_after: wait }),
            None => Ok(()),
        }
    }

    /// A wrong password or token: counts against the address, the account and the server.
    pub fn failed(&self, ip: IpAddr, user: Option<&str>) {
        let now = Instant::now();
        let until = |wait: Duration| now + wait;
        let clock_now = self.clock.now();
        let mut b = self.blocks();
        if b.failed.len() >= REMEMBERED {
            b.failed
                .retain(|_, (_, t)| now.duration_since(*t) < CLEAN_AFTER);
            b.ip.retain(|_, t| *t > now);
            b.user.retain(|_, t| *t > now);
            self.per_ip.retain_recent();
            self.per_user.retain_recent();
        }
        let count = match b.failed.get(&ip) {
            Some((n, t)) if now.duration_since(*t) < CLEAN_AFTER => n.saturating_add(1),
            _ => 1,
        };
        b.failed.insert(ip, (count, now));
        if let Err(nu) = self.per_ip.check_key(&ip) {
            b.ip.insert(ip, until(nu.wait_time_from(clock_now)));
        }
        if let Some(u) = user
            && let Err(nu) = self.per_user.check_key(&u.to_owned())
        {
            b.user
                .insert(u.to_owned(), until(nu.wait_time_from(clock_now)));
        }
        if let Err(nu) = self.global.check() {
            b.global = Some(until(nu.wait_time_from(clock_now)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn failures_block_the_address_not_the_right_person_elsewhere() {
        let l = Limiter::new(Quotas {
            ip_burst: 3,
            ip_period: Duration::from_secs(60),
            user_burst: 5,
            user_period: Duration::from_secs(60),
            global_burst: 8,
            global_period: Duration::from_secs(60),
        });
        let (bad, good, other) = (ip("127.0.0.2"), ip("127.0.0.1"), ip("::1"));
        // Successes cost nothing.
        for _ in 0..100 {
            assert!(l.gate(good, Some("ana")).is_ok());
        }
        let mut tried = 0;
        while l.gate(bad, Some("ana")).is_ok() && tried < 100 {
            l.failed(bad, Some("ana"));
            tried += 1;
        }
        // The burst, then blocked for about one period.
        assert_eq!(tried, 4);
        let wait = l.gate(bad, Some("ana")).unwrap_err().retry_after;
        assert!(wait > Duration::from_secs(50) && wait <= Duration::from_secs(60));
        // ana from a clean address still gets to try.
        assert!(l.gate(good, Some("ana")).is_ok());
        // Many addresses failing on one account: the account's bucket runs dry, which holds
        // back addresses that failed, never a clean one.
        for i in 10..20 {
            for _ in 0..3 {
                l.failed(ip(&format!("10.0.0.{i}")), Some("ana"));
            }
        }
        assert!(l.gate(ip("10.0.0.15"), Some("ana")).is_err());
        assert!(l.gate(ip("10.0.0.15"), Some("bo")).is_err(), "global too");
        assert!(l.gate(good, Some("ana")).is_ok());
        // A typo or two from ana's own address do not lock her out either.
        l.failed(good, Some("ana"));
        l.failed(good, Some("ana"));
        assert!(l.gate(good, Some("ana")).is_ok());
        assert!(l.gate(other, None).is_ok());
    }
}
