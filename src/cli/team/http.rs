//! The team server's HTTP API as the CLI uses it: JSON both ways, as the
//! server admin, the server's own `reason` as the message when it refuses.

use base64::Engine as _;
use serde_json::Value;
use std::time::Duration;

/// The server admin's credentials, from `SPANMARK_ADMIN=name:password`.
#[derive(Clone, Debug, PartialEq)]
pub struct Admin {
    pub name: String,
    pub password: String,
}

impl Admin {
    pub fn parse(text: &str) -> Result<Admin, String> {
        match text.split_once(':') {
            Some((name, password)) if !name.is_empty() && !password.is_empty() => Ok(Admin {
                name: name.to_string(),
                password: password.to_string(),
            }),
            _ => Err("SPANMARK_ADMIN must read name:password".to_string()),
        }
    }

    pub fn from_env() -> Result<Admin, String> {
        let text = std::env::var("SPANMARK_ADMIN").map_err(|_| {
            "set SPANMARK_ADMIN=name:password to the team server's admin".to_string()
        })?;
        Admin::parse(&text)
    }
}

/// A team server at `base` (`http://host:port`, no trailing slash).
pub struct Server {
    base: String,
    auth: String,
    /// Whose credentials these are, for the message when they are refused.
    who: String,
    agent: ureq::Agent,
}

/// An answer: its status and its JSON body (a string when it was not JSON).
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Answer {
    /// CouchDB's `reason` (or the body as it came).
    pub fn reason(&self) -> String {
        match self.body.get("reason").and_then(Value::as_str) {
            Some(r) => r.to_string(),
            None => self.body.to_string(),
        }
    }
}

impl Server {
    pub fn new(url: &str, admin: &Admin) -> Result<Server, String> {
        Server::with_basic(url, &admin.name, &admin.password, "SPANMARK_ADMIN")
    }

    /// As a team member (HTTP Basic on every request: no session to lose
    /// midway through a long push).
    pub fn as_user(url: &str, name: &str, password: &str) -> Result<Server, String> {
        Server::with_basic(url, name, password, &format!("the password of {name}"))
    }

    fn with_basic(url: &str, name: &str, password: &str, who: &str) -> Result<Server, String> {
        let base = url.trim_end_matches('/');
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(format!(
                "--server {url:?}: give the team server's http:// or https:// address"
            ));
        }
        let credentials = format!("{name}:{password}");
        let agent = ureq::Agent::config_builder()
            // Refusals are answers with a reason, not transport errors.
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        Ok(Server {
            base: base.to_string(),
            auth: format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(credentials)
            ),
            who: who.to_string(),
            agent,
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// Sends `body` as JSON to `path` (from the server's root) as the admin.
    pub fn send(&self, method: &str, path: &str, body: &Value) -> Result<Answer, String> {
        self.request(method, path, Some(body))
    }

    /// A request without a body (GET).
    pub fn send_empty(&self, method: &str, path: &str) -> Result<Answer, String> {
        self.request(method, path, None)
    }

    fn request(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Answer, String> {
        let url = format!("{}{path}", self.base);
        let mut request = ureq::http::Request::builder()
            .method(method)
            .uri(&url)
            .header("Authorization", &self.auth)
            .header("Accept", "application/json");
        if body.is_some() {
            request = request.header("Content-Type", "application/json");
        }
        let request = request
            .body(body.map(Value::to_string).unwrap_or_default())
            .map_err(|e| format!("{url}: {e}"))?;
        let mut response = self
            .agent
            .run(request)
            .map_err(|e| format!("cannot reach the team server at {}: {e}", self.base))?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .read_to_string()
            .map_err(|e| format!("{url}: {e}"))?;
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Ok(Answer { status, body })
    }

    /// The message for an answer no command expected.
    pub fn refused(&self, what: &str, answer: &Answer) -> String {
        match answer.status {
            401 => format!(
                "{}: the server did not accept {} ({})",
                self.base,
                self.who,
                answer.reason()
            ),
            403 => format!("{}: {what} refused: {}", self.base, answer.reason()),
            s => format!("{}: {what} failed ({s}): {}", self.base, answer.reason()),
        }
    }
}

/// A document id or name as one path segment: everything but CouchDB's
/// unreserved characters percent-encoded (`ann:d1:ana` -> `ann%3Ad1%3Aana`).
pub fn segment(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_admin_is_name_colon_password() {
        assert_eq!(
            Admin::parse("root:a:b"),
            Ok(Admin {
                name: "root".into(),
                password: "a:b".into()
            })
        );
        for bad in ["root", "root:", ":pw", ""] {
            assert!(Admin::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ids_are_one_path_segment() {
        assert_eq!(segment("ann:d1:ana"), "ann%3Ad1%3Aana");
        assert_eq!(segment("doc:a/b c\u{e9}"), "doc%3Aa%2Fb%20c%C3%A9");
    }

    #[test]
    fn a_server_is_an_http_address() {
        let admin = Admin::parse("a:b").unwrap();
        assert_eq!(
            Server::new("http://127.0.0.1:8080/", &admin)
                .unwrap()
                .base(),
            "http://127.0.0.1:8080"
        );
        assert!(Server::new("127.0.0.1:8080", &admin).is_err());
    }
}
