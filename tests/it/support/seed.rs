//! Seed builders: tenants, a web API and a daemon granted its role, through the same administration
//! functions the CLI uses.

use signet::admin::{self, AppSpec};
use signet::domain::app::Application;
use signet::domain::tenant::Tenant;

use super::TestServer;

/// A tenant with a web API (one scope, two roles) and a daemon granted one role with a secret.
pub struct Directory {
    pub tenant: Tenant,
    pub api: Application,
    pub api_uri: String,
    pub daemon: Application,
    pub secret: String,
}

impl Directory {
    pub fn tenant_id(&self) -> String {
        self.tenant.id.to_string()
    }

    pub fn daemon_id(&self) -> String {
        self.daemon.app_id.to_string()
    }

    pub fn scope(&self) -> String {
        format!("{}/.default", self.api_uri)
    }
}

/// A delegated permission to expose, with the default consent texts.
pub fn scope(value: &str, admin_consent_only: bool) -> admin::NewScope<'_> {
    admin::NewScope { value, admin_consent_only, display_name: None, description: None }
}

pub async fn tenant(server: &TestServer, name: &str, domain: &str) -> Tenant {
    admin::create_tenant(&server.state().store, name, domain, server.now()).await.expect("tenant")
}

/// A tenant `domain` with an API exposing `Forecast.Read`, roles `Forecast.Read.All` and
/// `Forecast.Write.All`, and a daemon granted only `Forecast.Read.All`.
pub async fn directory(server: &TestServer, domain: &str) -> Directory {
    let state = server.state();
    let store = &state.store;
    let now = server.now();
    let tenant = tenant(server, "Test tenant", domain).await;
    let api_uri = format!("api://{domain}/forecast");
    let spec = AppSpec { name: "Forecast API".into(), identifier_uris: vec![api_uri.clone()], ..AppSpec::default() };
    let api = admin::create_app(store, &tenant, spec, now).await.expect("api");
    let api_id = api.app_id.to_string();
    admin::add_scope(store, &tenant, &api_id, scope("Forecast.Read", false), now).await.expect("scope");
    admin::add_role(store, &tenant, &api_id, "Forecast.Read.All", None, now).await.expect("role");
    admin::add_role(store, &tenant, &api_id, "Forecast.Write.All", None, now).await.expect("role");
    let daemon = admin::create_app(store, &tenant, AppSpec { name: "Daemon".into(), ..AppSpec::default() }, now)
        .await
        .expect("daemon");
    let daemon_id = daemon.app_id.to_string();
    admin::require(store, &tenant, &daemon_id, &api_uri, &[], &["Forecast.Read.All".to_owned()], now)
        .await
        .expect("require");
    admin::grant_consent(store, &tenant, &daemon_id, now).await.expect("consent");
    let (_, secret) = admin::add_secret(store, &state.kek, &tenant, &daemon_id, 365, now).await.expect("secret");
    let api = store.app_in_tenant(tenant.id, api.app_id).await.expect("read").expect("api");
    Directory { tenant, api, api_uri, daemon, secret: secret.expose().to_owned() }
}

/// A client-credentials form for the directory's daemon.
pub fn daemon_form(d: &Directory) -> Vec<(&'static str, String)> {
    vec![
        ("grant_type", "client_credentials".to_owned()),
        ("client_id", d.daemon_id()),
        ("client_secret", d.secret.clone()),
        ("scope", d.scope()),
    ]
}

/// A user of the directory's tenant.
pub async fn user(server: &TestServer, d: &Directory, local: &str) -> signet::store::User {
    let username = format!("{local}@{}", d.tenant.domains[0]);
    let spec = admin::UserSpec::new(&username, "correct horse battery");
    admin::create_user(&server.state().store, &d.tenant, spec, &admin::Actor::cli(), server.now()).await.expect("user")
}

/// The redirect URI test client apps register.
pub const REDIRECT_URI: &str = "http://localhost:8400/callback";

/// A client app of the directory's tenant signing users in: a confidential web app with a secret, or
/// a public client.
#[derive(Clone)]
pub struct ClientApp {
    pub app: Application,
    pub secret: Option<String>,
}

impl ClientApp {
    pub fn id(&self) -> String {
        self.app.app_id.to_string()
    }
}

pub async fn client_app(server: &TestServer, d: &Directory, name: &str, public: bool, multi_tenant: bool) -> ClientApp {
    let state = server.state();
    let spec = AppSpec {
        name: name.into(),
        multi_tenant,
        redirect_uris: vec![REDIRECT_URI.to_owned()],
        public_client: public,
        identifier_uris: Vec::new(),
        spa_redirect_uris: Vec::new(),
    };
    let app = admin::create_app(&state.store, &d.tenant, spec, server.now()).await.expect("client app");
    let secret = if public {
        None
    } else {
        let id = app.app_id.to_string();
        let (_, secret) =
            admin::add_secret(&state.store, &state.kek, &d.tenant, &id, 365, server.now()).await.expect("secret");
        Some(secret.expose().to_owned())
    };
    ClientApp { app, secret }
}

/// An admin of the directory's tenant.
pub async fn admin_user(server: &TestServer, d: &Directory, local: &str) -> signet::store::User {
    let username = format!("{local}@{}", d.tenant.domains[0]);
    let spec = admin::UserSpec { is_admin: true, ..admin::UserSpec::new(&username, "correct horse battery") };
    admin::create_user(&server.state().store, &d.tenant, spec, &admin::Actor::cli(), server.now()).await.expect("admin")
}

/// The password every seeded user has.
pub const PASSWORD: &str = "correct horse battery";

/// What the sign-in tests start from: a tenant with the user alice, the Forecast API, a confidential
/// web app and a public client.
pub struct SignInSetup {
    pub server: TestServer,
    pub d: Directory,
    pub username: String,
    pub user_id: signet::domain::ids::ObjectId,
    pub web: ClientApp,
    pub public: ClientApp,
}

pub async fn sign_in_setup(backend: super::Backend) -> SignInSetup {
    let server = TestServer::start(backend).await;
    let d = directory(&server, "contoso.example").await;
    let user = user(&server, &d, "alice").await;
    let web = client_app(&server, &d, "Web App", false, false).await;
    let public = client_app(&server, &d, "Native App", true, false).await;
    SignInSetup { server, d, username: user.username, user_id: user.id, web, public }
}
