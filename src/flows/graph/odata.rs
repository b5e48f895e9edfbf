//! The OData query options the directory API reads: `$filter`, `$select`, `$top` and `$skiptoken`.
//! Any other option, or one sent twice, is refused: a client must never get a silently unfiltered list.
//!
//! `$filter` takes the part of OData's grammar Entra serves without advanced queries: `eq` on a
//! property, `startswith(property, 'text')`, `and`, `or` and parentheses; strings are single-quoted with
//! `''` for a quote. `odata-params` (the one Rust parser of it) was not used: it reads `\'` as the
//! escape where OData writes `''`, binds `and` looser than `or` in `a and b or c`, and tries each
//! alternative again at every level of parentheses, so a short, deeply nested filter takes exponential
//! time. This parser reads the filter once, left to right, and bounds its length and nesting.

use crate::domain::query::{Bound, Comparison, Filter, Property};
use crate::graph_error::GraphError;

/// The default and largest `$top` of a list (Graph's for directory objects).
pub const DEFAULT_TOP: u64 = 100;
pub const MAX_TOP: u64 = 999;

/// The longest `$filter` read, and its deepest nesting of parentheses.
const MAX_FILTER_LEN: usize = 2048;
const MAX_DEPTH: usize = 8;

/// How a list was asked for.
#[derive(Debug, PartialEq, Eq)]
pub struct ListOptions<P> {
    pub filter: Option<Filter<P>>,
    pub select: Option<Vec<&'static str>>,
    pub top: u64,
    /// Where the previous page ended ([`Page::next`]).
    pub skip_token: Option<String>,
}

impl<P> ListOptions<P> {
    /// The key the page starts after: the `$skiptoken` a previous page's `@odata.nextLink` carried.
    pub fn after<K: std::str::FromStr>(&self) -> Result<Option<K>, GraphError> {
        self.skip_token
            .as_deref()
            .map(|token| token.parse().map_err(|_| GraphError::bad_request("Invalid $skiptoken.")))
            .transpose()
    }

    /// How many rows to read: one more than a page, to learn whether another page follows.
    pub fn limit(&self) -> u64 {
        self.top + 1
    }

    /// The page of `rows` (read with [`Self::limit`]), and the token of the next page when there is
    /// one: the key of the page's last row.
    pub fn page<T>(&self, mut rows: Vec<T>, key: impl Fn(&T) -> String) -> (Vec<T>, Option<String>) {
        let more = rows.len() as u64 > self.top;
        rows.truncate(usize::try_from(self.top).unwrap_or(usize::MAX));
        let next = more.then(|| rows.last().map(key)).flatten();
        (rows, next)
    }
}

/// What a list of objects with the properties `selectable` (their API names) was asked for, from the
/// request's decoded query pairs.
pub fn list_options<P: Property>(
    pairs: &[(String, String)],
    selectable: &'static [&'static str],
) -> Result<ListOptions<P>, GraphError> {
    let mut options = ListOptions { filter: None, select: None, top: DEFAULT_TOP, skip_token: None };
    for (name, value) in checked(pairs, &["$filter", "$select", "$top", "$skiptoken"])? {
        match name.as_str() {
            "$filter" => options.filter = Some(parse_filter(value)?),
            "$select" => options.select = Some(parse_select(value, selectable)?),
            "$top" => options.top = parse_top(value)?,
            _ => options.skip_token = Some(value.clone()),
        }
    }
    Ok(options)
}

/// The `$select` of a request for one object with the properties `selectable`.
pub fn entity_options(
    pairs: &[(String, String)],
    selectable: &'static [&'static str],
) -> Result<Option<Vec<&'static str>>, GraphError> {
    let mut select = None;
    for (_, value) in checked(pairs, &["$select"])? {
        select = Some(parse_select(value, selectable)?);
    }
    Ok(select)
}

/// Refuses any query option, for a request that takes none.
pub fn no_options(pairs: &[(String, String)]) -> Result<(), GraphError> {
    checked(pairs, &[]).map(|_| ())
}

/// The pairs, names lowercased, when each is one of `allowed` and none comes twice.
fn checked<'a>(pairs: &'a [(String, String)], allowed: &[&str]) -> Result<Vec<(String, &'a String)>, GraphError> {
    let mut seen: Vec<(String, &String)> = Vec::new();
    for (name, value) in pairs {
        let lower = name.to_ascii_lowercase();
        if !allowed.contains(&lower.as_str()) {
            return Err(GraphError::unsupported_query(format!("Query option '{name}' is not supported here.")));
        }
        if seen.iter().any(|(n, _)| *n == lower) {
            return Err(GraphError::bad_request(format!("Query option '{name}' was specified more than once.")));
        }
        seen.push((lower, value));
    }
    Ok(seen)
}

