//! The device authorization grant (RFC 8628; protocol reference §2.3): a device without a browser asks
//! for a device code and a user code, the user types the user code at `/devicelogin` on another device
//! and signs in, and the device polls the token endpoint with its device code until the user is done.
//! Which answer a poll gets is decided here.

use super::ids::{AppId, ObjectId, TenantId};
use crate::clock::UnixTime;

/// The grant type of RFC 8628 §3.4.
pub const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// How long the user has to enter the code and sign in (Entra: 15 minutes).
pub const DEVICE_CODE_LIFETIME: i64 = 900;

/// The seconds a device waits between polls, to begin with (RFC 8628 §3.2: 5 by default).
pub const POLL_INTERVAL: i64 = 5;

/// What a poll that came too early adds to the interval, for it and every later poll (RFC 8628 §3.5).
pub const SLOW_DOWN_STEP: i64 = 5;

/// The longest interval a device is asked to keep.
const MAX_INTERVAL: i64 = 60;

/// The letters of a user code: RFC 8628 §6.1's twenty consonants, which make no words and are read
/// back without confusing `0` and `O` or `1` and `I`.
pub const USER_CODE_ALPHABET: &[u8; 20] = b"BCDFGHJKLMNPQRSTVWXZ";

/// A user code's length: 20^9 (about 2^39) codes, of which a guesser, throttled per address, can try a
/// handful a minute against the few hundred alive at once.
pub const USER_CODE_LENGTH: usize = 9;

/// Where a device authorization request stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeviceStatus {
    /// The user has not finished signing in.
    Pending,
    /// The user signed in and consented: the next poll gets tokens for them.
    Approved { tenant_id: TenantId, user_id: ObjectId },
    /// The sign-in ended in an error (the user declined, or may not use the app): its AADSTS code and
    /// description, which the next poll answers with.
    Declined { code: u32, description: String },
    /// Tokens were issued: the device code is spent.
    Redeemed,
}

impl DeviceStatus {
    /// The stored name of [`DeviceStatus::Approved`], which the store spends a code from.
    pub const APPROVED: &'static str = "approved";

    /// The stored name of the status.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved { .. } => Self::APPROVED,
            Self::Declined { .. } => "declined",
            Self::Redeemed => "redeemed",
        }
    }
}

/// A device authorization request: what the device asked for, and where it stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceAuthorization {
    pub user_code: String,
    /// The `{tenant}` segment the device asked at, as written: the sign-in happens there.
    pub segment: String,
    pub client_id: AppId,
    /// The `scope` the device asked for, as sent.
    pub scope: String,
    pub issued_at: UnixTime,
    pub expires_at: UnixTime,
    /// The seconds the device must wait between polls (raised by `slow_down`).
    pub interval: i64,
    pub last_polled_at: Option<UnixTime>,
    pub status: DeviceStatus,
}

/// What a poll of the token endpoint gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Poll {
    /// The user has not finished: poll again after the interval (`authorization_pending`).
    Pending,
    /// Polled sooner than the interval allows: wait `interval` seconds from now on (`slow_down`).
    SlowDown { interval: i64 },
    /// Too late (`expired_token`).
    Expired,
    /// The user's sign-in ended in this error.
    Declined { code: u32, description: String },
    /// Tokens for this user.
    Approved { tenant_id: TenantId, user_id: ObjectId },
    /// The device code was redeemed before.
    Redeemed,
}

impl DeviceAuthorization {
    /// Whether the user may still sign in with this request's user code at `now`.
    pub fn awaits_user(&self, now: UnixTime) -> bool {
        self.status == DeviceStatus::Pending && now < self.expires_at
    }

