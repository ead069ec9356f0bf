//! What a session learns from the replies that come back, are lost or come late: how many
//! requests the device gets at once ([`Window`]) and how many tries a request gets
//! ([`LossRate`]). Pure: no IO, no clock; the session feeds them events.
//!
//! A lost request is not a dead device. A window shrinks when requests sent together are
//! lost (an agent with a short input queue drops what arrives while it is busy), grows back
//! one request per reply up to just below where the loss happened, and probes above that now
//! and then, less often each time a probe loses again; a loss that turns out to be a late
//! reply is undone. A request is tried `1 + retries` times on a device that loses nothing,
//! more on one measured lossy (so that a live device is all but certain to answer one of its
//! tries); the poll's budget bounds both.

/// Replies at the foot of the ceiling before the window probes above it, at first; doubled by
/// each probe that loses requests, halved by each that does not, within these bounds.
const PROBE_MIN: u32 = 8;
const PROBE_MAX: u32 = 512;

/// How many requests of a walk a device gets at once.
#[derive(Debug, Clone)]
pub struct Window {
    max: usize,
    current: usize,
    /// The fewest requests in flight at which some were lost (`max + 1`: none): the window
    /// grows back to one below it.
    ceiling: usize,
    /// Replies since the window last lost a request or probed.
    streak: u32,
    probe_after: u32,
    /// The ceiling before the last probe lifted it, until that probe is decided.
    probing_from: Option<usize>,
    /// The window and ceiling before the last decrease, restored if a reply to one of the
    /// requests counted lost comes after all.
    before_loss: Option<(usize, usize)>,
}

impl Window {
    /// A window of `max` (at least 1) requests, the most it ever allows.
    pub fn new(max: usize) -> Window {
        let max = max.max(1);
        Window {
            max,
            current: max,
            ceiling: max + 1,
            streak: 0,
            probe_after: PROBE_MIN,
            probing_from: None,
            before_loss: None,
        }
    }

    /// Requests allowed in flight now (at least 1).
    pub fn current(&self) -> usize {
        self.current
    }

    /// The most ever allowed (the device's `max_in_flight`).
    pub fn max(&self) -> usize {
        self.max
    }

    /// A reply came back to a round that filled the window (`full`; a round with fewer
    /// requests says nothing of a larger one and changes nothing): one more request next
    /// time, up to one below the ceiling; after enough replies there, the ceiling is lifted (a
    /// probe). The step onto the number at which requests were last lost is taken after a
    /// whole window of replies only, so a probe that fails loses one request, not a burst.
    pub fn answered(&mut self, full: bool) {
        if !full {
            return;
        }
        self.streak = self.streak.saturating_add(1);
        if self.current + 1 < self.ceiling && self.current < self.max {
            let onto_the_loss = self.probing_from == Some(self.current + 1);
            if !onto_the_loss || self.streak as usize >= self.current {
                self.current += 1;
                self.streak = 0;
            }
            return;
        }
        if self.ceiling > self.max {
            return;
        }
        if self.streak >= self.probe_after {
            if self.probing_from.is_some() {
                // The last probe lost nothing: the next comes sooner.
                self.probe_after = (self.probe_after / 2).max(PROBE_MIN);
            }
            self.probing_from = Some(self.ceiling);
            self.ceiling = (self.ceiling * 2).min(self.max + 1);
            self.streak = 0;
        }
    }

    /// Requests sent together went unanswered; `in_flight` is the fewest in flight when one
    /// of them was sent (its place in the burst). One request alone says nothing of crowding:
    /// no change. Otherwise the ceiling comes down to it and the window to half of it.
    pub fn lost(&mut self, in_flight: usize) {
        self.streak = 0;
        if in_flight <= 1 {
            return;
        }
        if let Some(from) = self.probing_from.take() {
            if in_flight >= from {
                self.probe_after = (self.probe_after * 2).min(PROBE_MAX);
            }
        }
        self.before_loss = Some((self.current, self.ceiling));
        self.ceiling = self.ceiling.min(in_flight);
        self.current = self.current.min(in_flight / 2).max(1);
    }

    /// A reply came to a request already counted lost: it was late, not lost; the last
    /// decrease is undone.
    pub fn late(&mut self) {
        if let Some((current, ceiling)) = self.before_loss.take() {
            self.current = self.current.max(current);
            self.ceiling = self.ceiling.max(ceiling);
        }
    }
}

/// The share of tries a device loses while it answers, and the tries a request gets from it.
#[derive(Debug, Clone, Copy, Default)]
pub struct LossRate {
    /// A moving average over tries (1 lost, 0 answered).
    rate: f64,
    /// Tries lost since the last reply: they count once the device answers again (a dead
    /// device's silence is not a loss rate).
    silent: u32,
}

/// The weight of one try in [`LossRate`]'s average.
const ALPHA: f64 = 1.0 / 16.0;
/// The most lost tries one run of silence adds to the average.
const MOST_SILENT: u32 = 8;
/// A live device fails a request after all its tries at most this often.
const GIVE_UP_CHANCE: f64 = 1e-3;

