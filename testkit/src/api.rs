//! An HTTP client for the tests: real requests to the real server.

use serde_json::Value;
use ureq::Agent;

use crate::TestServer;

pub struct Api<'a> {
    pub server: &'a TestServer,
    agent: Agent,
}

pub struct Reply {
    pub status: u16,
    pub headers: ureq::http::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|err| panic!("not JSON ({err}): {}", self.body))
    }

    /// The `detail` of the spec's error body; fails the test if the body has another shape.
    pub fn detail(&self) -> String {
        let json = self.json();
        assert_eq!(
            json.as_object().map(|o| o.len()),
            Some(1),
            "error body has one key: {json}"
        );
        json["error"]["detail"]
            .as_str()
            .unwrap_or_else(|| panic!("no error.detail in {json}"))
            .to_owned()
    }
}

impl<'a> Api<'a> {
    pub fn new(server: &'a TestServer) -> Self {
        let agent = Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .into();
        Self { server, agent }
    }

    fn finish(response: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Reply {
        let mut response = response.expect("the server answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.body_mut().read_to_string().expect("readable body");
        Reply {
            status,
            headers,
            body,
        }
    }

    /// A GET with the bearer token.
    pub fn get(&self, path: &str) -> Reply {
        Self::finish(
            self.agent
                .get(self.server.url(path))
                .header("Authorization", format!("Bearer {}", self.server.token))
                .call(),
        )
    }

    /// A GET with any headers, and no token unless given.
    pub fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        let mut request = self.agent.get(self.server.url(path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        Self::finish(request.call())
    }

    /// A GET with any headers whose body is bytes (a compressed file, say): status, headers and
    /// body as they arrived, nothing decoded.
    pub fn get_bytes(
        &self,
        path: &str,
        headers: &[(&str, &str)],
    ) -> (u16, ureq::http::HeaderMap, Vec<u8>) {
        let mut request = self.agent.get(self.server.url(path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let mut response = request.call().expect("the server answers");
        let body = response
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_vec()
            .expect("a body");
        (response.status().as_u16(), response.headers().clone(), body)
    }

    /// A request with any method (OPTIONS, for CORS preflights) and headers, no token unless given.
    pub fn request(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
        self.send(method, path, headers, "")
    }

    /// A request with any method, headers and body, no token unless given: what a browser or
    /// an attacker might send.
    pub fn send(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Reply {
        let mut request = ureq::http::Request::builder()
            .method(method)
            .uri(self.server.url(path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request.body(body.to_owned()).expect("a valid request");
        Self::finish(self.agent.run(request))
    }

    /// A POST of raw text with the bearer token.
    pub fn post_raw(&self, path: &str, body: &str) -> Reply {
        Self::finish(
            self.agent
                .post(self.server.url(path))
                .header("Authorization", format!("Bearer {}", self.server.token))
                .content_type("application/json")
                .send(body),
        )
    }

    pub fn post(&self, path: &str, body: &Value) -> Reply {
        self.post_raw(path, &body.to_string())
    }

    /// A DELETE with the bearer token.
    pub fn delete(&self, path: &str) -> Reply {
        let bearer = format!("Bearer {}", self.server.token);
        self.send("DELETE", path, &[("Authorization", &bearer)], "")
    }

    /// Opens the sign-in link the server printed, as a browser would; returns the session
    /// cookie it set, as `name=value` for a `Cookie` header.
    pub fn sign_in(&self) -> String {
        let path = self
            .server
            .sign_in_url
            .strip_prefix(&self.server.base_url)
            .expect("the sign-in link is the server's own");
        let reply = self.get_with(path, &[]);
        assert_eq!(reply.status, 303, "{}", reply.body);
        reply.headers["set-cookie"]
            .to_str()
            .expect("a readable cookie")
            .split(';')
            .next()
            .expect("name=value")
            .to_owned()
    }

    /// `batch_create` of plain addresses; returns the per-element results.
    pub fn invite(&self, emails: &[&str]) -> Vec<Value> {
        let body: Vec<Value> = emails
            .iter()
            .map(|email| serde_json::json!({"email": email}))
            .collect();
        let reply = self.post(
            "/api/v2/organization_invitations/batch_create",
            &Value::from(body),
        );
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.json()["results"].as_array().expect("results").clone()
    }

    /// Creates one invitation, its mail and page in `locale` where one is given (this server's
    /// extension); returns its id.
    pub fn invite_in(&self, email: &str, locale: Option<&str>) -> String {
        let mut body = serde_json::json!({"email": email});
        if let Some(locale) = locale {
            body["locale"] = serde_json::json!(locale);
        }
        let created = self.post(crate::LIST_PATH, &body);
        assert_eq!(created.status, 200, "{}", created.body);
        created.json()["result"]["id"]
            .as_str()
            .expect("the new invitation's id")
            .to_owned()
    }

    /// The addresses of every pending invitation.
    pub fn pending_emails(&self) -> Vec<String> {
        self.list_all("")
            .iter()
            .map(|invitation| invitation["email"].as_str().expect("an address").to_owned())
            .collect()
    }

    /// Invites every address, in batches of the API's 1,000.
    pub fn invite_all(&self, emails: &[String]) {
        for chunk in emails.chunks(1000) {
            self.invite(&chunk.iter().map(String::as_str).collect::<Vec<_>>());
        }
    }

    /// Every invitation, following `next_paging_token` until it runs out.
    pub fn list_all(&self, query: &str) -> Vec<Value> {
        let mut all = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut path = format!("/api/v2/organization_invitations/?{query}");
            if let Some(token) = &token {
                path.push_str(&format!("&paging_token={token}"));
            }
            let reply = self.get(&path);
            assert_eq!(reply.status, 200, "{}", reply.body);
            let page = reply.json();
            all.extend(page["results"].as_array().expect("results").iter().cloned());
            match page["metadata"]["next_paging_token"].as_str() {
                Some(next) => token = Some(next.to_owned()),
                None => return all,
            }
        }
    }
}
