//! JSONPath in `$input.json` and `$input.path`: selectors, definite and indefinite paths, and
//! filter expressions (API Gateway evaluates JSONPath as Jayway JsonPath does).

mod common;

use common::{body, render_with, try_render_with};

const STORE: &str = r#"{"store": {"book": [
  {"category": "reference", "author": "Nigel Rees", "title": "Sayings of the Century", "price": 8.95},
  {"category": "fiction", "author": "Evelyn Waugh", "title": "Sword of Honour", "price": 12.99},
  {"category": "fiction", "author": "Herman Melville", "title": "Moby Dick", "isbn": "0-553-21311-3", "price": 8.99},
  {"category": "fiction", "author": "J. R. R. Tolkien", "title": "The Lord of the Rings", "isbn": "0-395-19395-8", "price": 22.99}
], "bicycle": {"color": "red", "price": 19.95}}, "expensive": 10}"#;

fn json(path: &str) -> String {
    render_with(&format!("$input.json(\"{path}\")"), &body(STORE))
}

#[test]
fn definite_paths_select_one_value() {
    assert_eq!(json("$.store.bicycle.color"), r#""red""#);
    assert_eq!(json("$['store']['bicycle']['price']"), "19.95");
    assert_eq!(json("$.store.book[0].author"), r#""Nigel Rees""#);
    assert_eq!(json("$.store.book[-1].title"), r#""The Lord of the Rings""#);
    assert_eq!(json("$.store.book[9]"), "null");
}

#[test]
fn indefinite_paths_select_lists() {
    assert_eq!(json("$.store.book[*].price"), "[8.95,12.99,8.99,22.99]");
    assert_eq!(json("$..author").matches(',').count(), 3);
    assert_eq!(json("$.store.book[0,2].price"), "[8.95,8.99]");
    assert_eq!(json("$.store.book[1:3].price"), "[12.99,8.99]");
    assert_eq!(json("$.store.book[:1].price"), "[8.95]");
    assert_eq!(json("$.store.bicycle.*"), r#"["red",19.95]"#);
    assert_eq!(json("$..price"), "[8.95,12.99,8.99,22.99,19.95]");
}

#[test]
fn filters_compare_fields_with_literals_and_the_root() {
    assert_eq!(json("$.store.book[?(@.price < 10)].title"), r#"["Sayings of the Century","Moby Dick"]"#);
    assert_eq!(json("$.store.book[?(@.isbn)].price"), "[8.99,22.99]");
    assert_eq!(json("$.store.book[?(@.category == 'fiction' && @.price > 20)].author"), r#"["J. R. R. Tolkien"]"#);
    assert_eq!(json("$.store.book[?(@.price > $.expensive)].price"), "[12.99,22.99]");
    assert_eq!(json("$.store.book[?(!(@.category == 'fiction') || @.price >= 22.99)].price"), "[8.95,22.99]");
    assert_eq!(json("$.store.book[?(@.author != 'Nigel Rees')].price"), "[12.99,8.99,22.99]");
    assert_eq!(json("$..book[?(@.price == 8.99)].title"), r#"["Moby Dick"]"#);
}

#[test]
fn a_filtered_path_is_a_list_to_iterate() {
    let t = "#foreach($b in $input.path(\"$.store.book[?(@.price < 10)]\"))$b.title;#end";
    assert_eq!(render_with(t, &body(STORE)), "Sayings of the Century;Moby Dick;");
}

#[test]
fn unsupported_or_broken_paths_are_errors() {
    for path in ["store", "$.a[", "$[?(@.a =~ /x/)]", "$[?(@.a == )]", "$.a..", "$[?(@.a"] {
        let err = try_render_with(&format!("$input.json('{path}')"), &body("{}")).unwrap_err();
        assert!(err.message.starts_with(&format!("Invalid JSONPath '{path}'")), "{path}: {err}");
    }
}
