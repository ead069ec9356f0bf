//! Per-device faults read from a small TOML file: dead, slow, counter32, reboot, renumber and
//! garbage. A device may carry several (e.g. `counter32` and `slow`).
//!
//! ```toml
//! [[fault]]
//! device = 3          # 1-based
//! kind = "slow"       # dead | slow | counter32 | reboot | renumber | garbage
//! delay = "3s"        # for slow
//! every = "30s"       # for reboot and renumber (default 60s)
//! ```

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

use super::SimError;

/// Reboot period of a `renumber` fault without `every`.
const DEFAULT_EVERY: Duration = Duration::from_secs(60);

/// The faults of one device; the default is a healthy device.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeviceFaults {
    /// Never answers.
    pub dead: bool,
    /// Answers after this delay, without holding up other devices.
    pub slow: Option<Duration>,
    /// No 64-bit counters: ifXTable holds only ifName.
    pub counter32: bool,
    /// Reboots every period (at multiples of it since the Unix epoch): sysUpTime and counters
    /// restart from zero.
    pub reboot_every: Option<Duration>,
    /// At each reboot the ifIndex values shift by 1000; names stay.
    pub renumber: bool,
    /// Answers with malformed datagrams (random bytes, truncated BER, wrong request-id in turn).
    pub garbage: bool,
}

/// Faults by 1-based device number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    devices: BTreeMap<u32, DeviceFaults>,
}

impl Faults {
    /// The faults of `device` (1-based); healthy if none were configured.
    pub fn device(&self, device: u32) -> Option<&DeviceFaults> {
        self.devices.get(&device)
    }

    /// Replaces the faults of `device` (1-based).
    pub fn set(&mut self, device: u32, faults: DeviceFaults) {
        self.devices.insert(device, faults);
    }

    /// The highest device number that has a fault.
    pub fn max_device(&self) -> Option<u32> {
        self.devices.keys().next_back().copied()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    fault: Vec<RawFault>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFault {
    device: u32,
    kind: String,
    delay: Option<String>,
    every: Option<String>,
}

/// Parses the faults file; every problem is reported, each naming its `fault[i]` entry.
pub fn parse_faults(toml_text: &str) -> Result<Faults, SimError> {
    let raw: RawFile = toml::from_str(toml_text).map_err(|e| SimError::FaultsToml(Box::new(e)))?;
    let mut faults = Faults::default();
    let mut problems = Vec::new();
    for (i, f) in raw.fault.iter().enumerate() {
        if let Err(p) = apply(&mut faults, f) {
            problems.push(format!("fault[{i}]: {p}"));
        }
    }
    if problems.is_empty() {
        Ok(faults)
    } else {
        Err(SimError::Faults(problems.join("; ")))
    }
}

fn apply(faults: &mut Faults, f: &RawFault) -> Result<(), String> {
    if f.device == 0 {
        return Err("device is 1-based, got 0".into());
    }
    let duration = |key: &str, text: &Option<String>| -> Result<Option<Duration>, String> {
        text.as_deref()
            .map(|t| match humantime::parse_duration(t) {
                Ok(d) if d.is_zero() => Err(format!("{key} must be above zero")),
                Ok(d) => Ok(d),
                Err(e) => Err(format!("{key} {t:?}: {e}")),
            })
            .transpose()
    };
    let delay = duration("delay", &f.delay)?;
    let every = duration("every", &f.every)?;
    let allowed: (bool, bool) = match f.kind.as_str() {
        "slow" => (true, false),
        "reboot" | "renumber" => (false, true),
        "dead" | "counter32" | "garbage" => (false, false),
        other => return Err(format!("unknown kind {other:?}")),
    };
    if delay.is_some() && !allowed.0 {
        return Err(format!("delay does not apply to kind {:?}", f.kind));
    }
    if every.is_some() && !allowed.1 {
        return Err(format!("every does not apply to kind {:?}", f.kind));
    }
    let d = faults.devices.entry(f.device).or_default();
    match f.kind.as_str() {
        "dead" => d.dead = true,
        "slow" => d.slow = Some(delay.ok_or("kind \"slow\" needs a delay")?),
        "counter32" => d.counter32 = true,
        "garbage" => d.garbage = true,
        "reboot" => d.reboot_every = Some(every.ok_or("kind \"reboot\" needs every")?),
        _ => {
            d.renumber = true;
            d.reboot_every = Some(every.or(d.reboot_every).unwrap_or(DEFAULT_EVERY));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_kind() {
        let faults = parse_faults(
            r#"
            [[fault]]
            device = 1
            kind = "dead"
            [[fault]]
            device = 2
            kind = "slow"
            delay = "3s"
            [[fault]]
            device = 2
            kind = "counter32"
            [[fault]]
            device = 3
            kind = "reboot"
            every = "30s"
            [[fault]]
            device = 4
            kind = "renumber"
            [[fault]]
            device = 5
            kind = "garbage"
            "#,
        )
        .unwrap();
        assert!(faults.device(1).unwrap().dead);
        let two = faults.device(2).unwrap();
        assert_eq!(
            (two.slow, two.counter32),
            (Some(Duration::from_secs(3)), true)
        );
        assert_eq!(
            faults.device(3).unwrap().reboot_every,
            Some(Duration::from_secs(30))
        );
        let four = faults.device(4).unwrap();
        assert_eq!(
            (four.renumber, four.reboot_every),
            (true, Some(DEFAULT_EVERY))
        );
        assert!(faults.device(5).unwrap().garbage);
        assert_eq!(faults.device(6), None);
        assert_eq!(faults.max_device(), Some(5));
    }

    #[test]
    fn reports_every_problem() {
        let err = parse_faults(
            r#"
            [[fault]]
            device = 0
            kind = "dead"
            [[fault]]
            device = 1
            kind = "slow"
            [[fault]]
            device = 1
            kind = "melting"
            [[fault]]
            device = 1
            kind = "dead"
            every = "1s"
            "#,
        )
        .unwrap_err()
        .to_string();
        for needle in ["fault[0]", "fault[1]", "fault[2]", "melting", "fault[3]"] {
            assert!(err.contains(needle), "{needle} missing from {err}");
        }
        assert!(parse_faults("[[fault]]\ndevice = 1\nkind = \"dead\"\ncolour = 2").is_err());
        assert_eq!(parse_faults("").unwrap(), Faults::default());
    }
}
