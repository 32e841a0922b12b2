import { env } from "cloudflare:test";
import { expect, it } from "vitest";

it("has an R2 binding", async () => {
  await env.MIRROR.put("a/b.txt", "hello");
  const got = await env.MIRROR.get("a/b.txt");
  expect(await got?.text()).toBe("hello");
  const head = await env.MIRROR.head("nope");
  expect(head).toBeNull();
  const pre = await env.MIRROR.put("a/b.txt", "x", { onlyIf: new Headers({ "If-None-Match": "*" }) });
  expect(pre).toBeNull();
});
