//! The topology, commercial and links routes through a real `irisops serve` of the generated
//! demo cadastre (seed 3), with bearer tokens made by `irisops token new`: every answer the
//! CLI's `--json` also prints is the same JSON over HTTP (paths, quote, spare, spof, cut,
//! dig-once), an operator gets the offer's form, and `[[report]]` files are written.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::util::{free_tcp_port, interrupt, irisops, run_json, wait_healthy, Proc};

/// A token of `role` from `irisops token new`: the token and its config block.
fn token(role: &str) -> (String, String) {
    let out = Command::new(irisops())
        .args([
            "token",
            "new",
            "--name",
            &format!("it-{role}"),
            "--role",
            role,
        ])
        .output()
        .expect("run irisops token new");
    assert!(out.status.success(), "token new: {out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let token = text
        .lines()
        .find(|l| !l.starts_with('#') && !l.trim().is_empty())
        .expect("a token line")
        .trim()
        .to_string();
    let block = text[text.find("[[api.token]]").expect("a config block")..].to_string();
    (token, block)
}

/// One HTTP/1.0 request (the answer ends with the connection): status and body.
fn request(
    port: u16,
    method: &str,
    path: &str,
    token: &str,
    body: Option<&Value>,
) -> (u16, Vec<u8>) {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let body = body.map(Value::to_string).unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let at = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header");
    let status = std::str::from_utf8(&buf[9..12]).unwrap().parse().unwrap();
    (status, buf[at + 4..].to_vec())
}

/// A GET that must answer 200 with JSON.
fn get(port: u16, path: &str, token: &str) -> Value {
    let (status, body) = request(port, "GET", path, token, None);
    assert_eq!(
        status,
        200,
        "GET {path}: {}",
        String::from_utf8_lossy(&body)
    );
    serde_json::from_slice(&body).expect("JSON")
}

/// `irisops serve` of `data` with the tokens' blocks; its HTTP port once `/healthz` answers.
fn serve(dir: &Path, data: &Path, blocks: &[String]) -> (Proc, u16, std::path::PathBuf) {
    let port = free_tcp_port();
    let cfg = dir.join("irisops.toml");
    let reports = dir.join("reports");
    let text = format!(
        "[store]\npath = {:?}\n[cadastre]\ndata = {:?}\n[api]\nlisten = \"127.0.0.1:{port}\"\n{}\n\
         [[report]]\nkind = \"spare\"\nschedule = \"* * * * * *\"\nby = \"route\"\ndir = {:?}\n\
         [[report]]\nkind = \"links\"\nschedule = \"* * * * * *\"\ndir = {:?}\n",
        dir.join("store").display().to_string(),
        data.display().to_string(),
        blocks.join("\n"),
        reports.display().to_string(),
        reports.display().to_string(),
    );
    std::fs::write(&cfg, text).unwrap();
    let child = Command::new(irisops())
        .args(["serve", "--config"])
        .arg(&cfg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start irisops serve");
    let proc = Proc(child);
    wait_healthy(port, Duration::from_secs(30));
    (proc, port, cfg)
}

#[test]
fn the_cli_and_the_api_answer_the_same_json() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("cadastre");
    let status = Command::new(irisops())
        .args(["cadastre", "generate-demo", "--seed", "3", "--out"])
        .arg(&data)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let (planner, p_block) = token("planner");
    let (operator, o_block) = token("operator");
    let (mut server, port, cfg) = serve(dir.path(), &data, &[p_block, o_block]);
    let d = data.to_str().unwrap();
    let cli = |args: &[&str]| {
        let mut all = vec!["topology", args[0], "--data", d];
        all.extend(&args[1..]);
        run_json(&all)
    };
    let api = |path: &str| get(port, path, &planner);
    // paths (the acceptance check's pair), the shortest path, and constraints
    assert_eq!(
        api("/api/v1/topology/paths?from=pop-01&to=pop-09&k=2"),
        cli(&["paths", "--from", "pop-01", "--to", "pop-09", "--k", "2", "--json"])
    );
    assert_eq!(
        api("/api/v1/topology/paths?from=pop-02&to=pop-07&k=1&pairs=2&budget_db=9"),
        cli(&[
            "paths",
            "--from",
            "pop-02",
            "--to",
            "pop-07",
            "--k",
            "1",
            "--pairs",
            "2",
            "--budget-db",
            "9",
            "--json"
        ])
    );
    // quote, spof, dig-once
    assert_eq!(
        api("/api/v1/quote?from=pop-01&to=pop-09&pairs=2&k=2"),
        cli(&["quote", "--from", "pop-01", "--to", "pop-09", "--pairs", "2", "--k", "2", "--json"])
    );
    assert_eq!(api("/api/v1/topology/spof"), cli(&["spof", "--json"]));
    assert_eq!(
        api("/api/v1/topology/dig-once"),
        cli(&["dig-once", "--json"])
    );
    assert_eq!(
        api("/api/v1/topology/dig-once?wish=pop-01:pop-09&single_homed=true"),
        cli(&[
            "dig-once",
            "--wish",
            "pop-01:pop-09",
            "--single-homed",
            "--json"
        ])
    );
    // spare, with the lit headroom of the server's store (the CLI reads it through the config)
    let c = cfg.to_str().unwrap();
    for by in ["owner", "route"] {
        assert_eq!(
            api(&format!("/api/v1/spare?by={by}&window_days=7")),
            cli(&[
                "spare",
                "--by",
                by,
                "--format",
                "json",
                "--config",
                c,
                "--window-days",
                "7"
            ])
        );
    }
    cuts(port, &planner, &cli, dir.path());
    // The operator: the offer, without parties, allocations or lit headroom; no paths.
    let (status, body) = request(
        port,
        "GET",
        "/api/v1/spare?by=route&format=geojson",
        &operator,
        None,
    );
    assert_eq!(status, 200);
    let text = String::from_utf8_lossy(&body);
    assert!(
        text.contains("dark_strands") && !text.contains("party") && !text.contains("allocated")
    );
    let (status, _) = request(
        port,
        "GET",
        "/api/v1/topology/paths?from=pop-01&to=pop-09",
        &operator,
        None,
    );
    assert_eq!(status, 403);
    reports_are_written(&dir.path().join("reports"));
    interrupt(&mut server);
}

/// The every-second reports: a spare workbook by route and a links JSON, whole.
fn reports_are_written(dir: &Path) {
    let start = Instant::now();
    let (mut xlsx, mut links) = (None, None);
    while (xlsx.is_none() || links.is_none()) && start.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(300));
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with("spare-by-route-") && name.ends_with(".xlsx") {
                xlsx = Some(e.path());
            } else if name.starts_with("links-") && name.ends_with(".json") {
                links = Some(e.path());
            }
        }
    }
    let bytes = std::fs::read(xlsx.expect("a spare workbook within 30 s")).unwrap();
    assert_eq!(&bytes[..2], b"PK");
    let v: Value =
        serde_json::from_slice(&std::fs::read(links.expect("a links file")).unwrap()).unwrap();
    assert!(v["n_circuits"].as_u64().unwrap() > 0, "{v}");
    assert_eq!(v["links"], json!([]));
}

