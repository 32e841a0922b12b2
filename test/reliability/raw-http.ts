/**
 * @module
 * A raw HTTP/1.1 client over a TCP socket: sends bytes exactly as given, so a test can ask
 * for `/../`, `%2e%2e`, backslashes or NUL, which `fetch` and `node:http` normalise or
 * refuse before sending.
 */
import { connect } from "node:net";

export interface RawResponse {
  /** 0 when the server closed the connection without an answer. */
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends `head` (request line and headers, without the blank line) and reads to close. */
export function rawRequest(origin: string, head: string, timeoutMs = 10_000): Promise<RawResponse> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to ${JSON.stringify(head.slice(0, 80))} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on("connect", () => {
      socket.write(
        Buffer.from(`${head}\r\nHost: ${hostname}\r\nConnection: close\r\n\r\n`, "latin1"),
      );
    });
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString("latin1");
      const end = text.indexOf("\r\n\r\n");
      const lines = (end === -1 ? text : text.slice(0, end)).split("\r\n");
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? "")?.[1] ?? 0);
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(":");
        if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status, headers, body: end === -1 ? "" : text.slice(end + 4) });
    });
  });
}
