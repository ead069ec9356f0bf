//! `irisops bench poll`: the poller's CPU per varbind against one agent, end to end.
//!
//! Each round walks ifName, ifHCInOctets, ifHCOutOctets and ifHighSpeed (ifXTable .1, .6, .10,
//! .15) with GETBULK, builds a [`DevicePoll`] with the collector's own ifIndex join
//! (`poll::join_ports`: keys from ifName, speed = ifHighSpeed × 10^6, 64-bit counters),
//! computes rates against the previous round and writes both to the embedded store. All of
//! that is inside the measured region; one warm-up round before it opens the socket, creates
//! the port rows and gives the first round its previous.
//!
//! `--layout column` walks each column on its own, so its PDUs are the ones
//! `prometheus-snmp-exporter` sends (one column each), with the 4 column walks in flight
//! together ([`walk_many`]) and, from the second round, each column asked in segments, up to
//! `--max-in-flight` requests at once (the same PDUs); `--layout column-serial` walks them one
//! after the other, as the exporter does; `--layout table` asks for the 4 columns in each PDU.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::ValueEnum;
use serde::Serialize;
use tokio::time::Instant;

use collector::config::{Auth, SnmpVersion};
use collector::poll::{join_ports, now_ms};
use collector::rates;
use collector::sample::DevicePoll;
use collector::secret::Secret;
use collector::snmp::oid::oid;
use collector::snmp::walk::{walk, walk_many, Repetitions, Table};
use collector::snmp::{Oid, Session};
use collector::store::{Retention, Store};

use super::{json_line, round, thread_cpu_ns, threads_cpu_ns};

/// ifXTable columns walked, by sub-identifier: ifName, ifHCInOctets, ifHCOutOctets,
/// ifHighSpeed (4 of the poll's [`collector::poll::IFX_COLUMNS`]).
const COLUMNS: [u32; 4] = [1, 6, 10, 15];

/// Arguments of `irisops bench poll`.
#[derive(clap::Args)]
pub struct PollArgs {
    /// The agent, host:port.
    #[arg(long)]
    target: SocketAddr,
    /// SNMPv2c community.
    #[arg(long, default_value = "public")]
    community: String,
    /// GETBULK max-repetitions.
    #[arg(long, default_value_t = 25)]
    max_repetitions: u32,
    /// Measured rounds (after one warm-up round).
    #[arg(long, default_value_t = 50)]
    rounds: u32,
    /// Store directory (default: a fresh directory under the system's temp dir, removed after).
    #[arg(long)]
    store: Option<PathBuf>,
    /// PID of the agent, to report its CPU per varbind too.
    #[arg(long)]
    agent_pid: Option<u32>,
    /// One column per walk (as the exporter) or all 4 columns in each PDU.
    #[arg(long, value_enum, default_value_t = Layout::Column)]
    layout: Layout,
    /// Per-request timeout, milliseconds.
    #[arg(long, default_value_t = 2000)]
    timeout_ms: u64,
    /// Requests in flight together (the device setting `max_in_flight`; 1: one at a time).
    #[arg(long, default_value_t = collector::snmp::session::DEFAULT_IN_FLIGHT)]
    max_in_flight: usize,
}

/// How the columns are spread over PDUs.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Layout {
    /// One walk per column, the 4 in flight together: 25 varbinds per PDU at
    /// max-repetitions 25.
    Column,
    /// One walk per column, one after the other (as the exporter).
    ColumnSerial,
    /// One walk of the 4 columns: 4 × max-repetitions varbinds per PDU.
    Table,
}

/// CPU nanoseconds of the poller thread per phase, summed over the measured rounds.
#[derive(Default)]
struct Phases {
    snmp: u64,
    ports: u64,
    rates: u64,
    store: u64,
}

/// What the measured rounds counted.
#[derive(Default)]
struct Counts {
    phases: Phases,
    n_varbinds: u64,
    n_pdus: u64,
    n_rates: u64,
    n_gaps: u64,
}

/// The agent, its session and the store a run polls into.
struct Rig {
    store: Store,
    session: Session,
    reps: Repetitions,
    columns: Vec<Oid>,
    timeout: Duration,
}

/// The benchmark's JSON line.
#[derive(Serialize)]
struct Figures {
    bench: &'static str,
    target: String,
    layout: &'static str,
    max_repetitions: u32,
    max_repetitions_used: u32,
    max_in_flight: usize,
    rounds: u32,
    ports: usize,
    varbinds_per_round: f64,
    pdus_per_round: f64,
    datagrams_sent: u64,
    timeouts: u64,
    rates_per_round: f64,
    gaps_per_round: f64,
    poller_cpu_us_per_varbind: f64,
    poller_cpu_ms_per_round: f64,
    phase_cpu_ms_per_round: PhaseFigures,
    wall_ms_per_round: f64,
    agent_cpu_us_per_varbind: Option<f64>,
    agent_cpu_ms_per_round: Option<f64>,
}

