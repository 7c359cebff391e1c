//! The time streams and schedules run on, injectable: the system clock, a
//! scaled clock (`SATCHEL_TIME_SCALE=N` runs stream and schedule time N
//! times faster, a testing and demo aid) and a test clock moved by hand.
//! Time is milliseconds since the Unix epoch.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use tokio::sync::watch;

/// The environment variable that speeds stream and schedule time up.
pub const TIME_SCALE_ENV: &str = "SATCHEL_TIME_SCALE";

/// A source of "now" and a way to wait for it to move.
pub trait Clock: Send + Sync {
    /// Milliseconds since the Unix epoch, as this clock sees it.
    fn now_ms(&self) -> i64;
    /// Wait until this clock reads `at_ms` (at once when it already does).
    fn sleep_until(&self, at_ms: i64) -> BoxFuture<'static, ()>;

    /// Wait until `duration` of this clock's time has passed.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        self.sleep_until(self.now_ms() + millis(duration))
    }
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX / 2)
}

/// Real time until `at_ms` on a clock reading `now_ms`, at `scale`.
fn real_wait(now_ms: i64, at_ms: i64, scale: u32) -> Duration {
    Duration::from_millis(u64::try_from(at_ms - now_ms).unwrap_or(0)) / scale.max(1)
}

/// A shared clock.
pub type SharedClock = Arc<dyn Clock>;

/// The real time.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        chrono::Utc::now().timestamp_millis()
    }

    fn sleep_until(&self, at_ms: i64) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(real_wait(self.now_ms(), at_ms, 1)))
    }
}

/// Real time, `scale` times faster, starting from the real now.
#[derive(Debug, Clone, Copy)]
pub struct ScaledClock {
    scale: u32,
    origin_ms: i64,
    origin: Instant,
}

impl ScaledClock {
    /// A clock running `scale` (at least 1) times faster than real time.
    pub fn new(scale: u32) -> Self {
        Self {
            scale: scale.max(1),
            origin_ms: SystemClock.now_ms(),
            origin: Instant::now(),
        }
    }

    /// How many times faster than real time.
    pub fn scale(&self) -> u32 {
        self.scale
    }
}

impl Clock for ScaledClock {
    fn now_ms(&self) -> i64 {
        let elapsed = self.origin.elapsed().as_millis() * u128::from(self.scale);
        self.origin_ms + i64::try_from(elapsed).unwrap_or(i64::MAX / 2)
    }

    fn sleep_until(&self, at_ms: i64) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(real_wait(
            self.now_ms(),
            at_ms,
            self.scale,
        )))
    }
}

/// A clock that moves only when told to ([`TestClock::advance`]).
#[derive(Debug, Clone)]
pub struct TestClock {
    now: Arc<Mutex<i64>>,
    moved: watch::Sender<i64>,
}

impl TestClock {
    /// A clock standing at `start_ms`.
    pub fn at(start_ms: i64) -> Self {
        let (moved, _) = watch::channel(start_ms);
        Self {
            now: Arc::new(Mutex::new(start_ms)),
            moved,
        }
    }

    /// Move the clock forward; sleepers whose time came wake up.
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(PoisonError::into_inner);
        *now += millis(by);
        let _previous = self.moved.send_replace(*now);
    }
}

impl Clock for TestClock {
    fn now_ms(&self) -> i64 {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn sleep_until(&self, at_ms: i64) -> BoxFuture<'static, ()> {
        let mut moved = self.moved.subscribe();
        Box::pin(async move {
            let _ = moved.wait_for(|now| *now >= at_ms).await;
        })
    }
}

/// The scale `SATCHEL_TIME_SCALE` asks for: `None` when unset, an error
/// naming the text when it is not a whole number from 1 to 1,000,000.
pub fn scale_from_env() -> Result<Option<u32>, String> {
    let Some(text) = std::env::var_os(TIME_SCALE_ENV) else {
        return Ok(None);
    };
    let text = text.to_string_lossy().trim().to_owned();
    match text.parse::<u32>() {
        Ok(n) if (1..=1_000_000).contains(&n) => Ok(Some(n)),
        _ => Err(format!(
            "{TIME_SCALE_ENV}={text:?}: give a whole number from 1 to 1000000"
        )),
    }
}

/// The clock for streams and schedules: scaled when the environment asks.
pub fn from_env() -> Result<SharedClock, String> {
    Ok(match scale_from_env()? {
        Some(scale) if scale > 1 => Arc::new(ScaledClock::new(scale)),
        _ => Arc::new(SystemClock),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_test_clock_wakes_sleepers_when_moved() {
        let clock = TestClock::at(1_000);
        let sleeper = clock.sleep(Duration::from_secs(60));
        let waiting = tokio::spawn(sleeper);
        clock.advance(Duration::from_secs(30));
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished());
        clock.advance(Duration::from_secs(30));
        waiting.await.unwrap();
        assert_eq!(clock.now_ms(), 61_000);
    }

    #[tokio::test]
    async fn a_scaled_clock_runs_faster() {
        let clock = ScaledClock::new(600);
        let before = clock.now_ms();
        clock.sleep(Duration::from_secs(60)).await; // 100 ms of real time
        assert!(clock.now_ms() - before >= 59_000);
    }
}
