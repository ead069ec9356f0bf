//! Raw configuration → validated plan. Every check pushes a [`Problem`] naming its key and goes
//! on, so one run reports everything that is wrong.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::plan::{CollectorConfig, Config, DeviceConfig, InfluxConfig, StoreConfig};
use super::problems::{duration_or, expand, Problem, Problems};
use super::raw::{RawAuth, RawConfig, RawDevice, RawInflux};
use super::schedule::Schedule;
use crate::secret::Secret;
use crate::snmp::auth::{Auth, AuthProtocol, PrivProtocol, SecurityLevel, SnmpVersion, V3Auth};

/// Looks up a device's `host:port` that is not an address literal (see
/// [`Config::parse_with`](super::Config::parse_with)).
pub type Lookup<'a> = dyn Fn(&str) -> std::io::Result<Vec<std::net::SocketAddr>> + 'a;

const DEFAULT_SCHEDULE: &str = "* * * * *";
const MIN_V3_PASSWORD: usize = 8;

pub(super) fn validate(
    raw: RawConfig,
    env: &dyn Fn(&str) -> Option<String>,
    lookup: &Lookup<'_>,
) -> Result<Config, Vec<Problem>> {
    let mut p = Problems(Vec::new());
    let store = store(&raw, &mut p);
    let collector = CollectorConfig {
        concurrency: match raw.collector.as_ref().and_then(|c| c.concurrency) {
            None => 256,
            Some(n) if (1..=100_000).contains(&n) => n as usize,
            Some(n) => {
                p.push(
                    "collector.concurrency",
                    format!("must be 1..=100000, got {n}"),
                );
                256
            }
        },
    };
    let mut auth = BTreeMap::new();
    for (name, a) in &raw.auth {
        if let Some(a) = credential(name, a, env, &mut p) {
            auth.insert(name.clone(), Arc::new(a));
        }
    }
    let mut devices = Vec::new();
    let mut names = BTreeSet::new();
    for (i, d) in raw.device.iter().enumerate() {
        // A duplicate name is a problem whatever else is wrong with the device.
        if let Some(name) = d.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            if !names.insert(name.to_string()) {
                p.push(
                    format!("device[{i}].name"),
                    format!("duplicate device name {name:?}"),
                );
            }
        }
        if let Some(dev) = device(i, d, &raw, &auth, lookup, &mut p) {
            devices.push(dev);
        }
    }
    let cadastre_data = match raw.cadastre.as_ref().map(|c| c.data.as_deref()) {
        None => None,
        Some(Some(d)) if !d.trim().is_empty() => Some(PathBuf::from(d)),
        Some(_) => {
            p.push("cadastre.data", "missing (the cadastre's data directory)");
            None
        }
    };
    let cadastre_limits = raw
        .cadastre
        .as_ref()
        .map(|c| cadastre_limits(c, &mut p))
        .unwrap_or_default();
    let influx = raw.influx.as_ref().and_then(|i| influx(i, env, &mut p));
    let api = super::api::api(raw.api.as_ref(), &mut p);
    let reports = super::report::reports(&raw.report, cadastre_data.is_some(), &mut p);
    let wifi = super::wifi::wifi(raw.wifi.as_ref(), &mut p);
    let web = super::web::web(raw.web.as_ref(), &mut p);
    let receivers = super::alerts::receivers(&raw.receiver, env, &mut p);
    let alerts = super::alerts::alerts(&raw.alert, &raw.receiver, &receivers, &mut p);
    if p.0.is_empty() {
        Ok(Config {
            store,
            collector,
            devices,
            auth,
            cadastre_data,
            cadastre_limits,
            influx,
            api,
            reports,
            wifi,
            web,
            alerts,
            receivers,
        })
    } else {
        Err(p.0)
    }
}

