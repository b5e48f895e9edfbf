//! One typed configuration: defaults in code, then an optional `signet.toml`, then `SIGNET_*` variables.
//! The server and the CLI read the same one. Secrets never reach `Debug` output.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Signet's configuration. Every field can be set in `signet.toml` under its own name, or with the
/// environment variable `SIGNET_` + its name in upper case (`SIGNET_LISTEN`, `SIGNET_DATABASE_URL`, ...).
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address the HTTP(S) server listens on.
    pub listen: SocketAddr,
    /// Public base URL that issuers and endpoint URLs are built from; derived from `listen` and TLS when unset.
    pub public_url: Option<String>,
    /// sea-orm database URL: `sqlite://path?mode=rwc` or `postgres://user@host/db`.
    pub database_url: String,
    /// File holding the 32-byte key-encryption key that seals signing keys; created on first run.
    pub key_file: PathBuf,
    /// Access-token lifetime.
    pub access_token_lifetime: Seconds,
    /// ID-token lifetime.
    pub id_token_lifetime: Seconds,
    /// How long a signing key signs before its successor takes over.
    pub key_rotation_period: Seconds,
    /// How long a new key is published in JWKS before it signs, so caches fetch it first.
    pub key_publish_lead: Seconds,
    /// How long a retired key stays published; at least the longest token lifetime.
    pub key_overlap: Seconds,
    /// How often a server re-reads signing keys written by other processes (the CLI, other replicas).
    pub key_refresh_interval: Seconds,
    /// PEM certificate chain for TLS; with `tls_key`, the server speaks HTTPS.
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for TLS.
    pub tls_key: Option<PathBuf>,
    /// Where `serve --tls-self-signed` writes the certificate it generated.
    pub tls_cert_out: PathBuf,
    /// HTTP worker threads; 0 means one per core.
    pub workers: usize,
    /// How long directory lookups on the token path are cached; the longest a change made by another
    /// process (the CLI, another replica) takes to be seen here. 0 disables the cache.
    pub directory_cache_ttl: Seconds,
    /// SQLite only: `normal` (commits survive a process crash) or `full` (they survive a power loss).
    pub sqlite_synchronous: SqliteSync,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: None,
            database_url: "sqlite://data/signet.db?mode=rwc".to_owned(),
            key_file: PathBuf::from("keys/signet.kek"),
            access_token_lifetime: Seconds(3600),
            id_token_lifetime: Seconds(3600),
            key_rotation_period: Seconds(30 * DAY),
            key_publish_lead: Seconds(DAY),
            key_overlap: Seconds(2 * DAY),
            key_refresh_interval: Seconds(30),
            tls_cert: None,
            tls_key: None,
            tls_cert_out: PathBuf::from("data/tls-cert.pem"),
            workers: 0,
            directory_cache_ttl: Seconds(1),
            sqlite_synchronous: SqliteSync::Normal,
        }
    }
}

const DAY: u64 = 24 * 3600;

/// A configuration problem, reported in one line.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(String);

