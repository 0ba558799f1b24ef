#!/usr/bin/env python3
"""Differential check of stratus-vtl against Apache Velocity 1.7 (the engine API Gateway runs).

A development tool, not part of CI. It needs a JDK and Debian's `velocity` package
(`apt-get install velocity default-jdk-headless`, which installs /usr/share/java/velocity.jar
and its commons-lang and commons-collections dependencies). Run it from anywhere:

    python3 crates/vtl/oracle/compare.py

It renders every case below with both engines (no request data) and prints each case whose
outputs differ, apart from the known, intended differences listed in KNOWN. Both engines
failing to parse counts as agreement. Exit status 1 when an unexpected difference remains.
"""

import os
import subprocess
import sys
import tempfile

JARS = ["velocity.jar", "commons-lang.jar", "commons-collections3.jar"]
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))

CASES = [
    # whitespace gobbling
    "a\n  #set($x = 1)\nb", "  #set($x = 1)\nb", "#if(true)\n  #set($a = 1)\n#end\nx", "$x  #set($a = 1)y",
    "#set($a = 1)  #set($b = 2)\n$a$b", "a\n\t#set($x = 1) \nb", "#set($a = 1)\n\n#set($b = 2)\nend",
    "x\n    #if(true)\ny\n    #end\nz", "#if(true) inline #end!", "#if(true)\nA\n#elseif(false)\nB\n#else\nC\n#end\nD",
    "#foreach($i in [1..2])\n$i\n#end\n", "#foreach($i in [1..2])  \n$i\n#end  \nX", "#macro(m $a)\n[$a]\n#end\n#m(1)\n#m(2) x\n",
    "#define($d)\nD\n#end\n$d$d", "## c\nx## c2\ny", "a #* c *# b\n#* c\n*#\nc", "#[[ $a ]]#\nz", "$x\n  #set($a = 1)\nb",
    "a  #set($a = 1)b", "  #set($a = 1)  \nb", "#set($a = 1)\n  \n#set($b = 1)\nz", "a\n  #if(true)\nb\n  #end\nc",
    "## comment\n  #set($a = 1)\nb", "#* c *#  #set($a = 1)\nb", "#macro(m)M#end  #m()\nx", "#macro(m)M#end\n  #m()\nx",
    "#if(true)\n  #else\n  #end\nx", "#if(false)\n  #else\n  y\n  #end\nx", "[\n#foreach($i in [1, 2])\n  $i#if($foreach.hasNext),#end\n#end\n]",
    # references and escapes
    "$a $!a ${a} $!{a} $a.b $a.b() $a[0]", "#set($a = 'v')" + "|".join("\\" * n + "$a" for n in range(1, 6)),
    "|".join("\\" * n + "$undef" for n in range(1, 6)), "#set($a = 'v')" + "|".join("\\" * n + "$!a" for n in range(1, 4)),
    "|".join("\\" * n + "#set($z = 1)$z" for n in range(1, 6)), "#macro(mx)M#end" + "|".join("\\" * n + "#mx()" for n in range(1, 5)),
    "\\#foo \\\\#foo", "a\\\\b", "\\", "#set($a = 1)\\$a.b()", "$x-$y", "#set($a-b = 3)$a-b", "$!{foo}bar ${foo}bar",
    # literals
    '#set($a = "x")#set($b = "$a $a")$b', "#set($a = 'x')#set($b = '$a')$b", '#set($s = "say ""hi""")$s', "#set($s = 'it''s')$s",
    '#set($s = "\\n\\t")[$s]', "#set($s = '\\n')[$s]", '#set($x = "#if(true)yes#end")$x', '#set($s = "${a}x")$s',
    '#set($m = {"a": 1, "b": [1, 2]})$m $m.a $m.b', '#set($l = [1, "a", 2.5, true])$l', "#set($a = [1..3])$a",
    "#set($a = [1..0])$a #set($b = [0..0])$b", "#set($i = 3)#set($r = [$i..1])$r", '#set($m = {1: "one"})$m $m.get(1)',
    "#set($d = 1e3)$d", "#set($d = 1.5e2)$d #set($e = 2E-2)$e", "#set($a = -5)$a #set($b = 3 - -2)$b",
    # numbers
    "#set($x = 7 / 2)$x #set($y = 7.0 / 2)$y", "#set($x = 1 / 0)$x", '#set($s = "a" + 1)$s', "#set($x = 10 % 3)$x #set($y = -7 / 2)$y #set($z = -7 % 3)$z",
    "#set($f = 100.0 * 100000)$f #set($g = 1.0 / 10000)$g", "#set($x = 0.1 + 0.2)$x #set($y = 1.0 * 3)$y #set($z = 3 * 1.5)$z",
    "#set($f = 1.0)$f #set($g = 10000000.0)$g #set($h = 0.001)$h #set($i = 0.0001)$i #set($j = 123456789.123)$j", "#set($f = -0.0)$f #set($g = 1.0E10)$g",
    # conditions
    "#if($a == $b)eq#end", '#if("1" == 1)eq#end', "#if(1 == 1.0)eq#end", "#if($true)x#end", "#if ($true)x#end", "#if ( false )x#end",
    '#if("")a#end#if("x")b#end#if(\'x\')c#end#if(1)d#end#if(0)e#end#if([1])f#end#if({})g#end#if(1.5)h#end',
    '#set($s = "x")#if($s)a#end#set($e = "")#if($e)b#end#set($l = [])#if($l)c#end#set($z = 0)#if($z)d#end',
    '#if(!1)a#end#if(!$x)b#end#if(!"x")c#end', '#if("a" && true)a#end#if(true && "a")b#end#if(1 || false)c#end',
    '#set($b = "x" && true)$b #set($c = !"x")$c', '#if($a == $b && "x")t#end', "#if(1 + 1)a#end#if(-1)b#end#if([1..2])c#end#if((true))d#end#if((1))e#end#if(1 == 1)f#end",
    '#set($t = true)#set($v = $t && $t)$v #set($w = $t || "x")$w #set($n = !$t)$n', '#set($s = "x")#if("$s")a#end#if($s == "x")b#end',
    "#if(1 < 2.5)a#end#if(2 > \"1\")b#end#if(\"a\" < \"b\")c#end", '#if([1] == [1])a#end#if({"a": 1} == {"a": 1})b#end#if(true == "true")d#end',
    "#if(true and false or true)y#end", "#set($b = !true)$b #set($c = not false)$c", "#set($a = 1)#set($a = $null)$a",
    # loops, macros, define
    "#foreach($i in [1..3])$velocityCount $foreach.index $foreach.count $foreach.hasNext $foreach.first $foreach.last;#end",
    "#foreach($i in [3..1])$i#end", '#foreach($i in {"a": 1, "b": 2})$i#end', "#foreach($i in [1..3])#if($i == 2)#break#end$i#end",
    "#foreach($i in [1..2])#foreach($j in [1..2])$velocityCount#end;#end", "#foreach($i in [1..2])#foreach($j in [1..2])$foreach.index$foreach.parent.index#end;#end",
    "#foreach($i in [1..3])#foreach($j in [1..3])#if($j == 2)#break#end$i$j #end#end", '#foreach($x in "abc")$x#end.', "#foreach($x in 5)$x#end.",
    "#macro(m $a $b)[$a|$b]#end#m(1)#m(1 2)#m(\"x\", \"y\")#m(1 2 3)", "#macro(m $a)#set($a = 5)$a#end#set($x = 1)#m($x) $x",
    "#macro(m)#set($inside = 1)#end#m()$inside", "#macro(outer)#foreach($i in [1..2])#inner($i)#end#end#macro(inner $v)<$v>#end#outer()",
    "#macro(m)a#stop b#end#m() c", "#define($d)D$x#end#set($x = 1)$d #set($x = 2)$d", "#if(true)#break#end x", "#stop\nx",
    "#foreach($i in [1..3])$i#break($foreach)#end.", "#foreach($i in [1..3])#foreach($j in [1..3])$i$j#break($foreach.parent)#end#end.",
    '#set($t = "$a")#set($a = 5)#evaluate($t) #evaluate("#set($b = 2)")$b #evaluate(\'$a$a\')', '#evaluate("#if(true)x#end")',
    '#evaluate("#macro(ev)E#end#ev()")', "#foreach($i in [1..3])$i#if($i == 2)#break#end\n#end",
    "x\\ #set($a = 1)y", "x#[[r]]#  #set($a = 1)y", "x#* c *#  #set($a = 1)y", "x## c\n  #set($a = 1)y", "x$ #set($a = 1)y",
    "x# #set($a = 1)y", "x\\\\ #set($a = 1)y", "#mm(1)\n#macro(mm $p)[$p]#end#mm(2)\n", "#nomacro(1)\nx", "\\#nomacro('q')",
    "$a.b## c\nx", "$a.b()## c\nx", "${a.b}## c\nx", "$a## c\nx", "$a.b#* c *#x", "$a[0]## c\nx", '#set($m = {"k": 1})$m.k## c\nx',
    "$foreach.hasNext(", '#set($x = "s")$x.length(', "#macro(q $p)[$p]#end#q($undefined) #q($u.v) #q(\"$undefined\")",
    "#macro(q $p)#r($p)#end#macro(r $p)[$p]#end#q($undefined)", "#macro(q $p)[$!p]#end#q($undefined)",
    "#macro(q $p)[$p.x]#end#q($undefined)", "#macro(q $p)#if($p)t#{else}f#end#end#q($undefined)",
    "\\$!u|\\\\$!u|\\\\\\$!u|\\\\\\\\$!u", "$\\#if|#\\#if|$\\\\|#\\\\|$\\x|#\\x|$\\$a", "#set($a = 1)\\$!a|\\\\$!a|\\\\\\$!a",
    "\\${u}|\\\\${u}|\\$!{u}",
    # Java methods
    '#set($s = "hello")$s.substring(1,3) $s.length() $s.toUpperCase() $s.charAt(0) $s.replaceAll("l+", "L")',
    '#set($s = "abc")$s.indexOf("b", 5) $s.lastIndexOf("c") $s.contains("") $s.startsWith("") $s.matches("a.c")',
    '#set($s = "  x  ")[$s.trim()] $s.length() $s.isEmpty()', '#set($s = "a-b-c")$s.replace("-", "+") $s.replaceFirst("-", "") $s.toUpperCase()',
    '#set($s = "Hello")$s.equals("Hello") $s.equalsIgnoreCase("hello") $s.compareTo("Help") $s.hashCode()',
    '#set($l = ["b", "a"])$l.contains("a") $l.indexOf("a") $l.isEmpty() $l.size()', "#set($l = [1, 2, 3])$l.remove(1) $l",
    '#set($m = {"a": 1})$m.containsKey("a") $m.containsValue(1) $m.size() $m.isEmpty() $m.remove("a") $m',
    '#set($m = {"a": {"b": 1}})#set($m.a.b = 2)$m', "#set($l = [[1, 2], [3]])$l[0][1] $l.get(1).get(0)", '#set($m = {})#set($m.k = "v")$m',
    "#set($l = [1,2])#set($l[0] = 9)$l", "#set($e = [])$e.add(1)$e", '#set($m = {"k": "v"})$m.k $m["k"] $m.get("k")',
    "#set($x = [1, 2])#foreach($i in $x)$i#set($d = $x.add(3))#end", "#set($x = [1, 2, 3])#foreach($i in $x)$i#if($i == 2)#set($d = $x.remove(2))#end#end",
    "#set($x = [1, 2, 3])#foreach($i in $x)$i#set($d = $x.set(0, 9))#end$x", '#set($m = {"a": 1, "b": 2})#foreach($v in $m)$v#set($d = $m.put("c", 3))#end',
    '#set($m = {"a": 1, "b": 2})#foreach($v in $m)$v#set($d = $m.put("a", 3))#end', '#set($m = {"a": 1})#foreach($v in $m)$v#set($d = $m.put("c", 3))#end',
    "#set($x = [1, 2])#foreach($i in $x)$i#set($d = $x.add(3))#break#end$x",
    "#set($l = [1])#set($r = $l.clear())[$r]$l", "#set($l = [1])#set($r = $l.add(0, 2))[$r]$l", "#set($m = {'a': 1})#set($r = $m.clear())[$r]$m",
    '#set($m = {"zeta": 1, "alpha": 2, "Content-Type": 4})$m $m.keySet()',
    "#set($s = 'a,b')[$s.replaceAll('x', '\\\\$')][$s.replaceAll(',', '$1-')][$s.replaceAll('(,)', '$10')][$s.replaceAll('(a)', '$1$1')]",
    "#set($s = '\U0001F600x')[$s.substring(1)][$s.charAt(0)][$s.length()][$s.indexOf('x')]",
    # $util
    "$util.escapeJavaScript(\"it's \"\"q\"\" a/b \\ \t\n\r\f\b \u0001\u001f\u007f\u0080\u00e9\u0100\u0fff\u1000\u20ac\U0001F600\")",
    "[$util.escapeJavaScript('')] [$util.escapeJavaScript(' ')]",
    "$util.urlEncode('a b&c=d/\u00e9*~-_.!()') $util.urlDecode('a+b%26c%3D%C3%A9%7e')",
    "$util.base64Encode('hello \u00e9') $util.base64Decode('aGVsbG8gw6k=')",
]

