//! The MIB of a described wifi controller, Cisco AIRESPACE-WIRELESS-MIB style: the system group,
//! bsnAPTable (one row per access point, indexed by its MAC), bsnAPIfTable's client count per
//! radio (slots 0 and 1), bsnDot11EssTable (clients per SSID) and clsSysApConnectCount.
//!
//! Client counts follow a daily pattern, deterministic from the seed, the access point and the
//! minute of the request, so reads within a minute agree. The SSID counts split the sum over all
//! radios at that minute exactly. Access points are sorted by MAC once, at start.

use std::sync::{Arc, Mutex};

use super::backbone::{AccessPoint, ClientPattern, Controller};
use super::ber::Value;
use super::mib::{DeviceNow, Table};
use super::model::{self, DAY_MS, HOUR_MS};
use super::tables::{self, Identity};

/// sysObjectID of controllers: a Cisco 5500 series WLC (cisco5500WLC).
const SYS_OBJECT_ID: &[u32] = &[1, 3, 6, 1, 4, 1, 14179, 1, 1, 4, 3];
/// CISCO-LWAPP-SYS-MIB clsSysInfo (clsSysApConnectCount is column 4, index 0).
const CLS_SYS_INFO: &[u32] = &[1, 3, 6, 1, 4, 1, 9, 9, 618, 1, 8];
/// AIRESPACE-WIRELESS-MIB bsnDot11EssEntry.
const ESS: &[u32] = &[1, 3, 6, 1, 4, 1, 14179, 2, 1, 1, 1];
/// AIRESPACE-WIRELESS-MIB bsnAPEntry.
const AP: &[u32] = &[1, 3, 6, 1, 4, 1, 14179, 2, 2, 1, 1];
/// AIRESPACE-WIRELESS-MIB bsnAPIfEntry.
const AP_IF: &[u32] = &[1, 3, 6, 1, 4, 1, 14179, 2, 2, 2, 1];
/// Radios per access point: slots 0 and 1.
const RADIOS: usize = 2;
/// Client counts are stable within this period.
const MINUTE_MS: u64 = 60_000;

/// An access point as served: sorted by MAC, with its seeded profile.
struct Ap {
    mac: [u8; 6],
    name: String,
    pattern: ClientPattern,
    salt: u64,
    /// Its rush hours come this much later (may be negative), within ±30 minutes.
    shift_ms: i64,
    /// Share of radio 0 (2.4 GHz) in its clients, 25-45 %.
    share0: f64,
}

impl Ap {
    fn new(seed: u64, controller: u32, ap: &AccessPoint) -> Self {
        let mac = ap.mac.iter().fold(0u64, |acc, &b| acc << 8 | u64::from(b));
        let salt = model::hash(&[seed, u64::from(controller), mac, 0xa9]);
        let half_hour = (HOUR_MS / 2) as f64;
        Ap {
            mac: ap.mac,
            name: ap.name.clone(),
            pattern: ap.pattern,
            salt,
            shift_ms: ((model::unit(model::mix(salt ^ 1)) * 2.0 - 1.0) * half_hour) as i64,
            share0: 0.25 + 0.2 * model::unit(model::mix(salt ^ 2)),
        }
    }

    /// Clients on both radios at `now_ms`.
    ///
    /// The whole model is read at the start of the minute, the daily shape as well as the
    /// jitter, so every read within a minute agrees (the SSID table's total, computed at the
    /// minute's first read, then matches the radios read later in it).
    fn clients(&self, now_ms: u64) -> u32 {
        let minute = now_ms / MINUTE_MS;
        let jitter = model::unit(model::hash(&[self.salt, minute]));
        let t = i128::from(minute * MINUTE_MS) - i128::from(self.shift_ms);
        let hour = t.rem_euclid(i128::from(DAY_MS)) as f64 / HOUR_MS as f64;
        match self.pattern {
            ClientPattern::Dead => 0,
            ClientPattern::Busy { peak } => {
                let rush = bump(hour, 7.75, 0.9).max(bump(hour, 16.75, 1.0));
                let shape = 0.05 + 0.95 * rush.max(0.55 * bump(hour, 12.5, 2.0));
                let n = (f64::from(peak) * shape * (0.85 + 0.15 * jitter)).round();
                (n as u32).min(peak)
            }
            ClientPattern::Quiet { peak } => {
                let day = 0.3 + 0.7 * bump(hour, 12.5, 4.0);
                let n = (f64::from(peak) + 1.0) * day * jitter;
                (n as u32).min(peak)
            }
        }
    }

