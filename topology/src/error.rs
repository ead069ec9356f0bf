//! The crate's one error type: every variant names what it is about.

/// What can go wrong when asking the network a question or reading its text form.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TopologyError {
    /// A site id that the network does not know.
    #[error("unknown site {site_id:?}")]
    UnknownSite {
        /// The id as given.
        site_id: String,
    },
    /// A link id that the network does not know.
    #[error("unknown link {link_id:?}")]
    UnknownLink {
        /// The id as given.
        link_id: String,
    },
    /// Diverse paths were asked for with `k = 0`.
    #[error("the number of diverse paths must be at least 1")]
    ZeroPaths,
    /// Diverse paths were asked for from a site to itself.
    #[error("diverse paths need two different sites, got {site_id:?} at both ends")]
    SameSite {
        /// The site given as both ends.
        site_id: String,
    },
    /// An item of the text form that does not parse.
    #[error("text item {index} {item:?}: {reason}")]
    Parse {
        /// Position of the item (0-based, items separated by `;` or newlines).
        index: usize,
        /// The item's text.
        item: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A loss model with unusable values, naming every bad key.
    #[error("invalid loss model: {}", problems.join("; "))]
    InvalidLossModel {
        /// One message per bad key, each starting with the key.
        problems: Vec<String>,
    },
    /// An SRLG name that no link of the network carries.
    #[error("unknown srlg {srlg:?}")]
    UnknownSrlg {
        /// The name as given.
        srlg: String,
    },
    /// A tariff with unusable values, naming every bad key.
    #[error("invalid tariff: {}", problems.join("; "))]
    InvalidTariff {
        /// One message per bad key, each starting with the key.
        problems: Vec<String>,
    },
}
