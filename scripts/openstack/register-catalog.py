"""Registers Glance in a freshly bootstrapped Keystone, through Keystone's own v3 API.

    register-catalog.py AUTH_URL REGION=GLANCE_URL [REGION=GLANCE_URL ...]

Reads ADMIN_PASSWORD and GLANCE_PASSWORD from the environment (passwords stay out of
`ps`). Creates the `service` project, the `glance` service user (admin there, which is
what keystonemiddleware needs to validate tokens), every REGION that `keystone-manage
bootstrap` did not, identity endpoints in those regions, and one `image` service with
public, internal and admin endpoints per region. Standard library only, so it runs on
Debian's python3 with nothing else installed.
"""

import json
import os
import sys
import urllib.error
import urllib.request

INTERFACES = ("public", "internal", "admin")


def main(argv):
    if len(argv) < 2:
        sys.exit("usage: register-catalog.py AUTH_URL REGION=GLANCE_URL ...")
    auth_url = argv[0].rstrip("/")
    regions = [pair.split("=", 1) for pair in argv[1:]]
    token = issue_admin_token(auth_url, os.environ["ADMIN_PASSWORD"])

    def call(method, path, body=None):
        return request(method, auth_url + path, body, {"X-Auth-Token": token})

    domain = "default"
    service_project = call(
        "POST", "/projects", {"project": {"name": "service", "domain_id": domain}}
    )["project"]
    glance_user = call(
        "POST",
        "/users",
        {
            "user": {
                "name": "glance",
                "domain_id": domain,
                "password": os.environ["GLANCE_PASSWORD"],
                "default_project_id": service_project["id"],
            }
        },
    )["user"]
    admin_role = call("GET", "/roles?name=admin")["roles"][0]
    call(
        "PUT",
        f"/projects/{service_project['id']}/users/{glance_user['id']}/roles/{admin_role['id']}",
    )

    known_regions = {region["id"] for region in call("GET", "/regions")["regions"]}
    identity = call("GET", "/services?type=identity")["services"][0]
    image = call("POST", "/services", {"service": {"type": "image", "name": "glance"}})[
        "service"
    ]
    for region_id, glance_url in regions:
        if region_id not in known_regions:
            call("POST", "/regions", {"region": {"id": region_id}})
            # Clients that pick a region look Keystone up in it too, as in a real cloud.
            add_endpoints(call, identity["id"], region_id, auth_url)
        add_endpoints(call, image["id"], region_id, glance_url.rstrip("/"))


def add_endpoints(call, service_id, region_id, url):
    for interface in INTERFACES:
        endpoint = {
            "service_id": service_id,
            "region_id": region_id,
            "interface": interface,
            "url": url,
        }
        call("POST", "/endpoints", {"endpoint": endpoint})


def issue_admin_token(auth_url, password):
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {
                        "name": "admin",
                        "domain": {"id": "default"},
                        "password": password,
                    }
                },
            },
            "scope": {"project": {"name": "admin", "domain": {"id": "default"}}},
        }
    }
    req = build_request("POST", auth_url + "/auth/tokens", body, {})
    with open_url(req) as response:
        return response.headers["X-Subject-Token"]


def request(method, url, body, headers):
    with open_url(build_request(method, url, body, headers)) as response:
        payload = response.read()
    return json.loads(payload) if payload else {}


def build_request(method, url, body, headers):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    return req


def open_url(req):
    try:
        return urllib.request.urlopen(req, timeout=30)
    except urllib.error.HTTPError as error:
        detail = error.read().decode(errors="replace")[:500]
        sys.exit(f"register-catalog: {req.method} {req.full_url} answered {error.code}: {detail}")


if __name__ == "__main__":
    main(sys.argv[1:])