impl LossRate {
    /// A try went unanswered.
    pub fn lost(&mut self) {
        self.silent = self.silent.saturating_add(1);
    }

    /// A try was answered: the device is alive, and the tries it lost meanwhile count.
    pub fn answered(&mut self) {
        for _ in 0..self.silent.min(MOST_SILENT) {
            self.rate += ALPHA * (1.0 - self.rate);
        }
        self.silent = 0;
        self.rate -= ALPHA * self.rate;
    }

    /// The share of tries lost, as averaged.
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// How many tries a request gets: `1 + retries` on a device that loses nothing; on a
    /// lossy one, as many as make a run of that many losses less likely than
    /// [`GIVE_UP_CHANCE`] at the rate seen, at most four times as many. `retries = 0` asks
    /// for no resend at all and gets none.
    pub fn tries(&self, retries: u32) -> u32 {
        let base = retries.saturating_add(1);
        if retries == 0 || self.rate <= 0.0 {
            return base;
        }
        let need = (GIVE_UP_CHANCE.ln() / self.rate.ln()).ceil();
        let most = base.saturating_mul(4);
        if need.is_finite() && need < f64::from(most) {
            (need as u32).max(base)
        } else {
            most
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `w` the replies of `n` requests answered.
    fn answer(w: &mut Window, n: usize) {
        for _ in 0..n {
            w.answered(true);
        }
    }

    #[test]
    fn a_loss_in_a_burst_halves_and_the_window_grows_back_below_it() {
        let mut w = Window::new(32);
        w.lost(5);
        assert_eq!(w.current(), 2);
        answer(&mut w, 10);
        assert_eq!(w.current(), 4, "one below where requests were lost");
    }

    #[test]
    fn only_a_round_that_filled_the_window_grows_it() {
        let mut w = Window::new(32);
        w.lost(8);
        for _ in 0..20 {
            w.answered(false);
        }
        assert_eq!(w.current(), 4);
        w.answered(true);
        assert_eq!(w.current(), 5);
    }

    #[test]
    fn one_request_lost_alone_changes_nothing() {
        let mut w = Window::new(32);
        w.lost(1);
        assert_eq!(w.current(), 32);
    }

    #[test]
    fn a_late_reply_undoes_the_decrease() {
        let mut w = Window::new(32);
        w.lost(20);
        assert_eq!(w.current(), 10);
        w.late();
        assert_eq!(w.current(), 32);
        // Undone once: a second late reply changes nothing more.
        w.lost(8);
        w.late();
        w.late();
        assert_eq!(w.current(), 32);
    }

    #[test]
    fn a_device_that_recovers_gets_its_window_back() {
        let mut w = Window::new(32);
        // Random loss: requests lost at any place in the burst.
        for at in [2, 3, 2, 4, 2, 3] {
            w.lost(at);
            answer(&mut w, 3);
        }
        assert!(w.current() <= 2, "{}", w.current());
        // No loss from now on: back to 32 within a few hundred replies.
        let mut n = 0;
        while w.current() < 32 {
            w.answered(true);
            n += 1;
            assert!(n < 600, "window {} after {n} replies", w.current());
        }
    }

    #[test]
    fn an_agent_that_drops_beyond_four_is_probed_less_and_less_often() {
        let mut w = Window::new(32);
        let mut losses = Vec::new();
        for reply in 0..5_000 {
            if w.current() > 4 {
                losses.push(reply);
                w.lost(5);
            } else {
                w.answered(true);
            }
        }
        assert!(losses.len() <= 45, "{} probes", losses.len());
        let late = losses.iter().filter(|&&r| r > 2_500).count();
        assert!(late <= 20, "{late} probes in the last 2,500 replies");
    }

    #[test]
    fn tries_follow_the_loss_rate_seen_while_the_device_answers() {
        let mut l = LossRate::default();
        assert_eq!(l.tries(2), 3);
        assert_eq!(l.tries(0), 1);
        // 30% of tries lost, for a while.
        for i in 0..200 {
            if i % 10 < 3 {
                l.lost();
            } else {
                l.answered();
            }
        }
        assert!((0.2..0.4).contains(&l.rate()), "{}", l.rate());
        assert!((5..=8).contains(&l.tries(2)), "{}", l.tries(2));
        assert_eq!(l.tries(0), 1, "no resend when none is asked for");
        // A device that goes silent: its silence does not raise the rate.
        let before = l.tries(2);
        for _ in 0..50 {
            l.lost();
        }
        assert_eq!(l.tries(2), before);
    }

    #[test]
    fn a_clean_device_gets_its_retries_and_no_more() {
        let mut l = LossRate::default();
        for _ in 0..100 {
            l.answered();
        }
        assert_eq!(l.tries(2), 3);
        // Half the tries lost: at most four times the tries.
        for _ in 0..100 {
            l.lost();
            l.answered();
        }
        assert_eq!(l.tries(2), 10);
        assert_eq!(l.tries(1), 8);
    }
}
