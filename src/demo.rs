//! `signet serve --demo`: an idempotent demo directory. Tenant `contoso` (contoso.onmicrosoft.com),
//! an admin and a user, a web API with a scope and an app role, a daemon granted that role, and a web
//! app users sign in to.
//!
//! Passwords and the daemon's secret are generated on the first run and kept, readable only by the
//! owner, in `demo-credentials.json` beside the TLS certificate, so later runs print them again.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::admin::{self, AdminError, AppSpec, PolicyChange, UserSpec};
use crate::clock::UnixTime;
use crate::domain::tenant::Tenant;
use crate::seal::KeyEncryptionKey;
use crate::secrets::ClientSecret;
use crate::store::Store;

pub const DEMO_DOMAIN: &str = "contoso.onmicrosoft.com";

/// Where the demo web app's sign-ins land (nothing needs to listen there: the code is in the address).
pub const DEMO_REDIRECT_URI: &str = "http://localhost:8400/callback";

/// What the demo prints.
#[derive(Debug, Serialize, Deserialize)]
pub struct DemoCredentials {
    pub tenant_id: String,
    pub domain: String,
    pub admin_username: String,
    pub admin_password: String,
    pub user_username: String,
    pub user_password: String,
    pub api_app_id: String,
    pub api_identifier_uri: String,
    pub daemon_app_id: String,
    pub daemon_secret: String,
    #[serde(default)]
    pub web_app_id: String,
    #[serde(default)]
    pub web_secret: String,
}

/// Where the demo's generated credentials are kept.
pub fn credentials_file(data_dir: &Path) -> PathBuf {
    data_dir.join("demo-credentials.json")
}

/// Seeds the demo unless its tenant exists; either way returns what to print, when known.
pub async fn seed(
    store: &Store,
    kek: &KeyEncryptionKey,
    data_dir: &Path,
    now: UnixTime,
) -> Result<Option<DemoCredentials>, AdminError> {
    let file = credentials_file(data_dir);
    if store.resolve_tenant(DEMO_DOMAIN).await?.is_some() {
        let saved = std::fs::read(&file).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok());
        return Ok(saved);
    }
    let tenant = admin::create_tenant(store, "Contoso", DEMO_DOMAIN, now).await?;
    let admin_password = admin::generated_password()?;
    let user_password = admin::generated_password()?;
    let actor = admin::Actor::cli();
    let admin_name = format!("admin@{DEMO_DOMAIN}");
    let spec =
        UserSpec { display_name: Some("Contoso Admin"), is_admin: true, ..UserSpec::new(&admin_name, &admin_password) };
    let admin_user = admin::create_user(store, &tenant, spec, &actor, now).await?;
    let user_name = format!("alice@{DEMO_DOMAIN}");
    let spec = UserSpec { display_name: Some("Alice"), ..UserSpec::new(&user_name, &user_password) };
    let user = admin::create_user(store, &tenant, spec, &actor, now).await?;
    let (api_id, identifier) = seed_api(store, &tenant, now).await?;
    let (daemon_id, secret) = seed_daemon(store, kek, &tenant, &api_id, now).await?;
    let (web_id, web_secret) = seed_web_app(store, kek, &tenant, now).await?;
    // Users may consent to what does not need an admin; for the rest they can ask the admin.
    let workflow = PolicyChange {
        consent_requests: Some(true),
        reviewers: Some(vec![admin_user.username.clone()]),
        ..PolicyChange::default()
    };
    admin::set_policy(store, &tenant, workflow, now).await?;
    let credentials = DemoCredentials {
        tenant_id: tenant.id.to_string(),
        domain: DEMO_DOMAIN.to_owned(),
        admin_username: admin_user.username,
        admin_password,
        user_username: user.username,
        user_password,
        api_app_id: api_id,
        api_identifier_uri: identifier,
        daemon_app_id: daemon_id,
        daemon_secret: secret.expose().to_owned(),
        web_app_id: web_id,
        web_secret: web_secret.expose().to_owned(),
    };
    if let Err(err) = write_private_json(&file, &credentials) {
        tracing::warn!(file = %file.display(), error = %err, "could not keep the demo credentials");
    }
    Ok(Some(credentials))
}

