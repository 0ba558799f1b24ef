//! Java method semantics on template values: String, List, Map, numbers, and `toString`.

mod common;

use common::{render, try_render_with};
use stratus_vtl::Input;

#[test]
fn string_methods() {
    let t = "#set($s = ' Hello World ')$s.length()|$s.trim()|$s.toLowerCase()|$s.toUpperCase()|$s.isEmpty()";
    assert_eq!(render(t), "13|Hello World| hello world | HELLO WORLD |false");
    let t = "#set($s = 'abcabc')$s.indexOf('c')|$s.indexOf('c', 3)|$s.lastIndexOf('a')|$s.indexOf('z')|$s.charAt(1)";
    assert_eq!(render(t), "2|5|3|-1|b");
    let t =
        "#set($s = 'abcdef')$s.substring(2)|$s.substring(1, 3)|$s.contains('cd')|$s.startsWith('ab')|$s.endsWith('f')";
    assert_eq!(render(t), "cdef|bc|true|true|true");
    let t = "#set($s = 'a.b.c')$s.replace('.', '-')|$s.equals('a.b.c')|$s.equalsIgnoreCase('A.B.C')|$s.concat('!')";
    assert_eq!(render(t), "a-b-c|true|true|a.b.c!");
    assert_eq!(render("#set($s = 'abc')$s.compareTo('abd') $s.hashCode()"), "-1 96354");
}

#[test]
fn string_properties_use_bean_getters() {
    // `$s.empty` is isEmpty(); `$s.length` has no getter and is null.
    assert_eq!(render("#set($s = '')$s.empty|$s.length|"), "true||");
}