fn parse_top(value: &str) -> Result<u64, GraphError> {
    match value.trim().parse::<u64>() {
        Ok(top) if (1..=MAX_TOP).contains(&top) => Ok(top),
        _ => Err(GraphError::bad_request(format!(
            "Invalid page size specified: '{value}'. Must be between 1 and {MAX_TOP} inclusive."
        ))),
    }
}

fn parse_select(value: &str, selectable: &'static [&'static str]) -> Result<Vec<&'static str>, GraphError> {
    let mut select = Vec::new();
    for name in value.split(',').map(str::trim) {
        let property = selectable.iter().copied().find(|p| p.eq_ignore_ascii_case(name)).ok_or_else(|| {
            GraphError::bad_request(format!("Could not find a property named '{name}' on the selected type."))
        })?;
        if !select.contains(&property) {
            select.push(property);
        }
    }
    Ok(select)
}

/// A `$filter` expression on the properties `P`.
pub fn parse_filter<P: Property>(text: &str) -> Result<Filter<P>, GraphError> {
    if text.len() > MAX_FILTER_LEN {
        return Err(invalid(format!("the filter is longer than {MAX_FILTER_LEN} characters")));
    }
    let mut parser = Parser { tokens: tokenize(text)?, at: 0, depth: 0 };
    let filter = parser.or_expression()?;
    match parser.next() {
        None => Ok(filter),
        Some(token) => Err(invalid(format!("unexpected {}", token.describe()))),
    }
}

fn invalid(why: String) -> GraphError {
    GraphError::bad_request(format!("Invalid filter clause: {why}."))
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Word(String),
    Text(String),
    Open,
    Close,
    Comma,
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Self::Word(word) => format!("'{word}'"),
            Self::Text(text) => format!("string '{text}'"),
            Self::Open => "'('".to_owned(),
            Self::Close => "')'".to_owned(),
            Self::Comma => "','".to_owned(),
        }
    }
}

fn tokenize(text: &str) -> Result<Vec<Token>, GraphError> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => {}
            '(' => tokens.push(Token::Open),
            ')' => tokens.push(Token::Close),
            ',' => tokens.push(Token::Comma),
            '\'' => {
                let mut value = String::new();
                loop {
                    match chars.next() {
                        Some('\'') if chars.peek() == Some(&'\'') => {
                            chars.next();
                            value.push('\'');
                        }
                        Some('\'') => break,
                        Some(c) => value.push(c),
                        None => return Err(invalid("a string is not closed".to_owned())),
                    }
                }
                tokens.push(Token::Text(value));
            }
            c if c.is_ascii_alphanumeric() || c == '_' => {
                let mut word = String::from(c);
                // Words are names, operators and unquoted literals such as 2026-12-06T08:00:00Z.
                while let Some(&c) = chars.peek().filter(|c| c.is_ascii_alphanumeric() || "_-:.".contains(**c)) {
                    word.push(c);
                    chars.next();
                }
                tokens.push(Token::Word(word));
            }
            other => return Err(invalid(format!("unexpected character '{}'", other.escape_default()))),
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    depth: usize,
}

