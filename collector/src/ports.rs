//! Stable port identity: a key per port that survives ifIndex renumbering and never merges two
//! ports, so rates and history follow the port, not its index.
//!
//! The rule, in order:
//! 1. The **base** of a port is its ifName, else its ifDescr (when ifName is absent or blank),
//!    else `ifIndex-N`. Names are trimmed.
//! 2. A base that only one port has is the key, whatever its ifIndex: unique names survive any
//!    renumbering.
//! 3. Ports sharing a base (a recorded switch has two ports named `vlan-730`) become
//!    `base#descr` when every one of them has an ifDescr, different from the base and from each
//!    other: stable under any renumbering. Otherwise they become `base#k`, k = 1, 2, … the rank
//!    by ifIndex among them (ties by input position): stable under renumbering that keeps their
//!    order, which is how devices renumber (a reboot that inserts new interfaces shifts indexes
//!    up, it does not shuffle them).
//! 4. If a key from rule 3 is already taken (a port literally named `vlan-730#1`, or two
//!    generated keys that coincide), it gets `#2`, `#3`, … until free; keys are claimed by rule-2
//!    ports first, then by ifIndex. So the keys are unique, always.
//!
//! A port with neither ifName nor ifDescr has nothing but its index to be known by: its key
//! `ifIndex-N` follows the index, and a renumbering makes it a new port (a `NoPrevious` gap).
//! With distinct ifIndexes, a port's key depends on the set of ports, not on the input order.

use std::collections::{BTreeMap, HashSet};

/// A port as read from IF-MIB, before it has a key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawPort {
    pub if_index: u32,
    pub if_name: Option<String>,
    pub if_descr: Option<String>,
}

/// Returns the stable key per port, in the order of `ports`, all distinct. See the module doc.
pub fn assign_keys(ports: &[RawPort]) -> Vec<String> {
    let bases: Vec<String> = ports.iter().map(base).collect();
    // The usual case: every base is distinct, and is the key.
    let mut seen: HashSet<&str> = HashSet::with_capacity(bases.len());
    if bases.iter().all(|b| seen.insert(b.as_str())) {
        return bases;
    }
    drop(seen);
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, base) in bases.iter().enumerate() {
        groups.entry(base.as_str()).or_default().push(i);
    }
    let mut keys: Vec<Option<String>> = vec![None; ports.len()];
    let mut taken: HashSet<String> = HashSet::with_capacity(ports.len());
    let mut wanted: Vec<(usize, String)> = Vec::new();
    for (base, mut members) in groups {
        if let [only] = members[..] {
            taken.insert(base.to_string());
            keys[only] = Some(base.to_string());
            continue;
        }
        members.sort_by_key(|&i| (ports[i].if_index, i));
        wanted.extend(disambiguate(base, &members, ports));
    }
    wanted.sort_by_key(|&(i, _)| (ports[i].if_index, i));
    for (i, candidate) in wanted {
        let key = free_key(candidate, &taken);
        taken.insert(key.clone());
        keys[i] = Some(key);
    }
    // Every index is either a singleton or in `wanted`; the fallback is never used.
    keys.into_iter()
        .zip(bases)
        .map(|(key, base)| key.unwrap_or(base))
        .collect()
}

/// ifName, else ifDescr, else `ifIndex-N`.
fn base(port: &RawPort) -> String {
    non_blank(&port.if_name)
        .or_else(|| non_blank(&port.if_descr))
        .map_or_else(|| format!("ifIndex-{}", port.if_index), str::to_string)
}