# Cases where stratus-vtl deliberately differs from stock Velocity 1.7.
KNOWN = {
    # API Gateway renders a null value as nothing; stock Velocity writes the reference text.
    "#set($s = \"x\")$s.foo()": "null renders empty",
    "#set($s = 'abc')[$s.substring('1')][$s.contains(1)]": "no such overload: null renders empty",
    "#set($l = [1])[$l.addAll({'a': 1})][$l.subList(5, 'b')]$l": "no such overload: null renders empty",
    # Lenient parsing: a stray `$`, `#` or unclosed macro call at the end is text, not an error.
    "a$": "lenient", "a#": "lenient",
    # Java's String[] prints as `[Ljava.lang.String;@...`; split returns a printable list here.
    '#set($s = "a,b,,c,,")#set($p = $s.split(","))$p $p.size()': "split returns a list",
    # Long overflow widens to BigInteger in Java, to a double here.
    "#set($x = 9223372036854775807 + 1)$x": "no BigInteger",
    # Macro arguments are evaluated once (by value); only an undefined one keeps its name.
    "#macro(m $a)[$a][$a]#end#set($l = [])#m($l.add(1)) $l": "call by value",
}


def run(command, **kwargs):
    return subprocess.run(command, check=True, **kwargs)


def main():
    os.chdir(ROOT)
    classpath = ":".join(os.path.join("/usr/share/java", jar) for jar in JARS)
    cases = CASES + [case for case in KNOWN if case not in CASES]
    with tempfile.TemporaryDirectory() as tmp:
        run(["javac", "-d", tmp, "-cp", classpath, os.path.join(HERE, "Oracle.java")])
        run(["cargo", "build", "-q", "-p", "stratus-vtl", "--example", "render_batch"])
        target = os.environ.get("CARGO_TARGET_DIR", "target")
        cases_file = os.path.join(tmp, "cases")
        with open(cases_file, "w", encoding="utf-8") as f:
            f.write("\0".join(cases))
        java_out, rust_out = os.path.join(tmp, "java"), os.path.join(tmp, "rust")
        run(["java", "-cp", f"{classpath}:{tmp}", "Oracle", cases_file, java_out])
        run([os.path.join(target, "debug", "examples", "render_batch"), cases_file, rust_out])
        with open(java_out, encoding="utf-8") as f:
            java = f.read().split("\0")
        with open(rust_out, encoding="utf-8") as f:
            rust = f.read().split("\0")
    unexpected = 0
    for case, expected, actual in zip(cases, java, rust):
        same = expected == actual or (expected.startswith("ERROR") and actual.startswith("ERROR"))
        if not same and case not in KNOWN:
            unexpected += 1
            print(f"case:     {case!r}\nvelocity: {expected!r}\nvtl:      {actual!r}\n")
    print(f"{len(cases) - unexpected}/{len(cases)} cases agree or differ as intended")
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
