//! The state machine of one alert series: inactive → pending → firing → resolved (then
//! inactive again), driven by the observations of its condition. Pure: times are given, no
//! clock; a gap is not an observation (the caller does not step on it), so it neither fires
//! nor resolves.
//!
//! - inactive, the condition holds at `t`: pending since `t`; firing at once when `for` is 0.
//! - pending, it holds at `t` and `t - since >= for`: firing.
//! - pending, it does not hold: inactive again (cancelled, never notified).
//! - firing, it holds: firing (the last time it held moves to `t`).
//! - firing, it does not hold and `t - last_held >= keep_firing_for`: resolved (inactive); while
//!   less than that has passed, still firing.

/// The tracked part of a series that is not inactive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Track {
    pub phase: Phase,
    /// When the condition started to hold (the pending alert's start), ms.
    pub since_ms: i64,
    /// When it fired (firing only), ms.
    pub fired_ms: Option<i64>,
    /// The last observation at which the condition held, ms.
    pub last_held_ms: i64,
}

/// Pending or firing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Phase {
    Pending,
    Firing,
}

/// What one observation changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// Nothing visible (still inactive, pending or firing).
    None,
    /// Inactive → pending.
    Pending,
    /// → firing (from pending, or from inactive when `for` is 0).
    Fired,
    /// Firing → resolved.
    Resolved,
    /// Pending → inactive: the condition stopped holding before `for` passed.
    Cancelled,
}

/// The rule's timing, ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    pub for_ms: i64,
    pub keep_firing_for_ms: i64,
}

/// One observation of the condition (`holds`) at `t`; the new state and what changed.
pub fn step(
    track: Option<Track>,
    holds: bool,
    t: i64,
    timing: Timing,
) -> (Option<Track>, Transition) {
    match (track, holds) {
        (None, false) => (None, Transition::None),
        (None, true) => {
            let fire_now = timing.for_ms <= 0;
            let tr = Track {
                phase: if fire_now {
                    Phase::Firing
                } else {
                    Phase::Pending
                },
                since_ms: t,
                fired_ms: fire_now.then_some(t),
                last_held_ms: t,
            };
            let what = if fire_now {
                Transition::Fired
            } else {
                Transition::Pending
            };
            (Some(tr), what)
        }
        (Some(tr), true) => {
            let held = Track {
                last_held_ms: t.max(tr.last_held_ms),
                ..tr
            };
            match tr.phase {
                Phase::Firing => (Some(held), Transition::None),
                Phase::Pending if t.saturating_sub(tr.since_ms) >= timing.for_ms => (
                    Some(Track {
                        phase: Phase::Firing,
                        fired_ms: Some(t),
                        ..held
                    }),
                    Transition::Fired,
                ),
                Phase::Pending => (Some(held), Transition::None),
            }
        }
        (Some(tr), false) => match tr.phase {
            Phase::Pending => (None, Transition::Cancelled),
            Phase::Firing if t.saturating_sub(tr.last_held_ms) >= timing.keep_firing_for_ms => {
                (None, Transition::Resolved)
            }
            Phase::Firing => (Some(tr), Transition::None),
        },
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The firing intervals `[fired, resolved)` of a series (`None`: still firing at the end).
    type Intervals = Vec<(i64, Option<i64>)>;

    fn machine(obs: &[(i64, Option<bool>)], timing: Timing) -> Intervals {
        let mut out: Intervals = Vec::new();
        let mut track = None;
        for &(t, o) in obs {
            let Some(holds) = o else { continue };
            let (next, what) = step(track, holds, t, timing);
            track = next;
            match what {
                Transition::Fired => out.push((t, None)),
                Transition::Resolved => {
                    if let Some(last) = out.last_mut() {
                        last.1 = Some(t);
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// The reference: the definition written over the whole series at once, index by index.
    /// Gaps are dropped first. Observation `m` is firing when the condition holds there and
    /// either `m - 1` was firing or the run of holding observations ending at `m` began at
    /// least `for` before; or when it does not hold, `m - 1` was firing and the last holding
    /// observation is less than `keep_firing_for` before.
    fn reference(obs: &[(i64, Option<bool>)], timing: Timing) -> Intervals {
        let seen: Vec<(i64, bool)> = obs.iter().filter_map(|&(t, o)| Some((t, o?))).collect();
        let mut firing = vec![false; seen.len()];
        for m in 0..seen.len() {
            let (t, holds) = seen[m];
            let before = m > 0 && firing[m - 1];
            firing[m] = if holds {
                let mut start = m;
                while start > 0 && seen[start - 1].1 {
                    start -= 1;
                }
                before || t - seen[start].0 >= timing.for_ms
            } else {
                let last_held = (0..m).rev().find(|&i| seen[i].1).map(|i| seen[i].0);
                before && last_held.is_some_and(|h| t - h < timing.keep_firing_for_ms)
            };
        }
        let mut out: Intervals = Vec::new();
        for m in 0..seen.len() {
            let was = m > 0 && firing[m - 1];
            if firing[m] && !was {
                out.push((seen[m].0, None));
            } else if !firing[m] && was {
                if let Some(last) = out.last_mut() {
                    last.1 = Some(seen[m].0);
                }
            }
        }
        out
    }

    /// Observations at increasing times, 1-90 s apart: true, false or a gap.
    fn series() -> impl Strategy<Value = Vec<(i64, Option<bool>)>> {
        prop::collection::vec(
            (1i64..90_000, prop::option::weighted(0.85, any::<bool>())),
            0..120,
        )
        .prop_map(|steps| {
            let mut t = 1_800_000_000_000i64;
            steps
                .into_iter()
                .map(|(dt, o)| {
                    t += dt;
                    (t, o)
                })
                .collect()
        })
    }

    fn timing() -> impl Strategy<Value = Timing> {
        let d = prop_oneof![Just(0i64), 1i64..300_000];
        (d.clone(), d).prop_map(|(f, k)| Timing {
            for_ms: f,
            keep_firing_for_ms: k,
        })
    }

    proptest! {
        #[test]
        fn the_machine_fires_exactly_when_the_reference_does(obs in series(), timing in timing()) {
            prop_assert_eq!(machine(&obs, timing), reference(&obs, timing));
        }
    }

    const T: Timing = Timing {
        for_ms: 60_000,
        keep_firing_for_ms: 120_000,
    };

    #[test]
    fn for_and_keep_firing_for_by_example() {
        let at = |s: i64| s * 1000;
        let obs = [
            (at(0), Some(true)),   // pending
            (at(30), None),        // a gap: nothing
            (at(60), Some(true)),  // fires: held for 60 s
            (at(90), Some(false)), // kept firing (30 s since it last held)
            (at(120), None),
            (at(150), Some(true)),  // held again
            (at(240), Some(false)), // 90 s: kept
            (at(270), Some(false)), // 120 s: resolved
            (at(300), Some(true)),  // pending again
            (at(330), Some(false)), // cancelled, never fired
        ];
        assert_eq!(machine(&obs, T), [(at(60), Some(at(270)))]);
    }

    #[test]
    fn gaps_alone_never_resolve_a_firing_alert() {
        let obs: Vec<(i64, Option<bool>)> = std::iter::once((0, Some(true)))
            .chain((1..100).map(|i| (i * 60_000, None)))
            .collect();
        let zero = Timing {
            for_ms: 0,
            keep_firing_for_ms: 0,
        };
        assert_eq!(machine(&obs, zero), [(0, None)]);
    }
}
