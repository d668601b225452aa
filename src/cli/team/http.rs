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
        let base = url.trim_end_matches('/');
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(format!(
                "--server {url:?}: give the team server's http:// or https:// address"
            ));
        }
        let credentials = format!("{}:{}", admin.name, admin.password);
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
            agent,
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// Sends `body` as JSON to `path` (from the server's root) as the admin.
    pub fn send(&self, method: &str, path: &str, body: &Value) -> Result<Answer, String> {
        let url = format!("{}{path}", self.base);
        let request = ureq::http::Request::builder()
            .method(method)
            .uri(&url)
            .header("Authorization", &self.auth)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .body(body.to_string())
            .map_err(|e| format!("{url}: {e}"))?;
        let mut response = self.agent.run(request).map_err(|e| format!("{url}: {e}"))?;
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
                "{}: the server did not accept SPANMARK_ADMIN ({})",
                self.base,
                answer.reason()
            ),
            403 => format!("{}: {what} refused: {}", self.base, answer.reason()),
            s => format!("{}: {what} failed ({s}): {}", self.base, answer.reason()),
        }
    }
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
