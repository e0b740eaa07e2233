/**
 * Instance-metadata stand-in of the real-VM test: plain HTTP on 127.0.0.1
 * (kernel-chosen port, written to --port-file), reached by the guests at the
 * providers' addresses through qemu guestfwd (scenarios-fleet.sh). It answers
 * what a client of each provider's service asks first, and serves the route's
 * user-data as Linode does, so the test shows who on a route can read it.
 *
 * - Linode (techdocs.akamai.com/cloud-computing/docs/metadata-service-api):
 *   `PUT /v1/token` with `Metadata-Token-Expiry-Seconds` returns a token
 *   (text/plain); `GET /v1/user-data` with `Metadata-Token: <token>` returns
 *   the user-data, base64-encoded.
 * - Alibaba Cloud (alibabacloud.com/help/en/ecs/user-guide/view-instance-metadata,
 *   security hardening mode): `PUT /latest/api/token` with
 *   `X-aliyun-ecs-metadata-token-ttl-seconds` returns a token;
 *   `GET /latest/meta-data/instance-id` with `X-aliyun-ecs-metadata-token`
 *   returns the instance id.
 *
 *   node metadata-stand-in.mjs --user-data <file> --port-file <file>
 */
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { "user-data": { type: "string" }, "port-file": { type: "string" } } });
if (!values["user-data"] || !values["port-file"]) throw new Error("--user-data and --port-file are required");
const userData = readFileSync(values["user-data"]);
const token = randomBytes(16).toString("hex");

/** [status, body] for one request. */
function answer(method, url, headers) {
  if (method === "PUT" && url === "/v1/token" && headers["metadata-token-expiry-seconds"]) return [200, token];
  if (method === "GET" && url === "/v1/user-data") return headers["metadata-token"] === token ? [200, userData.toString("base64")] : [401, "unauthorized"];
  if (method === "PUT" && url === "/latest/api/token" && headers["x-aliyun-ecs-metadata-token-ttl-seconds"]) return [200, token];
  if (method === "GET" && url === "/latest/meta-data/instance-id")
    return headers["x-aliyun-ecs-metadata-token"] === token ? [200, "i-lantern-vm-stand-in"] : [401, "unauthorized"];
  return [404, "not found"];
}

const server = createServer((req, res) => {
  const [status, body] = answer(req.method, req.url, req.headers);
  console.log(`${new Date().toISOString()} ${req.method} ${req.url} ${status}`);
  res.writeHead(status, { "content-type": "text/plain" }).end(body);
});
server.listen(0, "127.0.0.1", () => writeFileSync(values["port-file"], `${server.address().port}\n`));
