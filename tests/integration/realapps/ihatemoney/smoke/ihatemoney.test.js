// A deployed I Hate Money, through its REST API and web pages (APP_URL).
const crypto = require("node:crypto");

const app = process.env.APP_URL.replace(/\/$/, "");
// A fresh project each run: the suite may run again against a kept database (`parity up`).
const project = { id: `trip-${Date.now().toString(36)}`, name: "Smoke trip", password: "smoke-trip-code" };
const auth = {
  Authorization: "Basic " + Buffer.from(`${project.id}:${project.password}`).toString("base64"),
};
// Node's fetch sends `Accept-Language: *`, for which the app picks its first language (az).
const english = { "Accept-Language": "en" };

function get(path, headers = {}) {
  return fetch(`${app}${path}`, { headers: { ...english, ...headers } });
}

function post(path, body, headers = {}) {
  return fetch(`${app}${path}`, { method: "POST", headers: { ...english, ...headers }, body: new URLSearchParams(body) });
}

// itsdangerous' URLSafeTimedSerializer (the app's password-reset tokens): base64url(JSON),
// a timestamp, and an HMAC-SHA1 whose key is sha1(salt + "signer" + secret).
function resetToken(secret, projectId) {
  const b64 = (buffer) => Buffer.from(buffer).toString("base64url");
  const payload = b64(JSON.stringify([projectId]));
  let seconds = Math.floor(Date.now() / 1000);
  const bytes = [];
  while (seconds > 0) {
    bytes.unshift(seconds & 0xff);
    seconds = Math.floor(seconds / 256);
  }
  const value = `${payload}.${b64(bytes)}`;
  const key = crypto.createHash("sha1").update(`resetsigner${secret}`).digest();
  return `${value}.${b64(crypto.createHmac("sha1", key).update(value).digest())}`;
}

test("the health check answers", async () => {
  const response = await get("/healthcheck");
  expect(response.status).toBe(200);
  expect(await response.text()).toBe("OK");
});

test("a project created through the API balances its bills", async () => {
  const created = await post("/api/projects", {
    name: project.name, id: project.id, password: project.password, contact_email: "smoke@example.com",
  });
  expect(created.status).toBe(201);
  const alice = await (await post(`/api/projects/${project.id}/members`, { name: "Alice" }, auth)).json();
  const bob = await (await post(`/api/projects/${project.id}/members`, { name: "Bob" }, auth)).json();
  const bill = new URLSearchParams({ date: "2024-05-01", what: "dinner", payer: String(alice), amount: "30" });
  bill.append("payed_for", String(alice));
  bill.append("payed_for", String(bob));
  const billed = await post(`/api/projects/${project.id}/bills`, bill, auth);
  expect(billed.status).toBe(201);

  const stats = await (await get(`/api/projects/${project.id}/statistics`, auth)).json();
  const balance = Object.fromEntries(stats.map((s) => [s.member.name, s.balance]));
  expect(balance).toEqual({ Alice: 15, Bob: -15 });
});

test("a password-reset link signed with the app's SECRET_KEY is accepted, a forged one is not", async () => {
  const page = async (secret) =>
    (await get(`/reset-password?token=${resetToken(secret, project.id)}`)).text();
  expect(process.env.SECRET_KEY).toBeTruthy();
  expect(await page("not-the-app-secret")).toContain("Invalid token");
  const accepted = await page(process.env.SECRET_KEY);
  expect(accepted).not.toContain("Invalid token");
  expect(accepted).not.toContain("Unknown project");
  expect(accepted).toContain('name="password"');
});