impl Parser {
    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn peek_word(&self, word: &str) -> bool {
        matches!(self.tokens.get(self.at), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn want(&mut self, wanted: Token) -> Result<(), GraphError> {
        match self.next() {
            Some(token) if token == wanted => Ok(()),
            Some(token) => Err(invalid(format!("expected {} but found {}", wanted.describe(), token.describe()))),
            None => Err(invalid(format!("expected {} at the end", wanted.describe()))),
        }
    }

    fn or_expression<P: Property>(&mut self) -> Result<Filter<P>, GraphError> {
        let mut any = vec![self.and_expression()?];
        while self.peek_word("or") {
            self.at += 1;
            any.push(self.and_expression()?);
        }
        Ok(if any.len() == 1 { any.remove(0) } else { Filter::Any(any) })
    }

    fn and_expression<P: Property>(&mut self) -> Result<Filter<P>, GraphError> {
        let mut all = vec![self.term()?];
        while self.peek_word("and") {
            self.at += 1;
            all.push(self.term()?);
        }
        Ok(if all.len() == 1 { all.remove(0) } else { Filter::All(all) })
    }

    fn term<P: Property>(&mut self) -> Result<Filter<P>, GraphError> {
        match self.next() {
            Some(Token::Open) => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(invalid(format!("parentheses are nested deeper than {MAX_DEPTH}")));
                }
                let inner = self.or_expression()?;
                self.want(Token::Close)?;
                self.depth -= 1;
                Ok(inner)
            }
            Some(Token::Word(word)) if word.eq_ignore_ascii_case("startswith") => {
                self.want(Token::Open)?;
                let property = self.property()?;
                self.want(Token::Comma)?;
                let value = self.value(property)?;
                self.want(Token::Close)?;
                Ok(Filter::StartsWith(property, value))
            }
            Some(Token::Word(word)) => {
                let property = property_named(&word)?;
                match self.next() {
                    Some(Token::Word(op)) if op.eq_ignore_ascii_case("eq") => {
                        Ok(Filter::Eq(property, self.value(property)?))
                    }
                    Some(Token::Word(op)) if property.comparison() == Comparison::Time && bound(&op).is_some() => {
                        let bound = bound(&op).ok_or_else(|| invalid(format!("unexpected '{op}'")))?;
                        Ok(Filter::Range(property, bound, self.value(property)?))
                    }
                    Some(Token::Word(op)) if is_operator(&op) => Err(GraphError::unsupported_query(format!(
                        "Unsupported query: the operator '{op}' is not supported; use eq, startswith, and, or."
                    ))),
                    Some(token) => Err(invalid(format!("expected an operator but found {}", token.describe()))),
                    None => Err(invalid("expected an operator at the end".to_owned())),
                }
            }
            Some(token) => Err(invalid(format!("unexpected {}", token.describe()))),
            None => Err(invalid("the filter ends too early".to_owned())),
        }
    }

    fn property<P: Property>(&mut self) -> Result<P, GraphError> {
        match self.next() {
            Some(Token::Word(word)) => property_named(&word),
            Some(token) => Err(invalid(format!("expected a property but found {}", token.describe()))),
            None => Err(invalid("expected a property at the end".to_owned())),
        }
    }

    fn value<P: Property>(&mut self, property: P) -> Result<String, GraphError> {
        let value = match self.next() {
            Some(Token::Text(value)) => value,
            Some(Token::Word(value)) if property.comparison() == Comparison::Time => value,
            Some(token) => return Err(invalid(format!("expected a quoted string but found {}", token.describe()))),
            None => return Err(invalid("expected a quoted string at the end".to_owned())),
        };
        match property.comparison() {
            Comparison::Guid => uuid::Uuid::parse_str(&value)
                .map(|id| id.to_string())
                .map_err(|_| GraphError::bad_request(format!("Invalid object identifier '{value}'."))),
            Comparison::CaseInsensitive => Ok(value),
            Comparison::Time => time::OffsetDateTime::parse(&value, &time::format_description::well_known::Rfc3339)
                .map(|t| t.unix_timestamp().to_string())
                .map_err(|_| {
                    GraphError::bad_request(format!("'{value}' is not a date and time such as 2026-12-06T08:00:00Z."))
                }),
        }
    }
}

fn bound(word: &str) -> Option<Bound> {
    match word.to_ascii_lowercase().as_str() {
        "ge" => Some(Bound::AtLeast),
        "gt" => Some(Bound::After),
        "le" => Some(Bound::AtMost),
        "lt" => Some(Bound::Before),
        _ => None,
    }
}

fn is_operator(word: &str) -> bool {
    ["ne", "gt", "ge", "lt", "le", "in", "has", "not"].iter().any(|op| op.eq_ignore_ascii_case(word))
}