fn non_blank(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// Candidate keys for ports sharing `base`, `members` sorted by ifIndex: `base#descr` when the
/// descriptions tell them all apart, else `base#rank`.
fn disambiguate(base: &str, members: &[usize], ports: &[RawPort]) -> Vec<(usize, String)> {
    let descrs: Option<Vec<&str>> = members
        .iter()
        .map(|&i| non_blank(&ports[i].if_descr).filter(|d| *d != base))
        .collect();
    let distinct = descrs.filter(|descrs| {
        let set: HashSet<&str> = descrs.iter().copied().collect();
        set.len() == descrs.len()
    });
    members
        .iter()
        .enumerate()
        .map(|(rank, &i)| {
            let key = match &distinct {
                Some(descrs) => format!("{base}#{}", descrs[rank]),
                None => format!("{base}#{}", rank + 1),
            };
            (i, key)
        })
        .collect()
}

/// `candidate`, or `candidate#2`, `#3`, … the first not taken.
fn free_key(candidate: String, taken: &HashSet<String>) -> String {
    if !taken.contains(&candidate) {
        return candidate;
    }
    let mut n = 2u64;
    loop {
        let key = format!("{candidate}#{n}");
        if !taken.contains(&key) {
            return key;
        }
        n += 1;
    }
}

/// Sets every port's `key` by [`assign_keys`] on its ifIndex, ifName and ifDescr.
///
/// The usual case (every base distinct) is decided on borrowed names, without cloning them.
pub fn key_ports(ports: &mut [crate::sample::PortCounters]) {
    // Nameless ports are `ifIndex-N`: distinct among themselves when indexes are, but one
    // could coincide with a real name, so they take the general path.
    let mut seen: foldhash::HashSet<&str> =
        foldhash::HashSet::with_capacity_and_hasher(ports.len(), Default::default());
    let distinct = ports.iter().all(|p| {
        let name = non_blank(&p.if_name).or_else(|| non_blank(&p.if_descr));
        name.is_some_and(|n| seen.insert(n))
    });
    if distinct {
        for p in ports.iter_mut() {
            let key = non_blank(&p.if_name)
                .or_else(|| non_blank(&p.if_descr))
                .unwrap_or("");
            p.key = key.to_string();
        }
        return;
    }
    let raw: Vec<RawPort> = ports
        .iter()
        .map(|p| RawPort {
            if_index: p.if_index,
            if_name: p.if_name.clone(),
            if_descr: p.if_descr.clone(),
        })
        .collect();
    for (p, key) in ports.iter_mut().zip(assign_keys(&raw)) {
        p.key = key;
    }
}

/// Joins table columns into ports by ifIndex without a map: walked columns come in index
/// order, so the next row of a column is almost always the port after the last one touched.
/// Ports stay sorted by ifIndex.
#[derive(Debug, Default)]
pub struct ByIndex {
    ports: Vec<crate::sample::PortCounters>,
    next: usize,
}

impl ByIndex {
    /// An empty join.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty join with room for `n` ports (what the device had last time).
    pub fn with_capacity(n: usize) -> Self {
        ByIndex {
            ports: Vec::with_capacity(n),
            next: 0,
        }
    }

    /// Call before the rows of each column: the cursor goes back to the first port.
    pub fn restart(&mut self) {
        self.next = 0;
    }

    /// The port with ifIndex `i`, created by `init` (which must set `if_index = i`) when new.
    pub fn entry(
        &mut self,
        i: u32,
        init: impl FnOnce() -> crate::sample::PortCounters,
    ) -> &mut crate::sample::PortCounters {
        let k = match self.ports.get(self.next) {
            Some(p) if p.if_index == i => self.next,
            _ => match self.ports.binary_search_by_key(&i, |p| p.if_index) {
                Ok(k) => k,
                Err(k) => {
                    let p = init();
                    debug_assert_eq!(p.if_index, i);
                    self.ports.insert(k, p);
                    k
                }
            },
        };
        self.next = k + 1;
        &mut self.ports[k]
    }

    /// Every port touched, by ifIndex.
    pub fn ports_mut(&mut self) -> impl Iterator<Item = &mut crate::sample::PortCounters> {
        self.ports.iter_mut()
    }

    /// The ports, sorted by ifIndex.
    pub fn into_ports(self) -> Vec<crate::sample::PortCounters> {
        self.ports
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use proptest::prelude::*;

    use super::*;

    /// Ports from a tiny text form: `index:name:descr` separated by `;`, `-` for absent.
    fn parse(text: &str) -> Vec<RawPort> {
        let field = |f: &str| (f != "-").then(|| f.to_string());
        text.split(';')
            .map(|p| {
                let mut parts = p.trim().splitn(3, ':');
                RawPort {
                    if_index: parts.next().unwrap().parse().unwrap(),
                    if_name: field(parts.next().unwrap()),
                    if_descr: field(parts.next().unwrap()),
                }
            })
            .collect()
    }

    fn check(ports: &str, expect: &str) {
        let keys = assign_keys(&parse(ports));
        assert_eq!(keys.join(" "), expect, "for {ports}");
    }

    #[test]
    fn name_then_descr_then_index() {
        check(
            "1:ge-0/0/1:GigabitEthernet 1; 2:-:eth1; 3: :eth2; 4:-:-; 5:-: ",
            "ge-0/0/1 eth1 eth2 ifIndex-4 ifIndex-5",
        );
    }

    #[test]
    fn duplicate_names_use_distinct_descriptions() {
        check(
            "730:vlan-730:Vlan730 core; 1730:vlan-730:Vlan730 access; 1:ge-1:-",
            "vlan-730#Vlan730 core vlan-730#Vlan730 access ge-1",
        );
    }

    #[test]
    fn duplicate_names_without_telling_descriptions_use_the_rank_by_if_index() {
        // The recorded switch: two `vlan-730`, same description.
        check(
            "2730:vlan-730:vlan-730; 730:vlan-730:vlan-730",
            "vlan-730#2 vlan-730#1",
        );
        check("9:x:a; 3:x:-; 5:x:a", "x#3 x#1 x#2");
    }

    #[test]
    fn generated_keys_never_take_an_existing_name() {
        check("1:a:-; 2:a:-; 3:a#1:-", "a#1#2 a#2 a#1");
        check("1:-:-; 2:ifIndex-1:-", "ifIndex-1#1 ifIndex-1#2");
    }

    #[test]
    fn the_same_index_twice_still_gives_distinct_keys() {
        check("4:a:-; 4:a:-", "a#1 a#2");
    }

    #[test]
    fn renumbering_with_unique_names_keeps_keys() {
        let before = parse("1:ge-1:-; 2:ge-2:-; 3:-:eth3; 4:-:-");
        let after = parse("101:ge-1:-; 52:ge-2:-; 7:-:eth3; 4:-:-");
        assert_eq!(assign_keys(&before), assign_keys(&after));
    }

    fn arb_text() -> impl Strategy<Value = Option<String>> {
        proptest::option::of(prop_oneof![
            Just(String::new()),
            Just(" ".to_string()),
            Just("a".to_string()),
            Just("b".to_string()),
            Just("a#1".to_string()),
            Just("a#b".to_string()),
            Just("b#1".to_string()),
            Just("ifIndex-1".to_string()),
            "[ab#1]{1,4}",
        ])
    }

    fn arb_ports(max_index: u32) -> impl Strategy<Value = Vec<RawPort>> {
        proptest::collection::vec(
            (0..=max_index, arb_text(), arb_text()).prop_map(|(if_index, if_name, if_descr)| {
                RawPort {
                    if_index,
                    if_name,
                    if_descr,
                }
            }),
            0..12,
        )
    }

    proptest! {
        /// The fast path of `key_ports` gives exactly the keys of `assign_keys`.
        #[test]
        fn key_ports_agrees_with_assign_keys(ports in arb_ports(40), distinct_names in any::<bool>()) {
            let mut ports = ports;
            if distinct_names {
                // Make the fast path likely: names unique per position.
                for (n, p) in ports.iter_mut().enumerate() {
                    p.if_name = Some(format!("port{n}"));
                }
            }
            let mut counters: Vec<crate::sample::PortCounters> = ports
                .iter()
                .map(|p| crate::sample::PortCounters {
                    if_index: p.if_index,
                    if_name: p.if_name.clone(),
                    if_descr: p.if_descr.clone(),
                    ..Default::default()
                })
                .collect();
            key_ports(&mut counters);
            let keys: Vec<String> = counters.into_iter().map(|c| c.key).collect();
            prop_assert_eq!(keys, assign_keys(&ports));
        }

        /// `ByIndex` joins any order of rows into ports sorted by index, one per index.
        #[test]
        fn by_index_keeps_one_sorted_port_per_index(
            columns in proptest::collection::vec(proptest::collection::vec(0u32..50, 0..60), 1..4)
        ) {
            let mut join = ByIndex::new();
            let mut expect = std::collections::BTreeMap::new();
            for col in &columns {
                join.restart();
                for &i in col {
                    let p = join.entry(i, || crate::sample::PortCounters {
                        if_index: i,
                        ..Default::default()
                    });
                    p.in_octets = Some(p.in_octets.unwrap_or(0) + 1);
                    *expect.entry(i).or_insert(0u64) += 1;
                }
            }
            let got: Vec<(u32, u64)> = join
                .into_ports()
                .into_iter()
                .map(|p| (p.if_index, p.in_octets.unwrap_or(0)))
                .collect();
            prop_assert_eq!(got, expect.into_iter().collect::<Vec<_>>());
        }

        #[test]
        fn keys_are_unique_and_one_per_port(ports in arb_ports(6)) {
            let keys = assign_keys(&ports);
            prop_assert_eq!(keys.len(), ports.len());
            let distinct: HashSet<&String> = keys.iter().collect();
            prop_assert_eq!(distinct.len(), keys.len(), "{:?}", keys);
        }

        #[test]
        fn order_preserving_renumbering_keeps_keys(
            ports in arb_ports(1_000),
            shift in proptest::collection::vec(1u32..100, 12),
        ) {
            // Renumbered upwards by increasing offsets: the order is kept.
            // Distinct indexes; every port named (a nameless port's key is its index).
            let mut ports = ports;
            for (i, port) in ports.iter_mut().enumerate() {
                port.if_index += u32::try_from(i).unwrap() * 2_000;
                if non_blank(&port.if_name).or(non_blank(&port.if_descr)).is_none() {
                    port.if_descr = Some("d".to_string());
                }
            }
            let mut renumbered = ports.clone();
            let mut offset = 0;
            for (port, step) in renumbered.iter_mut().zip(&shift) {
                offset += step;
                port.if_index += offset;
            }
            prop_assert_eq!(assign_keys(&ports), assign_keys(&renumbered));
        }

        #[test]
        fn input_order_does_not_change_a_port_key(
            ports in arb_ports(1_000),
            seed in any::<u64>(),
        ) {
            let mut ports = ports;
            for (i, port) in ports.iter_mut().enumerate() {
                port.if_index += u32::try_from(i).unwrap() * 2_000;
            }
            let keys = assign_keys(&ports);
            // A deterministic shuffle: rotate by the seed, then reverse.
            let n = ports.len().max(1);
            let rot = usize::try_from(seed % n as u64).unwrap();
            let mut order: Vec<usize> = (0..ports.len()).collect();
            order.rotate_left(rot.min(ports.len()));
            order.reverse();
            let shuffled: Vec<RawPort> = order.iter().map(|&i| ports[i].clone()).collect();
            let shuffled_keys = assign_keys(&shuffled);
            for (pos, &i) in order.iter().enumerate() {
                prop_assert_eq!(&shuffled_keys[pos], &keys[i]);
            }
        }
    }
}
