//! A distributed Map's `ItemReader`: fetches its source through the task
//! integrations (an S3 object, or an S3 listing) and turns it into items as
//! `ReaderConfig` says: a JSON array, JSON Lines, or CSV with its header
//! row or given headers; `MaxItems` caps the count.

use super::failure::Failure;
use super::runtime::Runtime;
use super::scope::Scope;
use serde_json::{Map, Value};

fn reader_failed(cause: impl Into<String>) -> Failure {
    Failure::new("States.ItemReaderFailed", cause)
}

/// A JSONPath reader's `Parameters` and `ReaderConfig.MaxItems`
/// (or `MaxItemsPath`), evaluated on `data`.
pub fn jsonpath_args(reader: &Value, data: &Value, scope: &Scope<'_>) -> Result<(Value, Option<u64>), Failure> {
    let params = match reader.get("Parameters") {
        Some(t) => scope.payload(t, data)?,
        None => Value::Object(Map::new()),
    };
    let config = reader.get("ReaderConfig").unwrap_or(&Value::Null);
    let max = match (config.get("MaxItems"), config.get("MaxItemsPath").and_then(Value::as_str)) {
        (Some(m), _) => m.as_u64(),
        (None, Some(p)) => scope.path(data, p).ok().and_then(|v| v.as_u64()),
        (None, None) => None,
    };
    Ok((params, max))
}

/// The items `reader` names, fetched with `params`, at most `max`.
pub async fn items(rt: &Runtime, reader: &Value, params: Value, max: Option<u64>) -> Result<Vec<Value>, Failure> {
    let resource = reader.get("Resource").and_then(Value::as_str).unwrap_or_default();
    let config = reader.get("ReaderConfig").cloned().unwrap_or(Value::Null);
    let fetched = rt.tasks.fetch(rt, resource, params).await?;
    let mut items = match fetched {
        Value::String(text) => parse(&text, &config)?,
        Value::Array(listing) => listing,
        other => return Err(reader_failed(format!("Unexpected item source: {other}"))),
    };
    if let Some(m) = max.filter(|m| *m > 0) {
        items.truncate(m as usize);
    }
    Ok(items)
}

/// Items from an object's text.
fn parse(text: &str, config: &Value) -> Result<Vec<Value>, Failure> {
    match config.get("InputType").and_then(Value::as_str).unwrap_or("JSON") {
        "JSON" => match serde_json::from_str(text) {
            Ok(Value::Array(items)) => Ok(items),
            Ok(_) => Err(reader_failed("Attempting to map over non-iterable node.")),
            Err(e) => Err(reader_failed(format!("The JSON object could not be parsed: {e}"))),
        },
        "JSONL" => text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                serde_json::from_str(l)
                    .map_err(|e| reader_failed(format!("A JSON Lines line could not be parsed: {e}")))
            })
            .collect(),
        "CSV" => Ok(csv(text, config)),
        other => Err(reader_failed(format!("The InputType {other} is not supported by Stratus"))),
    }
}

/// CSV rows as objects keyed by the header row (or the given headers).
fn csv(text: &str, config: &Value) -> Vec<Value> {
    let delimiter = match config.get("CSVDelimiter").and_then(Value::as_str) {
        Some("SEMICOLON") => ';',
        Some("TAB") => '\t',
        Some("SPACE") => ' ',
        Some("PIPE") => '|',
        _ => ',',
    };
    let mut rows = text.lines().filter(|l| !l.is_empty()).map(|l| split_row(l, delimiter));
    let headers: Vec<String> = match config.get("CSVHeaderLocation").and_then(Value::as_str) {
        Some("GIVEN") => config
            .get("CSVHeaders")
            .and_then(Value::as_array)
            .map(|h| h.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
            .unwrap_or_default(),
        _ => rows.next().unwrap_or_default(),
    };
    rows.map(|row| {
        Value::Object(headers.iter().cloned().zip(row.into_iter().map(Value::String)).collect::<Map<String, Value>>())
    })
    .collect()
}

/// One CSV row; double quotes group and `""` escapes a quote.
fn split_row(line: &str, delimiter: char) -> Vec<String> {
    let (mut fields, mut field, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if c == delimiter && !quoted => fields.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    fields.push(field);
    fields
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_csv_and_jsonl() {
        let rows = parse("a,b\n1,\"x,y\"\n2,z\n", &json!({"InputType": "CSV"})).ok();
        assert_eq!(rows, Some(vec![json!({"a": "1", "b": "x,y"}), json!({"a": "2", "b": "z"})]));
        let given = parse(
            "1;2\n",
            &json!({"InputType": "CSV", "CSVDelimiter": "SEMICOLON", "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["p", "q"]}),
        );
        assert_eq!(given.ok(), Some(vec![json!({"p": "1", "q": "2"})]));
        assert_eq!(
            parse("{\"n\":1}\n{\"n\":2}\n", &json!({"InputType": "JSONL"})).ok(),
            Some(vec![json!({"n": 1}), json!({"n": 2})])
        );
    }
}