/// The web API: a delegated scope and an app role. Its appId and identifier URI.
async fn seed_api(store: &Store, tenant: &Tenant, now: UnixTime) -> Result<(String, String), AdminError> {
    let identifier = format!("api://{DEMO_DOMAIN}/forecast");
    let spec = AppSpec {
        name: "Contoso Forecast API".into(),
        identifier_uris: vec![identifier.clone()],
        ..AppSpec::default()
    };
    let api_id = admin::create_app(store, tenant, spec, now).await?.app_id.to_string();
    admin::add_scope(
        store,
        tenant,
        &api_id,
        admin::NewScope {
            value: "Forecast.Read",
            admin_consent_only: false,
            display_name: Some("Read forecasts"),
            description: Some("Allows the app to read forecasts as you."),
        },
        now,
    )
    .await?;
    admin::add_role(store, tenant, &api_id, "Forecast.Read.All", Some("Read all forecasts"), now).await?;
    Ok((api_id, identifier))
}

/// The daemon, granted the API's app role, with a secret. Its appId and the secret.
async fn seed_daemon(
    store: &Store,
    kek: &KeyEncryptionKey,
    tenant: &Tenant,
    api_id: &str,
    now: UnixTime,
) -> Result<(String, ClientSecret), AdminError> {
    let spec = AppSpec { name: "Contoso Forecast Daemon".into(), ..AppSpec::default() };
    let daemon_id = admin::create_app(store, tenant, spec, now).await?.app_id.to_string();
    admin::require(store, tenant, &daemon_id, api_id, &[], &["Forecast.Read.All".to_owned()], now).await?;
    admin::grant_consent(store, tenant, &daemon_id, now).await?;
    let (_, secret) = admin::add_secret(store, kek, tenant, &daemon_id, 365, now).await?;
    Ok((daemon_id, secret))
}

/// The web app users sign in to, with a secret. Its appId and the secret.
async fn seed_web_app(
    store: &Store,
    kek: &KeyEncryptionKey,
    tenant: &Tenant,
    now: UnixTime,
) -> Result<(String, ClientSecret), AdminError> {
    let spec = AppSpec {
        name: "Contoso Web App".into(),
        redirect_uris: vec![DEMO_REDIRECT_URI.to_owned()],
        ..AppSpec::default()
    };
    let web_id = admin::create_app(store, tenant, spec, now).await?.app_id.to_string();
    let (_, secret) = admin::add_secret(store, kek, tenant, &web_id, 365, now).await?;
    Ok((web_id, secret))
}

fn write_private_json(path: &Path, value: &impl Serialize) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(serde_json::to_string_pretty(value).unwrap_or_default().as_bytes())
}

/// The address that starts a sign-in to the demo web app.
pub fn sign_in_url(c: &DemoCredentials, base_url: &str) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", &c.web_app_id)
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", DEMO_REDIRECT_URI)
        .append_pair("scope", &format!("openid profile offline_access {}/Forecast.Read", c.api_identifier_uri))
        .append_pair("state", "demo")
        .finish();
    format!("{base_url}/{}/oauth2/v2.0/authorize?{query}", c.domain)
}

/// The demo's banner: who can sign in and how to get a token.
pub fn banner(c: &DemoCredentials, base_url: &str) -> String {
    let mut text = format!(
        "\nSignet demo tenant {domain} ({tid})\n  admin: {au} / {ap}\n  user:  {uu} / {up}\n  web API:  {api} ({uri}), scope Forecast.Read, app role Forecast.Read.All\n  daemon:   {daemon} secret {secret}\n\nGet a token:\n  curl -s {base}/{domain}/oauth2/v2.0/token -d grant_type=client_credentials -d client_id={daemon} --data-urlencode client_secret={secret} --data-urlencode scope={uri}/.default\n",
        domain = c.domain,
        tid = c.tenant_id,
        au = c.admin_username,
        ap = c.admin_password,
        uu = c.user_username,
        up = c.user_password,
        api = c.api_app_id,
        uri = c.api_identifier_uri,
        daemon = c.daemon_app_id,
        secret = c.daemon_secret,
        base = base_url,
    );
    if !c.web_app_id.is_empty() {
        text.push_str(&format!(
            "\nSign in to the web app {web} in a browser:\n  {url}\nthen redeem the code from the address bar ({redirect}?code=...):\n  curl -s {base}/{domain}/oauth2/v2.0/token -d grant_type=authorization_code -d client_id={web} --data-urlencode client_secret={secret} --data-urlencode redirect_uri={redirect} -d code=CODE\n\nAdmin consent requests (add User.Read.All to the scope above to make one as the user):\n  {base}/{domain}/admin/consent-requests\n",
            web = c.web_app_id,
            url = sign_in_url(c, base_url),
            redirect = DEMO_REDIRECT_URI,
            base = base_url,
            domain = c.domain,
            secret = c.web_secret,
        ));
    }
    text
}
