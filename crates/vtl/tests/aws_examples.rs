//! AWS's documented mapping template examples (API Gateway developer guide: mapping template
//! transformations, variables for data transformations, override examples) and outputs
//! recorded from AWS, each rendered and compared with what AWS documents or returned.

mod common;

use common::{body, render_with, try_render_with};
use serde_json::{Value, json};
use stratus_vtl::{Input, Template};

const PETS: &str = r##"[
  { "id": 1, "type": "dog", "price": 249.99 },
  { "id": 2, "type": "cat", "price": 124.99 },
  { "id": 3, "type": "fish", "price": 0.99 }
]"##;

#[test]
fn petstore_mapping_template_example() {
    let template = r##"#set($inputRoot = $input.path('$'))
[
#foreach($elem in $inputRoot)
  {
    "description" : "Item $elem.id is a $elem.type.",
    "askingPrice" : $elem.price
  }#if($foreach.hasNext),#end

#end
]"##;
    let expected = r##"[
  {
    "description" : "Item 1 is a dog.",
    "askingPrice" : 249.99
  },
  {
    "description" : "Item 2 is a cat.",
    "askingPrice" : 124.99
  },
  {
    "description" : "Item 3 is a fish.",
    "askingPrice" : 0.99
  }
]"##;
    assert_eq!(render_with(template, &body(PETS)), expected);
}

#[test]
fn context_variables_example() {
    let template = r##"{
    "stage" : "$context.stage",
    "request_id" : "$context.requestId",
    "api_id" : "$context.apiId",
    "resource_path" : "$context.resourcePath",
    "resource_id" : "$context.resourceId",
    "http_method" : "$context.httpMethod",
    "source_ip" : "$context.identity.sourceIp",
    "user-agent" : "$context.identity.userAgent",
    "account_id" : "$context.identity.accountId",
    "api_key" : "$context.identity.apiKey",
    "caller" : "$context.identity.caller",
    "user" : "$context.identity.user",
    "user_arn" : "$context.identity.userArn"
}"##;
    let input = Input {
        context: json!({
            "stage": "prod", "requestId": "abcdefg-000-000-0000-abcdefg", "apiId": "abcd1234",
            "resourcePath": "/", "resourceId": "efg567", "httpMethod": "GET",
            "identity": {
                "sourceIp": "192.0.2.1", "userAgent": "curl/7.84.0", "accountId": "111122223333",
                "apiKey": "MyTestKey", "caller": "ABCD-0000-12345", "user": "ABCD-0000-12345",
                "userArn": "arn:aws:sts::111122223333:assumed-role/Admin/carlos-salazar"
            }
        }),
        ..Input::default()
    };
    let out: Value = serde_json::from_str(&render_with(template, &input)).unwrap();
    assert_eq!(
        out,
        json!({
            "stage": "prod", "request_id": "abcdefg-000-000-0000-abcdefg", "api_id": "abcd1234",
            "resource_path": "/", "resource_id": "efg567", "http_method": "GET", "source_ip": "192.0.2.1",
            "user-agent": "curl/7.84.0", "account_id": "111122223333", "api_key": "MyTestKey",
            "caller": "ABCD-0000-12345", "user": "ABCD-0000-12345",
            "user_arn": "arn:aws:sts::111122223333:assumed-role/Admin/carlos-salazar"
        })
    );
}

#[test]
fn all_request_parameters_example() {
    let template = r##"#set($allParams = $input.params())
{
  "params" : {
    #foreach($type in $allParams.keySet())
    #set($params = $allParams.get($type))
    "$type" : {
      #foreach($paramName in $params.keySet())
      "$paramName" : "$util.escapeJavaScript($params.get($paramName))"
      #if($foreach.hasNext),#end
      #end
    }
    #if($foreach.hasNext),#end
    #end
  }
}"##;
    let mut input = Input::default();
    input.path.insert("petId".into(), "7".into());
    input.querystring.insert("type".into(), "dog".into());
    input.querystring.insert("sort".into(), "asc".into());
    input.header.insert("Accept".into(), "application/json".into());
    let out: Value = serde_json::from_str(&render_with(template, &input)).unwrap();
    assert_eq!(
        out,
        json!({"params": {
            "path": {"petId": "7"},
            "querystring": {"sort": "asc", "type": "dog"},
            "header": {"Accept": "application/json"}
        }})
    );
}

