/*
 * One command to the MongoDB-protocol test server, for tests that look at
 * what the store plugin wrote (indexes, documents) without going through
 * the plugin, as test_store_pg looks through psql.
 *
 *	node mongo_cmd.mjs <port> <database> '<command, extended JSON>'
 *
 * Prints the reply as relaxed extended JSON on one line; a cursor reply
 * (find, listIndexes, aggregate) prints each document of its first batch
 * on a line of its own instead.  Exits 1 if the command fails.
 */
import net from 'node:net';
import { EJSON, deserialize, serialize } from 'bson';

const [port, db, json] = process.argv.slice(2);
if (!port || !db || !json) {
	console.error('usage: node mongo_cmd.mjs <port> <database> <command>');
	process.exit(2);
}

const OP_MSG = 2013;
const body = serialize({ ...EJSON.parse(json, { relaxed: false }), $db: db });
const head = Buffer.alloc(21);
head.writeInt32LE(16 + 4 + 1 + body.length, 0);
head.writeInt32LE(1, 4);		/* requestID */
head.writeInt32LE(0, 8);		/* responseTo */
head.writeInt32LE(OP_MSG, 12);
head.writeUInt32LE(0, 16);		/* flagBits */
head.writeUInt8(0, 20);			/* section 0: the body */

const sock = net.connect(Number(port), '127.0.0.1');
let got = Buffer.alloc(0);
sock.on('connect', () => sock.write(Buffer.concat([head, body])));
sock.on('data', (chunk) => {
	got = Buffer.concat([got, chunk]);
	if (got.length < 4 || got.length < got.readInt32LE(0))
		return;
	sock.end();
	const reply = deserialize(got.subarray(21, got.readInt32LE(0)));
	const batch = reply.cursor?.firstBatch;
	if (Array.isArray(batch))
		for (const d of batch)
			console.log(EJSON.stringify(d, { relaxed: true }));
	else
		console.log(EJSON.stringify(reply, { relaxed: true }));
	process.exit(reply.ok === 1 ? 0 : 1);
});
sock.on('error', (e) => {
	console.error(`mongo_cmd: 127.0.0.1:${port}: ${e.message}`);
	process.exit(1);
});
