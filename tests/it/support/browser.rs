//! A scripted browser: a cookie-keeping HTTP client that reads Signet's server-rendered forms and
//! submits them the way a user's browser would.

use reqwest::{Response, StatusCode, header};

use super::TestServer;

/// One `<form>` of a page: where it posts and the fields it would send (hidden and pre-filled inputs).
#[derive(Clone, Debug)]
pub struct Form {
    pub action: String,
    pub fields: Vec<(String, String)>,
}

impl Form {
    /// The first form of `html`.
    pub fn first(html: &str) -> Self {
        Self::all(html).into_iter().next().unwrap_or_else(|| panic!("no form in page:\n{html}"))
    }

    /// Every form of `html`, in order.
    pub fn all(html: &str) -> Vec<Self> {
        let mut forms = Vec::new();
        let mut rest = html;
        while let Some(start) = rest.find("<form") {
            let after = &rest[start..];
            let end = after.find("</form>").expect("closed form");
            let body = &after[..end];
            let tag_end = body.find('>').expect("form tag");
            let action = attribute(&body[..tag_end], "action").unwrap_or_default();
            let mut fields = Vec::new();
            let mut inputs = &body[tag_end..];
            while let Some(i) = inputs.find("<input") {
                let tag = &inputs[i..];
                let close = tag.find('>').expect("input tag");
                let tag_text = &tag[..close];
                if let Some(name) = attribute(tag_text, "name") {
                    let is_password = attribute(tag_text, "type").as_deref() == Some("password");
                    if !is_password {
                        fields.push((name, attribute(tag_text, "value").unwrap_or_default()));
                    }
                }
                inputs = &tag[close..];
            }
            forms.push(Self { action, fields });
            rest = &after[end..];
        }
        forms
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// Sets a field, adding it when the form has none of that name.
    pub fn set(mut self, name: &str, value: &str) -> Self {
        match self.fields.iter_mut().find(|(n, _)| n == name) {
            Some(field) => field.1 = value.to_owned(),
            None => self.fields.push((name.to_owned(), value.to_owned())),
        }
        self
    }

    pub fn remove(mut self, name: &str) -> Self {
        self.fields.retain(|(n, _)| n != name);
        self
    }
}

/// The value of `name="..."` in a tag, HTML-unescaped.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let end = tag[start..].find('"')? + start;
    Some(unescape(&tag[start..end]))
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// A browser with its own cookie jar.
pub struct Browser {
    pub http: reqwest::Client,
    pub base: String,
}

impl Browser {
    pub fn new(server: &TestServer) -> Self {
        let mut http = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none());
        if server.base.starts_with("https://") {
            let pem = std::fs::read(&server.config.tls_cert_out).expect("certificate");
            http = http.add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("PEM"));
        }
        let http = http.build().expect("client");
        Self { http, base: server.base.clone() }
    }

    pub async fn get(&self, url: &str) -> Response {
        self.http.get(url).send().await.expect("GET")
    }

    /// Posts `form` with the button `button` (name, value) pressed.
    pub async fn submit(&self, form: &Form, button: Option<(&str, &str)>) -> Response {
        let mut fields = form.fields.clone();
        if let Some((name, value)) = button {
            fields.push((name.to_owned(), value.to_owned()));
        }
        let url =
            if form.action.starts_with("http") { form.action.clone() } else { format!("{}{}", self.base, form.action) };
        self.http.post(url).form(&fields).send().await.expect("POST")
    }

    /// Fills in and submits a sign-in page.
    pub async fn sign_in(&self, page: &str, username: &str, password: &str) -> Response {
        let form = Form::first(page).set("username", username).set("password", password);
        self.submit(&form, None).await
    }
}

/// A page's status and body.
pub async fn page(response: Response) -> (StatusCode, String) {
    let status = response.status();
    (status, response.text().await.expect("body"))
}

/// The query (or fragment) parameters of a redirect to the client.
pub fn redirect_params(response: &Response) -> (String, Vec<(String, String)>) {
    assert_eq!(response.status(), StatusCode::FOUND, "expected a redirect");
    let location = response.headers().get(header::LOCATION).expect("Location").to_str().expect("ascii").to_owned();
    let (target, encoded) = match location.split_once('#') {
        Some((target, fragment)) => (target.to_owned(), fragment.to_owned()),
        None => match location.split_once('?') {
            Some((target, query)) => (target.to_owned(), query.to_owned()),
            None => (location.clone(), String::new()),
        },
    };
    let params = url::form_urlencoded::parse(encoded.as_bytes()).into_owned().collect();
    (target, params)
}

/// The value of one parameter.
pub fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}
