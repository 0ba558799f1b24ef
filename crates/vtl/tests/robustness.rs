//! No input makes the engine panic or run unbounded: garbled templates from a deterministic
//! generator, and templates written to exhaust time, memory or the stack, give errors.

mod common;

use common::{body, try_render_with};
use stratus_vtl::{Input, Template};

/// Fragments that exercise every part of the grammar, including broken pieces.
const FRAGMENTS: &[&str] = &[
    "$",
    "$!",
    "${",
    "}",
    "$a",
    "$a.b",
    "$a.b(",
    ")",
    "(",
    "[",
    "]",
    "$a[0]",
    "#set(",
    "#set($a = ",
    "#if(",
    "#elseif(",
    "#else",
    "#end",
    "#{end}",
    "#foreach($i in ",
    "[1..3]",
    "#break",
    "#stop",
    "#define($d)",
    "#macro(m $x)",
    "#m(",
    "##",
    "#*",
    "*#",
    "#[[",
    "]]#",
    "\\",
    "\\$a",
    "\\#if",
    "\"",
    "'",
    "\"$a\"",
    "'x'",
    "1",
    "2.5",
    "-",
    "+",
    "*",
    "/",
    "%",
    "==",
    "!=",
    "<",
    ">=",
    "&&",
    "||",
    "!",
    "and",
    "not",
    "true",
    "null",
    "{",
    ":",
    ",",
    "{'k': 1}",
    "\n",
    " ",
    "text",
    "$input.path('$')",
    "$input.json('$.a')",
    "$util.escapeJavaScript(",
    "$context.requestOverride.header.x",
    "$input.params()",
    "$util.parseJson('{')",
    "$foreach.hasNext",
    "$velocityCount",
    "é",
    "\u{1F600}",
];

/// Knuth's MMIX linear congruential generator, so the corpus is the same on every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

#[test]
fn garbled_templates_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let input = body(r#"{"a": [1, {"b": "c"}], "s": "x"}"#);
    let mut rendered = 0;
    for _ in 0..4000 {
        let len = 1 + rng.below(24);
        let template: String = (0..len).map(|_| FRAGMENTS[rng.below(FRAGMENTS.len())]).collect();
        if let Ok(parsed) = Template::parse(&template) {
            let _ = parsed.render(&input);
            rendered += 1;
        }
    }
    assert!(rendered > 100, "the generator should produce some valid templates, got {rendered}");
}

#[test]
fn random_characters_never_panic() {
    let mut rng = Rng(42);
    let alphabet: Vec<char> = "$#!{}[]()\\\"'.,:=<>&|+-*/% \n\tabcdefin0123456789".chars().collect();
    for _ in 0..4000 {
        let len = rng.below(40);
        let template: String = (0..len).map(|_| alphabet[rng.below(alphabet.len())]).collect();
        if let Ok(parsed) = Template::parse(&template) {
            let _ = parsed.render(&Input::default());
        }
    }
}

fn render_error(template: &str) -> String {
    match try_render_with(template, &Input::default()) {
        Ok(rendered) => panic!("expected an error, rendered {} bytes", rendered.body.len()),
        Err(e) => e.message,
    }
}

#[test]
fn huge_ranges_are_refused() {
    assert!(render_error("#foreach($i in [0..2000000000])x#end").contains("range"));
}

#[test]
fn nested_loops_run_out_of_budget() {
    let message =
        render_error("#foreach($i in [1..1000])#foreach($j in [1..1000])#foreach($k in [1..1000])#end#end#end");
    assert!(message.contains("budget"), "{message}");
}

#[test]
fn doubling_strings_hit_the_size_limit() {
    let message = render_error("#set($s = 'xxxxxxxxxxxxxxxx')#foreach($i in [1..40])#set($s = \"$s$s\")#end");
    assert!(message.contains("bytes"), "{message}");
}

#[test]
fn output_is_capped() {
    let message = render_error(
        "#set($s = 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx')#foreach($i in [1..1000000])$s#end",
    );
    assert!(message.contains("bytes") || message.contains("budget"), "{message}");
}

#[test]
fn growing_collections_are_capped() {
    let message = render_error("#set($l = [1])#foreach($i in [1..30])#set($d = $l.addAll($l))#end");
    assert!(message.contains("items"), "{message}");
}

#[test]
fn deep_nesting_is_a_parse_error_not_a_stack_overflow() {
    let deep_ifs = "#if(true)".repeat(5000) + &"#end".repeat(5000);
    assert!(Template::parse(&deep_ifs).unwrap_err().message.contains("nesting"));
    let deep_parens = format!("#set($a = {}1{})", "(".repeat(5000), ")".repeat(5000));
    assert!(Template::parse(&deep_parens).unwrap_err().message.contains("nesting"));
    let deep_not = format!("#set($a = {}true)", "!".repeat(5000));
    assert!(Template::parse(&deep_not).unwrap_err().message.contains("nesting"));
}

#[test]
fn mutually_recursive_defines_are_bounded() {
    let message = render_error("#define($a)$b#end#define($b)$a#end$a");
    assert!(message.contains("too deep"), "{message}");
}

#[test]
fn self_evaluating_text_is_bounded() {
    let message = render_error("#set($t = '#evaluate($t)')#evaluate($t)");
    assert!(message.contains("too deep"), "{message}");
}

#[test]
fn deeply_nested_jsonpath_filters_are_errors() {
    let parens = format!("$input.json('$[?({}@.a{})]')", "(".repeat(5000), ")".repeat(5000));
    assert!(render_error_with_body(&parens).contains("Invalid JSONPath"));
    let nested = format!("$input.json('$[?(@{}.a{})]')", "[?(@".repeat(50), ")]".repeat(50));
    assert!(render_error_with_body(&nested).contains("Invalid JSONPath"));
}

fn render_error_with_body(template: &str) -> String {
    match try_render_with(template, &body("[{\"a\": 1}]")) {
        Ok(rendered) => panic!("expected an error, rendered {:?}", rendered.body),
        Err(e) => e.message,
    }
}

#[test]
fn deeply_nested_json_bodies_are_handled() {
    let nested = "[".repeat(100) + &"]".repeat(100);
    let _ = try_render_with("$input.path('$') $input.json('$..*')", &body(&nested));
}