fn store(raw: &RawConfig, p: &mut Problems) -> StoreConfig {
    let s = raw.store.as_ref();
    let path = s
        .and_then(|s| s.path.clone())
        .unwrap_or_else(|| "irisops-data".to_string());
    if path.trim().is_empty() {
        p.push("store.path", "must not be empty");
    }
    let retention = duration_or(
        s.and_then(|s| s.retention.as_deref()),
        "store.retention",
        Duration::from_secs(14 * 86_400),
        p,
    );
    let rollup_retention = duration_or(
        s.and_then(|s| s.rollup_retention.as_deref()),
        "store.rollup_retention",
        Duration::from_secs(400 * 86_400),
        p,
    );
    StoreConfig {
        path: PathBuf::from(path),
        retention,
        rollup_retention,
    }
}

fn influx(
    i: &RawInflux,
    env: &dyn Fn(&str) -> Option<String>,
    p: &mut Problems,
) -> Option<InfluxConfig> {
    let before = p.0.len();
    let mut text = |key: &str, v: &Option<String>, what: &str| -> String {
        match v.as_deref().map(str::trim) {
            Some(t) if !t.is_empty() => expand(t, &format!("influx.{key}"), env, p),
            _ => {
                p.push(format!("influx.{key}"), format!("missing ({what})"));
                String::new()
            }
        }
    };
    let url = text("url", &i.url, "e.g. \"http://127.0.0.1:8086\"");
    let org = text("org", &i.org, "the organisation name");
    let bucket = text("bucket", &i.bucket, "the bucket name");
    let token = text("token", &i.token, "an API token, e.g. \"${INFLUX_TOKEN}\"");
    let url = url.trim_end_matches('/').to_string();
    check_influx_url(&url, p);
    let batch_points = match i.batch_points {
        None => 5_000,
        Some(n) if (1..=1_000_000).contains(&n) => n as usize,
        Some(n) => {
            p.push(
                "influx.batch_points",
                format!("must be 1..=1000000, got {n}"),
            );
            5_000
        }
    };
    let outbox_max_bytes = match i.outbox_max_mb {
        None => 1024 << 20,
        Some(n) if (1..=1_000_000).contains(&n) => (n as u64) << 20,
        Some(n) => {
            p.push(
                "influx.outbox_max_mb",
                format!("must be 1..=1000000, got {n}"),
            );
            1024 << 20
        }
    };
    let flush_interval = duration_or(
        i.flush_interval.as_deref(),
        "influx.flush_interval",
        Duration::from_secs(1),
        p,
    );
    let timeout = duration_or(
        i.timeout.as_deref(),
        "influx.timeout",
        Duration::from_secs(10),
        p,
    );
    (p.0.len() == before).then(|| InfluxConfig {
        url,
        org,
        bucket,
        token: crate::secret::Secret::new(token),
        batch_points,
        flush_interval,
        timeout,
        outbox_max_bytes,
    })
}

/// `influx.url`: scheme, host and port only (an empty one was reported as missing). A URL
/// with credentials in it (`http://user:password@host`) is refused without being echoed: the
/// token is `influx.token`.
fn check_influx_url(url: &str, p: &mut Problems) {
    if url.is_empty() {
        return;
    }
    if url.contains('@') {
        p.push(
            "influx.url",
            "has credentials in it (user:password@): give scheme, host and port only, and the \
             token as influx.token"
                .to_string(),
        );
        return;
    }
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"));
    match rest {
        None => p.push(
            "influx.url",
            format!("{url:?} is not an http:// or https:// URL"),
        ),
        Some(r) if r.is_empty() || r.contains('/') => p.push(
            "influx.url",
            format!("{url:?}: give scheme, host and port only (the sink adds /api/v2/write)"),
        ),
        Some(r)
            if !r
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-.:[]_".contains(c)) =>
        {
            p.push("influx.url", format!("{url:?}: not a host[:port]"))
        }
        Some(_) => {}
    }
}

/// `[auth.NAME]`: a v1/v2c community or a v3 user, every problem pushed.
fn credential(
    name: &str,
    a: &RawAuth,
    env: &dyn Fn(&str) -> Option<String>,
    p: &mut Problems,
) -> Option<Auth> {
    let k = |f: &str| format!("auth.{name}.{f}");
    let version = snmp_version(a.version.as_deref(), &k("version"), p)?;
    if version == SnmpVersion::V3 {
        Some(Auth::V3(v3_credential(a, &k, env, p)))
    } else {
        community_credential(version, a, &k, env, p)
    }
}

