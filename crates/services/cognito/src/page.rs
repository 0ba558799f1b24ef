//! Paging of listings: the next token is the sort key of the last item
//! returned, and the next page starts after it.

/// One page of `items` (sorted by key) after `token`, at most `limit` long.
pub fn page<T>(items: Vec<(String, T)>, limit: Option<i64>, token: Option<&str>) -> (Vec<T>, Option<String>) {
    let limit = limit.filter(|l| *l > 0).unwrap_or(60) as usize;
    let mut rest: Vec<(String, T)> = match token {
        Some(t) if !t.is_empty() => items.into_iter().filter(|(k, _)| k.as_str() > t).collect(),
        _ => items,
    };
    let more = rest.len() > limit;
    rest.truncate(limit);
    let next = if more { rest.last().map(|(k, _)| k.clone()) } else { None };
    (rest.into_iter().map(|(_, v)| v).collect(), next)
}
