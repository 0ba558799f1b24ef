//! Parse and render times of typical mapping templates (run by bench/vtl.sh in release mode):
//! the median of many runs, per template, in microseconds.

use std::hint::black_box;
use std::time::Instant;

use stratus_vtl::{Input, Template};

const PETSTORE: &str = r#"#set($inputRoot = $input.path('$'))
[
#foreach($elem in $inputRoot)
  {
    "description" : "Item $elem.id is a $elem.type.",
    "askingPrice" : $elem.price
  }#if($foreach.hasNext),#end

#end
]"#;

const ALL_PARAMS: &str = r##"#set($allParams = $input.params())
{
  "body" : $input.json('$'),
  "params" : {
#foreach($type in $allParams.keySet())
    "$type" : {
#foreach($entry in $allParams.get($type).entrySet())
      "$entry.key" : "$util.escapeJavaScript($entry.value)"#if($foreach.hasNext),#end

#end
    }#if($foreach.hasNext),#end

#end
  },
  "stage-variables" : {
    #foreach($key in $stageVariables.keySet())
    "$key" : "$util.escapeJavaScript($stageVariables.get($key))"
    #if($foreach.hasNext),#end
    #end
  },
  "context" : {
    "account-id" : "$context.identity.accountId",
    "http-method" : "$context.httpMethod",
    "request-id" : "$context.requestId",
    "resource-path" : "$context.resourcePath",
    "stage" : "$context.stage"
  }
}"##;

fn pets(n: usize) -> String {
    let items: Vec<String> =
        (1..=n).map(|i| format!(r#"{{"id": {i}, "type": "dog", "price": {}.99}}"#, i * 10)).collect();
    format!("[{}]", items.join(","))
}

fn request() -> Input {
    let mut input = Input { body: r#"{"name": "Fluffy", "tags": ["a", "b"]}"#.to_string(), ..Input::default() };
    input.path.insert("petId".into(), "7".into());
    input.querystring.insert("type".into(), "dog".into());
    for header in ["Accept", "Host", "User-Agent", "X-Amz-Date", "X-Forwarded-For"] {
        input.header.insert(header.into(), format!("value of {header}"));
    }
    input.stage_variables.insert("url".into(), "example.com".into());
    input.context = serde_json::json!({
        "httpMethod": "POST", "requestId": "abc", "resourcePath": "/pets/{petId}", "stage": "prod",
        "identity": {"accountId": "123456789012", "sourceIp": "192.0.2.1"}
    });
    input
}

fn median_micros(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[runs / 2]
}

fn main() -> Result<(), stratus_vtl::VtlError> {
    let cases = [
        ("PetStore, 3 items", PETSTORE, Input { body: pets(3), ..Input::default() }),
        ("PetStore, 100 items", PETSTORE, Input { body: pets(100), ..Input::default() }),
        ("all parameters + context", ALL_PARAMS, request()),
    ];
    println!("| template | lines | parse µs | render µs |\n|---|---|---|---|");
    for (name, source, input) in cases {
        let template = Template::parse(source)?;
        let body = template.render(&input)?.body;
        if let Err(e) = serde_json::from_str::<serde_json::Value>(&body) {
            eprintln!("{name} rendered invalid JSON ({e}):\n{body}");
            std::process::exit(1);
        }
        let parse = median_micros(2000, || {
            let _ = black_box(Template::parse(black_box(source)));
        });
        let render = median_micros(2000, || {
            let _ = black_box(template.render(black_box(&input)));
        });
        println!("| {name} | {} | {parse:.1} | {render:.1} |", source.lines().count());
    }
    Ok(())
}
