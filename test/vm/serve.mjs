// Static https server for the real-VM test: serves one directory on
// 127.0.0.1 (a kernel-chosen port, written to --port-file) with the test
// CA's server certificate. Guests reach it through qemu's guestfwd as
// https://10.0.2.100/. One line per request on stdout.
//
//   node serve.mjs --root DIR --cert FILE --key FILE --port-file FILE
import { createReadStream, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:https";
import { resolve, sep } from "node:path";
import { parseArgs } from "node:util";

const { values: opts } = parseArgs({
  options: {
    root: { type: "string" },
    cert: { type: "string" },
    key: { type: "string" },
    "port-file": { type: "string" },
  },
});
for (const name of ["root", "cert", "key", "port-file"]) {
  if (!opts[name]) {
    console.error(`serve.mjs: --${name} is required`);
    process.exit(2);
  }
}
const root = resolve(opts.root);

function fileFor(urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath.split("?")[0]);
  } catch {
    return undefined;
  }
  const path = resolve(root, "." + decoded);
  if (path !== root && !path.startsWith(root + sep)) return undefined;
  try {
    const st = statSync(path);
    return st.isFile() ? { path, size: st.size, mtime: st.mtime } : undefined;
  } catch {
    return undefined;
  }
}

const server = createServer(
  { cert: readFileSync(opts.cert), key: readFileSync(opts.key) },
  (req, res) => {
    const file = req.method === "GET" || req.method === "HEAD" ? fileFor(req.url) : undefined;
    const status = file ? 200 : req.method === "GET" || req.method === "HEAD" ? 404 : 405;
    console.log(`${new Date().toISOString()} ${status} ${req.method} ${req.url}`);
    if (!file) {
      res.writeHead(status, { "content-type": "text/plain" });
      res.end(status === 404 ? "not found\n" : "method not allowed\n");
      return;
    }
    res.writeHead(200, {
      "content-type": "application/octet-stream",
      "content-length": file.size,
      "last-modified": file.mtime.toUTCString(),
    });
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    createReadStream(file.path).pipe(res);
  },
);
server.on("tlsClientError", (err) => console.log(`${new Date().toISOString()} tls-error ${err.message}`));
server.listen(0, "127.0.0.1", () => {
  writeFileSync(opts["port-file"], `${server.address().port}\n`);
  console.log(`serving ${root} on https://127.0.0.1:${server.address().port}/`);
});
for (const sig of ["SIGTERM", "SIGINT"]) process.on(sig, () => process.exit(0));
