//! Scale-out: three `irisops serve --shard K/3` collectors on one fleet (each with its own
//! store, as on three machines) poll every simulated device exactly once between them, and
//! the split is the one rendezvous hashing gives.

use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::util::{free_tcp_port, free_udp_port, interrupt, irisops, Proc};

#[test]
fn three_shards_poll_every_device_exactly_once() {
    let tmp = tempfile::tempdir().unwrap();
    let sim_port = free_udp_port();
    let _sim = Proc(
        Command::new(irisops())
            .args(["simulate", "--listen", &format!("127.0.0.1:{sim_port}")])
            .args(["--devices", "30", "--ports", "2"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let devices: Vec<String> = (1..=30).map(|i| format!("dev{i:04}")).collect();
    let mut shards = Vec::new();
    for k in 1..=3 {
        let store = tmp.path().join(format!("store{k}"));
        let mut cfg = format!("[store]\npath = {:?}\n", store.display().to_string());
        for (i, d) in devices.iter().enumerate() {
            cfg.push_str(&format!(
                "[auth.a{i}]\nversion = \"2c\"\ncommunity = \"{d}\"\n[[device]]\nname = \"{d}\"\naddress = \"127.0.0.1:{sim_port}\"\nauth = \"a{i}\"\nschedule = \"* * * * * *\"\ntimeout = \"1s\"\n"
            ));
        }
        let file = tmp.path().join(format!("shard{k}.toml"));
        std::fs::write(&file, cfg).unwrap();
        let port = free_tcp_port();
        let child = Command::new(irisops())
            .args(["serve", "--config"])
            .arg(&file)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(["--shard", &format!("{k}/3")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        shards.push((Proc(child), store));
    }
    std::thread::sleep(Duration::from_secs(4));
    let mut seen: Vec<BTreeSet<String>> = Vec::new();
    for (mut child, store) in shards {
        interrupt(&mut child);
        let s =
            collector::store::Store::open(&store, collector::store::Retention::default()).unwrap();
        seen.push(
            s.devices()
                .unwrap()
                .into_iter()
                .filter(|d| d.last_poll_ms.is_some())
                .map(|d| d.name)
                .collect(),
        );
    }
    let all: BTreeSet<String> = devices.iter().cloned().collect();
    let union: BTreeSet<String> = seen.iter().flatten().cloned().collect();
    assert_eq!(union, all, "every device is polled by some shard");
    for (a, sa) in seen.iter().enumerate() {
        for sb in &seen[a + 1..] {
            assert!(sa.is_disjoint(sb), "a device polled by two shards");
        }
        // The split is rendezvous hashing's.
        let want: BTreeSet<String> = devices
            .iter()
            .filter(|d| collector::shard::owner(d, 3) == a as u32 + 1)
            .cloned()
            .collect();
        assert_eq!(sa, &want, "shard {}", a + 1);
        assert!(!sa.is_empty());
    }
}
