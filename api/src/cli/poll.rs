//! `irisops poll`: polls every device twice, `gap` apart, computes rates and prints them as
//! the contract's JSON (`{"devices": [...]}`) or a table. Devices are polled concurrently, at
//! most `collector.concurrency` at once; one dead device delays nobody.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::ValueEnum;
use serde::Serialize;
use tokio::sync::Semaphore;

use collector::config::{Config, DeviceConfig};
use collector::metrics::Metrics;
use collector::pipeline::isolated_poll;
use collector::poll::{DeviceState, PollError};
use collector::rates;
use collector::sample::{
    ApStatus, DevicePoll, LldpNeighbour, OpticReading, PollStatus, PortCounters, PortRates,
    SsidClients,
};

/// One device in the output: the contract's keys first.
#[derive(Debug, Serialize)]
pub struct DeviceReport {
    pub name: String,
    pub status: PollStatus,
    pub error: Option<String>,
    pub duration_ms: u64,
    pub sys_uptime: Option<u32>,
    pub sys_name: Option<String>,
    pub sys_descr: Option<String>,
    pub sys_object_id: Option<String>,
    pub ports: Vec<PortReport>,
    /// LLDP neighbours (`[]` also when not read: see `lldp_read`).
    pub lldp: Vec<LldpNeighbour>,
    /// Whether an LLDP table was read.
    pub lldp_read: bool,
    pub optics: Vec<OpticReading>,
    /// `{"aps_total", "aps_up", "clients_total", "ssids"}`; null without a wifi profile.
    pub wifi: Option<WifiReport>,
    pub aps: Vec<ApStatus>,
    /// The profiles walked.
    pub profiles: Vec<&'static str>,
}

/// The contract's `wifi` object.
#[derive(Debug, Serialize)]
pub struct WifiReport {
    pub aps_total: u64,
    pub aps_up: u64,
    pub clients_total: u64,
    pub ssids: Vec<SsidClients>,
}

/// One port in the output.
#[derive(Debug, Serialize)]
pub struct PortReport {
    /// ifName, or ifDescr when the device has no ifName.
    pub name: String,
    /// The stable, unique key of the port within its device (names can repeat).
    pub key: String,
    pub if_index: u32,
    pub alias: Option<String>,
    pub speed_bps: Option<u64>,
    pub oper_status: Option<u8>,
    pub admin_status: Option<u8>,
    pub in_octets: Option<u64>,
    pub out_octets: Option<u64>,
    pub in_bps: Option<f64>,
    pub out_bps: Option<f64>,
    pub in_pps: Option<f64>,
    pub out_pps: Option<f64>,
    pub in_errors_ps: Option<f64>,
    pub out_errors_ps: Option<f64>,
    pub in_discards_ps: Option<f64>,
    pub out_discards_ps: Option<f64>,
    pub utilisation_in: Option<f64>,
    pub utilisation_out: Option<f64>,
    pub counter_bits: u8,
    /// Why the rates are missing, when they are (reboot, over_speed, ...).
    pub gap: Option<String>,
}

/// Arguments of `irisops poll`.
#[derive(clap::Args)]
pub struct Args {
    /// The TOML configuration file.
    #[arg(long)]
    config: PathBuf,
    /// Poll twice and exit (without it, keep polling every `--gap` seconds).
    #[arg(long)]
    once: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Seconds between the two polls.
    #[arg(long, default_value_t = 5.0)]
    gap: f64,
    /// With `--once`: exit 3 when any device's poll failed (without it, only when every
    /// device's did). The report is printed in full either way.
    #[arg(long)]
    strict: bool,
}

/// The exit code of a `--once` poll whose devices' statuses are `ok`: 3 when every device
/// failed, or (`strict`) any did; else 0.
fn exit_code(ok: &[bool], strict: bool) -> ExitCode {
    let failed = ok.iter().filter(|o| !**o).count();
    if failed > 0 && (strict || failed == ok.len()) {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    }
}

/// Output format of `poll`.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Json,
    Table,
}

/// The contract's JSON: `{"devices": [...]}`.
#[derive(Debug, Serialize)]
pub struct PollReport {
    pub devices: Vec<DeviceReport>,
}

