//! Durability under `kill -9`: the test re-executes its own test binary on itself with an
//! environment variable set; that child writes batches and prints an acknowledgement after each
//! committed write; the parent kills it with SIGKILL mid-stream, reopens the store, and checks
//! that every acknowledged batch is there whole and that SQLite's integrity check passes.
//!
//! One test with two roles rather than a child "test" of its own: a child entry would pass
//! vacuously in every ordinary run (it has nothing to do without the parent's directory).

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::tests::{poll, MIN, T0};
use super::{Retention, Store};

/// Set in the child: the store directory to write to.
const CHILD_ENV: &str = "IRISOPS_STORE_CRASH_DIR";
const THIS_TEST: &str = "store::crash_tests::kill_9_keeps_acknowledged_batches";
const N_PORTS: usize = 500;
/// The parent kills the child after this many acknowledgements.
const KILL_AFTER: usize = 40;

fn batch(i: usize) -> Vec<(crate::sample::DevicePoll, Vec<crate::sample::PortRates>)> {
    let keys: Vec<String> = (0..N_PORTS).map(|p| format!("eth{p}")).collect();
    let ports: Vec<(&str, u32, Option<f64>)> = keys
        .iter()
        .enumerate()
        .map(|(p, k)| (k.as_str(), p as u32 + 1, Some(i as f64)))
        .collect();
    vec![poll("r1", T0 + i as i64 * MIN, &ports)]
}

/// The child's role: writes batches into `dir` and acknowledges each on stdout until the parent
/// kills it. Never returns: the process must not go on to report a test result.
fn child_writer(dir: &std::ffi::OsStr) -> ! {
    let mut store = Store::open(dir.as_ref(), Retention::default()).unwrap();
    let mut out = std::io::stdout().lock();
    let started = Instant::now();
    // Bounded, so a parent that died cannot leave this running.
    for i in 0.. {
        if started.elapsed() > Duration::from_secs(60) {
            break;
        }
        store.write(&batch(i)).unwrap();
        writeln!(out, "ack {i}").unwrap();
        out.flush().unwrap();
    }
    // Only reached when nobody killed it: a stray IRISOPS_STORE_CRASH_DIR in a test run fails
    // the run instead of passing it.
    eprintln!("{CHILD_ENV} is set but no parent killed this writer within 60 s");
    std::process::exit(3)
}

#[test]
fn kill_9_keeps_acknowledged_batches() {
    if let Some(dir) = std::env::var_os(CHILD_ENV) {
        child_writer(&dir);
    }
    let dir = tempfile::TempDir::new().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe)
        .args(["--exact", THIS_TEST, "--nocapture", "--test-threads", "1"])
        .env(CHILD_ENV, dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut acked = Vec::new();
    let mut lines = BufReader::new(stdout).lines();
    for line in lines.by_ref() {
        if let Some(i) = line.unwrap().strip_prefix("ack ") {
            acked.push(i.parse::<usize>().unwrap());
            if acked.len() == KILL_AFTER {
                // SIGKILL on Unix: no destructor, no SQLite close, likely mid-transaction.
                child.kill().unwrap();
                break;
            }
        }
    }
    // Acknowledgements already in the pipe when the kill landed count too.
    for line in lines {
        if let Some(i) = line.unwrap().strip_prefix("ack ") {
            acked.push(i.parse().unwrap());
        }
    }
    child.wait().unwrap();
    assert!(
        acked.len() >= KILL_AFTER,
        "the child wrote only {} batches",
        acked.len()
    );

    let store = Store::open(dir.path(), Retention::default()).unwrap();
    assert_eq!(store.integrity_check().unwrap(), Ok(()));
    let all = super::tests::all_samples(&store);
    let rows = |i: usize| -> i64 {
        let t = T0 + i as i64 * MIN;
        all.iter().filter(|(_, s)| s.time_ms == t).count() as i64
    };
    for &i in &acked {
        assert_eq!(
            rows(i),
            N_PORTS as i64,
            "batch {i} was acknowledged but is not whole"
        );
    }
    // The batch in flight at the kill is all or nothing.
    let last = acked.iter().max().copied().unwrap_or(0);
    let in_flight = rows(last + 1);
    assert!(
        [0, N_PORTS as i64].contains(&in_flight),
        "batch {} is torn",
        last + 1
    );
    let devices = store.devices().unwrap();
    assert!(devices[0].last_poll_ms >= Some(T0 + last as i64 * MIN));
    assert_eq!(devices[0].n_ports, N_PORTS);
}
