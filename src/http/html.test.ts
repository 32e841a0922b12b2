import { describe, expect, it } from "vitest";
import { escapeHtml, hrefForKey, html } from "./html.ts";

describe("html", () => {
  it("escapes interpolated text", () => {
    const name = `<script>alert("x")</script> & 'y'`;
    expect(html`<p>${name}</p>`.value).toBe(
      "<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;</p>",
    );
  });

  it("keeps nested fragments and joins arrays", () => {
    const items = ["a<", "b"].map((item) => html`<li>${item}</li>`);
    expect(html`<ul>${items}</ul>`.value).toBe("<ul><li>a&lt;</li><li>b</li></ul>");
  });

  it("renders nothing for null, undefined and false, and numbers as text", () => {
    expect(html`${null}${undefined}${false}${0}`.value).toBe("0");
  });
});

describe("escapeHtml", () => {
  it("escapes the five special characters", () => {
    expect(escapeHtml(`&<>"'`)).toBe("&amp;&lt;&gt;&quot;&#39;");
  });
});

describe("hrefForKey", () => {
  it("percent-encodes each segment", () => {
    expect(hrefForKey("a b/c#d/e?f")).toBe("/a%20b/c%23d/e%3Ff");
  });
});