    /// Clients of radio `slot` (0 or 1) at `now_ms`; the two add up to [`Ap::clients`].
    fn radio(&self, slot: usize, now_ms: u64) -> u32 {
        let total = self.clients(now_ms);
        let first = (f64::from(total) * self.share0) as u32;
        if slot == 0 {
            first
        } else {
            total - first.min(total)
        }
    }
}

/// A bell around `centre` hours of `width` hours, 1 at the centre, wrapping round midnight.
fn bump(hour: f64, centre: f64, width: f64) -> f64 {
    let d = (hour - centre).abs();
    let d = d.min(24.0 - d) / width;
    (-d * d / 2.0).exp()
}

/// What the controller's tables share.
/// The client model of a controller's access points, readable at any time: the numbers its
/// SNMP tables serve at that minute (the demo backfills weeks of history from it).
pub struct ClientModel {
    /// In the order of the controller's `aps`.
    aps: Vec<Ap>,
}

impl ClientModel {
    /// The model `simulator::run` serves for `controller` with `seed`.
    pub fn new(controller: &Controller, seed: u64) -> Self {
        let key = super::backbone::model_key(&controller.name);
        ClientModel {
            aps: controller
                .aps
                .iter()
                .map(|ap| Ap::new(seed, key, ap))
                .collect(),
        }
    }

    /// The clients of the controller's `i`-th access point at `t_ms`; `None` when it is down
    /// (a dead access point) or there is no such access point.
    pub fn clients(&self, i: usize, t_ms: u64) -> Option<u32> {
        let ap = self.aps.get(i)?;
        (ap.pattern != ClientPattern::Dead).then(|| ap.clients(t_ms))
    }
}

struct Aps {
    /// Sorted by MAC (validation keeps MACs unique).
    aps: Vec<Ap>,
    /// The sum of clients over all radios of the last minute asked: (minute, clients).
    total: Mutex<Option<(u64, u64)>>,
}

impl Aps {
    /// The access points of `controller`, sorted by MAC, their model seeded with `seed`.
    fn new(controller: &Controller, seed: u64, key: u32) -> Self {
        let mut aps: Vec<Ap> = controller
            .aps
            .iter()
            .map(|ap| Ap::new(seed, key, ap))
            .collect();
        aps.sort_by_key(|ap| ap.mac);
        Aps {
            aps,
            total: Mutex::new(None),
        }
    }

    /// Clients over all access points at `now_ms`, computed once per minute.
    fn total(&self, now_ms: u64) -> u64 {
        let minute = now_ms / MINUTE_MS;
        let compute = || {
            self.aps
                .iter()
                .map(|ap| u64::from(ap.clients(now_ms)))
                .sum()
        };
        let Ok(mut cached) = self.total.lock() else {
            return compute();
        };
        match *cached {
            Some((m, total)) if m == minute => total,
            _ => {
                let total = compute();
                *cached = Some((minute, total));
                total
            }
        }
    }
}

