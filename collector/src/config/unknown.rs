//! Keys the configuration does not know, every one of them in one run: the file is read with
//! `serde_ignored`, which hands over the path of each key no struct took, and each becomes a
//! problem naming it the way the others do (`device[3].schedul: unknown key (did you mean
//! schedule?)`), the suggestion being the known key of that table nearest in spelling.

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde_ignored::Path;

use super::problems::Problem;
use super::raw;

/// One step of a key's path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// Parses `text` into the raw configuration and the problems of its unknown keys; a file that
/// is not TOML, or a value of the wrong type, is the `Err`.
pub(super) fn parse(text: &str) -> Result<(raw::RawConfig, Vec<Problem>), toml::de::Error> {
    let mut unknown: Vec<Vec<Step>> = Vec::new();
    let raw = serde_ignored::deserialize(toml::Deserializer::new(text), |path| {
        unknown.push(steps(&path));
    })?;
    Ok((raw, unknown.iter().map(|s| problem(s)).collect()))
}

/// The steps of a `serde_ignored` path, root first.
fn steps(path: &Path<'_>) -> Vec<Step> {
    let mut out = match path {
        Path::Root => return Vec::new(),
        Path::Seq { parent, .. }
        | Path::Map { parent, .. }
        | Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => steps(parent),
    };
    match path {
        Path::Seq { index, .. } => out.push(Step::Index(*index)),
        Path::Map { key, .. } => out.push(Step::Key(key.clone())),
        _ => {}
    }
    out
}

/// `device[3].schedul`.
fn key_text(steps: &[Step]) -> String {
    let mut s = String::new();
    for step in steps {
        match step {
            Step::Key(k) if s.is_empty() => s.push_str(k),
            Step::Key(k) => {
                s.push('.');
                s.push_str(k);
            }
            Step::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

fn problem(steps: &[Step]) -> Problem {
    let (parent, last) = steps.split_at(steps.len().saturating_sub(1));
    let hint = match last.first() {
        Some(Step::Key(k)) => nearest(k, known(parent))
            .map(|n| format!(" (did you mean {n}?)"))
            .unwrap_or_default(),
        _ => String::new(),
    };
    Problem {
        key: key_text(steps),
        message: format!("unknown key{hint}"),
    }
}

/// The keys the table at `parent` knows.
fn known(parent: &[Step]) -> &'static [&'static str] {
    use Step::{Index, Key};
    let k = |s: &Step, name: &str| matches!(s, Key(x) if x == name);
    match parent {
        [] => fields::<raw::RawConfig>(),
        [a] if k(a, "store") => fields::<raw::RawStore>(),
        [a] if k(a, "collector") => fields::<raw::RawCollector>(),
        [a] if k(a, "cadastre") => fields::<raw::RawCadastre>(),
        [a] if k(a, "influx") => fields::<raw::RawInflux>(),
        [a] if k(a, "api") => fields::<super::api::RawApi>(),
        [a] if k(a, "wifi") => fields::<super::wifi::RawWifi>(),
        [a] if k(a, "web") => fields::<super::web::RawWeb>(),
        [a, Key(_)] if k(a, "auth") => fields::<raw::RawAuth>(),
        [a, Index(_)] if k(a, "device") => fields::<raw::RawDevice>(),
        [a, Index(_)] if k(a, "report") => fields::<super::report::RawReport>(),
        [a, Index(_)] if k(a, "alert") => fields::<super::alerts::RawAlert>(),
        [a, Index(_), b] if k(a, "alert") && k(b, "select") => fields::<super::alerts::RawSelect>(),
        [a, Index(_)] if k(a, "receiver") => fields::<super::alerts::RawReceiver>(),
        [a, b, Index(_)] if k(a, "api") && k(b, "token") => fields::<super::api::RawToken>(),
        _ => &[],
    }
}

/// The known key nearest to `key` in spelling, when it is near enough to be a typo (at most 2
/// edits, and fewer than half its letters).
fn nearest(key: &str, known: &[&'static str]) -> Option<&'static str> {
    known
        .iter()
        .map(|k| (distance(key, k), *k))
        .filter(|(d, k)| *d <= 2 && *d * 2 < k.len().max(key.len()))
        .min()
        .map(|(_, k)| k)
}

/// Edit distance over chars, a swap of two neighbours counting one edit (optimal string
/// alignment: `paht` is one edit from `path`).
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// The field names serde knows for `T` (what its derived `Deserialize` passes to
/// `deserialize_struct`), read with a deserializer that only listens for them.
fn fields<T: for<'de> Deserialize<'de>>() -> &'static [&'static str] {
    let mut names: &'static [&'static str] = &[];
    let _ = T::deserialize(FieldsProbe(&mut names));
    names
}

struct FieldsProbe<'a>(&'a mut &'static [&'static str]);

#[derive(Debug)]
struct Stop;

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("fields read")
    }
}

impl std::error::Error for Stop {}

impl de::Error for Stop {
    fn custom<M: std::fmt::Display>(_: M) -> Self {
        Stop
    }
}

impl<'de> Deserializer<'de> for FieldsProbe<'_> {
    type Error = Stop;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
        Err(Stop)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Stop> {
        *self.0 = fields;
        Err(Stop)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unknown_key_is_named_with_the_nearest_known_one() {
        let text = r#"
colector = 1
[store]
path = "x"
retension = "1d"
[[device]]
name = "a"
[[device]]
name = "b"
schedul = "* * * * *"
[auth.x]
version = "2c"
comunity = "c"
[[api.token]]
name = "t"
rol = "viewer"
sha256 = "00"
[wifi]
zzz = 1
"#;
        let (_, problems) = parse(text).unwrap();
        let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "colector: unknown key (did you mean collector?)",
                "store.retension: unknown key (did you mean retention?)",
                "device[1].schedul: unknown key (did you mean schedule?)",
                "auth.x.comunity: unknown key (did you mean community?)",
                "api.token[0].rol: unknown key (did you mean role?)",
                "wifi.zzz: unknown key",
            ]
        );
    }

    #[test]
    fn the_probe_reads_a_struct_s_fields() {
        assert!(fields::<raw::RawDevice>().contains(&"schedule"));
        assert!(fields::<raw::RawConfig>().contains(&"device"));
        assert_eq!(distance("schedul", "schedule"), 1);
        assert_eq!(distance("", "ab"), 2);
        assert_eq!(distance("paht", "path"), 1);
    }
}
