//! The two meeting calls VideoSDK's example servers forward to its API: create a room, and
//! validate one. This module owns the upstream: where it is, how long it may take, and what
//! a bad answer means; it never sees the caller's own credentials.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde_json::Value;

/// VideoSDK's v2 API, as the Go example sets it.
pub const DEFAULT_ENDPOINT: &str = "https://api.videosdk.live/v2";

/// Why an upstream call gave no usable answer.
#[derive(Debug)]
pub enum UpstreamError {
    /// Returned when the upstream did not answer within the timeout (504).
    Timeout,
    /// Returned when the upstream could not be reached or answered with something that is
    /// not JSON (502); the text says which.
    Bad(String),
}

/// The VideoSDK API this server forwards to.
#[derive(Debug, Clone)]
pub struct Upstream {
    client: reqwest::Client,
    /// The endpoint without a trailing slash, `/v2` included.
    endpoint: String,
    timeout: Duration,
}

impl Upstream {
    /// `endpoint` as `VIDEOSDK_API_ENDPOINT` gives it: one with no path means `/v2`, so that
    /// the Node example's `https://api.videosdk.live` and the Go example's
    /// `https://api.videosdk.live/v2` reach the same API.
    pub fn new(endpoint: &str, timeout: Duration) -> Result<Self> {
        let url = reqwest::Url::parse(endpoint)
            .with_context(|| format!("VIDEOSDK_API_ENDPOINT {endpoint:?} is not a URL"))?;
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            bail!("VIDEOSDK_API_ENDPOINT {endpoint:?} must be an http or https URL");
        }
        // A query or a fragment would swallow the path every call appends.
        if url.query().is_some() || url.fragment().is_some() || endpoint.contains(['?', '#']) {
            bail!("VIDEOSDK_API_ENDPOINT {endpoint:?} must have no query (?) or fragment (#)");
        }
        let trimmed = endpoint.trim_end_matches('/');
        let endpoint = if url.path().trim_matches('/').is_empty() {
            format!("{trimmed}/v2")
        } else {
            trimmed.to_owned()
        };
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .context("cannot start the HTTP client")?;
        Ok(Self {
            client,
            endpoint,
            timeout,
        })
    }

    /// How long a call may take before it is a timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The endpoint calls go to.
    #[cfg(test)]
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// `POST {endpoint}/rooms` with `{"region": …}`: a new room; the answer holds its
    /// `roomId`.
    pub async fn create_room(
        &self,
        token: &str,
        region: Option<&str>,
    ) -> Result<(u16, Value), UpstreamError> {
        let body = match region {
            Some(region) => serde_json::json!({ "region": region }),
            None => serde_json::json!({}),
        };
        let request = self
            .client
            .post(format!("{}/rooms", self.endpoint))
            .header(reqwest::header::AUTHORIZATION, token)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string());
        answer(request).await
    }

    /// `GET {endpoint}/rooms/validate/{room_id}`: whether the room exists.
    pub async fn validate_room(
        &self,
        token: &str,
        room_id: &str,
    ) -> Result<(u16, Value), UpstreamError> {
        let request = self
            .client
            .get(format!("{}/rooms/validate/{room_id}", self.endpoint))
            .header(reqwest::header::AUTHORIZATION, token);
        answer(request).await
    }
}

/// Longest upstream answer read: VideoSDK's are a few hundred bytes.
pub const MAX_ANSWER: usize = 1024 * 1024;

/// The upstream's status and JSON body, read to at most [`MAX_ANSWER`] bytes.
async fn answer(request: reqwest::RequestBuilder) -> Result<(u16, Value), UpstreamError> {
    let mut response = request.send().await.map_err(|e| {
        if e.is_timeout() {
            UpstreamError::Timeout
        } else {
            UpstreamError::Bad("the VideoSDK API could not be reached".to_owned())
        }
    })?;
    let status = response.status().as_u16();
    let too_long = || {
        UpstreamError::Bad(format!(
            "the VideoSDK API's answer is over {MAX_ANSWER} bytes"
        ))
    };
    if response
        .content_length()
        .is_some_and(|len| len > MAX_ANSWER as u64)
    {
        return Err(too_long());
    }
    let mut bytes = Vec::new();
    loop {
        let chunk = response.chunk().await.map_err(|e| {
            if e.is_timeout() {
                UpstreamError::Timeout
            } else {
                UpstreamError::Bad("the VideoSDK API's answer was cut off".to_owned())
            }
        })?;
        let Some(chunk) = chunk else { break };
        if bytes.len() + chunk.len() > MAX_ANSWER {
            return Err(too_long());
        }
        bytes.extend_from_slice(&chunk);
    }
    let body = serde_json::from_slice(&bytes).map_err(|_| {
        UpstreamError::Bad(format!(
            "the VideoSDK API answered {status} with something that is not JSON"
        ))
    })?;
    Ok((status, body))
}

/// Whether `id` can be a VideoSDK room id in a URL path: letters, digits, `-` and `_`, so
/// nothing in it can change the path it is put in.
pub fn is_room_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endpoint_without_a_path_means_v2() {
        let timeout = Duration::from_secs(1);
        let endpoint = |text| Upstream::new(text, timeout).map(|u| u.endpoint().to_owned());
        assert_eq!(
            endpoint("https://api.videosdk.live").ok().as_deref(),
            Some(DEFAULT_ENDPOINT)
        );
        assert_eq!(
            endpoint("https://api.videosdk.live/").ok().as_deref(),
            Some(DEFAULT_ENDPOINT)
        );
        assert_eq!(
            endpoint(DEFAULT_ENDPOINT).ok().as_deref(),
            Some(DEFAULT_ENDPOINT)
        );
        assert_eq!(
            endpoint("http://127.0.0.1:8080/api/").ok().as_deref(),
            Some("http://127.0.0.1:8080/api")
        );
        assert!(endpoint("ftp://example.com").is_err());
        assert!(endpoint("http://h/v2?x=1#frag").is_err());
        assert!(endpoint("http://h/v2#frag").is_err());
        assert!(endpoint("http://h/v2?").is_err());
        assert!(endpoint("not a url").is_err());
    }

    #[test]
    fn room_ids_cannot_change_the_path() {
        assert!(is_room_id("abcd-efgh-ijkl"));
        for bad in ["", "../rooms", "a/b", "a?b", "a%2fb", "a b"] {
            assert!(!is_room_id(bad), "{bad}");
        }
    }
}
