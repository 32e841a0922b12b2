/**
 * The Keystone + two Glance APIs of test/system/openstack-services.ts behave as the
 * OpenStack that streamgate's image sync talks to: tokens, a two-region catalog, images
 * with fixed ids per region, paged lists with relative `next` links, and application
 * credentials that refuse a requested scope. Services that cannot start fail every test.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type OpenStackRegion,
  type OpenStackServices,
  startOpenStack,
} from "./openstack-services.ts";

interface CatalogEntry {
  type: string;
  endpoints: { interface: string; region_id: string; url: string }[];
}
interface TokenBody {
  token: {
    methods: string[];
    project?: { id: string; name: string };
    roles: { name: string }[];
    catalog: CatalogEntry[];
    application_credential?: { id: string };
  };
}
interface ImageList {
  images: { id: string }[];
  next?: string;
}

let openstack: OpenStackServices;

beforeAll(async () => {
  openstack = await startOpenStack();
});

afterAll(async () => {
  await openstack?.stop();
});

function region(index: number): OpenStackRegion {
  const found = openstack.regions[index];
  if (found === undefined) throw new Error(`no region #${index + 1}`);
  return found;
}

function requestToken(auth: unknown): Promise<Response> {
  return fetch(`${openstack.authUrl}/auth/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ auth }),
  });
}

function passwordAuth(password: string) {
  const { username, projectName, userDomainName, projectDomainName } = openstack.adminCredentials;
  return {
    identity: {
      methods: ["password"],
      password: { user: { name: username, domain: { name: userDomainName }, password } },
    },
    scope: { project: { name: projectName, domain: { name: projectDomainName } } },
  };
}

async function glanceGet(glanceUrl: string, path: string): Promise<ImageList> {
  const response = await fetch(`${glanceUrl}${path}`, {
    headers: { "x-auth-token": await openstack.adminToken() },
  });
  expect(response.status, `GET ${path}`).toBe(200);
  return (await response.json()) as ImageList;
}

async function listIds(glance: OpenStackRegion): Promise<string[]> {
  const list = await glanceGet(glance.glanceUrl, "/v2/images?limit=1000");
  return list.images.map((image) => image.id);
}

describe("Keystone", () => {
  it("issues a project-scoped admin token for the admin's password", async () => {
    const response = await requestToken(passwordAuth(openstack.adminCredentials.password));
    expect(response.status).toBe(201);
    expect(response.headers.get("x-subject-token")).toMatch(/^gAAAAA/);
    const { token } = (await response.json()) as TokenBody;
    expect(token.project?.name).toBe(openstack.adminCredentials.projectName);
    expect(token.roles.map((role) => role.name)).toContain("admin");
  });

  it("answers a wrong password with 401", async () => {
    const response = await requestToken(passwordAuth(`${openstack.adminCredentials.password}x`));
    expect(response.status).toBe(401);
  });

  it("lists a public image endpoint in each of two regions, at that region's Glance", async () => {
    const response = await requestToken(passwordAuth(openstack.adminCredentials.password));
    const { token } = (await response.json()) as TokenBody;
    const image = token.catalog.find((entry) => entry.type === "image");
    const endpoints = (image?.endpoints ?? [])
      .filter((endpoint) => endpoint.interface === "public")
      .map((endpoint) => ({ id: endpoint.region_id, glanceUrl: endpoint.url }))
      .sort((a, b) => a.id.localeCompare(b.id));
    expect(endpoints).toEqual(openstack.regions);
    expect(new Set(endpoints.map((endpoint) => endpoint.glanceUrl)).size).toBe(2);
  });
});

describe("Glance", () => {
  it("refuses an image list without a token", async () => {
    const response = await fetch(`${region(0).glanceUrl}/v2/images`);
    expect(response.status).toBe(401);
  });

  it("keeps each region's images to itself, with their fixed ids and properties", async () => {
    const one = randomUUID();
    const two = randomUUID();
    const properties = { os_distro: "ubuntu", os_version: "24.04", architecture: "x86_64" };
    const created = await openstack.createImage(region(0), { id: one, name: "noble", properties });
    await openstack.createImage(region(1).id, { id: two, name: "jammy", properties: {} });

    expect(created).toMatchObject({ id: one, name: "noble", status: "active", ...properties });
    const inOne = await listIds(region(0));
    const inTwo = await listIds(region(1));
    expect(inOne).toContain(one);
    expect(inOne).not.toContain(two);
    expect(inTwo).toContain(two);
    expect(inTwo).not.toContain(one);
  });

  it("creates a queued image, without data, when asked to", async () => {
    const id = randomUUID();
    const image = await openstack.createImage(region(1), {
      id,
      name: "no-data",
      properties: { os_distro: "ubuntu" },
      status: "queued",
    });
    expect(image).toMatchObject({ id, status: "queued", size: null });
  });

  it("refuses a second image with the same id", async () => {
    const id = randomUUID();
    await openstack.createImage(region(0), { id, name: "first" });
    await expect(openstack.createImage(region(0), { id, name: "again" })).rejects.toThrow(
      /answered 409/,
    );
  });

  it("pages a list by `limit`, with `next` links relative to Glance's root", async () => {
    const glance = region(1);
    for (let i = 0; i < 3; i++) {
      await openstack.createImage(glance, { id: randomUUID(), name: `paged-${i}` });
    }
    const all = await listIds(glance);
    expect(all.length).toBeGreaterThanOrEqual(3);

    const seen: string[] = [];
    let path: string | undefined = "/v2/images?limit=2";
    let pages = 0;
    while (path !== undefined && pages < 100) {
      const page = await glanceGet(glance.glanceUrl, path);
      expect(page.images.length).toBeLessThanOrEqual(2);
      seen.push(...page.images.map((image) => image.id));
      if (page.next !== undefined) {
        expect(page.next).toMatch(/^\/v2\/images\?.*marker=/);
        expect(page.next).toContain("limit=2");
      }
      path = page.next;
      pages++;
    }
    // A full page always carries `next`, so an even count ends with an empty page.
    expect(pages).toBe(Math.floor(all.length / 2) + 1);
    expect(seen).toEqual(all);
  });

  it("rejects the unknown region of a helper call", async () => {
    await expect(
      openstack.createImage("RegionThree", { id: randomUUID(), name: "x" }),
    ).rejects.toThrow(/no region "RegionThree"/);
  });
});

describe("application credentials", () => {
  it("authenticate as the admin's project and open Glance", async () => {
    const credential = await openstack.createApplicationCredential();
    const response = await requestToken({
      identity: {
        methods: ["application_credential"],
        application_credential: { id: credential.id, secret: credential.secret },
      },
    });
    expect(response.status).toBe(201);
    const { token } = (await response.json()) as TokenBody;
    expect(token.methods).toEqual(["application_credential"]);
    expect(token.application_credential?.id).toBe(credential.id);
    expect(token.project?.id).toBe(credential.projectId);
    expect(token.catalog.some((entry) => entry.type === "image")).toBe(true);

    const images = await fetch(`${region(0).glanceUrl}/v2/images`, {
      headers: { "x-auth-token": response.headers.get("x-subject-token") ?? "" },
    });
    expect(images.status).toBe(200);
  });

  it("answer a request that also asks for a scope with 401", async () => {
    const credential = await openstack.createApplicationCredential();
    const { projectName, projectDomainName } = openstack.adminCredentials;
    const response = await requestToken({
      identity: {
        methods: ["application_credential"],
        application_credential: { id: credential.id, secret: credential.secret },
      },
      scope: { project: { name: projectName, domain: { name: projectDomainName } } },
    });
    expect(response.status).toBe(401);
  });

  // Changed at its start: Keystone hashes secrets with bcrypt, which reads only the
  // first 72 bytes, and a secret is 86 characters long, so a changed tail still passes.
  it("answer a wrong secret with 401", async () => {
    const credential = await openstack.createApplicationCredential();
    const wrong = `${credential.secret.startsWith("A") ? "B" : "A"}${credential.secret.slice(1)}`;
    const response = await requestToken({
      identity: {
        methods: ["application_credential"],
        application_credential: { id: credential.id, secret: wrong },
      },
    });
    expect(response.status).toBe(401);
  });
});
