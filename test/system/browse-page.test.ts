import { mkdir, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/parse-config.ts";
import { type RunningServer, startServer } from "../../src/node.ts";
import { createFsStore } from "../../src/store/fs.ts";
import { HTTP_CASE_SEED, seedStore } from "../http/case-seed.ts";

// The browse page as a person sees it: Debian's Chromium (never a downloaded browser)
// renders the server-side HTML of a real `streamgate serve`; the screenshot is kept in
// test-results/ for a human to look at.
const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOTS = join(import.meta.dirname, "../../test-results");

describe("browse page in Chromium", () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    const root = await mkdtemp(join(tmpdir(), "streamgate-browse-"));
    await seedStore(createFsStore({ root }), HTTP_CASE_SEED);
    server = await startServer({
      config: parseConfig({ store: `file:${root}`, listen: { port: 0 } }, "test"),
      log: () => {},
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("shows what is mirrored and the Juju configuration to paste", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    const response = await page.goto(`${server.url}/`);
    expect(response?.status()).toBe(200);
    const text = await page.locator("body").innerText();
    expect(text).toContain("agent-metadata-url");
    expect(text).toContain(`${server.url}/juju/tools`);
    expect(text).toContain("image-metadata-url");
    expect(text).toContain("JUJU_STREAMS_PUBLICKEY_FILE");
    expect(text).toContain("3.6.1");
    expect(text).toContain("amd64");
    expect(text).toContain("RegionOne");
    await mkdir(SCREENSHOTS, { recursive: true });
    const screenshot = await page.screenshot({
      path: join(SCREENSHOTS, "browse-page.png"),
      fullPage: true,
    });
    expect(screenshot.byteLength).toBeGreaterThan(10_000);
    await page.close();
  });

  it("lists a directory and links down to its objects", async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/juju/tools/`);
    await page
      .getByRole("link", { name: /streams/ })
      .first()
      .click();
    await page.waitForURL(/\/juju\/tools\/streams\/$/);
    expect(await page.locator("body").innerText()).toContain("v1");
    await page.close();
  });

  it("shows a plain-text 404, never an HTML page, for a missing file", async () => {
    const page = await browser.newPage();
    const response = await page.goto(`${server.url}/juju/tools/streams/v1/mirrors.sjson`);
    expect(response?.status()).toBe(404);
    expect(response?.headers()["content-type"]).toMatch(/^text\/plain/);
    await page.close();
  });
});
