"""Lambda layers through boto3 against a real `stratus serve`: a function
sees its layers where AWS puts `/opt` on its search paths (PATH, NODE_PATH,
PYTHONPATH); Stratus has no `/opt`, so the merged layers live in a directory
of their own, named by STRATUS_LAMBDA_OPT."""

import json

from test_lambda import ROLE, name, zip_of


def publish(lam, files, **kw):
    return lam.publish_layer_version(LayerName=name("layer"), Content={"ZipFile": zip_of(files)}, **kw)


def invoke(lam, fn, event):
    out = lam.invoke(FunctionName=fn, Payload=json.dumps(event).encode())
    assert "FunctionError" not in out, out["Payload"].read()
    return json.loads(out["Payload"].read())


PY_CALLS_BIN = '''
import os, subprocess
def handler(event, context):
    out = subprocess.run(["greet", event["who"]], capture_output=True, text=True, check=True).stdout
    return {"out": out, "opt": os.environ["STRATUS_LAMBDA_OPT"], "path": os.environ["PATH"],
            "ld": os.environ["LD_LIBRARY_PATH"]}
'''


def test_layer_executable_in_bin_is_on_path(client):
    lam = client("lambda")
    tool = publish(lam, [("bin/greet", '#!/bin/sh\necho "hello $1 from the layer"\n', 0o755),
                         ("lib/libfake.so", "not really a library", 0o644)])
    fn = name("layer-bin")
    lam.create_function(FunctionName=fn, Runtime="python3.12", Role=ROLE, Handler="app.handler",
                        Code={"ZipFile": zip_of([("app.py", PY_CALLS_BIN, 0o644)])},
                        Layers=[tool["LayerVersionArn"]])
    got = invoke(lam, fn, {"who": "ana"})
    assert got["out"] == "hello ana from the layer\n"
    opt = got["opt"]
    # AWS: PATH ends with /opt/bin, LD_LIBRARY_PATH with /opt/lib.
    assert got["path"].split(":")[-1] == f"{opt}/bin"
    assert got["ld"].split(":")[-1] == f"{opt}/lib"


def test_later_layer_replaces_an_earlier_layers_file(client):
    lam = client("lambda")
    first = publish(lam, [("bin/greet", "#!/bin/sh\necho first\n", 0o755)])
    second = publish(lam, [("bin/greet", "#!/bin/sh\necho second\n", 0o755)])
    fn = name("layer-order")
    lam.create_function(FunctionName=fn, Runtime="python3.12", Role=ROLE, Handler="app.handler",
                        Code={"ZipFile": zip_of([("app.py", PY_CALLS_BIN, 0o644)])},
                        Layers=[first["LayerVersionArn"], second["LayerVersionArn"]])
    assert invoke(lam, fn, {"who": "x"})["out"] == "second\n"


NODE_APP = '''
const greeter = require("greeter");
const versioned = require("versioned");
exports.handler = async (event) => ({ greeting: greeter.greet(event.who), versioned: versioned.name,
                                      nodePath: process.env.NODE_PATH });
'''


def test_node_function_requires_a_module_from_a_layer(client):
    lam = client("lambda")
    mods = publish(lam, [
        ("nodejs/node_modules/greeter/index.js", 'exports.greet = (w) => "hi " + w + " from a layer";', 0o644),
        ("nodejs/node20/node_modules/versioned/index.js", 'exports.name = "node20 modules";', 0o644),
    ], CompatibleRuntimes=["nodejs20.x"])
    fn = name("layer-node")
    lam.create_function(FunctionName=fn, Runtime="nodejs20.x", Role=ROLE, Handler="index.handler",
                        Code={"ZipFile": zip_of([("index.js", NODE_APP, 0o644)])},
                        Layers=[mods["LayerVersionArn"]])
    got = invoke(lam, fn, {"who": "bo"})
    assert got["greeting"] == "hi bo from a layer"
    assert got["versioned"] == "node20 modules"
    # AWS: /opt/nodejs/node20/node_modules before /opt/nodejs/node_modules.
    parts = got["nodePath"].split(":")
    assert parts[0].endswith("/nodejs/node20/node_modules")
    assert parts[1].endswith("/nodejs/node_modules")


PY_IMPORTS = '''
import plain, sitepkg
def handler(event, context):
    return {"plain": plain.WHO, "site": sitepkg.WHO}
'''


def test_python_function_imports_from_both_layer_directories(client):
    lam = client("lambda")
    lib = publish(lam, [
        ("python/plain.py", 'WHO = "python/"', 0o644),
        ("python/lib/python3.12/site-packages/sitepkg/__init__.py", 'WHO = "site-packages"', 0o644),
    ])
    fn = name("layer-py")
    lam.create_function(FunctionName=fn, Runtime="python3.12", Role=ROLE, Handler="app.handler",
                        Code={"ZipFile": zip_of([("app.py", PY_IMPORTS, 0o644)])},
                        Layers=[lib["LayerVersionArn"]])
    assert invoke(lam, fn, {}) == {"plain": "python/", "site": "site-packages"}


def test_layer_added_by_update_configuration_reaches_new_environments(client):
    lam = client("lambda")
    tool = publish(lam, [("bin/greet", "#!/bin/sh\necho late\n", 0o755)])
    fn = name("layer-late")
    lam.create_function(FunctionName=fn, Runtime="python3.12", Role=ROLE, Handler="app.handler",
                        Code={"ZipFile": zip_of([("app.py", PY_CALLS_BIN.replace('os.environ["STRATUS_LAMBDA_OPT"]',
                                                                                     'os.environ.get("STRATUS_LAMBDA_OPT")'), 0o644)])})
    out = lam.invoke(FunctionName=fn, Payload=b'{"who": "x"}')
    assert out["FunctionError"] == "Unhandled"
    assert json.loads(out["Payload"].read())["errorType"] == "FileNotFoundError"
    lam.update_function_configuration(FunctionName=fn, Layers=[tool["LayerVersionArn"]])
    assert invoke(lam, fn, {"who": "x"})["out"] == "late\n"
