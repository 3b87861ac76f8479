// The SQLite database a server's first start makes and migrates, kept for
// the run as the template of the suite's new SQLite databases (lib/
// server.js copies it where a test starts a server on a new one, unless
// the test asks for freshDb).  tests/run-integration.sh runs this once:
//   node tests/integration/lib/sqlite_template.js <file>
// A first start's database holds the migrations' rows, the default
// tenant and the clocks, the same whatever the server's settings.
import fs from 'node:fs';
import { startServer } from './server.js';

const out = process.argv[2];
const s = await startServer({ store: 'sqlite', freshDb: true });
await s.stop({ keep: true });
// The last handle's close moved the WAL into the file; a WAL left with
// anything in it would be lost by a copy of the file alone.
const wal = `${s.dbPath}-wal`;
if (fs.existsSync(wal) && fs.statSync(wal).size > 0) throw new Error(`${wal} was left after the stop`);
fs.copyFileSync(s.dbPath, out);
fs.rmSync(s.dir, { recursive: true, force: true });
