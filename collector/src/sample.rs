//! Owned values that flow from the pollers to the sinks: one [`DevicePoll`] per device and poll,
//! with raw counters per port, and the [`PortRates`] computed from two consecutive polls.
//!
//! These are plain data: no SNMP types leak out of `snmp`, so the store, the rate laws and the
//! simulator's tests share them without knowing the wire.

use serde::{Deserialize, Serialize};

/// How a poll of one device ended. Serialised as the contract's `status` strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PollStatus {
    /// Every table walked (some may be absent on the device: that is not an error).
    Ok,
    /// No usable answer before the deadline (dead agent, wrong community).
    Timeout,
    /// SNMPv3 authentication failed (wrong user, password or protocol).
    AuthError,
    /// Anything else: garbage replies, a walk that loops, a budget overrun.
    Error,
}

impl PollStatus {
    /// The contract's name for this status.
    pub fn as_str(self) -> &'static str {
        match self {
            PollStatus::Ok => "ok",
            PollStatus::Timeout => "timeout",
            PollStatus::AuthError => "auth_error",
            PollStatus::Error => "error",
        }
    }
}

/// Raw interface counters of one port in one poll, as read from IF-MIB.
///
/// Counters are `None` when the device does not expose the column. `in_octets`/`out_octets`
/// hold the HC (64-bit) counter when the device has it, else the 32-bit one; `counter_bits`
/// says which.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PortCounters {
    /// The stable port key within the device: ifName, ifDescr when ifName is absent,
    /// disambiguated when names repeat (see `ports::assign_keys`).
    pub key: String,
    pub if_index: u32,
    pub if_name: Option<String>,
    pub if_descr: Option<String>,
    pub if_alias: Option<String>,
    /// ifOperStatus: 1 up, 2 down, ... (IF-MIB).
    pub oper_status: Option<u8>,
    pub admin_status: Option<u8>,
    /// Port speed in bit/s: ifHighSpeed × 10^6 when present and non-zero, else ifSpeed.
    pub speed_bps: Option<u64>,
    pub in_octets: Option<u64>,
    pub out_octets: Option<u64>,
    pub in_ucast_pkts: Option<u64>,
    pub out_ucast_pkts: Option<u64>,
    pub in_errors: Option<u64>,
    pub out_errors: Option<u64>,
    pub in_discards: Option<u64>,
    pub out_discards: Option<u64>,
    /// 64 when the octet counters come from ifHCIn/OutOctets, 32 from ifIn/OutOctets.
    pub counter_bits: u8,
    /// Per counter: true when that packet counter is 64-bit (ifHC*UcastPkts).
    pub pkts_bits_64: bool,
    /// ifCounterDiscontinuityTime (sysUpTime at the port's last counter discontinuity, in
    /// hundredths of a second), when the device has it: a change between two polls is a
    /// discontinuity even without a reboot (RFC 2863).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discontinuity_time: Option<u32>,
}

/// Everything one poll of one device produced, owned.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DevicePoll {
    pub device: String,
    /// Poll time, milliseconds since the Unix epoch (when the first answer arrived).
    pub time_ms: i64,
    /// sysUpTime in hundredths of a second.
    pub sys_uptime: Option<u32>,
    pub sys_name: Option<String>,
    pub sys_descr: Option<String>,
    pub sys_object_id: Option<String>,
    pub ports: Vec<PortCounters>,
    /// Wall time the poll took, milliseconds.
    pub duration_ms: u64,
    /// PDUs sent and varbinds received (for benchmarks and `/metrics`).
    pub n_requests: u32,
    pub n_varbinds: u32,
    /// The LLDP neighbour table; `None` when it was not walked (no LLDP profile, or the
    /// device does not have LLDP-MIB), `Some(empty)` when it was walked and is empty.
    #[serde(default)]
    pub lldp: Option<Vec<LldpNeighbour>>,
    /// Optical levels of the transceivers.
    #[serde(default)]
    pub optics: Vec<OpticReading>,
    /// Wifi access points and clients (controllers and standalone APs); `None` when no wifi
    /// profile applies.
    #[serde(default)]
    pub wifi: Option<Wifi>,
}

/// A wifi controller's (or standalone AP's) summary: the contract's `wifi` and `aps[]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wifi {
    /// The device's own totals where it offers them, else counts and sums.
    pub aps_total: u64,
    pub aps_up: u64,
    pub clients_total: u64,
    pub aps: Vec<ApStatus>,
    /// Clients per SSID, where the device reports them.
    #[serde(default)]
    pub ssids: Vec<SsidClients>,
}

/// One access point.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApStatus {
    pub name: String,
    /// `aa:bb:cc:dd:ee:ff`, when known.
    pub mac: Option<String>,
    /// `up`, `down` or `unknown`.
    pub status: String,
    /// Associated clients; `None` when the device does not say.
    pub clients: Option<u64>,
}