fn snmp_version(v: Option<&str>, key: &str, p: &mut Problems) -> Option<SnmpVersion> {
    match v {
        Some("1") => Some(SnmpVersion::V1),
        Some("2c") | Some("2") => Some(SnmpVersion::V2c),
        Some("3") => Some(SnmpVersion::V3),
        Some(v) => {
            p.push(key, format!("must be \"1\", \"2c\" or \"3\", got {v:?}"));
            None
        }
        None => {
            p.push(key, "missing (\"1\", \"2c\" or \"3\")");
            None
        }
    }
}

/// A v1/v2c credential: a community, and none of the v3 keys.
fn community_credential(
    version: SnmpVersion,
    a: &RawAuth,
    k: &dyn Fn(&str) -> String,
    env: &dyn Fn(&str) -> Option<String>,
    p: &mut Problems,
) -> Option<Auth> {
    for (field, set) in [
        ("user", a.user.is_some()),
        ("level", a.level.is_some()),
        ("auth_protocol", a.auth_protocol.is_some()),
        ("auth_password", a.auth_password.is_some()),
        ("priv_protocol", a.priv_protocol.is_some()),
        ("priv_password", a.priv_password.is_some()),
    ] {
        if set {
            p.push(k(field), "only for version \"3\"");
        }
    }
    let community = match &a.community {
        Some(c) => expand(c, &k("community"), env, p),
        None => {
            p.push(k("community"), "missing for a v1/v2c credential");
            return None;
        }
    };
    if community.is_empty() {
        p.push(k("community"), "must not be empty");
    }
    Some(Auth::Community {
        version,
        community: Secret::new(community),
    })
}

/// A v3 credential: user, level, and the protocols and passwords the level needs.
fn v3_credential(
    a: &RawAuth,
    k: &dyn Fn(&str) -> String,
    env: &dyn Fn(&str) -> Option<String>,
    p: &mut Problems,
) -> V3Auth {
    if a.community.is_some() {
        p.push(
            k("community"),
            "not used with version \"3\" (set user and passwords)",
        );
    }
    let user = a.user.clone().unwrap_or_default();
    if user.is_empty() {
        p.push(k("user"), "missing for a v3 credential");
    }
    let level = security_level(a.level.as_deref(), &k("level"), p);
    let mut auth = None;
    if level != SecurityLevel::NoAuthNoPriv {
        let proto = auth_protocol(a.auth_protocol.as_deref(), &k("auth_protocol"), p);
        let pw = password(a.auth_password.as_deref(), &k("auth_password"), env, p);
        auth = proto.zip(pw);
    }
    let mut privacy = None;
    if level == SecurityLevel::AuthPriv {
        let proto = priv_protocol(a.priv_protocol.as_deref(), &k("priv_protocol"), p);
        let pw = password(a.priv_password.as_deref(), &k("priv_password"), env, p);
        privacy = proto.zip(pw);
    } else {
        for (field, set) in [
            ("priv_protocol", a.priv_protocol.is_some()),
            ("priv_password", a.priv_password.is_some()),
        ] {
            if set {
                p.push(k(field), "only with level = \"authPriv\"");
            }
        }
    }
    V3Auth {
        user,
        level,
        auth,
        privacy,
        context: a.context.clone().unwrap_or_default(),
    }
}

/// The v3 security level; authPriv when absent (and after a problem).
fn security_level(v: Option<&str>, key: &str, p: &mut Problems) -> SecurityLevel {
    match v {
        Some("noAuthNoPriv") => SecurityLevel::NoAuthNoPriv,
        Some("authNoPriv") => SecurityLevel::AuthNoPriv,
        Some("authPriv") | None => SecurityLevel::AuthPriv,
        Some(v) => {
            p.push(
                key,
                format!("must be noAuthNoPriv, authNoPriv or authPriv, got {v:?}"),
            );
            SecurityLevel::AuthPriv
        }
    }
}

