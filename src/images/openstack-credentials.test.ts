import { describe, expect, it } from "vitest";
import { ImagesInputError } from "./images-errors.ts";
import { openStackCredentialsFromEnv, parseEndpointInterface } from "./openstack-credentials.ts";

const AUTH_URL = "https://keystone.example.com:5000/v3";

function problems(env: Record<string, string>): readonly string[] {
  try {
    openStackCredentialsFromEnv(env);
  } catch (error) {
    if (error instanceof ImagesInputError) return error.problems;
    throw error;
  }
  throw new Error("expected the variables to be refused");
}

describe("openStackCredentialsFromEnv", () => {
  it("reads password credentials with a project scope", () => {
    expect(
      openStackCredentialsFromEnv({
        OS_AUTH_URL: AUTH_URL,
        OS_USERNAME: "admin",
        OS_PASSWORD: "pw",
        OS_PROJECT_NAME: "images",
        OS_USER_DOMAIN_NAME: "Default",
        OS_PROJECT_DOMAIN_ID: "default",
        OS_INTERFACE: "internalURL",
        OS_CACERT: "/etc/ssl/ca.pem",
      }),
    ).toEqual({
      authUrl: AUTH_URL,
      auth: {
        type: "password",
        username: "admin",
        password: "pw",
        userDomainName: "Default",
        projectName: "images",
        projectDomainId: "default",
      },
      interface: "internal",
      cacert: "/etc/ssl/ca.pem",
    });
  });

  it("puts a user and project named without a domain in OS_DEFAULT_DOMAIN, like the openstack CLI", () => {
    const credentials = openStackCredentialsFromEnv({
      OS_AUTH_URL: AUTH_URL,
      OS_USERNAME: "admin",
      OS_PASSWORD: "pw",
      OS_TENANT_NAME: "legacy",
    });
    expect(credentials.auth).toMatchObject({
      userDomainId: "default",
      projectName: "legacy",
      projectDomainId: "default",
    });
    const custom = openStackCredentialsFromEnv({
      OS_AUTH_URL: AUTH_URL,
      OS_USERNAME: "admin",
      OS_PASSWORD: "pw",
      OS_PROJECT_ID: "p-1",
      OS_DEFAULT_DOMAIN: "corp",
    });
    expect(custom.auth).toMatchObject({ userDomainId: "corp", projectId: "p-1" });
    expect(custom.auth).not.toHaveProperty("projectDomainId");
  });

  it("reads application credentials by id or by name", () => {
    expect(
      openStackCredentialsFromEnv({
        OS_AUTH_URL: AUTH_URL,
        OS_AUTH_TYPE: "v3applicationcredential",
        OS_APPLICATION_CREDENTIAL_ID: "ac-1",
        OS_APPLICATION_CREDENTIAL_SECRET: "s",
      }).auth,
    ).toEqual({ type: "applicationCredential", id: "ac-1", secret: "s" });
    expect(
      openStackCredentialsFromEnv({
        OS_AUTH_URL: AUTH_URL,
        OS_APPLICATION_CREDENTIAL_NAME: "sync",
        OS_APPLICATION_CREDENTIAL_SECRET: "s",
        OS_USERNAME: "admin",
      }).auth,
    ).toEqual({
      type: "applicationCredential",
      name: "sync",
      secret: "s",
      username: "admin",
      userDomainId: "default",
    });
  });

  it("names every missing variable", () => {
    expect(problems({})).toEqual([
      "OS_AUTH_URL is not set",
      "OS_USERNAME is not set",
      "OS_PASSWORD is not set",
      "OS_PROJECT_NAME or OS_PROJECT_ID is not set (the token needs a project scope to carry a service catalog)",
    ]);
    expect(
      problems({
        OS_AUTH_URL: "keystone:5000",
        OS_AUTH_TYPE: "v3applicationcredential",
        OS_APPLICATION_CREDENTIAL_NAME: "sync",
      }),
    ).toEqual([
      "OS_AUTH_URL must be an http:// or https:// URL",
      "OS_APPLICATION_CREDENTIAL_SECRET is not set",
      "OS_APPLICATION_CREDENTIAL_NAME needs OS_USERNAME or OS_USER_ID",
    ]);
  });

  it("refuses unsupported auth types and interfaces", () => {
    const base = { OS_AUTH_URL: AUTH_URL, OS_USERNAME: "u", OS_PASSWORD: "p", OS_PROJECT_ID: "x" };
    expect(problems({ ...base, OS_AUTH_TYPE: "token" })[0]).toMatch(
      /OS_AUTH_TYPE=token is not supported/,
    );
    expect(problems({ ...base, OS_INTERFACE: "private" })).toEqual([
      "OS_INTERFACE=private is not public, internal or admin",
    ]);
  });

  it("never puts a password in its messages", () => {
    try {
      openStackCredentialsFromEnv({ OS_PASSWORD: "hunter2-secret" });
    } catch (error) {
      expect(String((error as Error).message)).not.toContain("hunter2-secret");
      return;
    }
    throw new Error("expected a failure");
  });
});

describe("parseEndpointInterface", () => {
  it("accepts the catalog names and their old URL forms", () => {
    expect(parseEndpointInterface("public")).toBe("public");
    expect(parseEndpointInterface("publicURL")).toBe("public");
    expect(parseEndpointInterface("adminURL")).toBe("admin");
    expect(parseEndpointInterface("private")).toBeUndefined();
  });
});
