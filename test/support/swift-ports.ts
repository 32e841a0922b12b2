import { createServer } from "node:net";

function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once("error", () => done(false));
    server.listen(port, "127.0.0.1", () => server.close(() => done(true)));
  });
}

/**
 * A base port for scripts/start-swift.sh (`SWIFT_PORT`) with it and the three after it free
 * on loopback: proxy, object, container, account.
 */
export async function freeSwiftPorts(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 20_000);
    const free = await Promise.all([0, 1, 2, 3].map((offset) => portIsFree(base + offset)));
    if (free.every(Boolean)) return base;
  }
  throw new Error("no four consecutive free loopback ports for Swift");
}