/// Cuts of a route, a worksite and an area: the API's answer is the CLI's.
fn cuts(port: u16, token: &str, cli: &dyn Fn(&[&str]) -> Value, dir: &Path) {
    let first = |layer: &str| -> (String, Value) {
        let fc = get(port, &format!("/api/v1/cadastre/layers/{layer}"), token);
        let f = fc["features"][0].clone();
        (
            f["properties"]["id"].as_str().expect("an id").to_string(),
            f["geometry"].clone(),
        )
    };
    let (route, line) = first("routes");
    let (worksite, _) = first("worksites");
    let post = |body: Value| {
        let (status, b) = request(port, "POST", "/api/v1/topology/cut", token, Some(&body));
        assert_eq!(status, 200, "{body}: {}", String::from_utf8_lossy(&b));
        serde_json::from_slice::<Value>(&b).unwrap()
    };
    assert_eq!(
        post(json!({"routes": [route]})),
        cli(&["cut", "--route", &route, "--json"])
    );
    assert_eq!(
        post(json!({"worksite": worksite, "buffer_m": 40})),
        cli(&["cut", "--worksite", &worksite, "--buffer-m", "40", "--json"])
    );
    // A square of ~100 m around the route's first point.
    let p = &line["coordinates"];
    let first_point = if p[0][0].is_array() { &p[0][0] } else { &p[0] };
    let (x, y) = (
        first_point[0].as_f64().unwrap(),
        first_point[1].as_f64().unwrap(),
    );
    let d = 0.001;
    let area = json!({"type": "Polygon", "coordinates": [[[x - d, y - d], [x + d, y - d], [x + d, y + d], [x - d, y + d], [x - d, y - d]]]});
    let file = dir.join("area.geojson");
    std::fs::write(&file, area.to_string()).unwrap();
    let from_api = post(json!({"area": area}));
    assert!(from_api["removed_routes"]
        .as_array()
        .unwrap()
        .contains(&json!(route)));
    assert_eq!(
        from_api,
        cli(&["cut", "--area", file.to_str().unwrap(), "--json"])
    );
}

