//! Scale-out without a coordinator: rendezvous (highest-random-weight) hashing of device
//! names onto `N` collector shards. Every shard computes the same answer from the name alone,
//! so `N` machines running `irisops serve --shard K/N` on one config poll each device exactly
//! once; going from `N` to `N + 1` shards moves only the devices the new shard wins, about
//! `1 / (N + 1)` of them, and no device moves between the old shards.
//!
//! The weight of (device, shard) is FNV-1a over the name, a zero byte and the shard number,
//! then the splitmix64 finaliser: fixed, documented arithmetic (not std's `DefaultHasher`,
//! whose output may change between Rust releases), so shards built by different versions agree.

use std::fmt;
use std::str::FromStr;

/// Shard `k` of `n` (1-based: `1/3`, `2/3`, `3/3`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub k: u32,
    pub n: u32,
}

impl FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Shard, String> {
        let (k, n) = s
            .split_once('/')
            .ok_or_else(|| format!("{s:?}: expected K/N, e.g. 1/3"))?;
        let parse = |x: &str, what: &str| {
            x.trim()
                .parse::<u32>()
                .map_err(|_| format!("{s:?}: {what} {x:?} is not a whole number"))
        };
        let (k, n) = (parse(k, "K")?, parse(n, "N")?);
        if n == 0 || k == 0 || k > n {
            return Err(format!("{s:?}: need 1 <= K <= N"));
        }
        Ok(Shard { k, n })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

/// 64-bit FNV-1a: a stable hash (the same on every platform and Rust release), also what the
/// demo uses to vary its simulated devices deterministically.
pub fn fnv1a(bytes: impl IntoIterator<Item = u8>) -> u64 {
    bytes.into_iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn weight(device: &str, shard: u32) -> u64 {
    let mut h = fnv1a(device.bytes().chain([0]).chain(shard.to_le_bytes()));
    // splitmix64's finaliser: spreads FNV's weak low bits.
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// The shard (1..=n) that polls `device` among `n`.
pub fn owner(device: &str, n: u32) -> u32 {
    (1..=n.max(1))
        .max_by_key(|&s| (weight(device, s), std::cmp::Reverse(s)))
        .unwrap_or(1)
}

impl Shard {
    /// Whether this shard polls `device`.
    pub fn owns(&self, device: &str) -> bool {
        owner(device, self.n) == self.k
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("dev{i:05}")).collect()
    }

    #[test]
    fn parses_k_of_n_and_refuses_nonsense() {
        assert_eq!("2/3".parse::<Shard>(), Ok(Shard { k: 2, n: 3 }));
        for bad in ["0/3", "4/3", "1/0", "x/3", "3", "1/3/4"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        assert_eq!(Shard { k: 1, n: 4 }.to_string(), "1/4");
    }

    #[test]
    fn every_device_has_exactly_one_shard_and_shards_are_balanced() {
        let devs = names(3000);
        let shards: Vec<Shard> = (1..=3).map(|k| Shard { k, n: 3 }).collect();
        let mut per = [0usize; 3];
        for d in &devs {
            let owners: Vec<u32> = shards.iter().filter(|s| s.owns(d)).map(|s| s.k).collect();
            assert_eq!(owners.len(), 1, "{d}: {owners:?}");
            per[owners[0] as usize - 1] += 1;
        }
        for n in per {
            assert!((900..=1100).contains(&n), "{per:?}");
        }
    }

    #[test]
    fn adding_a_shard_moves_about_its_share_and_only_to_it() {
        let devs = names(4000);
        let moved: Vec<&String> = devs.iter().filter(|d| owner(d, 3) != owner(d, 4)).collect();
        // 1/4 of 4,000 = 1,000.
        assert!((880..=1120).contains(&moved.len()), "{}", moved.len());
        assert!(moved.iter().all(|d| owner(d, 4) == 4));
    }

    #[test]
    fn the_weights_are_fixed_arithmetic() {
        // Pinned: a change here reshuffles every deployment's fleet.
        let pinned: Vec<u32> = ["core-01", "core-02", "pop-07", "wlc-01"]
            .iter()
            .map(|d| owner(d, 5))
            .collect();
        assert_eq!(pinned, PINNED);
    }

    const PINNED: [u32; 4] = [4, 2, 1, 3];
}