/// CPU ms per round of each phase.
#[derive(Serialize)]
struct PhaseFigures {
    snmp: f64,
    ports: f64,
    rates: f64,
    store: f64,
}

/// Runs the benchmark and prints one JSON line.
pub async fn run(args: PollArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(args.rounds >= 1, "--rounds must be at least 1");
    let (dir, temporary) = match &args.store {
        Some(d) => (d.clone(), false),
        None => (
            std::env::temp_dir().join(format!("irisops-bench-poll-{}", std::process::id())),
            true,
        ),
    };
    let result = measure(&args, &dir).await;
    if temporary {
        let _ = std::fs::remove_dir_all(&dir);
    }
    println!("{}", json_line(&result?)?);
    Ok(ExitCode::SUCCESS)
}

/// Opens the store and the session.
async fn rig(args: &PollArgs, dir: &std::path::Path) -> anyhow::Result<Rig> {
    let store = Store::open(dir, Retention::default())
        .with_context(|| format!("cannot open the store at {}", dir.display()))?;
    let auth = Auth::Community {
        version: SnmpVersion::V2c,
        community: Secret::new(args.community.clone()),
    };
    let timeout = Duration::from_millis(args.timeout_ms);
    let mut session = Session::new(args.target, &auth, timeout, 1)
        .await
        .with_context(|| format!("cannot open a session to {}", args.target))?;
    session.set_max_in_flight(args.max_in_flight);
    Ok(Rig {
        store,
        session,
        reps: Repetitions::new(args.max_repetitions),
        columns: COLUMNS
            .iter()
            .map(|&c| oid("1.3.6.1.2.1.31.1.1.1").child(c))
            .collect(),
        timeout,
    })
}

async fn measure(args: &PollArgs, dir: &std::path::Path) -> anyhow::Result<Figures> {
    let mut rig = rig(args, dir).await?;
    let Rig {
        store,
        session,
        reps,
        columns,
        timeout,
    } = &mut rig;

    // Warm-up: the first poll has no previous, its write creates the port rows.
    let table = walk_round(session, columns, reps, args.layout, *timeout).await?;
    let mut prev = device_poll(&table);
    anyhow::ensure!(
        !prev.ports.is_empty(),
        "the agent at {} has no ifXTable rows",
        args.target
    );
    store
        .write(&[(prev.clone(), Vec::new())])
        .context("store write failed")?;

    let agent = args.agent_pid.map(|p| p.to_string());
    let agent0 = agent.as_deref().map(threads_cpu_ns).transpose()?;
    let sent0 = session.stats.sent;
    let mut counts = Counts::default();
    let cpu0 = threads_cpu_ns("self")?;
    let wall0 = Instant::now();
    for _ in 0..args.rounds {
        let t0 = thread_cpu_ns()?;
        let table = walk_round(session, columns, reps, args.layout, *timeout).await?;
        let t1 = thread_cpu_ns()?;
        let cur = device_poll(&table);
        let t2 = thread_cpu_ns()?;
        let (rates, stats) = rates::compute(&prev, &cur);
        let t3 = thread_cpu_ns()?;
        let batch = [(cur, rates)];
        store.write(&batch).context("store write failed")?;
        let t4 = thread_cpu_ns()?;
        let [(cur, _)] = batch;
        prev = cur;
        let phases = &mut counts.phases;
        phases.snmp += t1 - t0;
        phases.ports += t2 - t1;
        phases.rates += t3 - t2;
        phases.store += t4 - t3;
        counts.n_varbinds += u64::from(table.n_varbinds);
        counts.n_pdus += u64::from(table.n_requests);
        counts.n_rates += u64::from(stats.n_rates);
        counts.n_gaps += u64::from(stats.n_gaps);
    }
    let wall = wall0.elapsed();
    let cpu = threads_cpu_ns("self")? - cpu0;
    let agent_cpu = match (agent.as_deref(), agent0) {
        (Some(pid), Some(before)) => Some(threads_cpu_ns(pid)? - before),
        _ => None,
    };
    let polled = Polled {
        ports: prev.ports.len(),
        datagrams_sent: session.stats.sent - sent0,
        timeouts: session.stats.timeouts,
        max_repetitions_used: reps.current,
        cpu,
        agent_cpu,
        wall,
    };
    Ok(figures(args, &counts, &polled))
}

/// What a run measured besides the per-round counts.
struct Polled {
    ports: usize,
    datagrams_sent: u64,
    timeouts: u64,
    max_repetitions_used: u32,
    /// CPU ns of this process's threads, and of the agent's.
    cpu: u64,
    agent_cpu: Option<u64>,
    wall: Duration,
}

