//! What a token is checked against: the time (the core has no clock), the leeway, a size
//! cap, and whether unknown permission and role names are refused.

/// Longest token [`Rules::at`] accepts by default, in bytes: far above any VideoSDK token and
/// within common HTTP header limits.
pub const DEFAULT_MAX_TOKEN_LEN: usize = 8192;

/// What a token is checked against: the time (the core has no clock), the leeway and a size cap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rules {
    now: u64,
    leeway: u64,
    pub(crate) max_token_len: usize,
    pub(crate) refuse_unknown_names: bool,
}

impl Rules {
    /// Checks at `now` (unix seconds) with no leeway and [`DEFAULT_MAX_TOKEN_LEN`].
    #[must_use]
    pub const fn at(now: u64) -> Self {
        Self {
            now,
            leeway: 0,
            max_token_len: DEFAULT_MAX_TOKEN_LEN,
            refuse_unknown_names: false,
        }
    }

    /// Refuses tokens whose `permissions` or `roles` hold a name this crate does not know
    /// ([`Error::UnknownPermission`](crate::Error::UnknownPermission),
    /// [`Error::UnknownRole`](crate::Error::UnknownRole)). By default such names are
    /// reported ([`TokenClaims::unknown_permissions`](crate::TokenClaims::unknown_permissions))
    /// and grant nothing.
    #[must_use]
    pub const fn refusing_unknown_names(mut self) -> Self {
        self.refuse_unknown_names = true;
        self
    }

    /// Allows `seconds` of clock skew on `exp` and `nbf`.
    #[must_use]
    pub const fn with_leeway(mut self, seconds: u64) -> Self {
        self.leeway = seconds;
        self
    }

    /// Refuses tokens longer than `len` bytes.
    #[must_use]
    pub const fn with_max_token_len(mut self, len: usize) -> Self {
        self.max_token_len = len;
        self
    }

    /// The time these rules check at, unix seconds (what [`Rules::at`] was given; the core
    /// never reads a clock).
    #[must_use]
    pub const fn time(&self) -> u64 {
        self.now
    }

    /// The leeway, in seconds.
    #[must_use]
    pub const fn leeway(&self) -> u64 {
        self.leeway
    }
}
