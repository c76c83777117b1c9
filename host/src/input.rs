//! How an HTTP request's fields arrive, read into the endpoint's serde type and nothing else:
//! the query string, a JSON body or a form body, never two of them. The type is the only
//! list of fields: serde refuses an unknown field and a field given twice, the same way for
//! every carrier, and the field's own type says what it must hold. Query and form text have
//! no types, so a value is read as the field asks: a list from comma-separated names, a
//! number from its digits, anything else as the string it is.

use serde::de::value::{Error as ValueError, MapDeserializer, SeqDeserializer};
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};

/// A request refused, with the field it names when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub field: Option<String>,
    pub message: String,
}

impl Refused {
    fn whole(message: impl Into<String>) -> Self {
        Self {
            field: None,
            message: message.into(),
        }
    }
}

/// The fields of a request from its query string or its body, never both, whatever the
/// method: a query that a POST carried and nobody read would answer as if it had not been
/// asked. A body is a form when its type says so and it does not open with `{` (which `curl -d
/// '{…}'` labels as a form); JSON otherwise. No query and no body read as `{}`.
pub fn read<T: DeserializeOwned>(query: &str, form_type: bool, body: &[u8]) -> Result<T, Refused> {
    match (query.is_empty(), body.is_empty()) {
        (true, true) => from_form(b""),
        (false, true) => from_form(query.as_bytes()),
        (true, false) if form_type && !body.trim_ascii_start().starts_with(b"{") => from_form(body),
        (true, false) => from_json(body),
        (false, false) => Err(Refused::whole(
            "give the request in the query string or in the body, not both",
        )),
    }
}

fn from_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, Refused> {
    if !body.trim_ascii_start().starts_with(b"{") {
        // An array's fields would be read by position: only an object names them.
        return Err(Refused::whole(
            match serde_json::from_slice::<de::IgnoredAny>(body) {
                Ok(_) => "the body must be a JSON object".to_owned(),
                Err(e) => format!("the body is not JSON: {e}"),
            },
        ));
    }
    // Read without tracking the path (a fifth of serve's reading time); a refusal is read
    // again with it, to name its field.
    let mut json = serde_json::Deserializer::from_slice(body);
    if let Ok(read) = T::deserialize(&mut json)
        && json.end().is_ok()
    {
        return Ok(read);
    }
    let mut json = serde_json::Deserializer::from_slice(body);
    let read = serde_path_to_error::deserialize(&mut json).map_err(|e| {
        let syntax = e.inner().is_syntax() || e.inner().is_eof();
        let (path, inner) = (e.path().to_string(), e.into_inner());
        if syntax {
            return Refused::whole(format!("the body is not JSON: {inner}"));
        }
        // serde_json ends its message with the position, which names no field.
        let message = inner.to_string();
        let suffix = format!(" at line {} column {}", inner.line(), inner.column());
        refused(&path, message.strip_suffix(&suffix).unwrap_or(&message))
    })?;
    json.end()
        .map_err(|e| Refused::whole(format!("the body is not JSON: {e}")))?;
    Ok(read)
}

fn from_form<T: DeserializeOwned>(text: &[u8]) -> Result<T, Refused> {
    let pairs = || form_urlencoded::parse(text).map(|(k, v)| (k, Text(v.into_owned())));
    // As for JSON: the path is tracked only to name the field of a refusal.
    T::deserialize(MapDeserializer::<_, ValueError>::new(pairs())).or_else(|_| {
        serde_path_to_error::deserialize(MapDeserializer::<_, ValueError>::new(pairs()))
            .map_err(|e| refused(&e.path().to_string(), &e.into_inner().to_string()))
    })
}

/// A refusal naming its field: the path serde was in, or the key an unknown-field or
/// duplicate-field message quotes (serde reports those before it enters the field).
fn refused(path: &str, message: &str) -> Refused {
    let quoted = ["unknown field `", "duplicate field `", "missing field `"]
        .iter()
        .find_map(|start| message.strip_prefix(start))
        .and_then(|rest| rest.split_once('`'))
        .map(|(key, _)| key.to_owned());
    let top = path
        .split(['.', '['])
        .next()
        .filter(|p| !p.is_empty() && *p != "?");
    let field = quoted.or_else(|| top.map(str::to_owned));
    let message = match &field {
        Some(field) if !message.contains(&format!("`{field}`")) => format!("{field}: {message}"),
        _ => message.to_owned(),
    };
    Refused { field, message }
}