    /// The answer to a poll at `now`. A spent code says so even after it expired; an approval that
    /// came in time is honoured for one more longest interval, so the poll right after it gets tokens.
    pub fn poll(&self, now: UnixTime) -> Poll {
        let deadline = match self.status {
            DeviceStatus::Approved { .. } => self.expires_at + MAX_INTERVAL,
            _ => self.expires_at,
        };
        if now >= deadline && self.status != DeviceStatus::Redeemed {
            return Poll::Expired;
        }
        match &self.status {
            DeviceStatus::Redeemed => Poll::Redeemed,
            DeviceStatus::Approved { tenant_id, user_id } => {
                Poll::Approved { tenant_id: *tenant_id, user_id: *user_id }
            }
            DeviceStatus::Declined { code, description } => {
                Poll::Declined { code: *code, description: description.clone() }
            }
            DeviceStatus::Pending => match self.last_polled_at {
                Some(last) if now - last < self.interval => {
                    Poll::SlowDown { interval: (self.interval + SLOW_DOWN_STEP).min(MAX_INTERVAL) }
                }
                _ => Poll::Pending,
            },
        }
    }
}

/// A user code as typed: letters of either case, with spaces or hyphens anywhere. `None` when it
/// cannot be a user code, so that no lookup is spent on it.
pub fn normalize_user_code(typed: &str) -> Option<String> {
    let code: String =
        typed.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_uppercase()).collect();
    let valid = code.len() == USER_CODE_LENGTH && code.bytes().all(|b| USER_CODE_ALPHABET.contains(&b));
    valid.then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(last_polled_at: Option<UnixTime>) -> DeviceAuthorization {
        DeviceAuthorization {
            user_code: "BCDFGHJKL".into(),
            segment: "common".into(),
            client_id: AppId::new_random(),
            scope: "openid".into(),
            issued_at: 1_000,
            expires_at: 1_000 + DEVICE_CODE_LIFETIME,
            interval: POLL_INTERVAL,
            last_polled_at,
            status: DeviceStatus::Pending,
        }
    }

    #[test]
    fn a_poll_after_the_interval_is_pending_and_an_earlier_one_slows_down() {
        assert_eq!(pending(None).poll(1_001), Poll::Pending);
        assert_eq!(pending(Some(1_000)).poll(1_005), Poll::Pending);
        assert_eq!(pending(Some(1_000)).poll(1_004), Poll::SlowDown { interval: 10 });
        let slowed = DeviceAuthorization { interval: 60, ..pending(Some(1_000)) };
        assert_eq!(slowed.poll(1_001), Poll::SlowDown { interval: 60 }, "the interval stops growing at a minute");
    }

    #[test]
    fn expiry_ends_a_pending_or_declined_request_but_not_a_spent_or_approved_one() {
        let at_expiry = 1_000 + DEVICE_CODE_LIFETIME;
        assert_eq!(pending(None).poll(at_expiry - 1), Poll::Pending);
        assert_eq!(pending(None).poll(at_expiry), Poll::Expired);
        assert!(pending(None).awaits_user(at_expiry - 1));
        assert!(!pending(None).awaits_user(at_expiry));
        let declined = DeviceAuthorization {
            status: DeviceStatus::Declined { code: 65004, description: "no".into() },
            ..pending(None)
        };
        assert_eq!(declined.poll(at_expiry), Poll::Expired);
        assert_eq!(declined.poll(1_001), Poll::Declined { code: 65004, description: "no".into() });
        let spent = DeviceAuthorization { status: DeviceStatus::Redeemed, ..pending(None) };
        assert_eq!(spent.poll(at_expiry + 100), Poll::Redeemed);
        let (tenant_id, user_id) = (TenantId::new_random(), ObjectId::new_random());
        let approved = DeviceAuthorization { status: DeviceStatus::Approved { tenant_id, user_id }, ..pending(None) };
        assert_eq!(approved.poll(at_expiry + 3), Poll::Approved { tenant_id, user_id });
        assert_eq!(approved.poll(at_expiry + 60), Poll::Expired, "an approval not collected in time lapses");
        assert!(!approved.awaits_user(1_001));
    }

    #[test]
    fn user_codes_are_read_as_typed() {
        assert_eq!(normalize_user_code(" bcd-fgh jkl ").as_deref(), Some("BCDFGHJKL"));
        assert_eq!(normalize_user_code("BCDFGHJK"), None, "too short");
        assert_eq!(normalize_user_code("BCDFGHJKA"), None, "a vowel is never in a code");
        assert_eq!(normalize_user_code("BCDFGHJK1"), None);
        assert_eq!(normalize_user_code("ÉCDFGHJKL"), None);
    }
}