#[test]
fn java_regex_methods() {
    let t = r#"#set($s = 'a1b22c333')$s.replaceAll('[0-9]+', '#')|$s.replaceFirst('\d', 'X')|$s.matches('[a-c0-9]+')|$s.matches('a1')"#;
    assert_eq!(render(t), "a#b#c#|aXb22c333|true|false");
    assert_eq!(render(r#"#set($s = 'John Smith')$s.replaceAll('(\w+) (\w+)', '$2, $1')"#), "Smith, John");
    // Java reads the replacement only on a match; `$1` needs a group; `$10` is group 1 then 0.
    assert_eq!(render(r"#set($s = 'a,b')[$s.replaceAll('x', '\\$')][$s.replaceAll('(,)', '$10')]"), "[a,b][a,0b]");
    let err = try_render_with("#set($s = 'a,b')$s.replaceAll(',', '$1-')", &Input::default()).unwrap_err();
    assert_eq!(err.message, "java.lang.IndexOutOfBoundsException: No group 1");
    // AWS's documented idiom for undoing escapeJavaScript's \' in JSON.
    assert_eq!(render(r#"$util.escapeJavaScript("it's").replaceAll("\\'", "'")"#), "it's");
}

#[test]
fn split_follows_java() {
    let t = "#set($s = 'a,b,,c,,')#set($p = $s.split(','))$p.size() $p";
    assert_eq!(render(t), "4 [a, b, , c]");
    assert_eq!(render("#set($s = 'a1b2c')#set($p = $s.split('[0-9]', 2))$p"), "[a, b2c]");
    assert_eq!(render("#set($s = 'abc')#set($p = $s.split(''))$p"), "[a, b, c]");
    assert_eq!(render("#set($s = 'x y')#foreach($w in $s.split(' '))<$w>#end"), "<x><y>");
}

#[test]
fn string_index_errors_are_java_exceptions() {
    let err = try_render_with("#set($s = 'abc')$s.substring(2, 10)", &Input::default()).unwrap_err();
    assert_eq!(err.message, "java.lang.StringIndexOutOfBoundsException: begin 2, end 10, length 3");
    assert_eq!((err.line, err.column), (Some(1), Some(17)));
    let err = try_render_with("#set($s = 'abc')$s.charAt(5)", &Input::default()).unwrap_err();
    assert!(err.message.contains("StringIndexOutOfBoundsException"), "{err}");
}

#[test]
fn string_indices_count_utf16_units() {
    assert_eq!(render("#set($s = 'h\u{e9}\u{1F600}!')$s.length() $s.indexOf('!') $s.substring(1, 2)"), "5 4 \u{e9}");
    // Half a surrogate pair prints as `?`, as Java writes it.
    assert_eq!(render("#set($s = '\u{1F600}x')$s.substring(1) $s.charAt(0)"), "?x ?");
}

#[test]
fn list_methods() {
    let t = "#set($l = [1, 2])$l.add(3) $l.size() $l.get(2) $l.contains(2) $l.indexOf(3) $l.isEmpty() $l";
    assert_eq!(render(t), "true 3 3 true 2 false [1, 2, 3]");
    let t = "#set($l = ['a', 'b', 'c'])#set($r = $l.remove(0))$r $l|#set($ok = $l.remove('c'))$ok $l";
    assert_eq!(render(t), "a [b, c]|true [b]");
    let t = "#set($l = [1])#set($d = $l.addAll([2, 3]))$l|#set($d = $l.set(0, 9))$l $l.subList(1, 3)";
    assert_eq!(render(t), "[1, 2, 3]|[9, 2, 3] [2, 3]");
    let t = "#set($l = [1, 2])$l.add(0, 'x')$l|#set($l[1] = 'y')$l";
    assert_eq!(render(t), "[x, 1, 2]|[x, y, 2]");
    let err = try_render_with("#set($l = [1])$l.get(3)", &Input::default()).unwrap_err();
    assert_eq!(err.message, "java.lang.IndexOutOfBoundsException: Index 3 out of bounds for length 1");
}

#[test]
fn changing_a_collection_while_iterating_it_fails_as_in_java() {
    let err =
        try_render_with("#set($x = [1, 2])#foreach($i in $x)#set($d = $x.add(3))#end", &Input::default()).unwrap_err();
    assert_eq!(err.message, "java.util.ConcurrentModificationException");
    // An ArrayList whose new size equals the cursor just ends; replacing an item is no change.
    assert_eq!(render("#set($x = [1, 2, 3])#foreach($i in $x)$i#if($i == 2)#set($d = $x.remove(2))#end#end"), "12");
    assert_eq!(render("#set($x = [1, 2])#foreach($i in $x)$i#set($d = $x.set(0, 9))#end $x"), "12 [9, 2]");
    // A map's last entry ends the loop; updating an existing key is no change.
    assert_eq!(render("#set($m = {'a': 1})#foreach($v in $m)$v#set($d = $m.put('c', 3))#end"), "1");
    assert_eq!(render("#set($m = {'a': 1, 'b': 2})#foreach($v in $m)$v#set($d = $m.put('a', 3))#end"), "12");
}

#[test]
fn lists_are_shared_references() {
    assert_eq!(render("#set($a = [1])#set($b = $a)#set($d = $b.add(2))$a"), "[1, 2]");
    // Adding a list to itself copies its items first.
    assert_eq!(render("#set($a = [1, 2])#set($d = $a.addAll($a))$a"), "[1, 2, 1, 2]");
}

#[test]
fn map_methods() {
    let t = "#set($m = {'a': 1})#set($old = $m.put('b', 2))$m $m.size() $m.get('b') $m.containsKey('a') $m.containsKey('z')";
    assert_eq!(render(t), "{a=1, b=2} 2 2 true false");
    let t = "#set($m = {'a': 1, 'b': 2})$m.keySet() $m.values() $m.entrySet() $m.isEmpty() $m.containsValue(2)";
    assert_eq!(render(t), "[a, b] [1, 2] [a=1, b=2] false true");
    let t = "#set($m = {'a': 1, 'b': 2})#foreach($e in $m.entrySet())$e.key:$e.value;$e.getKey()=$e.getValue() #end";
    assert_eq!(render(t), "a:1;a=1 b:2;b=2 ");
    let t = "#set($m = {'a': 1})#set($r = $m.remove('a'))$r $m|#set($m.x = 'y')$m|#set($m['k'] = 'v')$m.k";
    assert_eq!(render(t), "1 {}|{x=y}|v");
    assert_eq!(render("#set($m = {'a': 1})$m.getOrDefault('z', 'dflt')"), "dflt");
}

#[test]
fn put_returns_the_previous_value() {
    assert_eq!(render("#set($m = {'a': 1})$m.put('a', 2) $m.put('n', 3)|$m"), "1 |{a=2, n=3}");
}

#[test]
fn a_map_holding_itself_fails_to_print_instead_of_looping() {
    let err = try_render_with("#set($m = {})#set($d = $m.put('self', $m))$m", &Input::default()).unwrap_err();
    assert!(err.message.contains("nesting"), "{err}");
}

#[test]
fn numbers_and_booleans() {
    assert_eq!(
        render("#set($f = 2.75)$f.intValue() $f.doubleValue()|#set($i = 3)$i.doubleValue() $i.toString()"),
        "2 2.75|3.0 3"
    );
    assert_eq!(render("#set($b = true)$b.toString() $b.equals(true) $b.booleanValue()"), "true true true");
}

#[test]
fn doubles_print_like_java() {
    assert_eq!(render("#set($a = 1.0)$a|#set($b = 100.0 * 100000)$b|#set($c = 1.0 / 10000)$c"), "1.0|1.0E7|1.0E-4");
    assert_eq!(render("#set($d = 0.5 * 3)$d|#set($e = 12345.678 * 1)$e"), "1.5|12345.678");
}

#[test]
fn unknown_methods_and_mismatched_arguments_yield_null() {
    assert_eq!(render("#set($s = 'x')[$s.noSuchMethod()][$s.length(1)]"), "[][]");
    // No overload takes these argument types, so Velocity finds no method.
    assert_eq!(render("#set($s = 'abc')[$s.substring('1')][$s.contains(1)]"), "[][]");
    assert_eq!(render("#set($l = [1])[$l.addAll({'a': 1})][$l.subList(5, 'b')][$l.get('0')]$l"), "[][][][1]");
    assert_eq!(render("#set($m = {})[$m.putAll([1])]$m"), "[]{}");
}

#[test]
fn void_methods_yield_an_empty_string() {
    assert_eq!(render("#set($l = [1])#set($r = $l.clear())[$r]$l"), "[][]");
    assert_eq!(render("#set($l = [1])#set($r = $l.add(0, 2))[$r]$l"), "[][2, 1]");
    assert_eq!(render("#set($m = {'a': 1})#set($r = $m.clear())[$r]$m"), "[]{}");
}
