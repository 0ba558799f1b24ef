//! The Velocity 1.7 language: references, directives, literals, operators, escaping,
//! comments and the whitespace gobbling rules, each checked against Velocity's output.

mod common;

use common::{render, try_render_with};
use stratus_vtl::{Input, Template};

#[test]
fn references_in_all_their_forms() {
    assert_eq!(render("#set($a = 'x')$a ${a} $!a $!{a}"), "x x x x");
    assert_eq!(render("#set($a = 'x')${a}y"), "xy");
    assert_eq!(render("#set($m = {'k': {'n': 5}})$m.k.n $m['k']['n'] $m.get('k').get('n')"), "5 5 5");
    assert_eq!(render("#set($l = ['a', 'b'])$l[1] $l.get(0)"), "b a");
}

#[test]
fn an_unfinished_method_call_is_text() {
    assert_eq!(render("#set($x = 's')$x.length( and $x"), "$x.length( and s");
}

#[test]
fn undefined_references_render_as_written_unless_quiet() {
    assert_eq!(render("$foo ${foo} $foo.bar() [$!foo] [$!{foo.bar}]"), "$foo ${foo} $foo.bar() [] []");
    // Not a reference at all: `$` followed by a non-identifier.
    assert_eq!(render("cost: $5 and $ alone"), "cost: $5 and $ alone");
}

#[test]
fn null_renders_as_nothing() {
    // A defined variable whose property or method yields null renders empty (API Gateway).
    assert_eq!(render("#set($m = {})[$m.missing][$m.get('x')]"), "[][]");
}

#[test]
fn identifiers_may_contain_hyphens_as_in_velocity_1_7() {
    assert_eq!(render("#set($a-b = 1)$a-b"), "1");
    assert_eq!(render("#set($m = {})#set($m.Content-Type = 'json')$m"), "{Content-Type=json}");
}

#[test]
fn set_with_a_null_value_keeps_the_old_value() {
    assert_eq!(render("#set($a = 1)#set($a = $nothing)$a"), "1");
}

#[test]
fn if_elseif_else() {
    let t = "#foreach($n in [1, 2, 3])#if($n == 1)one#elseif($n == 2)two#{else}many#end;#end";
    assert_eq!(render(t), "one;two;many;");
    assert_eq!(render("#if(false)a#end|#if($undefined)b#else c#end"), "| c");
    // Velocity 1.7: a reference is true unless null or false; a literal other than `true`,
    // and arithmetic, count as false (their nodes do not evaluate).
    let t = "#set($e = '')#set($z = 0)#set($l = [])#if($e)e#end#if($z)z#end#if($l)l#end#if('x')x#end#if(1 + 1)n#end";
    assert_eq!(render(t), "ezl");
    assert_eq!(render("#if(!'x')a#end#if((true))b#end#set($v = 'x' && true)$v"), "abfalse");
    // `$true` and `$false` are the boolean literals inside an expression.
    assert_eq!(render("#if($true && !$false)t#end"), "t");
}

#[test]
fn foreach_scope_variables() {
    let t = "#foreach($x in ['a', 'b', 'c'])$foreach.index$foreach.count$velocityCount$x$foreach.hasNext,#end";
    assert_eq!(render(t), "011atrue,122btrue,233cfalse,");
    assert_eq!(render("#foreach($x in [1, 2])#if($foreach.first)F#end#if($foreach.last)L#end#end"), "FL");
    let t = "#foreach($i in [1..2])#foreach($j in [1..2])$foreach.index$foreach.parent.index#end;#end";
    assert_eq!(render(t), "0010;0111;");
}

#[test]
fn foreach_over_ranges_maps_and_nothing() {
    assert_eq!(render("#foreach($i in [1..4])$i#end"), "1234");
    assert_eq!(render("#foreach($i in [3..1])$i#end"), "321");
    assert_eq!(render("#set($n = 2)#foreach($i in [0..$n])$i#end"), "012");
    assert_eq!(render("#foreach($v in {'a': 1, 'b': 2})$v#end"), "12");
    assert_eq!(render("#foreach($v in $undefined)x#end."), ".");
}

