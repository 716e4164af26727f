//! Spark's JSON text functions that read one document: `get_json_object(json, path)`,
//! `json_array_length(json)` and `json_object_keys(json)`.
//!
//! The document is read with the same Jackson-compatible tokenizer as the JSON source (only its
//! first value; single-quoted strings allowed, `NaN` not, as Spark's shared JSON factory). A
//! malformed document, or a path Spark cannot parse, gives NULL. Checked against PySpark 4.0.1.

use super::rescue::write_json_string;
use super::tape::{Kind, Node, Tape};
use super::unescape::unescape_into;
use crate::sql::functions::spark_cast::java_double;

/// One step of a JSON path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// `.name` or `['name']`.
    Field(String),
    /// `[n]`.
    Index(usize),
    /// `[*]`: every element of an array.
    Wildcard,
}

/// Spark's JSON path grammar: `$`, then `.name`, `['name']`, `[n]` or `[*]` steps.
fn parse_path(path: &str) -> Option<Vec<Step>> {
    let mut rest = path.strip_prefix('$')?;
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            let name = &after[..end];
            if name.is_empty() || name == "*" {
                return None;
            }
            steps.push(Step::Field(name.to_string()));
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix("['") {
            let end = after.find("']")?;
            steps.push(Step::Field(after[..end].to_string()));
            rest = &after[end + 2..];
        } else if let Some(after) = rest.strip_prefix("[*]") {
            steps.push(Step::Wildcard);
            rest = after;
        } else if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']')?;
            steps.push(Step::Index(after[..end].parse().ok()?));
            rest = &after[end + 1..];
        } else {
            return None;
        }
    }
    Some(steps)
}

/// A parsed document: its text and token tape.
struct Doc<'a> {
    text: &'a str,
    nodes: Vec<Node>,
}

impl<'a> Doc<'a> {
    /// The document's first JSON value, or `None` when it is malformed or blank.
    fn parse(text: &'a str) -> Option<Self> {
        let mut tape = Tape::new(true, false);
        match tape.parse(text.as_bytes(), false) {
            Ok(true) => Some(Doc {
                text,
                nodes: tape.nodes,
            }),
            _ => None,
        }
    }

    /// The tape indices of the members of the container at `i` (values only for objects).
    fn children(&self, i: usize) -> Vec<(Option<usize>, usize)> {
        let n = &self.nodes[i];
        let mut out = Vec::new();
        let mut at = i + 1;
        while at < n.next as usize {
            if n.kind == Kind::Object {
                out.push((Some(at), at + 1));
                at = self.nodes[at + 1].next as usize;
            } else {
                out.push((None, at));
                at = self.nodes[at].next as usize;
            }
        }
        out
    }

    /// The decoded text of the string node `i`.
    fn string(&self, i: usize) -> String {
        let n = &self.nodes[i];
        let body = &self.text[n.body()];
        if !n.escaped {
            return body.to_string();
        }
        let mut out = String::with_capacity(body.len());
        unescape_into(body, &mut out);
        out
    }

    /// The nodes `steps` select from node `i`.
    fn select(&self, i: usize, steps: &[Step], out: &mut Vec<usize>) {
        let Some((step, rest)) = steps.split_first() else {
            out.push(i);
            return;
        };
        let kind = self.nodes[i].kind;
        match (step, kind) {
            (Step::Field(name), Kind::Object) => {
                // The first member of that name, as Jackson's streaming read finds it.
                let found = self
                    .children(i)
                    .into_iter()
                    .find(|(k, _)| k.is_some_and(|k| self.string(k) == *name));
                if let Some((_, v)) = found {
                    self.select(v, rest, out);
                }
            }
            (Step::Index(n), Kind::Array) => {
                if let Some((_, v)) = self.children(i).get(*n) {
                    self.select(*v, rest, out);
                }
            }
            (Step::Wildcard, Kind::Array) => {
                for (_, v) in self.children(i) {
                    self.select(v, rest, out);
                }
            }
            _ => {}
        }
    }

    /// Node `i` as Jackson writes it: compact, strings escaped, floats as Java doubles.
    fn write(&self, i: usize, out: &mut String) {
        let n = &self.nodes[i];
        match n.kind {
            Kind::Null => out.push_str("null"),
            Kind::True => out.push_str("true"),
            Kind::False => out.push_str("false"),
            Kind::Int => out.push_str(&self.text[n.span()]),
            Kind::Float | Kind::NonFinite => out.push_str(&float_text(&self.text[n.span()])),
            Kind::Str => write_json_string(&self.string(i), out),
            Kind::Object | Kind::Array => {
                let object = n.kind == Kind::Object;
                out.push(if object { '{' } else { '[' });
                for (j, (key, value)) in self.children(i).into_iter().enumerate() {
                    if j > 0 {
                        out.push(',');
                    }
                    if let Some(k) = key {
                        write_json_string(&self.string(k), out);
                        out.push(':');
                    }
                    self.write(value, out);
                }
                out.push(if object { '}' } else { ']' });
            }
        }
    }