impl Config {
    /// Defaults, then `file` (or `./signet.toml` when it exists), then `SIGNET_*` variables.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let default_file = Path::new("signet.toml");
        let mut config = match file {
            Some(path) => Self::from_file(path)?,
            None if default_file.exists() => Self::from_file(default_file)?,
            None => Self::default(),
        };
        config.apply_env(std::env::vars())?;
        config.validate()?;
        Ok(config)
    }

    fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError(format!("{}: {e}", path.display())))?;
        toml::from_str(&text).map_err(|e| ConfigError(format!("{}: {e}", path.display())))
    }

    /// Applies `SIGNET_*` variables; unknown `SIGNET_` names are errors so typos do not pass silently.
    pub fn apply_env(&mut self, vars: impl IntoIterator<Item = (String, String)>) -> Result<(), ConfigError> {
        for (name, value) in vars {
            let Some(field) = name.strip_prefix("SIGNET_") else { continue };
            let bad = |e: String| ConfigError(format!("{name}: {e}"));
            match field {
                "LISTEN" => self.listen = value.parse().map_err(|e| bad(format!("{e}")))?,
                "PUBLIC_URL" => self.public_url = Some(value),
                "DATABASE_URL" => self.database_url = value,
                "KEY_FILE" => self.key_file = value.into(),
                "ACCESS_TOKEN_LIFETIME" => self.access_token_lifetime = value.parse().map_err(bad)?,
                "ID_TOKEN_LIFETIME" => self.id_token_lifetime = value.parse().map_err(bad)?,
                "KEY_ROTATION_PERIOD" => self.key_rotation_period = value.parse().map_err(bad)?,
                "KEY_PUBLISH_LEAD" => self.key_publish_lead = value.parse().map_err(bad)?,
                "KEY_OVERLAP" => self.key_overlap = value.parse().map_err(bad)?,
                "KEY_REFRESH_INTERVAL" => self.key_refresh_interval = value.parse().map_err(bad)?,
                "TLS_CERT" => self.tls_cert = Some(value.into()),
                "TLS_KEY" => self.tls_key = Some(value.into()),
                "TLS_CERT_OUT" => self.tls_cert_out = value.into(),
                "WORKERS" => self.workers = value.parse().map_err(|e| bad(format!("{e}")))?,
                "DIRECTORY_CACHE_TTL" => self.directory_cache_ttl = value.parse().map_err(bad)?,
                "SQLITE_SYNCHRONOUS" => self.sqlite_synchronous = value.parse().map_err(bad)?,
                // Variables read by the test suite, not by the server.
                "TEST_POSTGRES_URL" | "TEST_PYTHON" | "TEST_NODE_MODULES" => {}
                _ => return Err(ConfigError(format!("unknown variable {name}"))),
            }
        }
        Ok(())
    }

    /// Rejects settings that would let a valid token fail verification or a key never rotate.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let longest = self.access_token_lifetime.0.max(self.id_token_lifetime.0);
        if self.key_overlap.0 < longest {
            return Err(ConfigError(format!(
                "key_overlap ({}s) must be at least the longest token lifetime ({longest}s)",
                self.key_overlap.0
            )));
        }
        if self.key_publish_lead.0 >= self.key_rotation_period.0 {
            return Err(ConfigError("key_publish_lead must be shorter than key_rotation_period".into()));
        }
        if self.key_refresh_interval.0 == 0 || self.key_refresh_interval.0 > 300 {
            return Err(ConfigError("key_refresh_interval must be between 1s and 300s".into()));
        }
        if self.tls_cert.is_some() != self.tls_key.is_some() {
            return Err(ConfigError("tls_cert and tls_key go together".into()));
        }
        if let Some(url) = &self.public_url {
            let parsed = url::Url::parse(url).map_err(|e| ConfigError(format!("public_url: {e}")))?;
            if !matches!(parsed.scheme(), "http" | "https") || parsed.query().is_some() {
                return Err(ConfigError("public_url must be an http(s) URL without a query".into()));
            }
        }
        Ok(())
    }

    /// The public base URL without a trailing slash.
    pub fn base_url(&self, tls: bool) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("{}://{}", if tls { "https" } else { "http" }, self.listen),
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("public_url", &self.public_url)
            .field("database_url", &redact_url(&self.database_url))
            .field("key_file", &self.key_file)
            .field("access_token_lifetime", &self.access_token_lifetime)
            .field("id_token_lifetime", &self.id_token_lifetime)
            .field("key_rotation_period", &self.key_rotation_period)
            .field("key_publish_lead", &self.key_publish_lead)
            .field("key_overlap", &self.key_overlap)
            .field("key_refresh_interval", &self.key_refresh_interval)
            .field("tls_cert", &self.tls_cert)
            .field("tls_key", &self.tls_key)
            .field("tls_cert_out", &self.tls_cert_out)
            .field("workers", &self.workers)
            .field("directory_cache_ttl", &self.directory_cache_ttl)
            .field("sqlite_synchronous", &self.sqlite_synchronous)
            .finish()
    }
}

