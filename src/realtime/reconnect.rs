//! The official SDK's reconnection policy: after a close with a recoverable code, up to
//! `max_retries` new connections, waiting `initial_delay` doubled per attempt up to `max_delay`
//! (no jitter), each announced to a callback that may change the next attempt's query or
//! headers, or abort. Without that callback there is no reconnection, as in the SDK.

use std::time::Duration;

use serde_json::{Map, Value};

/// Whether a close code is worth reconnecting after (RFC 6455 7.4.1): going away (1001), no
/// status (1005), abnormal closure, i.e. a dropped connection (1006), internal error (1011),
/// service restart (1012), try again later (1013), TLS failure (1015).
pub fn is_recoverable(code: u16) -> bool {
    matches!(code, 1001 | 1005 | 1006 | 1011 | 1012 | 1013 | 1015)
}

/// The delay before attempt `attempt` (from 1): `initial * 2^(attempt-1)`, at most `max`.
pub(crate) fn delay(attempt: u32, initial: Duration, max: Duration) -> Duration {
    let factor = 2f64.powi(attempt.saturating_sub(1).min(64) as i32);
    Duration::from_secs_f64((initial.as_secs_f64() * factor).min(max.as_secs_f64()))
}

/// What the reconnection callback is told, and what it may change.
#[derive(Clone, Debug)]
pub struct Reconnecting {
    /// Which attempt this is, from 1.
    pub attempt: u32,
    pub max_attempts: u32,
    /// How long the session waits before this attempt connects.
    pub delay: Duration,
    /// The close code that ended the connection (1006 when it dropped without one).
    pub close_code: u16,
    /// The query of the next connection; the callback may replace it.
    pub query: Map<String, Value>,
    /// The extra headers of the next connection; the callback may change them.
    pub headers: Vec<(String, Option<String>)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recoverable_codes_are_the_sdks() {
        let recoverable: Vec<u16> = (1000..=1015).filter(|c| is_recoverable(*c)).collect();
        assert_eq!(recoverable, [1001, 1005, 1006, 1011, 1012, 1013, 1015]);
        assert!(!is_recoverable(4000));
    }

    #[test]
    fn the_delay_doubles_from_half_a_second_up_to_eight() {
        let (initial, max) = (Duration::from_millis(500), Duration::from_secs(8));
        let delays: Vec<f64> = (1..=7).map(|a| delay(a, initial, max).as_secs_f64()).collect();
        assert_eq!(delays, [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]);
        assert_eq!(delay(1000, initial, max), max);
        assert_eq!(delay(3, Duration::ZERO, max), Duration::ZERO);
    }
}
