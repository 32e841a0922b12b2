import { startNginx } from "./serve-nginx.ts";

const n = await startNginx({ root: "/tmp/bt", workDir: "/tmp/bt-nginx", port: 18182 });
console.log("ready", n.url);
process.on("SIGINT", async () => {
  await n.stop();
  process.exit(0);
});
await new Promise(() => {});
