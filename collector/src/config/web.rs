//! `[web]`: the web app's map — an optional background GeoJSON the operator supplies (e.g. the
//! region's commune outlines) and an optional tile URL template for deployments that have a tile
//! server. Neither is needed: by default the map draws the cadastre's own geometry, with no
//! request leaving the server.

use std::path::PathBuf;

use serde::Deserialize;

use super::problems::Problems;

/// `[web]` as written.
#[derive(Debug, Default, Deserialize)]
pub(super) struct RawWeb {
    pub background: Option<String>,
    pub tiles: Option<String>,
    pub tiles_attribution: Option<String>,
}

/// `[web]`, validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebConfig {
    /// A GeoJSON file drawn under the cadastre (read and checked when `serve` starts).
    pub background: Option<PathBuf>,
    /// A tile URL template with `{z}`, `{x}` and `{y}` (`https://tiles.example/{z}/{x}/{y}.png`).
    pub tiles: Option<String>,
    /// The tiles' attribution, shown on the map.
    pub tiles_attribution: Option<String>,
}

/// Validates `[web]`; absent, the map has neither background nor tiles.
pub(super) fn web(raw: Option<&RawWeb>, p: &mut Problems) -> WebConfig {
    let Some(w) = raw else {
        return WebConfig::default();
    };
    let background = match w.background.as_deref() {
        None => None,
        Some(b) if b.trim().is_empty() => {
            p.push(
                "web.background",
                "must not be empty (a GeoJSON file's path)",
            );
            None
        }
        Some(b) => Some(PathBuf::from(b)),
    };
    let tiles = match w.tiles.as_deref() {
        None => None,
        Some(t) => {
            let missing: Vec<&str> = ["{z}", "{x}", "{y}"]
                .into_iter()
                .filter(|k| !t.contains(k))
                .collect();
            let scheme_ok =
                t.starts_with("http://") || t.starts_with("https://") || t.starts_with('/');
            if !missing.is_empty() {
                p.push(
                    "web.tiles",
                    format!("a tile URL template needs {}", missing.join(", ")),
                );
                None
            } else if !scheme_ok {
                p.push(
                    "web.tiles",
                    "must start with http://, https:// or / (a path on this server)",
                );
                None
            } else {
                Some(t.to_string())
            }
        }
    };
    WebConfig {
        background,
        tiles,
        tiles_attribution: w.tiles_attribution.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(raw: RawWeb) -> (WebConfig, Vec<String>) {
        let mut p = Problems(Vec::new());
        let c = web(Some(&raw), &mut p);
        (
            c,
            p.0.iter()
                .map(|x| format!("{}: {}", x.key, x.message))
                .collect(),
        )
    }

    #[test]
    fn a_tile_template_needs_its_three_placeholders_and_a_scheme() {
        let (c, e) = check(RawWeb {
            tiles: Some("https://t.example/{z}/{x}/{y}.png".into()),
            ..RawWeb::default()
        });
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(
            c.tiles.as_deref(),
            Some("https://t.example/{z}/{x}/{y}.png")
        );
        let (_, e) = check(RawWeb {
            tiles: Some("https://t.example/{z}/{x}.png".into()),
            ..RawWeb::default()
        });
        assert_eq!(e, ["web.tiles: a tile URL template needs {y}"]);
        let (_, e) = check(RawWeb {
            tiles: Some("ftp://t/{z}/{x}/{y}".into()),
            ..RawWeb::default()
        });
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].starts_with("web.tiles: must start with"), "{e:?}");
    }

    #[test]
    fn an_empty_background_is_named() {
        let (c, e) = check(RawWeb {
            background: Some(" ".into()),
            ..RawWeb::default()
        });
        assert_eq!(c.background, None);
        assert_eq!(e.len(), 1);
        assert!(e[0].starts_with("web.background:"), "{e:?}");
    }
}