/// The figures of a run, per round and per varbind.
fn figures(args: &PollArgs, c: &Counts, p: &Polled) -> Figures {
    let rounds = f64::from(args.rounds);
    let vb = c.n_varbinds as f64;
    let per_round_ms = |ns: u64| round(ns as f64 / 1e6 / rounds, 3);
    Figures {
        bench: "poll",
        target: args.target.to_string(),
        layout: match args.layout {
            Layout::Column => "column",
            Layout::ColumnSerial => "column-serial",
            Layout::Table => "table",
        },
        max_repetitions: args.max_repetitions,
        max_repetitions_used: p.max_repetitions_used,
        max_in_flight: args.max_in_flight,
        rounds: args.rounds,
        ports: p.ports,
        varbinds_per_round: round(vb / rounds, 1),
        pdus_per_round: round(c.n_pdus as f64 / rounds, 1),
        datagrams_sent: p.datagrams_sent,
        timeouts: p.timeouts,
        rates_per_round: round(c.n_rates as f64 / rounds, 1),
        gaps_per_round: round(c.n_gaps as f64 / rounds, 1),
        poller_cpu_us_per_varbind: round(p.cpu as f64 / 1e3 / vb, 3),
        poller_cpu_ms_per_round: per_round_ms(p.cpu),
        phase_cpu_ms_per_round: PhaseFigures {
            snmp: per_round_ms(c.phases.snmp),
            ports: per_round_ms(c.phases.ports),
            rates: per_round_ms(c.phases.rates),
            store: per_round_ms(c.phases.store),
        },
        wall_ms_per_round: round(p.wall.as_secs_f64() * 1e3 / rounds, 3),
        agent_cpu_us_per_varbind: p.agent_cpu.map(|ns| round(ns as f64 / 1e3 / vb, 3)),
        agent_cpu_ms_per_round: p.agent_cpu.map(per_round_ms),
    }
}

/// One round's walk: the 4 columns, one walk each or one walk together.
async fn walk_round(
    session: &mut Session,
    columns: &[Oid],
    reps: &mut Repetitions,
    layout: Layout,
    timeout: Duration,
) -> anyhow::Result<Table> {
    // Generous: a round that needs longer is broken, not slow.
    let deadline = Instant::now() + timeout * 20;
    if layout == Layout::Table {
        return walk(session, columns, reps, deadline)
            .await
            .context("walk failed");
    }
    if layout == Layout::Column {
        let groups: Vec<&[Oid]> = columns.iter().map(std::slice::from_ref).collect();
        let mut table = Table::default();
        for one in walk_many(session, &groups, reps, deadline)
            .await
            .context("walk failed")?
        {
            table.append(one);
        }
        return Ok(table);
    }
    let mut table = Table::default();
    for column in columns {
        let one = walk(session, std::slice::from_ref(column), reps, deadline)
            .await
            .with_context(|| format!("walk of {column} failed"))?;
        table.append(one);
    }
    Ok(table)
}

/// The walked columns joined by ifIndex into a poll by the collector's own join
/// ([`join_ports`], the code every poll runs), keyed the way the collector keys ports.
fn device_poll(table: &Table) -> DevicePoll {
    DevicePoll {
        device: "bench".to_string(),
        time_ms: now_ms(),
        ports: join_ports(table, &COLUMNS, &Table::default()),
        n_requests: table.n_requests,
        n_varbinds: table.n_varbinds,
        ..DevicePoll::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use collector::snmp::Value;

    #[test]
    fn joins_columns_by_index_with_keys_and_speed() {
        let cols: Vec<Oid> = [1, 6, 10, 15]
            .into_iter()
            .map(|c| collector::snmp::oid::oid("1.3.6.1.2.1.31.1.1.1").child(c))
            .collect();
        let mut table = Table::new(&cols);
        let mut row = |c: usize, i: u32, v: Value| {
            let oid = cols[c].child(i);
            table.push(c, oid.suffix_after(&cols[c]).unwrap_or_default(), v)
        };
        row(0, 1, Value::OctetString(b"lo".to_vec()));
        row(0, 2, Value::OctetString(b"va1".to_vec()));
        row(1, 1, Value::Counter64(10));
        row(1, 2, Value::Counter64(20));
        row(2, 2, Value::Counter64(30));
        row(3, 2, Value::Gauge32(10_000));
        table.n_requests = 4;
        table.n_varbinds = 7;
        let p = device_poll(&table);
        assert_eq!(p.ports.len(), 2);
        assert_eq!(p.ports[0].key, "lo");
        assert_eq!(p.ports[0].speed_bps, None);
        assert_eq!(p.ports[1].key, "va1");
        assert_eq!(p.ports[1].in_octets, Some(20));
        assert_eq!(p.ports[1].out_octets, Some(30));
        assert_eq!(p.ports[1].speed_bps, Some(10_000_000_000));
        assert_eq!(p.ports[1].counter_bits, 64);
        assert_eq!(p.n_varbinds, 7);
    }
}