/// The tables of `controller` (a device without ports), the model seeded with `seed`.
pub(crate) fn tables(controller: &Controller, seed: u64, key: u32) -> Vec<Box<dyn Table>> {
    let aps = Arc::new(Aps::new(controller, seed, key));
    let connected = aps
        .aps
        .iter()
        .filter(|ap| ap.pattern != ClientPattern::Dead)
        .count();
    let identity = Identity {
        name: controller.name.clone(),
        descr: format!(
            "irisops simulated wifi controller {}, {} access points",
            controller.name,
            aps.aps.len()
        ),
        object_id: SYS_OBJECT_ID,
    };
    vec![
        tables::system(identity),
        Box::new(ConnectCount(u32::try_from(connected).unwrap_or(u32::MAX))),
        Box::new(Ess::new(controller, seed, key, Arc::clone(&aps))),
        Box::new(ApTable(Arc::clone(&aps))),
        Box::new(ApIfTable(aps)),
    ]
}

fn mac_index(out: &mut Vec<u32>, mac: &[u8; 6]) {
    out.clear();
    out.extend(mac.iter().map(|&b| u32::from(b)));
}

/// clsSysApConnectCount: access points that are not dead.
struct ConnectCount(u32);

impl Table for ConnectCount {
    fn entry(&self) -> &'static [u32] {
        CLS_SYS_INFO
    }
    fn all_columns(&self) -> &'static [u32] {
        &[4]
    }
    fn n_rows(&self, _dev: &DeviceNow<'_>) -> usize {
        1
    }
    fn index(&self, _dev: &DeviceNow<'_>, _row: usize, out: &mut Vec<u32>) {
        out.clear();
        out.push(0);
    }
    fn value<'s>(&'s self, _: &DeviceNow<'_>, _: u32, _: usize, _: &'s mut Vec<u8>) -> Value<'s> {
        Value::Gauge32(self.0)
    }
}

/// bsnDot11EssTable: bsnDot11EssSsid and bsnDot11EssNumberOfMobileStations, index 1..n.
struct Ess {
    ssids: Vec<String>,
    /// Cumulative weights: SSID i takes the clients between cumulative[i] and [i + 1].
    cumulative: Vec<u64>,
    aps: Arc<Aps>,
}

impl Ess {
    fn new(controller: &Controller, seed: u64, key: u32, aps: Arc<Aps>) -> Self {
        let mut cumulative = vec![0];
        let mut sum = 0;
        for i in 0..controller.ssids.len() {
            sum += 1 + model::hash(&[seed, u64::from(key), i as u64, 0xe55]) % 8;
            cumulative.push(sum);
        }
        Ess {
            ssids: controller.ssids.clone(),
            cumulative,
            aps,
        }
    }

    /// Clients of SSID `row` at `now_ms`: the total split by weight, so the SSIDs add up to it.
    fn clients(&self, row: usize, now_ms: u64) -> u64 {
        let total = u128::from(self.aps.total(now_ms));
        let weight = u128::from(self.cumulative.last().copied().unwrap_or(0).max(1));
        let upto = |i: usize| {
            let c = u128::from(self.cumulative.get(i).copied().unwrap_or(0));
            total * c / weight
        };
        u64::try_from(upto(row + 1) - upto(row)).unwrap_or(u64::MAX)
    }
}

impl Table for Ess {
    fn entry(&self) -> &'static [u32] {
        ESS
    }
    fn all_columns(&self) -> &'static [u32] {
        &[2, 38]
    }
    fn n_rows(&self, _dev: &DeviceNow<'_>) -> usize {
        self.ssids.len()
    }
    fn index(&self, _dev: &DeviceNow<'_>, row: usize, out: &mut Vec<u32>) {
        out.clear();
        out.push(u32::try_from(row + 1).unwrap_or(u32::MAX));
    }
    fn value<'s>(
        &'s self,
        dev: &DeviceNow<'_>,
        column: u32,
        row: usize,
        _: &'s mut Vec<u8>,
    ) -> Value<'s> {
        match column {
            2 => Value::Octets(self.ssids.get(row).map_or(&b""[..], |s| s.as_bytes())),
            _ => Value::Gauge32(u32::try_from(self.clients(row, dev.now_ms)).unwrap_or(u32::MAX)),
        }
    }
}

