import { Command } from "commander";
import { loadConfig } from "../../config/load-config.ts";
import { integerOption } from "../options.ts";

interface ServeFlags {
  config?: string;
  store?: string;
  host?: string;
  port?: number;
}

export function serveCommand(): Command {
  return new Command("serve")
    .description("serve the mirror over HTTP and run the configured jobs on their schedule")
    .option("--config <file>", "configuration file (default ./streamgate.yaml)")
    .option("--store <url>", "store URL: file:PATH or s3://BUCKET/PREFIX?… (default file:./data)")
    .option("--host <address>", "address to listen on (default 127.0.0.1)")
    .option("--port <port>", "port to listen on (default 8080)", integerOption("--port", 0))
    .action(async (flags: ServeFlags) => {
      const { config, source } = await loadConfig({
        ...(flags.config === undefined ? {} : { file: flags.config }),
        ...(flags.store === undefined ? {} : { store: flags.store }),
      });
      const listen = {
        host: flags.host ?? config.listen.host,
        port: flags.port ?? config.listen.port,
      };
      // Loaded on demand so the other commands start without the server's dependencies.
      const { startServer } = await import("../../node.ts");
      const server = await startServer({
        config: { ...config, listen },
        ...(process.env.STREAMGATE_ADMIN_TOKEN
          ? { adminToken: process.env.STREAMGATE_ADMIN_TOKEN }
          : {}),
      });
      const jobs = [config.agents && "agents", config.images && "images"].filter(Boolean);
      process.stderr.write(
        `streamgate serving ${config.store} on ${server.url} (config: ${source}; jobs: ${
          jobs.length === 0 ? "none" : jobs.join(", ")
        })\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      process.stderr.write("streamgate: shutting down\n");
      await server.close();
    });
}
