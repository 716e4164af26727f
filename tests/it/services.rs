//! moto_server, the S3 stand-in (spec/services.md), started by the tests themselves.
//!
//! Each test gets its own server on a free loopback port (state never leaks between tests) and
//! stops it when the handle drops. The server runs under `tests/services/moto_s3.py`, which exits
//! when its standard input closes, so even a test process that dies leaves no server behind.
//! moto is installed into the tests' venv from `tests/services/requirements.txt` on first use if
//! `.ci/run` has not done it already.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::Duration;

use crate::harness::python;

/// The tests' Python with moto importable, installing it on first use.
fn moto_python() -> PathBuf {
    static READY: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    READY
        .get_or_init(|| {
            let py = python();
            let has_moto = |py: &Path| {
                Command::new(py)
                    .args(["-c", "import moto, flask, flask_cors"])
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success())
            };
            if !has_moto(&py) {
                let reqs =
                    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/services/requirements.txt");
                let ok = Command::new(&py)
                    .args([
                        "-m",
                        "pip",
                        "install",
                        "-q",
                        "--disable-pip-version-check",
                        "-r",
                    ])
                    .arg(&reqs)
                    .status()
                    .is_ok_and(|s| s.success());
                assert!(
                    ok,
                    "could not install {} into {}",
                    reqs.display(),
                    py.display()
                );
                assert!(
                    has_moto(&py),
                    "moto is still not importable from {}",
                    py.display()
                );
            }
            py
        })
        .clone()
}

/// A running moto S3 server; stopped on drop.
pub struct Moto {
    child: Child,
    stdin: Option<ChildStdin>,
    /// The port it listens on (127.0.0.1).
    pub port: u16,
}

impl Moto {
    /// Starts a fresh server and waits until it answers.
    pub fn start() -> Moto {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/services/moto_s3.py");
        let mut child = Command::new(moto_python())
            .arg(&script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto_s3.py");
        let stdin = child.stdin.take();
        let mut line = String::new();
        let stdout = child.stdout.take().expect("moto stdout");
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read moto's port");
        let port: u16 = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("moto_s3.py printed '{line}', not a port"));
        let moto = Moto { child, stdin, port };
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while !moto
            .request("GET", "/moto-api/", b"")
            .is_ok_and(|(s, _)| s == 200)
        {
            assert!(
                std::time::Instant::now() < deadline,
                "moto on port {port} never became healthy"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        moto
    }

    /// `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Creates a bucket with an unsigned PUT (moto checks no signatures).
    pub fn create_bucket(&self, bucket: &str) {
        let (status, body) = self
            .request("PUT", &format!("/{bucket}"), b"")
            .expect("create bucket");
        assert_eq!(status, 200, "create bucket {bucket}: {body}");
    }

    /// Uploads an object (moto checks no signatures).
    pub fn put(&self, bucket: &str, key: &str, body: &str) {
        let (status, text) = self
            .request("PUT", &format!("/{bucket}/{key}"), body.as_bytes())
            .expect("put object");
        assert_eq!(status, 200, "put s3://{bucket}/{key}: {text}");
    }

    /// True if the object exists.
    pub fn exists(&self, bucket: &str, key: &str) -> bool {
        let (status, _) = self
            .request("HEAD", &format!("/{bucket}/{key}"), b"")
            .expect("head object");
        status == 200
    }

    /// The object's content, or None if it does not exist.
    pub fn get(&self, bucket: &str, key: &str) -> Option<String> {
        let (status, body) = self
            .request("GET", &format!("/{bucket}/{key}"), b"")
            .expect("get object");
        (status == 200).then_some(body)
    }

    /// The keys below `prefix` (one page of up to 1000, enough for a test).
    pub fn keys(&self, bucket: &str, prefix: &str) -> Vec<String> {
        let (status, body) = self
            .request(
                "GET",
                &format!("/{bucket}?list-type=2&max-keys=1000&prefix={prefix}"),
                b"",
            )
            .expect("list");
        assert_eq!(status, 200, "list s3://{bucket}/{prefix}: {body}");
        let mut keys = vec![];
        let mut rest = body.as_str();
        while let Some(start) = rest.find("<Key>") {
            let after = &rest[start + 5..];
            let end = after.find("</Key>").unwrap_or(after.len());
            keys.push(after[..end].to_string());
            rest = &after[end..];
        }
        keys.sort();
        keys
    }

    /// The environment a spate process needs to reach this server (set per child, never globally).
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.endpoint()),
            ("AWS_ALLOW_HTTP", "true".into()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_ACCESS_KEY_ID", "test".into()),
            ("AWS_SECRET_ACCESS_KEY", "test".into()),
            // Never wait on the instance metadata service.
            ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ]
    }

    /// Applies `env()` to a command, removing AWS settings it may have inherited.
    pub fn configure(&self, cmd: &mut Command) {
        for var in [
            "AWS_ENDPOINT_URL_S3",
            "AWS_PROFILE",
            "AWS_SESSION_TOKEN",
            "AWS_DEFAULT_REGION",
        ] {
            cmd.env_remove(var);
        }
        for (k, v) in self.env() {
            cmd.env(k, v);
        }
    }

    /// One HTTP/1.1 request; returns the status and body.
    fn request(&self, method: &str, target: &str, body: &[u8]) -> std::io::Result<(u16, String)> {
        let mut conn = TcpStream::connect(("127.0.0.1", self.port))?;
        conn.set_read_timeout(Some(Duration::from_secs(30)))?;
        // moto checks no signature, but answers an anonymous GET of a private object with 403:
        // an Authorization header naming the test key is enough to be "signed in".
        let auth = "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0";
        let head = format!(
            "{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAuthorization: {auth}\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.port,
            body.len()
        );
        conn.write_all(head.as_bytes())?;
        conn.write_all(body)?;
        let mut raw = Vec::new();
        conn.read_to_end(&mut raw)?;
        let text = String::from_utf8_lossy(&raw).into_owned();
        let status = text
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let body = text
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        Ok((status, body))
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        // Closing stdin asks moto_s3.py to stop; kill it (by its own pid) if it does not.
        drop(self.stdin.take());
        for _ in 0..50 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
