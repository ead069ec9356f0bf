//! A tiny text form of a network, for tests and examples:
//! `"A-B 10km srlg=t1; B-C 500m; A-B#2 3km owner=ores spare=4; D"`.
//!
//! Items are separated by `;` or newlines. A link item is `X-Y[#tag] LENGTH(km|m)` followed by
//! optional `srlg=a,b`, `owner=o` and `spare=n`; its id is `X-Y` (or `X-Y#tag`). Sites are
//! created on first mention, in order; a lone `X` declares a site without links, a lone `*X`
//! marks site `X` as core (PoP), whether it is mentioned before or after. Defaults:
//! owner `own`, 12 strands of which none allocated (`spare=n` makes it n strands), no ducts.

use std::collections::HashSet;

use crate::error::TopologyError;
use crate::network::{LinkSpec, SiteSpec};

/// Strands of a link when the text does not say.
const DEFAULT_STRANDS: u32 = 12;

/// Parses the text form into specs for [`crate::Network::build`].
pub fn parse(text: &str) -> Result<(Vec<SiteSpec>, Vec<LinkSpec>), TopologyError> {
    let mut sites: Vec<SiteSpec> = Vec::new();
    let mut links = Vec::new();
    let mut seen = HashSet::new();
    let items = text
        .split([';', '\n'])
        .map(str::trim)
        .filter(|i| !i.is_empty());
    for (index, item) in items.enumerate() {
        let err = |reason: String| TopologyError::Parse {
            index,
            item: item.to_string(),
            reason,
        };
        let mut tokens = item.split_whitespace();
        let ends = tokens.next().unwrap_or_default();
        let Some((a, rest)) = ends.split_once('-') else {
            if tokens.next().is_some() {
                return Err(err(format!("{ends:?} is not of the form X-Y")));
            }
            let (id, core) = ends
                .strip_prefix('*')
                .map_or((ends, false), |id| (id, true));
            if id.is_empty() {
                return Err(err("a core marker needs a site id".into()));
            }
            mention(id, &mut sites, &mut seen);
            if core {
                sites
                    .iter_mut()
                    .filter(|s| s.id == id)
                    .for_each(|s| s.is_core = true);
            }
            continue;
        };
        let b = rest.split_once('#').map_or(rest, |(b, _)| b);
        if a.is_empty() || b.is_empty() {
            return Err(err(format!("{ends:?} needs two site ids")));
        }
        let length = tokens.next().ok_or_else(|| err("missing length".into()))?;
        let mut link = LinkSpec {
            id: ends.to_string(),
            a: a.to_string(),
            b: b.to_string(),
            length_m: parse_length(length).map_err(err)?,
            owner: "own".into(),
            fibre_count: DEFAULT_STRANDS,
            ..LinkSpec::default()
        };
        for opt in tokens {
            apply_option(&mut link, opt).map_err(err)?;
        }
        mention(a, &mut sites, &mut seen);
        mention(b, &mut sites, &mut seen);
        links.push(link);
    }
    Ok((sites, links))
}

/// Adds a site the first time it is mentioned.
fn mention(id: &str, sites: &mut Vec<SiteSpec>, seen: &mut HashSet<String>) {
    if seen.insert(id.to_string()) {
        sites.push(SiteSpec {
            id: id.to_string(),
            name: id.to_string(),
            is_core: false,
        });
    }
}

/// `10km`, `2.5km`, `500m` → metres.
fn parse_length(token: &str) -> Result<f64, String> {
    let (number, factor) = if let Some(n) = token.strip_suffix("km") {
        (n, 1000.0)
    } else if let Some(n) = token.strip_suffix('m') {
        (n, 1.0)
    } else {
        return Err(format!("length {token:?} needs a km or m unit"));
    };
    number
        .parse::<f64>()
        .map(|v| v * factor)
        .map_err(|_| format!("length {token:?} is not a number"))
}

fn apply_option(link: &mut LinkSpec, opt: &str) -> Result<(), String> {
    let (key, value) = opt
        .split_once('=')
        .ok_or_else(|| format!("option {opt:?} is not key=value"))?;
    match key {
        "srlg" => link.srlgs = value.split(',').map(str::to_string).collect(),
        "owner" => link.owner = value.to_string(),
        "spare" => {
            link.fibre_count = value
                .parse()
                .map_err(|_| format!("spare {value:?} is not a count"))?;
        }
        _ => return Err(format!("unknown option {key:?}")),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_example() {
        let (sites, links) = parse(
            "A-B 10km srlg=t1; B-C 5km; A-C 12km srlg=t1,t2; A-B#2 3km owner=ores spare=4\nD",
        )
        .unwrap();
        let ids: Vec<&str> = sites.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["A", "B", "C", "D"]);
        let ids: Vec<&str> = links.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(ids, ["A-B", "B-C", "A-C", "A-B#2"]);
        assert_eq!(links[0].length_m, 10_000.0);
        assert_eq!(links[2].srlgs, ["t1", "t2"]);
        let l = &links[3];
        assert_eq!((l.a.as_str(), l.b.as_str()), ("A", "B"));
        assert_eq!(
            (l.owner.as_str(), l.fibre_count, l.length_m),
            ("ores", 4, 3000.0)
        );
        assert_eq!(links[1].owner, "own");
    }

    #[test]
    fn a_star_marks_a_core_site() {
        let (sites, _) = parse("A-B 1km; *B; *C").unwrap();
        let core: Vec<(&str, bool)> = sites.iter().map(|s| (s.id.as_str(), s.is_core)).collect();
        assert_eq!(core, [("A", false), ("B", true), ("C", true)]);
        assert!(parse("*").is_err());
    }

    #[test]
    fn errors_name_the_item() {
        let e = parse("A-B 1km; B-C 5 km").unwrap_err();
        assert_eq!(
            e.to_string(),
            "text item 1 \"B-C 5 km\": length \"5\" needs a km or m unit"
        );
        assert!(matches!(
            parse("A-B"),
            Err(TopologyError::Parse { index: 0, .. })
        ));
        assert!(parse("A-B 1km colour=red").is_err());
        assert!(parse("A-B 1km spare=x").is_err());
        assert!(parse("-B 1km").is_err());
        assert!(parse("A-B tenkm").is_err());
    }
}