#[test]
fn break_and_stop() {
    assert_eq!(render("#foreach($i in [1..5])#if($i == 3)#break#end$i#end!"), "12!");
    assert_eq!(render("a#stop b"), "a");
    assert_eq!(render("#foreach($i in [1..5])$i#if($i == 2)#stop#end#end!"), "12");
}

#[test]
fn break_with_a_scope_leaves_outer_loops() {
    assert_eq!(render("#foreach($i in [1..3])$i#break($foreach)#end."), "1.");
    let t = "#foreach($i in [1..3])#foreach($j in [1..3])$i$j#break($foreach.parent)#end#end.";
    assert_eq!(render(t), "11.");
}

#[test]
fn evaluate_renders_text_as_a_template_in_place() {
    let t = "#set($t = '$a')#set($a = 5)#evaluate($t) #evaluate('#set($b = 2)')$b #evaluate(\"#if(true)x#end\")";
    assert_eq!(render(t), "5 2 x");
    assert_eq!(render("#evaluate(\"#macro(ev)E#end#ev()\")"), "E");
    let err = try_render_with("#evaluate('#if(')", &Input::default()).unwrap_err();
    assert!(err.line.is_some(), "{err}");
}

#[test]
fn foreach_variable_is_restored_after_the_loop() {
    assert_eq!(render("#set($x = 'outer')#foreach($x in [1, 2])$x#end $x"), "12 outer");
}

#[test]
fn define_renders_its_block_when_referenced() {
    assert_eq!(
        render("#define($greet)Hi $name#end#set($name = 'Ann')$greet. #set($name = 'Bob')$greet."),
        "Hi Ann. Hi Bob."
    );
}

#[test]
fn macros_with_arguments() {
    assert_eq!(
        render("#macro(pair $k $v)\"$k\": \"$v\"#end{#pair('a' 1), #pair(\"b\", 2)}"),
        r#"{"a": "1", "b": "2"}"#
    );
    // A call to an unknown macro is text.
    assert_eq!(render("#nosuch('x') and #hashtag"), "#nosuch('x') and #hashtag");
}

#[test]
fn macro_arguments_that_are_undefined_keep_their_text() {
    // Velocity passes arguments by name: inside the macro the parameter renders as written.
    assert_eq!(render("#macro(q $p)[$p][$!p][$p.x]#end#q($undefined) #q($u.v)"), "[$undefined][][$p.x] [$u.v][][$p.x]");
    assert_eq!(render("#macro(q $p)#r($p)#end#macro(r $p)[$p]#end#q($undefined)"), "[$p]");
    assert_eq!(render("#macro(q $p)#if($p)t#{else}f#end#end#q($undefined)"), "f");
}

#[test]
fn calls_to_undefined_macros_are_text_with_their_line_end() {
    assert_eq!(render("#nomacro(1)\nx"), "#nomacro(1)\nx");
    assert_eq!(render("#mm(1)\n#macro(mm $p)[$p]#end#mm(2)\n"), "[1][2]");
}

#[test]
fn recursive_macros_are_bounded() {
    let err = try_render_with("#macro(r $n)#r($n)#end#r(1)", &Input::default()).unwrap_err();
    assert!(err.message.contains("too deep"), "{err}");
}

#[test]
fn comments_and_unparsed_content() {
    assert_eq!(render("a## comment\nb"), "ab");
    // Velocity 1.7 lexes `##` right after `$a.b` as text.
    assert_eq!(render("#set($m = {'k': 1})$m.k## c\n|$m## c\n|${m.k}## c\n"), "1## c\n|{k=1}|1");
    assert_eq!(render("a#* block\n comment *#b"), "ab");
    assert_eq!(render("#[[ $not #if(parsed) ]]#"), " $not #if(parsed) ");
}

