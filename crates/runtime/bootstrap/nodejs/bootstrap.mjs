// Stratus's managed runtime for Node.js functions: loads the handler named
// by _HANDLER from LAMBDA_TASK_ROOT (ES modules and CommonJS, async and
// callback style) and serves events from the Lambda Runtime API, giving
// handlers the event and context AWS gives them.
import http from "node:http";
import path from "node:path";
import fs from "node:fs";
import util from "node:util";
import { pathToFileURL } from "node:url";

const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(":");
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const root = process.env.LAMBDA_TASK_ROOT || process.cwd();
let currentRequestId = "";

for (const [level, name] of [["log", "INFO"], ["info", "INFO"], ["warn", "WARN"], ["error", "ERROR"], ["debug", "DEBUG"], ["trace", "TRACE"]]) {
  console[level] = (...args) => {
    const line = `${new Date().toISOString()}\t${currentRequestId || "undefined"}\t${name}\t${util.format(...args)}`;
    process.stdout.write(line.replace(/\n/g, "\r") + "\n");
  };
}

function req(method, p, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const r = http.request({ host, port, method, path: "/2018-06-01/runtime/" + p, agent, headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    });
    r.on("error", reject);
    if (body !== undefined) r.write(body);
    r.end();
  });
}

const errBody = (e, type) => JSON.stringify({
  errorType: type ?? e?.name ?? "Error",
  errorMessage: String(e?.message ?? e),
  trace: String(e?.stack ?? "").split("\n"),
});

async function load() {
  const h = process.env._HANDLER || "";
  const i = h.lastIndexOf(".");
  if (i < 1) throw Object.assign(new Error(`Bad handler ${h}`), { name: "Runtime.MalformedHandlerName" });
  const [mod, fn] = [h.slice(0, i), h.slice(i + 1)];
  let m;
  for (const ext of [".mjs", ".js", ".cjs"]) {
    const file = path.join(root, mod + ext);
    if (fs.existsSync(file)) { m = await import(pathToFileURL(file).href); break; }
  }
  if (!m) throw Object.assign(new Error(`Cannot find module '${mod}'`), { name: "Runtime.ImportModuleError" });
  const handler = m[fn] ?? m.default?.[fn];
  if (typeof handler !== "function") {
    throw Object.assign(new Error(`${h} is undefined or not exported`), { name: "Runtime.HandlerNotFound" });
  }
  return handler;
}

function call(handler, event, context) {
  return new Promise((resolve, reject) => {
    let done = false;
    const callback = (err, result) => {
      if (done) return; done = true;
      err ? reject(err) : resolve(result);
    };
    try {
      const r = handler(event, context, callback);
      if (r && typeof r.then === "function") r.then((v) => callback(null, v), (e) => callback(e));
      else if (handler.length < 3) callback(null, r);
    } catch (e) { callback(e); }
  });
}

let handler;
try {
  handler = await load();
} catch (e) {
  const type = e?.name?.startsWith("Runtime.") ? e.name : "Runtime.ImportModuleError";
  console.error(errBody(e, type));
  await req("POST", "init/error", errBody(e, type), { "Lambda-Runtime-Function-Error-Type": type });
  process.exit(1);
}

for (;;) {
  const { headers: h, body } = await req("GET", "invocation/next");
  const id = h["lambda-runtime-aws-request-id"];
  currentRequestId = id;
  const deadline = Number(h["lambda-runtime-deadline-ms"]);
  if (h["lambda-runtime-trace-id"]) process.env._X_AMZN_TRACE_ID = h["lambda-runtime-trace-id"];
  else delete process.env._X_AMZN_TRACE_ID;
  const cc = h["lambda-runtime-client-context"], ci = h["lambda-runtime-cognito-identity"];
  const context = {
    awsRequestId: id,
    invokedFunctionArn: h["lambda-runtime-invoked-function-arn"],
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: cc ? JSON.parse(cc) : undefined,
    identity: ci ? JSON.parse(ci) : undefined,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
  };
  try {
    const event = body.length ? JSON.parse(body) : {};
    const result = await call(handler, event, context);
    await req("POST", `invocation/${id}/response`, JSON.stringify(result ?? null));
  } catch (e) {
    console.error(`Invoke Error \t${errBody(e)}`);
    await req("POST", `invocation/${id}/error`, errBody(e), { "Content-Type": "application/json" });
  }
}