/// Runs the command: exit 2 on an invalid config.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Some(cfg) = super::load_config(&args.config) else {
        return Ok(ExitCode::from(2));
    };
    if !(0.0..=3600.0).contains(&args.gap) {
        anyhow::bail!("--gap must be between 0 and 3600 seconds");
    }
    let gap = Duration::from_secs_f64(args.gap);
    let ok = super::runtime()?.block_on(poll_loop(cfg, args.once, args.format, gap))?;
    Ok(exit_code(&ok, args.strict))
}

/// Polls every device, `gap` apart: twice and prints (`once`), or forever, printing each round
/// from the second. With `once`, whether each device's last poll was `ok`.
async fn poll_loop(
    cfg: Config,
    once: bool,
    format: Format,
    gap: Duration,
) -> anyhow::Result<Vec<bool>> {
    let limit = Arc::new(Semaphore::new(cfg.collector.concurrency));
    // Counted as in `serve`; `poll` prints no metrics, the pipeline's poll wants them.
    let metrics = Arc::new(Metrics::default());
    let mut states: Vec<Option<DeviceState>> = Vec::new();
    let mut prev: Vec<Option<DevicePoll>> = vec![None; cfg.devices.len()];
    for dev in &cfg.devices {
        states.push(DeviceState::new(dev).await.ok());
    }
    let mut round = 0;
    loop {
        let results = round_of_polls(&cfg.devices, &mut states, &limit, &metrics).await;
        round += 1;
        if round >= 2 || !once {
            let devices: Vec<DeviceReport> = cfg
                .devices
                .iter()
                .zip(&results)
                .zip(&prev)
                .zip(&states)
                .map(|(((d, r), p), st)| {
                    let names = st
                        .as_ref()
                        .map(|s| s.profiles.active_names())
                        .unwrap_or_default();
                    report(d, r, p.as_ref(), &names)
                })
                .collect();
            print(&PollReport { devices }, format)?;
            if once {
                return Ok(results.iter().map(Result::is_ok).collect());
            }
        }
        for (p, r) in prev.iter_mut().zip(results) {
            *p = r.ok();
        }
        tokio::time::sleep(gap).await;
    }
}

/// Polls every device once, concurrently, each through the pipeline's
/// [`isolated_poll`] (a panic costs that poll only); results in device order.
async fn round_of_polls(
    devices: &[DeviceConfig],
    states: &mut [Option<DeviceState>],
    limit: &Arc<Semaphore>,
    metrics: &Arc<Metrics>,
) -> Vec<Result<DevicePoll, PollError>> {
    let mut tasks = Vec::new();
    for (dev, st) in devices.iter().zip(states.iter_mut()) {
        let dev = dev.clone();
        let st_taken = st.take();
        let limit = limit.clone();
        let metrics = metrics.clone();
        tasks.push(tokio::spawn(async move {
            let _permit = limit.acquire_owned().await;
            isolated_poll(&dev, st_taken, &metrics).await
        }));
    }
    let mut out = Vec::new();
    for (t, st) in tasks.into_iter().zip(states.iter_mut()) {
        match t.await {
            Ok((s, r)) => {
                *st = s;
                out.push(r);
            }
            Err(e) => out.push(Err(PollError {
                status: PollStatus::Error,
                message: format!("poller task failed: {e}"),
            })),
        }
    }
    out
}