/// The v3 authentication protocol; SHA when absent.
fn auth_protocol(v: Option<&str>, key: &str, p: &mut Problems) -> Option<AuthProtocol> {
    match v.unwrap_or("SHA") {
        "MD5" => Some(AuthProtocol::Md5),
        "SHA" | "SHA1" | "SHA-1" => Some(AuthProtocol::Sha),
        "SHA-224" | "SHA224" => Some(AuthProtocol::Sha224),
        "SHA-256" | "SHA256" => Some(AuthProtocol::Sha256),
        "SHA-384" | "SHA384" => Some(AuthProtocol::Sha384),
        "SHA-512" | "SHA512" => Some(AuthProtocol::Sha512),
        v => {
            p.push(
                key,
                format!("must be MD5, SHA, SHA-224, SHA-256, SHA-384 or SHA-512, got {v:?}"),
            );
            None
        }
    }
}

/// The v3 privacy protocol; AES (128) when absent.
fn priv_protocol(v: Option<&str>, key: &str, p: &mut Problems) -> Option<PrivProtocol> {
    match v.unwrap_or("AES") {
        "DES" => Some(PrivProtocol::Des),
        "AES" | "AES-128" | "AES128" => Some(PrivProtocol::Aes128),
        "AES-192" | "AES192" => Some(PrivProtocol::Aes192),
        "AES-256" | "AES256" => Some(PrivProtocol::Aes256),
        "AES-192-C" | "AES192C" => Some(PrivProtocol::Aes192C),
        "AES-256-C" | "AES256C" => Some(PrivProtocol::Aes256C),
        v => {
            p.push(
                key,
                format!("must be DES, AES, AES-192, AES-256, AES-192-C or AES-256-C, got {v:?}"),
            );
            None
        }
    }
}

/// A v3 password: present, resolved, at least 8 characters (RFC 3414 §11.2; snmp2 panics on an
/// empty one, net-snmp refuses shorter ones).
fn password(
    text: Option<&str>,
    key: &str,
    env: &dyn Fn(&str) -> Option<String>,
    p: &mut Problems,
) -> Option<Secret> {
    let Some(text) = text else {
        p.push(key, "missing");
        return None;
    };
    let before = p.0.len();
    let value = expand(text, key, env, p);
    if p.0.len() > before {
        return None;
    }
    if value.chars().count() < MIN_V3_PASSWORD {
        p.push(
            key,
            format!("must be at least {MIN_V3_PASSWORD} characters"),
        );
        return None;
    }
    Some(Secret::new(value))
}

fn device(
    i: usize,
    d: &RawDevice,
    raw: &RawConfig,
    auth: &BTreeMap<String, Arc<Auth>>,
    lookup: &Lookup<'_>,
    p: &mut Problems,
) -> Option<DeviceConfig> {
    let k = |f: &str| format!("device[{i}].{f}");
    let before = p.0.len();
    let name = d.name.clone().unwrap_or_default();
    if name.trim().is_empty() {
        p.push(k("name"), "missing");
    }
    let address = d.address.clone().unwrap_or_default();
    let addr = if address.is_empty() {
        p.push(k("address"), "missing (host:port)");
        None
    } else {
        resolve(&address, &k("address"), lookup, p)
    };
    let auth_name = d.auth.clone().unwrap_or_default();
    let cred = device_auth(&auth_name, &k("auth"), raw, auth, p);
    let schedule = match Schedule::parse(d.schedule.as_deref().unwrap_or(DEFAULT_SCHEDULE)) {
        Ok(s) => Some(s),
        Err(e) => {
            p.push(k("schedule"), e);
            None
        }
    };
    let timeout = duration_or(
        d.timeout.as_deref(),
        &k("timeout"),
        Duration::from_secs(5),
        p,
    );
    let budget = duration_or(
        d.budget.as_deref(),
        &k("budget"),
        Duration::from_secs(50),
        p,
    );
    if budget < timeout {
        p.push(k("budget"), "must be at least the timeout");
    }
    let retries = int_in(d.retries, 1, 0..=10, &k("retries"), p);
    let max_repetitions = int_in(d.max_repetitions, 25, 1..=1000, &k("max_repetitions"), p);
    let max_in_flight = int_in(
        d.max_in_flight,
        crate::snmp::session::DEFAULT_IN_FLIGHT as u32,
        1..=256,
        &k("max_in_flight"),
        p,
    );
    let profiles = device_profiles(d, &k, p);
    if p.0.len() > before {
        return None;
    }
    Some(DeviceConfig {
        name,
        address,
        addr: addr?,
        auth_name,
        auth: cred?,
        profiles,
        schedule: schedule?,
        timeout,
        retries,
        max_repetitions,
        max_in_flight,
        budget,
    })
}

