// Stratus's managed runtime for Node.js functions: loads the handler named
// by _HANDLER from LAMBDA_TASK_ROOT (ES modules and CommonJS, async and
// callback style) and serves events from the Lambda Runtime API, giving
// handlers the event and context AWS gives them. Handlers wrapped by
// `awslambda.streamifyResponse` get a response stream instead and answer the
// Runtime API in streaming mode (chunked, errors as trailers), as AWS's
// runtime interface client does.
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

// A request to the Runtime API, and the promise of its answer.
function request(method, p, headers) {
  let r;
  const done = new Promise((resolve, reject) => {
    r = http.request({ host, port, method, path: "/2018-06-01/runtime/" + p, agent, headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    r.on("error", reject);
  });
  return [r, done];
}

function req(method, p, body, headers = {}) {
  const [r, done] = request(method, p, headers);
  if (body !== undefined) r.write(body);
  r.end();
  return done;
}

const errBody = (e, type) => JSON.stringify({
  errorType: type ?? e?.name ?? "Error",
  errorMessage: String(e?.message ?? e),
  trace: String(e?.stack ?? "").split("\n"),
});

// Response streaming, as AWS's runtime offers it: `awslambda.streamifyResponse`
// marks a handler as streaming, `awslambda.HttpResponseStream.from` puts the
// HTTP integration prelude (JSON metadata, then 8 NUL bytes) before the body.
const STREAMING = Symbol.for("aws.lambda.runtime.handler.streaming");
const HIGH_WATER_MARK = Symbol.for("aws.lambda.runtime.handler.streaming.highWaterMark");
const ERROR_TYPE = "Lambda-Runtime-Function-Error-Type";
const ERROR_BODY = "Lambda-Runtime-Function-Error-Body";

class HttpResponseStream {
  static from(stream, prelude) {
    stream.setContentType("application/vnd.awslambda.http-integration-response");
    const metadata = JSON.stringify(prelude);
    stream._onBeforeFirstWrite = (write) => {
      write(metadata);
      write(new Uint8Array(8));
    };
    return stream;
  }
}

globalThis.awslambda = {
  streamifyResponse(handler, options) {
    handler[STREAMING] = "response";
    if (typeof options?.highWaterMark === "number") handler[HIGH_WATER_MARK] = Math.trunc(options.highWaterMark);
    return handler;
  },
  HttpResponseStream,
};

const invalidStreaming = (message) => Object.assign(new Error(message), { name: "Runtime.InvalidStreamingOperation" });

// The response stream of invocation `id`: a chunked POST in streaming mode
// whose body is what the handler writes (strings, buffers, else JSON).
// (A highWaterMark option is accepted and kept on the handler; the stream
// uses Node's default buffering.)
function responseStream(id) {
  const [stream, done] = request("POST", `invocation/${id}/response`, {
    "Lambda-Runtime-Function-Response-Mode": "streaming",
    "Transfer-Encoding": "chunked",
    Trailer: `${ERROR_TYPE}, ${ERROR_BODY}`,
    "Content-Type": "application/octet-stream",
  });
  // A response the Runtime API refuses (past the size limit) ends the stream
  // and its connection, which the agent must not reuse.
  done.then((answer) => answer.status === 202 || stream.destroy(), () => stream.destroy());
  const [write, end] = [stream.write.bind(stream), stream.end.bind(stream)];
  let started = false;
  stream.setContentType = (type) => {
    if (started) throw invalidStreaming("Cannot set content-type, too late.");
    stream.setHeader("Content-Type", type);
  };
  stream.write = (chunk, encoding, cb) => {
    if (typeof chunk !== "string" && !(chunk instanceof Uint8Array)) chunk = JSON.stringify(chunk);
    if (!started && typeof stream._onBeforeFirstWrite === "function") stream._onBeforeFirstWrite((c) => write(c));
    started = true;
    return write(chunk, encoding, cb);
  };
  stream.end = (chunk, encoding, cb) => {
    if (typeof chunk === "function") [chunk, cb] = [undefined, chunk];
    else if (typeof encoding === "function") [encoding, cb] = [undefined, encoding];
    if (chunk !== undefined && chunk !== null) stream.write(chunk, encoding);
    return end(cb);
  };
  return [stream, done];
}

// Ends a stream with the error trailers, unless it has already ended.
function fail(stream, e) {
  const body = errBody(e);
  console.error(`Invoke Error \t${body}`);
  if (stream.writableEnded || stream.destroyed) return;
  stream.addTrailers({ [ERROR_TYPE]: JSON.parse(body).errorType, [ERROR_BODY]: Buffer.from(body).toString("base64") });
  stream.end();
}

// Settles when the event loop has nothing left to do, so that a handler
// stuck on a stream that will never drain lets the runtime move on to the
// next event (as AWS's runtime does) instead of exiting.
function loopEmpty() {
  let settle;
  const idle = new Promise((resolve) => {
    settle = () => resolve();
    process.once("beforeExit", settle);
  });
  return [idle, () => process.off("beforeExit", settle)];
}

// Runs a streaming handler: it must return a promise and end its stream.
async function callStreaming(handler, event, context, id) {
  const [stream, done] = responseStream(id);
  const [idle, stopWatching] = loopEmpty();
  try {
    const r = handler(event, stream, context);
    if (!r || typeof r.then !== "function") throw invalidStreaming("Streaming does not support non-async handlers.");
    if ((await Promise.race([r, idle])) !== undefined) console.warn("Streaming handlers ignore return values.");
    if (!stream.writableEnded) throw invalidStreaming("Response stream is not finished.");
  } catch (e) {
    fail(stream, e);
  } finally {
    stopWatching();
  }
  await done.catch(() => {});
}

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
    if (handler[STREAMING] === "response") {
      await callStreaming(handler, event, context, id);
      continue;
    }
    const result = await call(handler, event, context);
    await req("POST", `invocation/${id}/response`, JSON.stringify(result ?? null));
  } catch (e) {
    console.error(`Invoke Error \t${errBody(e)}`);
    await req("POST", `invocation/${id}/error`, errBody(e), { "Content-Type": "application/json" });
  }
}