/// Clients on one SSID.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsidClients {
    pub name: String,
    pub clients: u64,
}

/// One LLDP neighbour of a device: the contract's `lldp[]` item of `irisops poll --format json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LldpNeighbour {
    /// The local port, as our port key (ifName, ...), or the LLDP port id when it maps to none.
    pub local_port: String,
    pub remote_chassis_id: Option<String>,
    pub remote_system_name: Option<String>,
    pub remote_port_id: Option<String>,
    pub remote_port_descr: Option<String>,
}

/// Which way the light goes through a transceiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpticDirection {
    Rx,
    Tx,
}

impl OpticDirection {
    pub fn as_str(self) -> &'static str {
        match self {
            OpticDirection::Rx => "rx",
            OpticDirection::Tx => "tx",
        }
    }
}

/// What an optical level is: the level now, or a statistic the device keeps over a period of
/// its own (Ciena's current 15-minute PM bin: its minimum catches a dip between two polls).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum OpticStat {
    /// The level as read now: the one loss, drift and the series use.
    #[default]
    Current,
    Min,
    Max,
    Avg,
}

impl OpticStat {
    pub fn as_str(self) -> &'static str {
        match self {
            OpticStat::Current => "current",
            OpticStat::Min => "min",
            OpticStat::Max => "max",
            OpticStat::Avg => "avg",
        }
    }

    pub fn is_current(&self) -> bool {
        *self == OpticStat::Current
    }
}

/// One optical level: the contract's `optics[]` item of `irisops poll --format json`. `stat`
/// and `no_light` are written only when they say something (a statistic; the floor of a
/// present optic), so a current level reads as it always has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpticReading {
    /// Our port key.
    pub port: String,
    /// Lane of a multi-lane transceiver (1-based); `None` when single-lane.
    pub lane: Option<u32>,
    pub direction: OpticDirection,
    /// Power in dBm, with the device's precision kept.
    pub dbm: f64,
    /// The level now (omitted) or a statistic of the device's period (`min`, `max`, `avg`).
    #[serde(default, skip_serializing_if = "OpticStat::is_current")]
    pub stat: OpticStat,
    /// `dbm` is the value the device writes for no light on an optic that is there (the
    /// bottom of its scale: −40 dBm on SFF-8472 DDM), not a measured level.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_light: bool,
}

impl OpticReading {
    /// A current, measured level.
    pub fn current(port: String, lane: Option<u32>, direction: OpticDirection, dbm: f64) -> Self {
        OpticReading {
            port,
            lane,
            direction,
            dbm,
            stat: OpticStat::Current,
            no_light: false,
        }
    }
}

/// Why a rate could not be computed for an interval: the interval is a gap, not a rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GapReason {
    /// No previous sample of this port, or a counter missing in one of the two.
    NoPrevious,
    /// sysUpTime went back: the device rebooted.
    Reboot,
    /// A 64-bit counter went back: a discontinuity (counter reset).
    Discontinuity,
    /// A 32-bit counter went back and the wrapped delta does not fit the port speed.
    ImplausibleWrap,
    /// The delta is above 110% of the port speed.
    OverSpeed,
    /// The two samples are not at increasing times.
    BadInterval,
    /// A 32-bit counter on a port fast enough to wrap more than once in the interval: one more
    /// wrap would also fit the port speed, so the delta cannot be known (poll faster, or use
    /// the HC counters of SNMPv2c/v3).
    AmbiguousWrap,
}

impl GapReason {
    pub fn as_str(self) -> &'static str {
        match self {
            GapReason::NoPrevious => "no_previous",
            GapReason::Reboot => "reboot",
            GapReason::Discontinuity => "discontinuity",
            GapReason::ImplausibleWrap => "implausible_wrap",
            GapReason::OverSpeed => "over_speed",
            GapReason::BadInterval => "bad_interval",
            GapReason::AmbiguousWrap => "ambiguous_wrap",
        }
    }
}

/// Rates of one port over the interval ending at `time_ms`. A `None` rate is a gap.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PortRates {
    pub key: String,
    pub time_ms: i64,
    pub interval_ms: i64,
    pub in_bps: Option<f64>,
    pub out_bps: Option<f64>,
    pub in_pps: Option<f64>,
    pub out_pps: Option<f64>,
    pub in_errors_ps: Option<f64>,
    pub out_errors_ps: Option<f64>,
    pub in_discards_ps: Option<f64>,
    pub out_discards_ps: Option<f64>,
    /// Percent of the port speed, 0-100 (a rate above 110% is a gap, so at most 110).
    pub utilisation_in: Option<f64>,
    pub utilisation_out: Option<f64>,
    /// Why the octet rates are gaps, when they are.
    pub gap: Option<GapReason>,
}