/// The demo's worksites rewritten as the region's feed has them (issue 19): a MultiPolygon, a
/// GeometryCollection that is open-ended (year 3000), a work that has ended, a market on a
/// work's street. Imported; dig-once leaves out the ended work and the market (the market comes
/// back with `nature=all`), says how long the street stays open, and the CLI and the API agree.
#[test]
fn a_worksite_feed_in_dig_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("cadastre");
    let d = data.to_str().unwrap();
    let status = Command::new(irisops())
        .args(["cadastre", "generate-demo", "--seed", "3", "--out", d])
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let layers = data.join("geojson");
    let path = layers.join("worksites.geojson");
    let mut feed: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let works = feed["features"].as_array_mut().unwrap();
    let at = |works: &[Value], id: &str| works.iter().position(|w| w["id"] == id).unwrap();
    let (w2, w4, w5) = (at(works, "w-2"), at(works, "w-4"), at(works, "w-5"));
    let mut market = works[w2].clone();
    market["id"] = json!("w-market");
    market["properties"]["id"] = json!("w-market");
    market["properties"]["nature"] = json!("market");
    let poly = works[w2]["geometry"]["coordinates"].clone();
    let far: Value = poly[0]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| json!([c[0].as_f64().unwrap() + 0.01, c[1]]))
        .collect();
    works[w2]["geometry"] = json!({"type": "MultiPolygon", "coordinates": [poly, [far]]});
    let corner = works[w4]["geometry"]["coordinates"][0][0].clone();
    let g4 = works[w4]["geometry"].clone();
    works[w4]["geometry"] = json!({"type": "GeometryCollection", "geometries":
        [g4, {"type": "Point", "coordinates": corner}]});
    works[w4]["properties"]["end"] = json!("3000-01-01");
    works[w5]["properties"]["start"] = json!("2025-03-26");
    works[w5]["properties"]["end"] = json!("2025-04-26");
    works.push(market);
    std::fs::write(&path, feed.to_string()).unwrap();
    let files: Vec<String> = std::fs::read_dir(&layers)
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .collect();
    let mut import = vec!["cadastre", "import", "--data", d, "--from", "geojson"];
    import.extend(files.iter().map(String::as_str));
    let out = Command::new(irisops()).args(&import).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // The limits: a geometry over --max-vertices is named with the limit; nothing is written.
    let mut small = import.clone();
    small.extend(["--max-vertices", "5"]);
    let out = Command::new(irisops()).args(&small).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains(
            "(id \"w-2\") geometry: 10 positions, over the limit of 5 per geometry (max_vertices)"
        ),
        "{text}"
    );

    let (planner, block) = token("planner");
    let (mut server, port, _) = serve(dir.path(), &data, &[block]);
    let cli = |args: &[&str]| {
        let mut all = vec!["topology", "dig-once", "--data", d, "--json"];
        all.extend(args);
        run_json(&all)
    };
    let api = |query: &str| {
        get(
            port,
            &format!("/api/v1/topology/dig-once?{query}"),
            &planner,
        )
    };
    let street = api("from=2027-01-01");
    assert_eq!(street, cli(&["--from", "2027-01-01"]));
    let every = api("from=2027-01-01&nature=all");
    assert_eq!(every, cli(&["--from", "2027-01-01", "--nature", "all"]));
    assert_eq!(
        api("from=2027-01-01&nature=Market&nature=gas-main"),
        cli(&[
            "--from",
            "2027-01-01",
            "--nature",
            "Market",
            "--nature",
            "gas-main"
        ])
    );
    let (_, bad) = request(
        port,
        "GET",
        "/api/v1/topology/dig-once?from=soon",
        &planner,
        None,
    );
    assert!(String::from_utf8_lossy(&bad).contains("from: expected YYYY-MM-DD"));
    interrupt(&mut server);

    let ids = |v: &Value| -> std::collections::BTreeSet<String> {
        let c = v["candidates"].as_array().unwrap();
        c.iter()
            .map(|c| c["worksite"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&street), ["w-2", "w-4"].map(String::from).into());
    assert_eq!(
        (
            street["n_worksites"].as_u64(),
            street["n_considered"].as_u64()
        ),
        (Some(6), Some(4))
    );
    assert_eq!(
        (
            street["n_ended"].as_u64(),
            street["n_other_nature"].as_u64()
        ),
        (Some(1), Some(1))
    );
    assert!(ids(&every).contains("w-market") && !ids(&every).contains("w-5"));
    for c in street["candidates"].as_array().unwrap() {
        if c["worksite"] == "w-4" {
            assert_eq!(
                (&c["open_days"], &c["open_ended"]),
                (&Value::Null, &json!(true))
            );
        } else {
            let day = |f: &str| {
                chrono::NaiveDate::parse_from_str(c[f].as_str().unwrap(), "%Y-%m-%d").unwrap()
            };
            let from = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
            let days = (day("end") - day("start").max(from)).num_days() + 1;
            assert_eq!(
                (c["open_days"].as_i64(), &c["open_ended"]),
                (Some(days), &json!(false))
            );
        }
    }
}
