//! `s3://bucket/...` locations: object_store's `AmazonS3`, configured the way AWS tools are.
//!
//! Everything comes from the environment (`AmazonS3Builder::from_env`): `AWS_REGION` /
//! `AWS_DEFAULT_REGION`, `AWS_ENDPOINT_URL_S3` (wins) or `AWS_ENDPOINT_URL` for S3-compatible
//! servers, `AWS_ALLOW_HTTP=true` for a plain-HTTP endpoint, keys, `AWS_SESSION_TOKEN`, and the
//! rest of object_store's `AWS_*` keys. Credentials follow the AWS default chain: environment
//! keys, then the shared config/credentials files (profiles, SSO, `credential_process`, through
//! aws-config, because object_store cannot read them), then web identity, container
//! credentials and instance metadata (object_store's own providers).
//!
//! Create-only puts (the checkpoint logs, the lease, Delta commits) are `If-None-Match: *`
//! requests: object_store's `aws_conditional_put` defaults to `etag`, so unless a user turns it
//! off (`AWS_CONDITIONAL_PUT=disabled`, which makes those writes fail) two writers cannot both win.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use aws_config::default_provider::credentials::DefaultCredentialsChain;
use aws_credential_types::provider::ProvideCredentials;
use object_store::aws::{AmazonS3Builder, AwsCredential};
use object_store::{CredentialProvider, ObjectStore};

/// Builds the store for `bucket` from the environment.
pub fn s3_store(bucket: &str) -> Result<Arc<dyn ObjectStore>, String> {
    if bucket.is_empty() {
        return Err("an s3:// location needs a bucket: s3://bucket/prefix".into());
    }
    let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
    if uses_shared_config_files() {
        builder = builder.with_credentials(Arc::new(SdkChainCredentials::default()));
    }
    builder
        .build()
        .map(|s| Arc::new(s) as Arc<dyn ObjectStore>)
        .map_err(|e| e.to_string())
}

fn env_set(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| !v.is_empty())
}

/// True when credentials must come from `~/.aws/config` / `~/.aws/credentials` (or `AWS_PROFILE`):
/// no keys in the environment, and none of the sources object_store resolves itself configured.
fn uses_shared_config_files() -> bool {
    let handled_by_object_store = [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ]
    .iter()
    .chain(
        [
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        ]
        .iter(),
    )
    .any(|v| env_set(v));
    let unsigned =
        std::env::var("AWS_SKIP_SIGNATURE").is_ok_and(|v| v.eq_ignore_ascii_case("true"));
    if handled_by_object_store || unsigned {
        return false;
    }
    if env_set("AWS_PROFILE") {
        return true;
    }
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let file = |var: &str, default: &str| {
        std::env::var_os(var)
            .map(std::path::PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".aws").join(default)))
    };
    [
        file("AWS_CONFIG_FILE", "config"),
        file("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
    ]
    .into_iter()
    .flatten()
    .any(|p| p.is_file())
}

/// Credentials from the AWS SDK's default chain, cached until five minutes before they expire.
#[derive(Debug, Default)]
struct SdkChainCredentials {
    chain: tokio::sync::OnceCell<DefaultCredentialsChain>,
    cached: tokio::sync::Mutex<Option<(Arc<AwsCredential>, Option<SystemTime>)>>,
}

#[async_trait]
impl CredentialProvider for SdkChainCredentials {
    type Credential = AwsCredential;

    async fn get_credential(&self) -> object_store::Result<Arc<AwsCredential>> {
        let mut cached = self.cached.lock().await;
        if let Some((cred, expiry)) = cached.as_ref() {
            let fresh = expiry.is_none_or(|e| e > SystemTime::now() + Duration::from_secs(300));
            if fresh {
                return Ok(cred.clone());
            }
        }
        let chain = self
            .chain
            .get_or_init(|| DefaultCredentialsChain::builder().build())
            .await;
        let creds = chain.provide_credentials().await.map_err(|e| object_store::Error::Unauthenticated {
            path: String::new(),
            source: format!("no AWS credentials from the default chain (environment, profile files, web identity, container, instance metadata): {e}").into(),
        })?;
        let cred = Arc::new(AwsCredential {
            key_id: creds.access_key_id().to_string(),
            secret_key: creds.secret_access_key().to_string(),
            token: creds.session_token().map(str::to_string),
        });
        *cached = Some((cred.clone(), creds.expiry()));
        Ok(cred)
    }
}