#[test]
fn escaping_references_and_directives() {
    assert_eq!(render("#set($a = 'v')\\$a \\\\$a"), "$a \\v");
    // An escaped undefined reference keeps its backslash (Velocity 1.7).
    assert_eq!(render("\\$undefined"), "\\$undefined");
    assert_eq!(render("\\#if(true) \\#end"), "#if(true) #end");
    // Runs of backslashes, as Velocity 1.7 renders them.
    assert_eq!(render("#set($a = 'v')\\\\\\$a|\\\\\\\\$a"), "\\$a|\\\\v");
    assert_eq!(render("\\\\$u|\\\\\\$u|\\\\\\\\\\$u"), "\\\\$u|\\\\$u|\\\\\\$u");
    assert_eq!(render("\\\\#set($z = 1)$z|\\\\\\#set($z = 2)"), "\\\\1|\\#set(1 = 2)");
    assert_eq!(render("#macro(m)M#end\\#m()|\\\\#m()"), "#m()|\\M");
    // A quiet undefined reference after an even run is nothing; a lone `$` or `#` before an
    // escaped `#` or `\` disappears.
    assert_eq!(render("\\$!u|\\\\$!u"), "\\$!u|\\\\");
    assert_eq!(render("$\\#if|#\\#if|$\\x"), "#if|#if|$\\x");
    assert_eq!(render("a\\b \\n"), "a\\b \\n");
}

#[test]
fn string_literals() {
    assert_eq!(render("#set($n = 'N')#set($s = \"a $n b\")$s"), "a N b");
    assert_eq!(render("#set($n = 'N')#set($s = 'a $n b')$s"), "a $n b");
    assert_eq!(render("#set($s = \"say \"\"hi\"\"\")$s"), "say \"hi\"");
    assert_eq!(render("#set($s = 'it''s')$s"), "it's");
    assert_eq!(render("#set($s = \"#if(true)yes#end\")$s"), "yes");
    // A backslash is an ordinary character in a string literal.
    assert_eq!(render(r"#set($s = 'a\nb\')[$s]"), r"[a\nb\]");
}

#[test]
fn number_boolean_null_literals() {
    assert_eq!(render("#set($i = 42)#set($f = 1.5)#set($b = true)$i $f $b"), "42 1.5 true");
    assert_eq!(render("#set($d = 1.5e2)$d|#set($e = 2E-2)$e|#set($g = 1e3)$g"), "150.0|0.02|1000.0");
    assert_eq!(render("#set($x = 'kept')#set($x = null)$x"), "kept");
}

#[test]
fn list_map_and_range_literals_print_as_java() {
    assert_eq!(render("#set($l = [1, 'two', [3]])$l"), "[1, two, [3]]");
    assert_eq!(render("#set($m = {\"a\": 1, 'b': [2, 3], \"c\": {\"d\": true}})$m"), "{a=1, b=[2, 3], c={d=true}}");
    assert_eq!(render("#set($r = [1..3])$r $r.size()"), "[1, 2, 3] 3");
    assert_eq!(render("#set($e = [])#set($m = {})$e $m"), "[] {}");
}

#[test]
fn arithmetic_follows_java() {
    assert_eq!(render("#set($x = 7 / 2)$x|#set($y = 7.0 / 2)$y|#set($z = 7 % 3)$z"), "3|3.5|1");
    assert_eq!(render("#set($a = 2 + 3 * 4)$a|#set($b = (2 + 3) * 4)$b|#set($c = -5 + 1)$c"), "14|20|-4");
    assert_eq!(render("#set($d = 1.5 + 1)$d|#set($e = 10 - 0.25)$e"), "2.5|9.75");
    // Division by zero yields null, so #set leaves the variable alone.
    assert_eq!(render("#set($q = 'before')#set($q = 1 / 0)$q"), "before");
    assert_eq!(render("#set($s = 'a' + 1 + 2)$s|#set($t = 1 + 2 + 'a')$t"), "a12|3a");
}