#[test]
fn input_params_searches_path_then_querystring_then_header() {
    let mut input = Input::default();
    input.path.insert("id".into(), "from-path".into());
    input.querystring.insert("id".into(), "from-query".into());
    input.querystring.insert("q".into(), "from-query".into());
    input.header.insert("q".into(), "from-header".into());
    input.header.insert("X-Custom".into(), "hdr".into());
    let out =
        render_with("$input.params('id') $input.params('q') $input.params('x-custom') [$input.params('none')]", &input);
    assert_eq!(out, "from-path from-query hdr []");
    assert_eq!(render_with("$input.params().header.get('X-Custom')", &input), "hdr");
    assert_eq!(render_with("$input.params().querystring", &input), "{id=from-query, q=from-query}");
}

#[test]
fn input_json_returns_json_text() {
    let input = body(r##"{"person": {"name": "Max", "age": 28}, "order": {"id": "6asdf821ssa"}, "tags": ["a", "b"]}"##);
    let template = r##"{"personName": $input.json('$.person.name'), "orderId": $input.json('$.order.id'), "age": $input.json('$.person.age')}"##;
    assert_eq!(render_with(template, &input), r##"{"personName": "Max", "orderId": "6asdf821ssa", "age": 28}"##);
    assert_eq!(
        render_with("$input.json('$')", &input),
        r##"{"person":{"name":"Max","age":28},"order":{"id":"6asdf821ssa"},"tags":["a","b"]}"##
    );
    assert_eq!(
        render_with("$input.json('$.tags[1]') $input.json('$.tags[*]') $input.json(\"$['order']\")", &input),
        r##""b" ["a","b"] {"id":"6asdf821ssa"}"##
    );
    assert_eq!(render_with("$input.json('$..name')", &input), r##"["Max"]"##);
    assert_eq!(render_with("$input.json('$.missing')", &input), "null");
}

#[test]
fn input_json_of_an_empty_body_is_an_empty_object() {
    assert_eq!(render_with(r##"{"body": $input.json('$')}"##, &Input::default()), r##"{"body": {}}"##);
}

#[test]
fn input_path_returns_navigable_objects() {
    let input = body(r##"{"a": {"b": [10, 20, 30]}, "name": "n"}"##);
    assert_eq!(
        render_with("$input.path('$.a.b').size() $input.path('$.a.b')[1] $input.path('$.a').b.get(2)", &input),
        "3 20 30"
    );
    assert_eq!(render_with("#foreach($n in $input.path('$.a.b'))$n;#end", &input), "10;20;30;");
    assert_eq!(render_with("#if($input.path('$.name') == 'n')yes#end", &input), "yes");
    assert_eq!(render_with("$input.path('$.a.b[-1]') $input.path('$.a.b[0:2]')", &input), "30 [10,20]");
}

#[test]
fn input_path_key_set_loop_builds_json() {
    let input = body(r##"{"things": {"1": {"name": "one"}, "2": {"name": "two"}, "3": {"name": "three"}}}"##);
    let template = r##"#set($inputRoot = $input.path('$'))
{
#foreach($key in $inputRoot.things.keySet())
  "$key": "$inputRoot.things.get($key).name"#if($foreach.hasNext),#end

#end
}"##;
    assert_eq!(render_with(template, &input), "{\n  \"1\": \"one\",\n  \"2\": \"two\",\n  \"3\": \"three\"\n}");
    let keys = render_with("#foreach($k in $input.path('$').keySet())$k #end", &input);
    assert_eq!(keys, "things ");
}

#[test]
fn foreach_over_a_json_array_by_index_builds_json() {
    // The shape of the Kinesis PutRecords templates people write for API Gateway.
    let template = r##"{
    "StreamName": "stream-1",
    "Records": [
        #set( $numRecords = $input.path('$.records').size() )
        #if($numRecords > 0)
        #set( $maxIndex = $numRecords - 1 )
        #foreach( $idx in [0..$maxIndex] )
        #set( $elem = $input.path("$.records[${idx}]") )
        #set( $elemJsonB64 = $util.base64Encode($input.json("$.records[${idx}].data")) )
        {
            "Data": "$elemJsonB64",
            "PartitionKey": #if( $elem.partitionKey != '')"$elem.partitionKey"#else"$elemJsonB64.length()"#end
        }#if($foreach.hasNext),#end
        #end
        #end
    ]
}"##;
    let input = body(
        r##"{"records": [{"data": {"foo": "bar1"}, "partitionKey": "k1"}, {"data": {"foo": "bar2"}, "partitionKey": ""}]}"##,
    );
    let out: Value = serde_json::from_str(&render_with(template, &input)).unwrap();
    let b64 = |s: &str| {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(s)
    };
    assert_eq!(
        out,
        json!({"StreamName": "stream-1", "Records": [
            {"Data": b64(r##"{"foo":"bar1"}"##), "PartitionKey": "k1"},
            {"Data": b64(r##"{"foo":"bar2"}"##), "PartitionKey": b64(r##"{"foo":"bar2"}"##).len().to_string()}
        ]})
    );
}

#[test]
fn parse_json_example() {
    let input = body(r##"{"errorMessage":"{\"key1\":\"var1\",\"key2\":{\"arr\":[1,2,3]}}"}"##);
    let template = r##"#set ($errorMessageObj = $util.parseJson($input.path('$.errorMessage')))
{
   "errorMessageObjKey2ArrVal" : $errorMessageObj.key2.arr[0]
}"##;
    assert_eq!(render_with(template, &input), "{\n   \"errorMessageObjKey2ArrVal\" : 1\n}");
}

#[test]
fn escape_javascript() {
    let input = body(r##"{"s": "He said \"it's\" a/b\\c\n\ttab é \u0001"}"##);
    assert_eq!(
        render_with("$util.escapeJavaScript($input.path('$.s'))", &input),
        r##"He said \"it\'s\" a\/b\\c\n\ttab \u00E9 \u0001"##
    );
    assert_eq!(render_with("[$util.escapeJavaScript('')]", &input), "[]");
    assert_eq!(stratus_vtl::escape_javascript("\u{1F600}"), "\\uD83D\\uDE00");
    // Commons Lang leaves DEL as it is.
    assert_eq!(stratus_vtl::escape_javascript("\u{7f}"), "\u{7f}");
    // The documented way to keep the result valid inside a JSON string.
    let template = r##"{"input": "$util.escapeJavaScript($input.path('$.s')).replaceAll("\\'","'")"}"##;
    let out: Value = serde_json::from_str(&render_with(template, &input)).unwrap();
    assert_eq!(out["input"], "He said \"it's\" a/b\\c\n\ttab é \u{1}");
}

#[test]
fn url_and_base64_utilities() {
    let input = Input::default();
    assert_eq!(render_with("$util.urlEncode('a b&c=d/é*~')", &input), "a+b%26c%3Dd%2F%C3%A9*%7E");
    assert_eq!(render_with("$util.urlDecode('a+b%26c%3Dd%2F%C3%A9')", &input), "a b&c=d/é");
    assert_eq!(render_with("$util.base64Encode('hello world')", &input), "aGVsbG8gd29ybGQ=");
    assert_eq!(render_with("$util.base64Decode('aGVsbG8gd29ybGQ=')", &input), "hello world");
    let err = try_render_with("$util.urlDecode('%zz')", &input).unwrap_err();
    assert!(err.message.contains("URLDecoder"), "{err}");
}

#[test]
fn stage_variables() {
    let mut input = Input::default();
    input.stage_variables.insert("url".into(), "example.com".into());
    assert_eq!(
        render_with("https://$stageVariables.url/x [$stageVariables.missing] $stageVariables.get('url')", &input),
        "https://example.com/x [] example.com"
    );
}

#[test]
fn override_status_code_from_the_integration_body() {
    let template = r##"#set($inputRoot = $input.path('$'))
$input.json("$")
#if($inputRoot.toString().contains("error"))
#set($context.responseOverride.status = 400)
#end"##;
    let error_body = r##"{"errors": [{"key": "GetPetRequest.petId", "message": "The value is out of range."}]}"##;
    let rendered = Template::parse(template).unwrap().render(&body(error_body)).unwrap();
    assert_eq!(rendered.overrides.status, Some(400));
    assert_eq!(
        rendered.body,
        "{\"errors\":[{\"key\":\"GetPetRequest.petId\",\"message\":\"The value is out of range.\"}]}\n"
    );
    let fine = Template::parse(template).unwrap().render(&body(r##"{"id": 1}"##)).unwrap();
    assert_eq!(fine.overrides.status, None);
}

#[test]
fn override_headers_querystring_and_path() {
    let template = r##"#set($context.requestOverride.header.header3 = $input.params('header1') + $input.params('header2'))
#set($context.requestOverride.querystring['filter[0][action]'] = "where")
#set($context.requestOverride.path.petId = "42")
#set($context.responseOverride.header.Content-Type = "application/xml")
#set($context.responseOverride.status = "201")
done"##;
    let mut input = Input::default();
    input.header.insert("header1".into(), "a".into());
    input.header.insert("header2".into(), "b".into());
    let rendered = Template::parse(template).unwrap().render(&input).unwrap();
    assert_eq!(rendered.body, "done");
    let o = rendered.overrides;
    assert_eq!(o.request_headers.get("header3").map(String::as_str), Some("ab"));
    assert_eq!(o.request_querystring.get("filter[0][action]").map(String::as_str), Some("where"));
    assert_eq!(o.request_path.get("petId").map(String::as_str), Some("42"));
    assert_eq!(o.response_headers.get("Content-Type").map(String::as_str), Some("application/xml"));
    assert_eq!(o.status, Some(201));
}

#[test]
fn an_override_may_be_applied_only_once() {
    // "Overrides are final ... If you try to override the same parameter multiple times, API
    // Gateway returns a 5XX response."
    let twice = "#set($context.responseOverride.status = 400)#set($context.responseOverride.status = 401)";
    let err = try_render_with(twice, &Input::default()).unwrap_err();
    assert!(err.message.contains("overridden more than once"), "{err}");
    assert_eq!((err.line, err.column), (Some(1), Some(50)));
    let headers = "#set($context.requestOverride.header.a = '1')#set($context.requestOverride.header['a'] = '2')";
    assert!(try_render_with(headers, &Input::default()).is_err());
    let distinct = "#set($context.requestOverride.header.a = '1')#set($context.requestOverride.header.b = '2')";
    let rendered = Template::parse(distinct).unwrap().render(&Input::default()).unwrap();
    assert_eq!(rendered.overrides.request_headers.len(), 2);
}

#[test]
fn overrides_set_by_the_request_template_are_visible_to_the_response_template() {
    let input =
        Input { context: json!({"requestOverride": {"path": {"p": "path one"}}, "stage": "dev"}), ..Input::default() };
    let template = "#if($context.requestOverride.path.p == 'path one')path was $context.requestOverride.path.p#{else}this is the else clause#end";
    let rendered = Template::parse(template).unwrap().render(&input).unwrap();
    assert_eq!(rendered.body, "path was path one");
    assert_eq!(rendered.overrides.request_path.get("p").map(String::as_str), Some("path one"));
}

#[test]
fn doubled_quotes_build_json_inside_a_string() {
    let template = r##"#set($foo = $input.params('foo'))
#set($context.requestOverride.querystring.Message = "{""foo"": ""$foo""}")"##;
    let mut input = Input::default();
    input.querystring.insert("foo".into(), "bar".into());
    let rendered = Template::parse(template).unwrap().render(&input).unwrap();
    assert_eq!(rendered.overrides.request_querystring.get("Message").map(String::as_str), Some(r##"{"foo": "bar"}"##));
}

#[test]
fn map_assignment_builds_a_json_body() {
    let template = r##"#set($map = {"foo": "bar", "nested": {"key": "nestedFoo"}})
#set($map.put = "putBar")
#set($result = {})
#set($d = $result.put("value", $map.foo))
#set($result.value2 = $map.put)
#set($result['value3'] = $map.nested.key)
{#foreach($k in $result.keySet())"$k": "$result.get($k)"#if($foreach.hasNext), #end#end}"##;
    let out: Value = serde_json::from_str(&render_with(template, &Input::default())).unwrap();
    // The body AWS returned for its map-assignment test (test_integration_mock_with_vtl_map_assignation).
    assert_eq!(out, json!({"value": "bar", "value2": "putBar", "value3": "nestedFoo"}));
}

#[test]
fn invalid_json_body_is_a_render_error_but_the_raw_body_still_renders() {
    let input = body("not json");
    let err = try_render_with("$input.path('$.a')", &input).unwrap_err();
    assert!(err.message.contains("Unable to parse the body as JSON"), "{err}");
    assert_eq!(render_with("$input.body", &input), "not json");
    let err = try_render_with("$input.json('$[?(@.a =~ /x/)]')", &body("{}")).unwrap_err();
    assert!(err.message.contains("Invalid JSONPath"), "{err}");
}

/// How `$input.path` results print, against the outputs AWS returned in LocalStack's
/// `test_input_path_template_formatting` recording (read from the shared reference data when
/// it is present). The templates are ours; the expected strings are AWS's.
#[test]
fn input_path_formatting_matches_aws_recordings() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/aws-reference/services/apigateway/test_apigateway_common.snapshot.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipping: {} is absent", path.display());
        return;
    };
    let snapshot: Value = serde_json::from_str(&text).unwrap();
    let recorded = &snapshot["tests/aws/services/apigateway/test_apigateway_common.py::TestApiGatewayCommon::test_input_path_template_formatting"]
        ["recorded-content"];
    let summary = r##"{"body": $input.path('$'), "nested": $input.path('$.nested'), "isNull": "#if($input.path('$') == $null)true#{else}false#end", "isEmptyString": "#if("$input.path('$')" == "")true#{else}false#end"}"##;
    let cases = [
        ("dict-response", r##"{"foo": "bar"}"##, "$input.path('$')"),
        ("json-list", r##"[{"foo": "bar"}]"##, "$input.path('$')"),
        ("nested-dict", r##"{"nested": {"foo": "bar"}}"##, "$input.path('$.nested')"),
        ("nested-list", r##"{"nested": [{"foo": "bar"}]}"##, "$input.path('$.nested')"),
        ("dict-in-list", r##"[{"foo": "bar"}]"##, "$input.path('$[0]')"),
        ("list-with-nested-list", r##"[[{"foo": "bar"}]]"##, "$input.path('$[0]')"),
        ("dict-with-nested-list", r##"{"foo": [{"nested": "bar"}]}"##, "$input.path('$')"),
        ("bigger-dict", r##"{"bigger": "dict", "to": "test", "with": "separators"}"##, "$input.path('$')"),
        ("to-string", r##"{"foo": "bar"}"##, "$input.path('$').toString()"),
        ("list-to-string", r##"{"list": [{"foo": "bar"}]}"##, "$input.path('$').toString()"),
        ("empty-body", "", summary),
        ("nested-empty-list", "[]", summary),
        ("nested-null-list", "null", summary),
    ];
    for (key, request_body, template) in cases {
        let expected = recorded[key].as_str().unwrap_or_else(|| panic!("no recording for {key}"));
        assert_eq!(render_with(template, &body(request_body)), expected, "{key}");
    }
}
