//! Signet's schema, as sea-orm migrations. The same migrations run on SQLite and PostgreSQL.
//! Ids are GUID strings, times are unix seconds, lists of protocol objects are JSON text.

pub use sea_orm_migration::prelude::*;

mod m0001_directory;
mod m0002_keys;
mod m0003_authorization_codes;
mod m0004_refresh_tokens;
mod m0005_sessions;
mod m0006_consent_governance;
mod m0007_consent_requests;
mod m0008_ordered_token_keys;
mod m0009_directory_version;
mod m0010_used_form_tokens;
mod m0011_user_administration;
mod m0012_app_administration;
mod m0013_key_credential_names;
mod m0014_single_page_apps;
mod m0015_password_grant;
mod m0016_groups;
mod m0017_device_codes;
mod m0018_access_token_version;
mod references;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_directory::Migration),
            Box::new(m0002_keys::Migration),
            Box::new(m0003_authorization_codes::Migration),
            Box::new(m0004_refresh_tokens::Migration),
            Box::new(m0005_sessions::Migration),
            Box::new(m0006_consent_governance::Migration),
            Box::new(m0007_consent_requests::Migration),
            Box::new(m0008_ordered_token_keys::Migration),
            Box::new(m0009_directory_version::Migration),
            Box::new(m0010_used_form_tokens::Migration),
            Box::new(m0011_user_administration::Migration),
            Box::new(m0012_app_administration::Migration),
            Box::new(m0013_key_credential_names::Migration),
            Box::new(m0014_single_page_apps::Migration),
            Box::new(m0015_password_grant::Migration),
            Box::new(m0016_groups::Migration),
            Box::new(m0017_device_codes::Migration),
            Box::new(m0018_access_token_version::Migration),
        ]
    }
}