/// A database URL with its password replaced, for logs.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("REDACTED"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

/// A duration in seconds, written as `90`, `90s`, `15m`, `12h` or `30d`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seconds(pub u64);

impl Seconds {
    pub fn as_i64(self) -> i64 {
        i64::try_from(self.0).unwrap_or(i64::MAX)
    }
}

impl std::str::FromStr for Seconds {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let (digits, unit) = match s.char_indices().last() {
            Some((i, c)) if c.is_ascii_alphabetic() => (s.get(..i).unwrap_or_default(), c),
            _ => (s, 's'),
        };
        let n: u64 = digits.parse().map_err(|_| format!("'{s}' is not a duration like 90s, 15m, 12h or 30d"))?;
        let factor = match unit {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => DAY,
            _ => return Err(format!("'{s}': unknown unit '{unit}' (use s, m, h or d)")),
        };
        n.checked_mul(factor).map(Seconds).ok_or_else(|| format!("'{s}' is too long"))
    }
}

impl<'de> Deserialize<'de> for Seconds {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(u64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Number(n) => Ok(Seconds(n)),
            Raw::Text(t) => t.parse().map_err(serde::de::Error::custom),
        }
    }
}

/// When SQLite commits reach the disk (SQLite's `synchronous` in WAL mode).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SqliteSync {
    /// Every commit is in the write-ahead log when it returns, and synced to disk at checkpoints: it
    /// survives a crash of the process, and the database is never corrupted, but a power loss or an
    /// operating-system crash may undo the last commits. Rails' and Django's SQLite default.
    #[default]
    Normal,
    /// Every commit is synced to disk before it returns: it survives a power loss too. Each commit
    /// then waits for the disk, and on one machine's disk that halves the sign-ins per second.
    Full,
}

impl std::str::FromStr for SqliteSync {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "normal" => Ok(Self::Normal),
            "full" => Ok(Self::Full),
            other => Err(format!("'{other}' is not normal or full")),
        }
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_units() {
        assert_eq!("90".parse::<Seconds>(), Ok(Seconds(90)));
        assert_eq!("15m".parse::<Seconds>(), Ok(Seconds(900)));
        assert_eq!("30d".parse::<Seconds>(), Ok(Seconds(30 * DAY)));
        assert!("3w".parse::<Seconds>().is_err());
    }

    #[test]
    fn env_overrides_file_and_unknown_names_fail() {
        let mut config: Config =
            toml::from_str("listen = \"127.0.0.1:9000\"\nkey_overlap = \"3d\"").unwrap_or_default();
        assert_eq!(config.listen.port(), 9000);
        assert_eq!(config.key_overlap, Seconds(3 * DAY));
        config.apply_env([("SIGNET_LISTEN".into(), "127.0.0.1:9100".into())]).ok();
        assert_eq!(config.listen.port(), 9100);
        assert!(config.apply_env([("SIGNET_LISTN".into(), "x".into())]).is_err());
    }

    #[test]
    fn sqlite_durability_is_normal_unless_set_to_full() {
        assert_eq!(Config::default().sqlite_synchronous, SqliteSync::Normal);
        let mut config: Config = toml::from_str("sqlite_synchronous = \"full\"").unwrap();
        assert_eq!(config.sqlite_synchronous, SqliteSync::Full);
        config.apply_env([("SIGNET_SQLITE_SYNCHRONOUS".into(), "normal".into())]).unwrap();
        assert_eq!(config.sqlite_synchronous, SqliteSync::Normal);
        assert!(config.apply_env([("SIGNET_SQLITE_SYNCHRONOUS".into(), "off".into())]).is_err());
    }

    #[test]
    fn overlap_shorter_than_token_lifetime_is_rejected() {
        let config = Config { key_overlap: Seconds(60), ..Config::default() };
        assert!(config.validate().is_err());
    }

    #[test]
    fn debug_output_hides_database_password() {
        let config = Config { database_url: "postgres://signet:hunter2@db/signet".into(), ..Config::default() };
        let shown = format!("{config:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}