fn property_named<P: Property>(name: &str) -> Result<P, GraphError> {
    P::named(name).ok_or_else(|| {
        GraphError::unsupported_query(format!(
            "Unsupported or invalid query filter clause specified for property '{name}'."
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::query::UserProperty::{self, DisplayName, Id, UserPrincipalName};

    fn parse(text: &str) -> Result<Filter<UserProperty>, GraphError> {
        parse_filter(text)
    }

    #[test]
    fn reads_eq_startswith_and_or_with_ands_binding_tighter() {
        let guid = "1B4E28BA-2FA1-11D2-883F-0016D3CCA427";
        assert_eq!(
            parse(&format!("id eq '{guid}' and startswith(displayName,'Al') or userPrincipalName eq 'o''brien@x'"))
                .unwrap(),
            Filter::Any(vec![
                Filter::All(vec![
                    Filter::Eq(Id, guid.to_ascii_lowercase()),
                    Filter::StartsWith(DisplayName, "Al".into()),
                ]),
                Filter::Eq(UserPrincipalName, "o'brien@x".into()),
            ])
        );
        assert_eq!(
            parse("(DISPLAYNAME eq 'a b') AND (displayName eq 'c' or displayName eq 'd')").unwrap(),
            Filter::All(vec![
                Filter::Eq(DisplayName, "a b".into()),
                Filter::Any(vec![Filter::Eq(DisplayName, "c".into()), Filter::Eq(DisplayName, "d".into())]),
            ])
        );
    }

    #[test]
    fn refuses_what_it_does_not_serve_with_graphs_codes() {
        for (text, code, message) in [
            ("jobTitle eq 'x'", "Request_UnsupportedQuery", "property 'jobTitle'"),
            ("displayName ne 'x'", "Request_UnsupportedQuery", "operator 'ne'"),
            ("id eq 'not-a-guid'", "BadRequest", "Invalid object identifier 'not-a-guid'."),
            ("displayName eq 'open", "BadRequest", "a string is not closed"),
            ("displayName eq x", "BadRequest", "expected a quoted string but found 'x'"),
            ("displayName eq 'x' and", "BadRequest", "the filter ends too early"),
            ("(displayName eq 'x'", "BadRequest", "expected ')' at the end"),
            ("displayName eq 'x')", "BadRequest", "unexpected ')'"),
            ("displayName eq 'x'; drop", "BadRequest", "unexpected character ';'"),
            ("", "BadRequest", "the filter ends too early"),
        ] {
            let err = parse(text).unwrap_err();
            assert_eq!((err.status.as_u16(), err.code), (400, code), "{text}: {err}");
            assert!(err.message.contains(message), "{text}: {}", err.message);
        }
    }

    #[test]
    fn bounds_nesting_and_length() {
        let nested = |depth: usize| format!("{}displayName eq 'x'{}", "(".repeat(depth), ")".repeat(depth));
        assert!(parse(&nested(MAX_DEPTH)).is_ok());
        let err = parse(&nested(MAX_DEPTH + 1)).unwrap_err();
        assert!(err.message.contains("nested deeper than 8"), "{err}");
        let err = parse(&nested(100_000)).unwrap_err();
        assert!(err.message.contains("longer than 2048"), "{err}");
    }

    #[test]
    fn list_options_refuse_unknown_and_repeated_options() {
        let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
            list.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect()
        };
        let selectable = &["id", "displayName"];
        let options =
            list_options::<UserProperty>(&pairs(&[("$TOP", "5"), ("$select", "displayname,ID,id")]), selectable)
                .unwrap();
        assert_eq!(
            options,
            ListOptions { filter: None, select: Some(vec!["displayName", "id"]), top: 5, skip_token: None }
        );
        for (list, code, message) in [
            (&[("$count", "true")][..], "Request_UnsupportedQuery", "Query option '$count' is not supported here."),
            (
                &[("$orderby", "displayName")],
                "Request_UnsupportedQuery",
                "Query option '$orderby' is not supported here.",
            ),
            (&[("top", "5")], "Request_UnsupportedQuery", "Query option 'top' is not supported here."),
            (&[("$top", "1"), ("$Top", "2")], "BadRequest", "Query option '$Top' was specified more than once."),
            (&[("$top", "0")], "BadRequest", "Invalid page size specified: '0'. Must be between 1 and 999 inclusive."),
            (
                &[("$top", "1000")],
                "BadRequest",
                "Invalid page size specified: '1000'. Must be between 1 and 999 inclusive.",
            ),
            (
                &[("$select", "id,password")],
                "BadRequest",
                "Could not find a property named 'password' on the selected type.",
            ),
        ] {
            let err = list_options::<UserProperty>(&pairs(list), selectable).unwrap_err();
            assert_eq!((err.code, err.message.as_str()), (code, message));
        }
        let err = entity_options(&pairs(&[("$top", "1")]), selectable).unwrap_err();
        assert_eq!(err.message, "Query option '$top' is not supported here.");
    }
}
