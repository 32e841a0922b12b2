import { createApp } from "../../src/http/index.ts";
import type { ObjectStore } from "../../src/store/object-store.ts";
import { type ListeningApp, listenOnLoopback } from "../support/listen.ts";

export type ServedTree = ListeningApp;

/** The streamgate app over a store, on @hono/node-server at 127.0.0.1:0. */
export function serveTree(store: ObjectStore): Promise<ServedTree> {
  return listenOnLoopback(createApp({ store, jobs: ["images"], logError: () => {} }));
}