/// bsnAPTable: bsnAPDot3MacAddress, bsnAPName, bsnAPOperationStatus.
struct ApTable(Arc<Aps>);

/// bsnAPOperationStatus associated(1), disassociating(2).
const ASSOCIATED: i64 = 1;
const DISASSOCIATING: i64 = 2;

impl Table for ApTable {
    fn entry(&self) -> &'static [u32] {
        AP
    }
    fn all_columns(&self) -> &'static [u32] {
        &[1, 3, 6]
    }
    fn n_rows(&self, _dev: &DeviceNow<'_>) -> usize {
        self.0.aps.len()
    }
    fn index(&self, _dev: &DeviceNow<'_>, row: usize, out: &mut Vec<u32>) {
        mac_index(out, &self.0.aps.get(row).map_or([0; 6], |ap| ap.mac));
    }
    fn value<'s>(
        &'s self,
        _: &DeviceNow<'_>,
        column: u32,
        row: usize,
        _: &'s mut Vec<u8>,
    ) -> Value<'s> {
        let Some(ap) = self.0.aps.get(row) else {
            return Value::Octets(&[]);
        };
        match column {
            1 => Value::Octets(&ap.mac),
            3 => Value::Octets(ap.name.as_bytes()),
            _ if ap.pattern == ClientPattern::Dead => Value::Integer(DISASSOCIATING),
            _ => Value::Integer(ASSOCIATED),
        }
    }
}

/// bsnAPIfTable's bsnApIfNoOfUsers: clients per radio, index mac.slot.
struct ApIfTable(Arc<Aps>);