/// The device's credential by name: `None` (and a problem, unless the named table exists and
/// had its own problems) when it cannot be used.
fn device_auth(
    auth_name: &str,
    key: &str,
    raw: &RawConfig,
    auth: &BTreeMap<String, Arc<Auth>>,
    p: &mut Problems,
) -> Option<Arc<Auth>> {
    if auth_name.is_empty() {
        p.push(key, "missing (the name of an [auth.NAME] table)");
        None
    } else if let Some(a) = auth.get(auth_name) {
        Some(a.clone())
    } else {
        if !raw.auth.contains_key(auth_name) {
            p.push(key, format!("no [auth.{auth_name}] table"));
        }
        None
    }
}

/// `profile` then `profiles`, each checked against the registry.
fn device_profiles(d: &RawDevice, k: &dyn Fn(&str) -> String, p: &mut Problems) -> Vec<String> {
    let mut profiles: Vec<String> = d.profiles.clone().unwrap_or_default();
    if let Some(pr) = &d.profile {
        profiles.insert(0, pr.clone());
    }
    let known = crate::profiles::registry();
    for (j, name) in profiles.iter().enumerate() {
        if !known.iter().any(|x| &x.name == name) {
            let key = if d.profile.is_some() && j == 0 {
                k("profile")
            } else {
                let j = if d.profile.is_some() { j - 1 } else { j };
                k(&format!("profiles[{j}]"))
            };
            let names: Vec<&str> = known.iter().map(|x| x.name.as_str()).collect();
            p.push(
                key,
                format!("unknown profile {name:?} (known: {})", names.join(", ")),
            );
        }
    }
    profiles
}

fn int_in(
    v: Option<i64>,
    default: u32,
    range: std::ops::RangeInclusive<i64>,
    key: &str,
    p: &mut Problems,
) -> u32 {
    match v {
        None => default,
        Some(n) if range.contains(&n) => n as u32,
        Some(n) => {
            p.push(
                key,
                format!("must be {}..={}, got {n}", range.start(), range.end()),
            );
            default
        }
    }
}

fn resolve(
    address: &str,
    key: &str,
    lookup: &Lookup<'_>,
    p: &mut Problems,
) -> Option<std::net::SocketAddr> {
    if let Ok(a) = address.parse() {
        return Some(a);
    }
    if !address.contains(':') {
        p.push(
            key,
            format!("{address:?} has no port: write host:port (e.g. \"{address}:161\")"),
        );
        return None;
    }
    match lookup(address) {
        Ok(found) => match found.first().copied() {
            Some(a) => Some(a),
            None => {
                p.push(key, format!("{address:?} resolves to no address"));
                None
            }
        },
        Err(e) => {
            p.push(key, format!("cannot resolve {address:?}: {e}"));
            None
        }
    }
}

/// `[cadastre] max_file_mb`, `max_features`, `max_vertices`: each a whole number >= 1.
fn cadastre_limits(c: &super::raw::RawCadastre, p: &mut Problems) -> super::plan::CadastreLimits {
    let mut limit = |key: &str, v: Option<i64>, max: i64| match v {
        None => None,
        Some(n) if (1..=max).contains(&n) => Some(n as u64),
        Some(n) => {
            p.push(
                format!("cadastre.{key}"),
                format!("must be 1..={max}, got {n}"),
            );
            None
        }
    };
    super::plan::CadastreLimits {
        max_file_mb: limit("max_file_mb", c.max_file_mb, 1_000_000),
        max_features: limit("max_features", c.max_features, 1_000_000_000),
        max_vertices: limit("max_vertices", c.max_vertices, 1_000_000_000),
    }
}
