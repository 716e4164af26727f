//! Malformed lines, the dirt real feeds carry besides placeholder rows (spec §3.5, §8): truncated
//! JSON, wrong JSON types, missing or null fields, the Python `repr` of a raw row, records misrouted
//! to another feed (observed) and API gateway error bodies (synthetic). Each is derived from the
//! post being sent, as a broken delivery of it would be.

use super::pinterest::{Feed, Post};
use super::pyjson::{dumps, py_float, py_repr, Record, Value};
use super::rng::Rng;

/// What went wrong with a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Truncated,
    WrongType,
    MissingOrNull,
    /// `repr(row)` with `datetime.datetime(...)` (spec §2); geo and user rows only, since a pin
    /// row's repr has no datetime and Spark's `allowSingleQuotes` would read it as valid JSON.
    PythonRepr,
    Misrouted,
    GatewayError,
}

const MIX: [(Kind, u32); 6] = [
    (Kind::Truncated, 25),
    (Kind::WrongType, 20),
    (Kind::MissingOrNull, 15),
    (Kind::PythonRepr, 15),
    (Kind::Misrouted, 15),
    (Kind::GatewayError, 10),
];

/// Bodies an API Gateway or Kafka REST proxy answers with when a delivery fails.
const GATEWAY_BODIES: &[&str] = &[
    r#"{"message": "Internal server error"}"#,
    r#"{"message": "Endpoint request timed out"}"#,
    r#"{"message": "Missing Authentication Token"}"#,
    r#"{"error_code": 50003, "message": "Kafka error: Timed out waiting for a node assignment."}"#,
    "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>",
];

/// A malformed line for `feed` derived from `post`, and its kind.
pub fn line(rng: &mut Rng, post: &Post, feed: Feed) -> (Kind, String) {
    let mut kind = MIX[rng.weighted(&MIX.map(|(_, w)| w))].0;
    if kind == Kind::PythonRepr && feed == Feed::Pin {
        kind = Kind::Truncated;
    }
    let mut record = post.record(feed).clone();
    let text = match kind {
        Kind::Truncated => {
            let full = dumps(&record);
            // Any proper prefix of one JSON object is invalid; lines are ASCII, so any byte cuts.
            let cut = 1 + rng.below(full.len() as u64 - 1) as usize;
            full[..cut].to_string()
        }
        Kind::WrongType => {
            wrong_type(rng, &mut record, feed);
            dumps(&record)
        }
        Kind::MissingOrNull => {
            missing_or_null(rng, &mut record, feed);
            dumps(&record)
        }
        Kind::PythonRepr => py_repr(&record),
        Kind::Misrouted => {
            let others: Vec<Feed> = Feed::ALL.into_iter().filter(|f| *f != feed).collect();
            dumps(post.record(*rng.pick(&others)))
        }
        Kind::GatewayError => rng.pick(GATEWAY_BODIES).to_string(),
    };
    (kind, text)
}

/// A number sent as a string (spec §3.5 shows none, but several emulators stringify; Spark turns
/// `"index": "12"` into a null column and a corrupt record, spec-semantics §6.4).
fn wrong_type(rng: &mut Rng, record: &mut Record, feed: Feed) {
    let candidates: &[&str] = match feed {
        Feed::Pin => &["index", "downloaded"],
        Feed::Geo => &["ind", "latitude", "longitude"],
        Feed::User => &["ind", "age"],
    };
    let name = *rng.pick(candidates);
    if let Some((_, value)) = record.iter_mut().find(|(n, _)| *n == name) {
        let text = match value {
            Value::Int(n) => n.to_string(),
            Value::Float(x) => py_float(*x),
            _ => return,
        };
        *value = Value::Str(text);
    }
}

/// A column left out or sent as `null`. The key columns (index/ind, unique_id, follower_count) stay,
/// so the row still counts as a row: only its content is incomplete.
fn missing_or_null(rng: &mut Rng, record: &mut Record, feed: Feed) {
    let candidates: &[&str] = match feed {
        Feed::Pin => &[
            "title",
            "description",
            "tag_list",
            "image_src",
            "save_location",
        ],
        Feed::Geo => &["timestamp", "country"],
        Feed::User => &["last_name", "date_joined"],
    };
    let name = *rng.pick(candidates);
    if rng.chance(0.5) {
        record.retain(|(n, _)| *n != name);
    } else if let Some((_, value)) = record.iter_mut().find(|(n, _)| *n == name) {
        *value = Value::Null;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulate::pinterest::Generator;

    #[test]
    fn each_kind_is_broken_the_way_it_says() {
        let posts = Generator::new(8, 0.1);
        let mut rng = Rng::new(8);
        let mut kinds = std::collections::HashSet::new();
        for i in 0..600 {
            let post = posts.post(i);
            let feed = Feed::ALL[(i % 3) as usize];
            let (kind, text) = line(&mut rng, &post, feed);
            kinds.insert(kind);
            assert!(!text.contains('\n'));
            let parsed = serde_json::from_str::<serde_json::Value>(&text);
            match kind {
                Kind::Truncated | Kind::PythonRepr => assert!(parsed.is_err(), "{text}"),
                Kind::WrongType | Kind::MissingOrNull | Kind::Misrouted => {
                    assert!(parsed.is_ok(), "{text}");
                    assert_ne!(text, dumps(post.record(feed)));
                }
                Kind::GatewayError => {}
            }
            if kind == Kind::PythonRepr {
                assert!(text.contains("datetime.datetime("), "{text}");
            }
        }
        assert_eq!(kinds.len(), MIX.len());
    }
}
