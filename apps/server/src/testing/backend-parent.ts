/** A parent process for spawn.test.ts: starts the backend as the server does, prints its PID, then waits to be killed. */
import { spawnBackend } from "../backend/spawn";

const [port, databaseUrl, secret, publicUrl] = process.argv.slice(2);
const backend = spawnBackend({ port: Number(port), databaseUrl: databaseUrl!, secret: secret!, publicUrl: publicUrl!, logLevel: "warning" });
console.log(backend.child.pid);
setInterval(() => {}, 60_000);