impl Table for ApIfTable {
    fn entry(&self) -> &'static [u32] {
        AP_IF
    }
    fn all_columns(&self) -> &'static [u32] {
        &[15]
    }
    fn n_rows(&self, _dev: &DeviceNow<'_>) -> usize {
        self.0.aps.len() * RADIOS
    }
    fn index(&self, _dev: &DeviceNow<'_>, row: usize, out: &mut Vec<u32>) {
        mac_index(
            out,
            &self.0.aps.get(row / RADIOS).map_or([0; 6], |ap| ap.mac),
        );
        out.push((row % RADIOS) as u32);
    }
    fn value<'s>(
        &'s self,
        dev: &DeviceNow<'_>,
        _: u32,
        row: usize,
        _: &'s mut Vec<u8>,
    ) -> Value<'s> {
        let clients = self
            .0
            .aps
            .get(row / RADIOS)
            .map_or(0, |ap| ap.radio(row % RADIOS, dev.now_ms));
        Value::Gauge32(clients)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ap(pattern: ClientPattern) -> Ap {
        let ap = AccessPoint {
            name: "ap".into(),
            mac: [0, 1, 2, 3, 4, 5],
            pattern,
        };
        Ap::new(42, 7, &ap)
    }

    /// Clients at each minute of a day.
    fn day(ap: &Ap) -> Vec<u32> {
        let midnight = 1_790_000_000_000 / DAY_MS * DAY_MS;
        (0..1440)
            .map(|m| ap.clients(midnight + m * MINUTE_MS))
            .collect()
    }

    #[test]
    fn busy_peaks_at_rush_hours_quiet_stays_low_dead_is_empty() {
        let busy = day(&ap(ClientPattern::Busy { peak: 40 }));
        let max = busy.iter().copied().max().unwrap();
        assert!((34..=40).contains(&max), "busy peak {max}");
        // Mean over an hour, in tenths of a client.
        let at = |h: usize| busy[h * 60..h * 60 + 60].iter().sum::<u32>() / 6;
        assert!(at(3) <= 30 && at(8) > at(12) && at(17) > at(12), "{busy:?}");
        assert!(at(12) > 3 * at(3), "{busy:?}");
        let quiet = day(&ap(ClientPattern::Quiet { peak: 3 }));
        assert!(quiet.iter().all(|&n| n <= 3) && quiet.iter().any(|&n| n > 0));
        assert!(day(&ap(ClientPattern::Dead)).iter().all(|&n| n == 0));
        let ap = ap(ClientPattern::Busy { peak: 40 });
        let t = 1_790_000_000_000 + 12 * HOUR_MS;
        assert_eq!(ap.radio(0, t) + ap.radio(1, t), ap.clients(t));
    }

    /// The public client model reads the same numbers as the served tables (same seed, same
    /// controller key), and a dead access point is down, not empty.
    #[test]
    fn the_client_model_is_what_the_tables_serve() {
        let controller = Controller {
            name: "wlc-x".into(),
            aps: vec![
                AccessPoint {
                    name: "a".into(),
                    mac: [2, 0, 0, 0, 0, 1],
                    pattern: ClientPattern::Busy { peak: 30 },
                },
                AccessPoint {
                    name: "b".into(),
                    mac: [2, 0, 0, 0, 0, 2],
                    pattern: ClientPattern::Dead,
                },
            ],
            ssids: vec!["x".into()],
        };
        let model = ClientModel::new(&controller, 42);
        let key = super::super::backbone::model_key("wlc-x");
        let served = Ap::new(42, key, &controller.aps[0]);
        for m in 0..1440 {
            let t = 1_790_000_000_000 + m * MINUTE_MS;
            assert_eq!(model.clients(0, t), Some(served.clients(t)));
            assert_eq!(model.clients(1, t), None);
        }
        assert_eq!(model.clients(2, 0), None);
    }

    /// Every read within a minute agrees, at every minute of a day, for every pattern: the
    /// SSID total is computed once per minute and must match the radios read later in it.
    #[test]
    fn reads_within_a_minute_agree() {
        let midnight = 1_790_000_000_000 / DAY_MS * DAY_MS;
        for pattern in [
            ClientPattern::Busy { peak: 40 },
            ClientPattern::Busy { peak: 250 },
            ClientPattern::Quiet { peak: 3 },
        ] {
            let ap = ap(pattern);
            for m in 0..1440 {
                let start = midnight + m * MINUTE_MS;
                let n = ap.clients(start);
                for offset in [1, 17_321, 30_000, 59_999] {
                    assert_eq!(ap.clients(start + offset), n, "minute {m} +{offset} ms");
                }
            }
        }
    }

    /// The SSID table splits exactly what the radios hold, whenever in the minute each is read.
    #[test]
    fn ssid_counts_add_up_to_the_radios_read_later_in_the_minute() {
        let controller = Controller {
            name: "wlc".into(),
            ssids: vec!["public".into(), "staff".into(), "iot".into()],
            aps: (0..50u8)
                .map(|i| AccessPoint {
                    name: format!("ap-{i}"),
                    mac: [0, 1, 2, 3, 4, i],
                    pattern: match i % 5 {
                        0 => ClientPattern::Dead,
                        1 => ClientPattern::Quiet { peak: 4 },
                        _ => ClientPattern::Busy { peak: 60 },
                    },
                })
                .collect(),
        };
        let midnight = 1_790_000_000_000 / DAY_MS * DAY_MS;
        let aps = Arc::new(Aps::new(&controller, 9, 1));
        let ess = Ess::new(&controller, 9, 1, Arc::clone(&aps));
        for m in (0..1440).step_by(7) {
            let start = midnight + m * MINUTE_MS;
            let ssids: u64 = (0..3).map(|row| ess.clients(row, start + 10)).sum();
            let radios: u64 = aps
                .aps
                .iter()
                .map(|a| u64::from(a.radio(0, start + 59_000) + a.radio(1, start + 59_500)))
                .sum();
            assert_eq!(ssids, radios, "minute {m}");
        }
    }
}