    /// Node `i` as `get_json_object` returns it: a string's text, NULL for null, else JSON.
    fn value_text(&self, i: usize) -> Option<String> {
        match self.nodes[i].kind {
            Kind::Null => None,
            Kind::Str => Some(self.string(i)),
            _ => {
                let mut out = String::new();
                self.write(i, &mut out);
                Some(out)
            }
        }
    }
}

/// A JSON float token as Jackson re-writes it (a Java double: `1.50` is `1.5`, `1e2` `100.0`).
fn float_text(token: &str) -> String {
    token
        .parse::<f64>()
        .map_or_else(|_| token.to_string(), java_double)
}

/// Spark's `get_json_object(json, path)`.
pub fn get_json_object(json: &str, path: &str) -> Option<String> {
    let steps = parse_path(path)?;
    let doc = Doc::parse(json)?;
    let mut found = Vec::new();
    doc.select(0, &steps, &mut found);
    if !steps.contains(&Step::Wildcard) || found.len() == 1 {
        return found.first().and_then(|i| doc.value_text(*i));
    }
    if found.is_empty() {
        return None;
    }
    // Several matches of a wildcard: a JSON array of them (strings quoted).
    let mut out = String::from("[");
    for (j, i) in found.iter().enumerate() {
        if j > 0 {
            out.push(',');
        }
        doc.write(*i, &mut out);
    }
    out.push(']');
    Some(out)
}

/// Spark's `json_array_length(json)`: the number of elements of a JSON array, else NULL.
pub fn json_array_length(json: &str) -> Option<usize> {
    let doc = Doc::parse(json)?;
    (doc.nodes[0].kind == Kind::Array).then(|| doc.children(0).len())
}

/// Spark's `json_object_keys(json)`: the keys of a JSON object in order, else NULL.
pub fn json_object_keys(json: &str) -> Option<Vec<String>> {
    let doc = Doc::parse(json)?;
    (doc.nodes[0].kind == Kind::Object).then(|| {
        doc.children(0)
            .into_iter()
            .filter_map(|(k, _)| k.map(|k| doc.string(k)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(json: &str, path: &str) -> Option<String> {
        get_json_object(json, path)
    }

    #[test]
    fn get_json_object_follows_spark() {
        assert_eq!(g(r#"{"a":1.50}"#, "$.a").as_deref(), Some("1.5"));
        assert_eq!(g(r#"{"a":1e2}"#, "$.a").as_deref(), Some("100.0"));
        assert_eq!(
            g(r#"{"a":{"b":1.50, "c" : [1, 2], "d": "x\"y"}}"#, "$.a").as_deref(),
            Some(r#"{"b":1.5,"c":[1,2],"d":"x\"y"}"#)
        );
        assert_eq!(g(r#"{"a":"x\ny"}"#, "$.a").as_deref(), Some("x\ny"));
        assert_eq!(
            g(r#"{"a":[{"b":1},{"b":2}]}"#, "$.a[*].b").as_deref(),
            Some("[1,2]")
        );
        assert_eq!(g(r#"{"a":[{"b":1}]}"#, "$.a[*].b").as_deref(), Some("1"));
        assert_eq!(
            g(r#"{"a":[{"b":"x"},{"b":"y"}]}"#, "$.a[*].b").as_deref(),
            Some(r#"["x","y"]"#)
        );
        assert_eq!(
            g(r#"{"a":[[1,2],[3]]}"#, "$.a[*][*]").as_deref(),
            Some("[1,2,3]")
        );
        assert_eq!(g(r#"{"a b":1}"#, "$['a b']").as_deref(), Some("1"));
        assert_eq!(g("{'a':1}", "$.a").as_deref(), Some("1"));
        assert_eq!(g(r#"{"a":1,"a":2}"#, "$.a").as_deref(), Some("1"));
        assert_eq!(g(r#"{"a":1} junk"#, "$.a").as_deref(), Some("1"));
        assert_eq!(g(r#"{"a":1}"#, "$").as_deref(), Some(r#"{"a":1}"#));
        for (json, path) in [
            (r#"{"a":[]}"#, "$.a[*]"),
            (r#"{"a":null}"#, "$.a"),
            (r#"{"a":1"#, "$.a"),
            (r#"{"a":1}"#, "a"),
            (r#"{"a":NaN}"#, "$.a"),
            (r#"{"a":"1"}"#, "$.*"),
            (r#"{"a":[1,2]}"#, "$.a[5]"),
        ] {
            assert_eq!(g(json, path), None, "{json} {path}");
        }
    }

    #[test]
    fn array_length_and_object_keys() {
        assert_eq!(json_array_length("[1,[2,3]]"), Some(2));
        assert_eq!(json_array_length(r#"{"a":1}"#), None);
        assert_eq!(
            json_object_keys(r#"{"b":1,"a":2}"#),
            Some(vec!["b".into(), "a".into()])
        );
        assert_eq!(json_object_keys("[1]"), None);
        assert_eq!(json_object_keys("x"), None);
    }
}