/// One value of query or form text, read as the field it fills asks.
struct Text(String);

impl IntoDeserializer<'_, ValueError> for Text {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

impl Text {
    fn number<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        match self.0.parse::<u64>() {
            Ok(n) => visitor.visit_u64(n),
            Err(_) => Err(de::Error::invalid_type(
                de::Unexpected::Str(&self.0),
                &visitor,
            )),
        }
    }
}

impl<'de> de::Deserializer<'de> for Text {
    type Error = ValueError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        visitor.visit_string(self.0)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        visitor.visit_some(self)
    }

    /// `roles=rtc,crawler`: a list, comma-separated (empty names skipped).
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        let names: Vec<String> = self
            .0
            .split(',')
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .collect();
        visitor.visit_seq(SeqDeserializer::new(names.into_iter()))
    }

    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        self.number(visitor)
    }

    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        self.number(visitor)
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        self.number(visitor)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        self.number(visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct newtype_struct tuple tuple_struct map struct enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::TokenRequest;

    fn json(body: &str) -> Result<TokenRequest<'static>, Refused> {
        read("", false, body.as_bytes())
    }

    fn query(text: &str) -> Result<TokenRequest<'static>, Refused> {
        read(text, false, b"")
    }

    #[test]
    fn every_carrier_reads_the_same_request() {
        let from_json = json(
            r#"{"roomId":"r","peerId":"p","roles":["rtc","crawler"],"permissions":["allow_join"],"expiresIn":"2h","iat":7,"version":2}"#,
        )
        .unwrap();
        let text = "roomId=r&peerId=p&roles=rtc,crawler&permissions=allow_join&expiresIn=2h&iat=7&version=2";
        let from_query = query(text).unwrap();
        let from_form: TokenRequest<'_> = read("", true, text.as_bytes()).unwrap();
        for other in [&from_query, &from_form] {
            assert_eq!(format!("{from_json:?}"), format!("{other:?}"));
        }
        assert_eq!(
            format!("{:?}", query("").unwrap()),
            format!("{:?}", json("{}").unwrap())
        );
    }

    #[test]
    fn one_rule_refuses_unknown_and_repeated_fields_in_every_carrier() {
        for (got, field) in [
            (json(r#"{"roomID":"x"}"#), "roomID"),
            (query("roomID=x"), "roomID"),
            (json(r#"{"roomId":"a","roomId":"b"}"#), "roomId"),
            (query("roomId=a&roomId=b"), "roomId"),
            (
                json(r#"{"peerId":"a","participantId":"b"}"#),
                "participantId",
            ),
            (query("peerId=a&participantId=b"), "participantId"),
        ] {
            let refused = got.unwrap_err();
            assert_eq!(refused.field.as_deref(), Some(field), "{refused:?}");
            assert!(
                refused.message.contains(&format!("`{field}`")),
                "{refused:?}"
            );
        }
    }

    #[test]
    fn a_wrong_type_names_its_field_and_what_it_must_hold() {
        for (got, field, must) in [
            (json(r#"{"roles":"rtc"}"#), "roles", "a list of names"),
            (json(r#"{"roomId":7}"#), "roomId", "a string"),
            (
                json(r#"{"expiresIn":1.5}"#),
                "expiresIn",
                "whole number of seconds",
            ),
            (json(r#"{"iat":"soon"}"#), "iat", "u64"),
            (query("iat=soon"), "iat", "u64"),
            (query("version=x"), "version", "u8"),
        ] {
            let refused = got.unwrap_err();
            assert_eq!(refused.field.as_deref(), Some(field), "{refused:?}");
            assert!(
                refused.message.starts_with(&format!("{field}: ")),
                "{refused:?}"
            );
            assert!(refused.message.contains(must), "{refused:?}");
        }
    }

    #[test]
    fn bodies_that_are_not_one_json_object_are_refused_whole() {
        for body in ["[1]", "\"x\"", "{", "{} {}", "nul", "not json"] {
            let refused = json(body).unwrap_err();
            assert_eq!(refused.field, None, "{body}: {refused:?}");
        }
        let both = read::<TokenRequest<'_>>("roomId=a", false, b"{}").unwrap_err();
        assert!(both.message.contains("not both"), "{both:?}");
    }
}
