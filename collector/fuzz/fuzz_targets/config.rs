//! Fuzzes the configuration reader: `Config::parse_with` (TOML, unknown keys, every section's
//! validation) on arbitrary text, with an environment that sets every `${NAME}` and a host-name
//! look-up that never touches the network.
//!
//! Checks: no panic; a refused configuration names at least one problem; no problem and no
//! credential's `Debug` shows what a `${NAME}` resolved to (unless the text itself holds that
//! value), except `influx.url`, which is no secret and is quoted to say what is wrong with it;
//! an accepted one has unique, non-blank device names, each device's credential among the
//! `[auth.NAME]` tables, a timeout within the budget and its numbers within their ranges.

#![no_main]

#[path = "../shared.rs"]
mod shared;

use std::collections::BTreeSet;

use collector::config::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let holds_value = text.contains(shared::ENV_VALUE);
    let config = match Config::parse_with(text, &shared::config_env, &shared::config_lookup) {
        Ok(c) => c,
        Err(e) => {
            let problems = e.problems();
            assert!(!problems.is_empty(), "refused without a problem");
            for p in problems.iter().filter(|p| p.key != "influx.url") {
                assert!(
                    holds_value || !p.to_string().contains(shared::ENV_VALUE),
                    "a problem shows a resolved ${{NAME}}: {p}"
                );
            }
            return;
        }
    };
    if !holds_value {
        let credentials = format!(
            "{:?} {:?}",
            config.auth,
            config.influx.as_ref().map(|i| &i.token)
        );
        assert!(
            !credentials.contains(shared::ENV_VALUE),
            "a credential shows a resolved ${{NAME}}: {credentials}"
        );
    }
    let mut names = BTreeSet::new();
    for d in &config.devices {
        assert!(!d.name.trim().is_empty(), "a device without a name");
        assert!(names.insert(d.name.trim()), "device {:?} twice", d.name);
        assert!(config.auth.contains_key(&d.auth_name), "{:?}", d.auth_name);
        assert!(d.timeout <= d.budget, "{}: timeout over budget", d.name);
        assert!(d.retries <= 10, "{}", d.retries);
        assert!((1..=1000).contains(&d.max_repetitions));
        assert!((1..=256).contains(&d.max_in_flight));
    }
});