#[test]
fn comparison_and_logic_in_symbols_and_words() {
    let t = "#if(1 < 2 && 2 <= 2 and 3 > 2 && 3 >= 3)a#end#if(1 lt 2 and 2 le 2 and 3 gt 2 and 3 ge 3)b#end";
    assert_eq!(render(t), "ab");
    assert_eq!(render("#if(1 == 1.0)c#end#if('1' == 1)d#end#if('a' eq 'a' and 'a' ne 'b')e#end"), "cde");
    assert_eq!(render("#if(!false && not false)f#end#if(false || true)g#end#if(false or false)h#end"), "fg");
    assert_eq!(render("#if($undefined == $alsoUndefined)i#end#if($undefined != 'x')j#end"), "ij");
}

#[test]
fn whitespace_gobbling_for_directive_lines() {
    // #set eats its indentation and line end; #if/#foreach eat the line end after `)`;
    // #else/#end eat theirs; indentation before other directives stays.
    let t = "a\n#set($x = 1)\nb\n#if(true)\nc\n#else\nd\n#end\ne\n";
    assert_eq!(render(t), "a\nb\nc\ne\n");
    let t = "[\n#foreach($i in [1, 2])\n  $i#if($foreach.hasNext),#end\n#end\n]";
    // `#end` eats the line end after the comma, as in Velocity (hence AWS's blank line).
    assert_eq!(render(t), "[\n  1,  2]");
    let t = "x\n    #if(true)\ny\n    #end\nz";
    assert_eq!(render(t), "x\n    y\n    z");
    assert_eq!(render("#if(true) inline #end!"), " inline !");
    // Spaces between another token (a reference, comment, escape, lone `$` or `#`) and #set
    // go with it; spaces after text (even after a line end) are part of the text.
    assert_eq!(
        render("x#* c *#  #set($a = 1)y|x## c\n  #set($a = 1)y|x\\ #set($a = 1)y|x$ #set($a = 1)y"),
        "xy|xy|x\\y|xy"
    );
    assert_eq!(render("#set($a = 1)$a #set($b = 2)$b|x #set($c = 3)$c"), "12|x 3");
    assert_eq!(render("a\n  #set($x = 1)\nb|#if(true)\n  #set($y = 1)\n#end\nc"), "a\n  b|c");
}

#[test]
fn parse_errors_report_line_and_column() {
    let err = Template::parse("line one\n#if($a\nmore").unwrap_err();
    assert_eq!(err.line, Some(3));
    assert!(err.to_string().contains("at line 3"), "{err}");
    let err = Template::parse("ok\n  #foreach($x in [1])x").unwrap_err();
    assert_eq!((err.line, err.column), (Some(2), Some(3)));
    assert!(err.message.contains("#end"), "{err}");
    let err = Template::parse("#end").unwrap_err();
    assert_eq!((err.line, err.column), (Some(1), Some(1)));
    let err = Template::parse("#set($a = \"open)").unwrap_err();
    assert!(err.message.contains("Unterminated string"), "{err}");
    assert!(Template::parse("#* never closed").is_err());
}

#[test]
fn templates_are_reusable_and_shareable_across_threads() {
    let template = std::sync::Arc::new(Template::parse("$input.params('n')").unwrap());
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let template = template.clone();
            std::thread::spawn(move || {
                let mut input = Input::default();
                input.querystring.insert("n".into(), i.to_string());
                template.render(&input).map(|r| r.body)
            })
        })
        .collect();
    let bodies: Vec<String> = handles.into_iter().map(|h| h.join().unwrap().unwrap()).collect();
    assert_eq!(bodies, ["0", "1", "2", "3"]);
}
