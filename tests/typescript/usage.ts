// A browser program using Cookie API through openapi-fetch and the types that
// openapi-typescript generates from openapi.yaml (npm run generate writes openapi.d.ts).
// The test suite type-checks it with tsc --noEmit against freshly generated types.
import createClient from "openapi-fetch";
import type { components, paths } from "./openapi.d.ts";

type CookieRequest = components["schemas"]["CookieRequest"];
type ReceivedCookie = components["schemas"]["ReceivedCookie"];

const api = createClient<paths>({
  baseUrl: "https://api.example",
  // Send and store cookies on cross-origin calls (the server must list this origin in
  // COOKIE_API_CORS_ORIGINS).
  credentials: "include",
});

/** Set a cookie, then list every cookie the browser sends back. */
export async function setThenList(): Promise<ReceivedCookie[]> {
  const body: CookieRequest = { name: "theme", value: "dark", max_age: 3600, samesite: "Lax" };
  const created = await api.POST("/cookies", { body, credentials: "include" });
  if (created.error !== undefined) {
    // A Problem or a ValidationProblem (application/problem+json).
    const errors = "errors" in created.error ? created.error.errors : {};
    throw new Error(`${created.error.status} ${created.error.detail} ${JSON.stringify(errors)}`);
  }
  const domain: string | null = created.data.domain;
  const header: string = created.data.set_cookie;
  console.log(created.response.status, header, domain ?? "(host-only)", created.data.warnings);
  // A 201 says the API sent the cookie; outcome says whether this browser keeps it.
  const kept: "stored" | "rejected" | "unknown" = created.data.outcome;
  if (kept !== "stored") console.warn(kept, created.data.decided_by.join(", "));

  const listed = await api.GET("/cookies", { credentials: "include" });
  if (listed.error !== undefined) {
    throw new Error("listing cookies failed");
  }
  for (const cookie of listed.data.cookies) {
    const value: string | null = cookie.value;
    const signature: "none" | "valid" | "invalid" = cookie.signature;
    console.log(cookie.name, value, signature);
  }
  return listed.data.cookies;
}

// The generated types carry the document's constraints: each line below must not compile.
// @ts-expect-error: value is required
export const missingValue: CookieRequest = { name: "theme" };
// @ts-expect-error: samesite is typed "Strict", "Lax" or "None" (the server takes any case)
export const lowerCaseSameSite: CookieRequest = { name: "theme", value: "dark", samesite: "lax" };
// @ts-expect-error: unknown keys are refused (additionalProperties: false)
export const unknownKey: CookieRequest = { name: "theme", value: "dark", sameSite: "Lax" };

/** Delete a cookie; the answer says which one, and the header that expires it. */
export async function deleteCookie(name: string): Promise<string> {
  const deleted = await api.DELETE("/cookies/{name}", {
    params: { path: { name }, query: { path: "/", partitioned: true } },
  });
  if (deleted.error !== undefined) throw new Error(`${deleted.error.status} ${deleted.error.detail}`);
  const partitioned: boolean = deleted.data.partitioned;
  const domain: string | null = deleted.data.domain;
  console.log(deleted.data.name, deleted.data.path, domain ?? "(host-only)", partitioned);
  return deleted.data.set_cookie;
}

type LintReport = components["schemas"]["LintReport"];

/** Ask why a Set-Cookie header from your own back end is not kept, and what is sent next. */
export async function explainSetCookie(setCookie: string[]): Promise<LintReport> {
  const linted = await api.POST("/lint", {
    body: {
      url: "https://www.example.com/login",
      set_cookie: setCookie,
      then_url: "https://www.example.com/account",
    },
  });
  if (linted.error !== undefined) {
    const codes: string[] = "findings" in linted.error ? linted.error.findings.map((f) => f.code) : [];
    throw new Error(`${linted.error.status} ${codes.join(", ")}`);
  }
  for (const result of linted.data.results) {
    const outcome: "stored" | "rejected" = result.outcome;
    const why = result.problems.map((problem) => `${problem.code} (${problem.spec ?? "API"})`);
    console.log(result.set_cookie, outcome, result.cookie?.domain ?? "-", why.join("; "));
  }
  const header: string | undefined = linted.data.cookie_header;
  console.log("Cookie:", header ?? "(no then_url)");
  return linted.data;
}

// @ts-expect-error: set_cookie is a list of header values, not one string
export const oneHeader: components["schemas"]["LintRequest"] = { url: "https://a.test/", set_cookie: "a=1" };
