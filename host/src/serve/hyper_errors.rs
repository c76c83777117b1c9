//! A connection's socket, with the answers hyper writes itself rewritten into the JSON shape
//! every refusal has. hyper answers a request it cannot parse (400), a request target or
//! headers past its limits (414, 431) with a status and an empty body, before any of this
//! server's code sees the request, and offers no hook to change that; it then closes the
//! connection. Every answer of this server's own has a body (`front` makes sure of it), so an
//! error status with `content-length: 0` is one of hyper's.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

pub(super) struct JsonErrors<S> {
    inner: S,
    /// The rewritten answer being written, and how much of it is written.
    pending: Option<(Vec<u8>, usize)>,
}

impl<S> JsonErrors<S> {
    pub(super) const fn new(inner: S) -> Self {
        Self {
            inner,
            pending: None,
        }
    }
}

/// hyper's bodiless error answer, as the JSON answer `front` would have written.
fn rewrite(head: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(head).ok()?;
    let (status_line, rest) = text.split_once("\r\n")?;
    let mut words = status_line.splitn(3, ' ');
    let (version, code, reason) = (words.next()?, words.next()?, words.next().unwrap_or(""));
    let error = version == "HTTP/1.1" && (code.starts_with('4') || code.starts_with('5'));
    let headers = rest.strip_suffix("\r\n\r\n")?;
    let empty = headers
        .split("\r\n")
        .any(|h| h.eq_ignore_ascii_case("content-length: 0"));
    if !error || !empty {
        return None;
    }
    let body = serde_json::json!({ "error": reason.to_ascii_lowercase() }).to_string();
    let mut out = format!(
        "{status_line}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
        body.len()
    );
    for header in headers.split("\r\n") {
        if !header.to_ascii_lowercase().starts_with("content-length:") {
            out.push_str(header);
            out.push_str("\r\n");
        }
    }
    out.push_str("\r\n");
    out.push_str(&body);
    Some(out.into_bytes())
}

impl<S: AsyncWrite + Unpin> JsonErrors<S> {
    /// Writes the rest of the rewritten answer; `Ready(Ok(()))` once all of it is written.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, done)) = &mut self.pending {
            let Some(rest) = bytes.get(*done..).filter(|rest| !rest.is_empty()) else {
                self.pending = None;
                break;
            };
            match Pin::new(&mut self.inner).poll_write(cx, rest) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => *done += n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for JsonErrors<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for JsonErrors<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.pending.is_none() {
            match rewrite(buf) {
                Some(answer) => this.pending = Some((answer, 0)),
                None => return Pin::new(&mut this.inner).poll_write(cx, buf),
            }
        }
        this.drain(cx).map_ok(|()| buf.len())
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        // hyper's error answer is a head alone, in one slice.
        let single = bufs.iter().filter(|b| !b.is_empty()).count() == 1;
        match bufs.iter().find(|b| !b.is_empty()) {
            Some(first) if single && (self.pending.is_some() || rewrite(first).is_some()) => {
                let first: &[u8] = first;
                self.poll_write(cx, first)
            }
            _ => Pin::new(&mut self.inner).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.drain(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut self.inner).poll_flush(cx),
            other => other,
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.drain(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut self.inner).poll_shutdown(cx),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::rewrite;

    #[test]
    fn only_bodiless_error_answers_are_rewritten() {
        let hyper = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\ndate: Sat, 05 Dec 2026 00:00:00 GMT\r\n\r\n";
        let json = String::from_utf8(rewrite(hyper).expect("rewritten")).expect("text");
        assert!(json.starts_with("HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 23\r\n"), "{json}");
        assert!(
            json.contains("\r\ndate: Sat, 05 Dec 2026 00:00:00 GMT\r\n\r\n"),
            "{json}"
        );
        assert!(
            json.ends_with("\r\n\r\n{\"error\":\"bad request\"}"),
            "{json}"
        );
        for kept in [
            &b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"[..],
            b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 20\r\n\r\n",
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\nbody",
            b"\x00\xff",
        ] {
            assert!(rewrite(kept).is_none());
        }
    }
}
