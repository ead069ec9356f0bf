//! `irisops topology drift --data DIR (--config F | --observed FILE.json) [--margin-db 3]
//! [--wavelength 1310|1550] [--fresh-hours 24] [--json]`: the cadastre's circuits against the
//! LLDP tables and optical levels observed.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::questions::drift::{drift, wavelength};

use super::{emit, emit_json, live, load_with_cadastre};

/// Arguments of `irisops topology drift`.
#[derive(clap::Args)]
pub struct Args {
    /// The cadastre's data directory.
    #[arg(long)]
    data: PathBuf,
    /// A collector config: LLDP tables and optical levels from the store it names.
    #[arg(long, required_unless_present = "observed")]
    config: Option<PathBuf>,
    /// Instead of the store: a JSON file shaped like `irisops poll --format json`
    /// (`{"devices": [{"name", "lldp": [...], "optics": [...]}]}`).
    #[arg(long, conflicts_with = "config")]
    observed: Option<PathBuf>,
    /// Excess loss tolerated over the route's expected loss, dB.
    #[arg(long, default_value_t = 3.0)]
    margin_db: f64,
    /// Wavelength of the expected loss: 1310 or 1550 nm.
    #[arg(long, default_value_t = 1310)]
    wavelength: u32,
    /// Optical levels older than this many hours are ignored.
    #[arg(long, default_value_t = 24)]
    fresh_hours: u32,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Some(wavelength) = wavelength(args.wavelength) else {
        anyhow::bail!("--wavelength must be 1310 or 1550, got {}", args.wavelength);
    };
    let margin_db = args.margin_db;
    anyhow::ensure!(
        margin_db.is_finite() && margin_db >= 0.0,
        "--margin-db must be a number >= 0, got {margin_db}"
    );
    let (cad, net) = load_with_cadastre(&args.data)?;
    let obs = match (&args.observed, &args.config) {
        (Some(file), _) => live::observed_from_file(file)?,
        (None, Some(config)) => {
            let store = live::open_store(config)?;
            let fresh = std::time::Duration::from_secs(u64::from(args.fresh_hours) * 3600);
            crate::questions::live::observed_from_store(&store, fresh, collector::poll::now_ms())?
        }
        (None, None) => anyhow::bail!("give --config FILE or --observed FILE"),
    };
    let options = topology::DriftOptions {
        margin_db,
        wavelength,
    };
    let answer = drift(&cad, &net, &obs, &options);
    if args.json {
        emit_json(&answer)?;
    } else {
        emit(&drift_text(&answer.report, answer.n_circuits))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The drift report as text: one summary line, then one line per finding.
fn drift_text(r: &topology::DriftReport, n_circuits: usize) -> String {
    let end = |e: &topology::PortEnd| format!("{}:{}", e.device, e.port);
    let mut s = format!(
        "{n_circuits} circuits: {} confirmed by LLDP, {} on a wrong port, {} with no live neighbour, {} not observed; {} undocumented neighbours; {} of {} directions lose more light than their route explains\n",
        r.confirmed.len(),
        r.wrong_port.iter().map(|w| &w.circuit).collect::<std::collections::BTreeSet<_>>().len(),
        r.no_live_neighbour.len(),
        r.not_observed.len(),
        r.unknown_neighbours.len(),
        r.loss_excess.len(),
        r.loss_checked,
    );
    for w in &r.wrong_port {
        s.push_str(&format!(
            "wrong port: circuit {}: documented {}, live {} (seen from {})\n",
            w.circuit,
            end(&w.documented),
            end(&w.live),
            end(&w.seen_from)
        ));
    }
    for u in &r.no_live_neighbour {
        s.push_str(&format!(
            "no live neighbour: circuit {} {} - {}\n",
            u.circuit,
            end(&u.a_end),
            end(&u.b_end)
        ));
    }
    for l in &r.unknown_neighbours {
        s.push_str(&format!(
            "undocumented neighbour: {} - {}{}\n",
            end(&l.local),
            end(&l.remote),
            if l.remote_known {
                ""
            } else {
                " (not one of our devices)"
            }
        ));
    }
    for e in &r.loss_excess {
        s.push_str(&format!(
            "excess loss: circuit {} {} -> {}: {}{:.2} dB measured ({:.2} tx, {:.2} rx{}), {:.2} dB expected, {:+.2} dB\n",
            e.circuit,
            end(&e.from),
            end(&e.to),
            if e.rx_no_light { "at least " } else { "" },
            e.measured_db,
            e.tx_dbm,
            e.rx_dbm,
            if e.rx_no_light { ": no light" } else { "" },
            e.expected_db,
            e.excess_db
        ));
    }
    s
}
