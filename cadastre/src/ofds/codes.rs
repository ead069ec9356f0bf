//! OFDS codelists ↔ the cadastre's words: status, deployment, fibre type. Each mapping is a
//! bijection on the values the cadastre writes, so a read → write → read cycle is the identity.

/// OFDS `nodeStatus`/`spanStatus` codes (the two closed codelists hold the same six codes).
pub(super) const STATUSES: [&str; 6] = [
    "proposed",
    "planned",
    "underConstruction",
    "operational",
    "decommissioned",
    "inactive",
];

/// The OFDS `fibreType` codelist (closed).
const FIBRE_TYPES: [&str; 7] = [
    "G.651.1", "G.652", "G.653", "G.654", "G.655", "G.656", "G.657",
];

/// OFDS status → cadastre status: `operational` is `in_service`, `underConstruction` is
/// `under_construction`, the other codes keep their name. `None` when not in the codelist.
pub(super) fn status_from_ofds(code: &str) -> Option<String> {
    match code {
        "operational" => Some("in_service".to_string()),
        "underConstruction" => Some("under_construction".to_string()),
        c if STATUSES.contains(&c) => Some(c.to_string()),
        _ => None,
    }
}

/// Cadastre status → OFDS status; a status outside the codelist is written as it is.
pub(super) fn status_to_ofds(status: &str) -> String {
    match status {
        "in_service" => "operational".to_string(),
        "under_construction" => "underConstruction".to_string(),
        s => s.to_string(),
    }
}

/// OFDS `deployment` codes → cadastre deployment: `belowGround` is `underground`, `aboveGround`
/// is `aerial`, both are `mixed`. `Err(code)` names a code outside the closed codelist.
pub(super) fn deployment_from_ofds(codes: &[&str]) -> Result<&'static str, String> {
    let mut below = false;
    let mut above = false;
    for &c in codes {
        match c {
            "belowGround" => below = true,
            "aboveGround" => above = true,
            other => return Err(other.to_string()),
        }
    }
    Ok(match (below, above) {
        (true, true) => "mixed",
        (false, true) => "aerial",
        (true, false) => "underground",
        (false, false) => "unknown",
    })
}

/// Cadastre deployment → OFDS `deployment` codes; `None` when the codelist cannot say it
/// (`in_building`, free text): the writer then puts it in `deploymentDetails.description`.
pub(super) fn deployment_to_ofds(deployment: &str) -> Option<Vec<&'static str>> {
    match deployment {
        "underground" => Some(vec!["belowGround"]),
        "aerial" => Some(vec!["aboveGround"]),
        "mixed" => Some(vec!["aboveGround", "belowGround"]),
        _ => None,
    }
}

/// A deployment the writer put in `deploymentDetails.description` is one lowercase word
/// (`in_building`); a human description (`Buried in ducts`) is not a deployment.
pub(super) fn is_deployment_word(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Cadastre fibre type (`G.652.D`) → OFDS (`fibreType`, `fibreTypeDetails.fibreSubtype`):
/// the codelist family, and the full name when it says more than the family.
pub(super) fn fibre_type_to_ofds(fibre_type: &str) -> (Option<&'static str>, Option<String>) {
    let family = FIBRE_TYPES
        .iter()
        .copied()
        .filter(|f| {
            fibre_type == *f
                || fibre_type
                    .strip_prefix(f)
                    .is_some_and(|rest| rest.starts_with('.'))
        })
        .max_by_key(|f| f.len());
    match family {
        Some(f) if f == fibre_type => (Some(f), None),
        other => (other, Some(fibre_type.to_string())),
    }
}

/// True when `code` is in the OFDS `fibreType` codelist.
pub(super) fn is_fibre_type(code: &str) -> bool {
    FIBRE_TYPES.contains(&code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip() {
        for code in STATUSES {
            let ours = status_from_ofds(code).unwrap();
            assert_eq!(status_to_ofds(&ours), code);
        }
        assert_eq!(
            status_from_ofds("operational").as_deref(),
            Some("in_service")
        );
        assert_eq!(status_from_ofds("lit"), None);
    }

    #[test]
    fn deployments_round_trip() {
        for d in ["underground", "aerial", "mixed"] {
            let codes = deployment_to_ofds(d).unwrap();
            assert_eq!(deployment_from_ofds(&codes), Ok(d));
        }
        assert_eq!(deployment_to_ofds("in_building"), None);
        assert!(is_deployment_word("in_building"));
        assert!(!is_deployment_word("Buried in ducts"));
        assert_eq!(
            deployment_from_ofds(&["inTheAir"]),
            Err("inTheAir".to_string())
        );
    }

    #[test]
    fn fibre_types_split_into_family_and_subtype() {
        assert_eq!(fibre_type_to_ofds("G.652"), (Some("G.652"), None));
        assert_eq!(
            fibre_type_to_ofds("G.652.D"),
            (Some("G.652"), Some("G.652.D".to_string()))
        );
        assert_eq!(fibre_type_to_ofds("G.651.1"), (Some("G.651.1"), None));
        assert_eq!(fibre_type_to_ofds("OM3"), (None, Some("OM3".to_string())));
        assert_eq!(
            fibre_type_to_ofds("G.6520"),
            (None, Some("G.6520".to_string()))
        );
    }
}