fn report(
    dev: &DeviceConfig,
    r: &Result<DevicePoll, PollError>,
    prev: Option<&DevicePoll>,
    profiles: &[&'static str],
) -> DeviceReport {
    match r {
        Err(e) => DeviceReport {
            name: dev.name.clone(),
            status: e.status,
            error: Some(e.message.clone()),
            duration_ms: 0,
            sys_uptime: None,
            sys_name: None,
            sys_descr: None,
            sys_object_id: None,
            ports: Vec::new(),
            lldp: Vec::new(),
            lldp_read: false,
            optics: Vec::new(),
            wifi: None,
            aps: Vec::new(),
            profiles: Vec::new(),
        },
        Ok(cur) => {
            let rates = prev.map(|p| rates::compute(p, cur).0).unwrap_or_default();
            DeviceReport {
                name: dev.name.clone(),
                status: PollStatus::Ok,
                error: None,
                duration_ms: cur.duration_ms,
                sys_uptime: cur.sys_uptime,
                sys_name: cur.sys_name.clone(),
                sys_descr: cur.sys_descr.clone(),
                sys_object_id: cur.sys_object_id.clone(),
                ports: cur
                    .ports
                    .iter()
                    .map(|p| port_report(p, rates.iter().find(|r| r.key == p.key)))
                    .collect(),
                lldp: cur.lldp.clone().unwrap_or_default(),
                lldp_read: cur.lldp.is_some(),
                optics: cur.optics.clone(),
                wifi: cur.wifi.as_ref().map(|w| WifiReport {
                    aps_total: w.aps_total,
                    aps_up: w.aps_up,
                    clients_total: w.clients_total,
                    ssids: w.ssids.clone(),
                }),
                aps: cur.wifi.as_ref().map(|w| w.aps.clone()).unwrap_or_default(),
                profiles: profiles.to_vec(),
            }
        }
    }
}

fn port_report(p: &PortCounters, r: Option<&PortRates>) -> PortReport {
    let name = p
        .if_name
        .clone()
        .filter(|s| !s.is_empty())
        .or_else(|| p.if_descr.clone())
        .unwrap_or_else(|| p.key.clone());
    PortReport {
        name,
        key: p.key.clone(),
        if_index: p.if_index,
        alias: p.if_alias.clone(),
        speed_bps: p.speed_bps,
        oper_status: p.oper_status,
        admin_status: p.admin_status,
        in_octets: p.in_octets,
        out_octets: p.out_octets,
        in_bps: r.and_then(|r| r.in_bps),
        out_bps: r.and_then(|r| r.out_bps),
        in_pps: r.and_then(|r| r.in_pps),
        out_pps: r.and_then(|r| r.out_pps),
        in_errors_ps: r.and_then(|r| r.in_errors_ps),
        out_errors_ps: r.and_then(|r| r.out_errors_ps),
        in_discards_ps: r.and_then(|r| r.in_discards_ps),
        out_discards_ps: r.and_then(|r| r.out_discards_ps),
        utilisation_in: r.and_then(|r| r.utilisation_in),
        utilisation_out: r.and_then(|r| r.utilisation_out),
        counter_bits: p.counter_bits,
        gap: match r {
            None => Some("no_previous".to_string()),
            Some(r) => r.gap.map(|g| g.as_str().to_string()),
        },
    }
}

fn print(report: &PollReport, format: Format) -> anyhow::Result<()> {
    let reports = &report.devices;
    match format {
        Format::Json => println!("{}", super::pretty_json(report)?),
        Format::Table => {
            println!(
                "{:<16} {:<24} {:>8} {:>4} {:>12} {:>12} {:>6} {:>6}",
                "device", "port", "speed", "oper", "in_bps", "out_bps", "in%", "out%"
            );
            for d in reports {
                if d.status != PollStatus::Ok {
                    println!(
                        "{:<16} {} {}",
                        d.name,
                        d.status.as_str(),
                        d.error.as_deref().unwrap_or("")
                    );
                    continue;
                }
                for p in &d.ports {
                    println!(
                        "{:<16} {:<24} {:>8} {:>4} {:>12} {:>12} {:>6} {:>6}",
                        d.name,
                        p.name,
                        p.speed_bps.map(human_speed).unwrap_or_default(),
                        p.oper_status
                            .map(|s| if s == 1 { "up" } else { "down" })
                            .unwrap_or("-"),
                        opt(p.in_bps, 0),
                        opt(p.out_bps, 0),
                        opt(p.utilisation_in, 1),
                        opt(p.utilisation_out, 1),
                    );
                }
            }
        }
    }
    Ok(())
}

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map(|x| format!("{x:.digits$}"))
        .unwrap_or_else(|| "-".into())
}

fn human_speed(bps: u64) -> String {
    match bps {
        b if b >= 1_000_000_000 && b % 1_000_000_000 == 0 => format!("{}G", b / 1_000_000_000),
        b if b >= 1_000_000 => format!("{}M", b / 1_000_000),
        b => format!("{b}"),
    }
}

#[cfg(test)]
mod exit_tests {
    use super::exit_code;
    use std::process::ExitCode;

    #[test]
    fn a_poll_fails_when_every_device_failed_or_strictly_when_any_did() {
        assert_eq!(exit_code(&[true, true], false), ExitCode::SUCCESS);
        assert_eq!(exit_code(&[true, false], false), ExitCode::SUCCESS);
        assert_eq!(exit_code(&[false, false], false), ExitCode::from(3));
        assert_eq!(exit_code(&[true, false], true), ExitCode::from(3));
        assert_eq!(exit_code(&[true, true], true), ExitCode::SUCCESS);
        assert_eq!(exit_code(&[], true), ExitCode::SUCCESS);
    }
}
