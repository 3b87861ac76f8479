/*
 * CongoDB, the MongoDB wire-protocol server inside npm
 * @push.rocks/smartmongo@2.2.0, on 127.0.0.1:<port> with in-memory
 * storage.  Started and stopped by mongo.sh; prints "ready <port>" once
 * it accepts connections, and stops cleanly on SIGTERM/SIGINT.
 *
 *	node congodb.mjs <port>
 *
 * The package root pulls in mongodb-memory-server (which downloads a real
 * mongod at install time, blocked here), so the congodb entry point is
 * imported directly (../shared/testing/INFRA.md, MongoDB section).
 *
 * What CongoDB cannot show stays unshown: it does not enforce unique
 * indexes, its transactions are not atomic, and it runs one command at a
 * time (so races between clients are serialized, not resolved by the
 * server).  Below, a few places where it departs from MongoDB's
 * documented behaviour are brought in line, so that the store suite
 * tests the plugin and not the test server.  None of them is something
 * the plugin relies on; against a real mongod all of them hold anyway.
 *
 *  1. Sort order.  MongoDB's default ("simple") collation orders strings
 *     by their UTF-8 bytes; CongoDB uses String.localeCompare, which
 *     ignores control characters (PGL_NS_SEP is 0x1f) and orders
 *     punctuation by locale.  Code point order is UTF-8 byte order.
 *
 *  2. 64-bit integers.  The bson package keeps an int64 outside +-2^53
 *     as a Long object; mingo never matches one in $gt/$lte/... (an
 *     expiry of INT64_MAX, "never", was never later than now), and $set
 *     copied it field by field into a {low, high, unsigned} document.
 *     MongoDB compares numbers by value and stores what it is given.
 *
 *  3. Speed, same answers.  Every query is a scan of the collection
 *     through mingo (~0.6 us a document), and $graphLookup scans the
 *     whole collection at every step and de-duplicates with a linear
 *     search: a 10,000-commit history took 70-85 s.  Plain equality
 *     filters (and $or of them) are matched directly, and $graphLookup
 *     follows a hash of connectToField, as a server follows an index.
 *     Both keep CongoDB's own semantics; anything else goes to mingo.
 *
 *     Equality filters on plain fields ({tenant_id, catalog_name, ...},
 *     every value a string, number or boolean) are answered from a hash
 *     of the collection by that set of fields, kept up to date by every
 *     insert, update and delete: a loop of "look for the key, then
 *     insert" (the store suite seeds 10,000 assets and 10,000 commits
 *     that way) scanned the collection at every step, 20 s of this
 *     server's CPU for those two tests alone.  The matches come back in
 *     the collection's own order, as the scan gave them; a field that
 *     holds an array, a document or a Long in any document of the
 *     collection (equality there has other rules) leaves that set of
 *     fields to the scan.
 *
 *  4. Server monitoring.  A hello reply that carries a topologyVersion
 *     tells a driver (libmongoc among them) that the server streams:
 *     the monitor's next hello names that version and maxAwaitTimeMS,
 *     and MongoDB holds the answer until the topology changes or that
 *     time is up.  CongoDB sends a topologyVersion (a new processId each
 *     time) but answers at once, so every pooled client's monitor thread
 *     asked again at once: 9,755 of the 15,959 messages one pangolin sent
 *     in a test file's run were hellos, half its CPU.  Without the field
 *     a driver polls every heartbeatFrequencyMS instead, as it does with
 *     a MongoDB before 4.4.
 */
import { AggregationEngine, CongoServer, MemoryStorageAdapter, QueryEngine,
    UpdateEngine, plugins }
    from './node_modules/@push.rocks/smartmongo/dist_ts/congodb/index.js';
import { HelloHandler }
    from './node_modules/@push.rocks/smartmongo/dist_ts/congodb/server/handlers/HelloHandler.js';

/* 1. */

function codepoint_cmp(a, b) {
	const n = Math.min(a.length, b.length);

	for (let i = 0; i < n; i++) {
		if (a.charCodeAt(i) !== b.charCodeAt(i))
			return a.codePointAt(i) - b.codePointAt(i);
	}
	return a.length - b.length;
}

const compare_values = QueryEngine.compareValues;
QueryEngine.compareValues = function (a, b) {
	if (typeof a === 'string' && typeof b === 'string')
		return codepoint_cmp(a, b);
	return compare_values.call(this, a, b);
};

/* 2. */

const is_long = (v) => v !== null && v?._bsontype === 'Long';

function has_long(doc) {
	for (const k in doc) {
		if (is_long(doc[k]))
			return true;
	}
	return false;
}

function as_numbers(doc) {
	const out = { ...doc };

	for (const k in out) {
		if (is_long(out[k]))
			out[k] = out[k].toNumber();
	}
	return out;
}

const deep_clone = UpdateEngine.deepClone;
UpdateEngine.deepClone = function (obj) {
	return is_long(obj) ? obj : deep_clone.call(this, obj);
};

/* 3.  A predicate for {field: scalar, ...} or {$or: [those]}, else null.
 * Equality as MongoDB's: the value, or an array holding it; null also
 * matches a missing field. */
function scalar_eq(x, v) {
	if (v === null)
		return x === null || x === undefined ||
		    (Array.isArray(x) && x.includes(null));
	return x === v || (Array.isArray(x) && x.includes(v));
}

function simple_filter(filter) {
	const keys = Object.keys(filter);

	if (keys.length === 1 && keys[0] === '$or' &&
	    Array.isArray(filter.$or) && filter.$or.length > 0) {
		const any = filter.$or.map((f) => f !== null &&
		    typeof f === 'object' ? simple_filter(f) : null);
		if (any.some((p) => p === null))
			return null;
		return (d) => {
			for (let i = 0; i < any.length; i++) {
				if (any[i](d))
					return true;
			}
			return false;
		};
	}
	for (const k of keys) {
		const v = filter[k];
		if (k.startsWith('$') || k.includes('.'))
			return null;
		if (v !== null && typeof v !== 'string' &&
		    typeof v !== 'boolean' && typeof v !== 'number')
			return null;
	}
	const values = keys.map((k) => filter[k]);
	/* Last first: in a key filter the last field is the most selective
	 * (tenant, catalog, ..., name), so most documents fail at once. */
	return (d) => {
		for (let i = keys.length - 1; i >= 0; i--) {
			const x = d[keys[i]];
			if (x !== values[i] && !scalar_eq(x, values[i]))
				return false;
		}
		return true;
	};
}

const ranged = /"\$(gt|gte|lt|lte)"/;

/*
 * The hashes.  Per collection (the adapter's Map of its documents, as the
 * WeakMap's key): the documents in the collection's order (rebuilt after
 * an update or a delete), each document's place in that order (an update
 * keeps its place, as Map.set does), and a hash per set of fields asked
 * for: "<values as JSON>" -> the documents holding them, or null when
 * a document's value there has other equality rules.
 */
const COLL = Symbol('collection');
const kept = new WeakMap();
const place = new WeakMap();
let next_place = 0;

function kept_of(coll) {
	let k = kept.get(coll);

	if (k === undefined) {
		k = { docs: null, hashes: new Map() };
		for (const d of coll.values())
			place.set(d, next_place++);
		kept.set(coll, k);
	}
	return k;
}

const hashable = (v) => typeof v === 'string' || typeof v === 'boolean' ||
    (typeof v === 'number' && Number.isFinite(v));

function hash_key(doc, fields) {
	const vs = [];

	for (const f of fields) {
		const v = doc[f];
		if (v === undefined || v === null)
			vs.push(null);	/* never equal to a hashable value */
		else if (hashable(v))
			vs.push(v);
		else
			return undefined;	/* an array, a document, a Long, null */
	}
	return JSON.stringify(vs);
}

function hash_add(hash, doc, fields) {
	const key = hash_key(doc, fields);

	if (key === undefined)
		return false;
	if (!hash.has(key))
		hash.set(key, []);
	hash.get(key).push(doc);
	return true;
}

/* doc out of hash: under its key, else (a document changed in place
 * before it was replaced) wherever it is. */
function hash_remove(hash, doc, fields) {
	const key = hash_key(doc, fields);
	const list = key === undefined ? undefined : hash.get(key);
	let i = list === undefined ? -1 : list.indexOf(doc);

	if (i !== -1) {
		list.splice(i, 1);
		return;
	}
	for (const l of hash.values()) {
		if ((i = l.indexOf(doc)) !== -1) {
			l.splice(i, 1);
			return;
		}
	}
}

function hash_of(k, coll, fields) {
	const sig = fields.join('\0');

	if (!k.hashes.has(sig)) {
		let hash = new Map();
		for (const d of coll.values()) {
			if (!hash_add(hash, d, fields)) {
				hash = null;
				break;
			}
		}
		k.hashes.set(sig, { fields, hash });
	}
	return k.hashes.get(sig).hash;
}

/* Every hash of coll, after doc came (added) or went (removed). */
function rehash(coll, doc, added) {
	const k = kept.get(coll);

	if (k === undefined)
		return;
	for (const h of k.hashes.values()) {
		if (h.hash === null)
			continue;
		if (!added)
			hash_remove(h.hash, doc, h.fields);
		else if (!hash_add(h.hash, doc, h.fields))
			h.hash = null;
	}
}

const adapter = MemoryStorageAdapter.prototype;
const insert_one = adapter.insertOne;
adapter.insertOne = async function (db, name, doc) {
	const stored = await insert_one.call(this, db, name, doc);
	const coll = this.ensureCollection(db, name);
	const k = kept.get(coll);

	place.set(stored, next_place++);
	if (k !== undefined && k.docs !== null)
		k.docs.push(stored);
	rehash(coll, stored, true);
	return stored;
};
const update_by_id = adapter.updateById;
adapter.updateById = async function (db, name, id, doc) {
	const coll = this.ensureCollection(db, name);
	const old = coll.get(id.toHexString());
	const done = await update_by_id.call(this, db, name, id, doc);

	if (done && old !== undefined) {
		place.set(doc, place.get(old));
		rehash(coll, old, false);
		rehash(coll, doc, true);
		if (kept.has(coll))
			kept.get(coll).docs = null;
	}
	return done;
};
const delete_by_id = adapter.deleteById;
adapter.deleteById = async function (db, name, id) {
	const coll = this.ensureCollection(db, name);
	const old = coll.get(id.toHexString());
	const done = await delete_by_id.call(this, db, name, id);

	if (done && old !== undefined) {
		rehash(coll, old, false);
		if (kept.has(coll))
			kept.get(coll).docs = null;
	}
	return done;
};
/* A copy each time (callers may reorder it), marked with its collection. */
adapter.findAll = async function (db, name) {
	const coll = this.ensureCollection(db, name);
	const k = kept_of(coll);

	if (k.docs === null)
		k.docs = Array.from(coll.values());
	const docs = k.docs.slice();
	docs[COLL] = coll;
	return docs;
};

/* The documents one plain equality filter names, from its hash (any
 * order), or undefined when the hash cannot answer. */
function hashed(coll, filter) {
	const fields = Object.keys(filter);

	if (fields.length === 0 || fields.some((f) => f.startsWith('$') ||
	    f.includes('.') || !hashable(filter[f])))
		return undefined;
	fields.sort();
	const hash = hash_of(kept_of(coll), coll, fields);
	if (hash === null)
		return undefined;
	return hash.get(JSON.stringify(fields.map((f) => filter[f]))) ?? [];
}

/* The documents of a plain equality filter, or an $or of them, from
 * the hashes, in the collection's order; undefined when the hashes
 * cannot answer. */
function by_hash(documents, filter) {
	const coll = documents[COLL];
	let found;

	if (coll === undefined || filter === null || typeof filter !== 'object')
		return undefined;
	const or = filter.$or;
	if (Object.keys(filter).length === 1 && Array.isArray(or) &&
	    or.length > 0) {
		const all = new Set();
		for (const f of or) {
			if (f === null || typeof f !== 'object' ||
			    (found = hashed(coll, f)) === undefined)
				return undefined;
			for (const d of found)
				all.add(d);
		}
		found = [...all];
	} else if ((found = hashed(coll, filter)) === undefined)
		return undefined;
	return found.slice().sort((a, b) => place.get(a) - place.get(b));
}

QueryEngine.filter = function (documents, filter) {
	if (!filter || Object.keys(filter).length === 0)
		return documents;
	const hashed = by_hash(documents, filter);
	if (hashed !== undefined)
		return hashed;
	const simple = simple_filter(filter);
	if (simple !== null)
		return documents.filter(simple);
	const query = new plugins.mingo.Query(filter);
	if (!ranged.test(JSON.stringify(filter)))
		return documents.filter((d) => query.test(d));
	return documents.filter((d) => query.test(has_long(d) ?
	    as_numbers(d) : d));
};

/* CongoDB's $graphLookup, step for step (maxDepth still defaults to 10),
 * with the candidates of a value looked up instead of scanned for. */
function value_key(v) {
	if (v instanceof plugins.bson.ObjectId)
		return 'o' + v.toHexString();
	if (v instanceof Date)
		return 'd' + v.getTime();
	if (v !== null && typeof v === 'object')
		return 'j' + JSON.stringify(v);
	return typeof v + ':' + String(v);
}

function index_by(docs, field) {
	const index = new Map();

	for (const d of docs) {
		const v = AggregationEngine.getNestedValue(d, field);
		for (const one of Array.isArray(v) ? v : [v]) {
			const k = value_key(one);
			if (!index.has(k))
				index.set(k, []);
			const list = index.get(k);
			if (list[list.length - 1] !== d)
				list.push(d);
		}
	}
	return index;
}

AggregationEngine.executeGraphLookup = function (documents, spec, foreign) {
	const { startWith, connectFromField, connectToField, as,
	    maxDepth = 10, depthField, restrictSearchWithMatch } = spec;
	const index = index_by(foreign, connectToField);
	const restrict = restrictSearchWithMatch ?
	    new plugins.mingo.Query(restrictSearchWithMatch) : null;

	return documents.map((doc) => {
		const start = typeof startWith === 'string' &&
		    startWith.startsWith('$') ?
		    this.getNestedValue(doc, startWith.slice(1)) : startWith;
		const results = [], seen = new Set(), visited = new Set();
		const queue = (Array.isArray(start) ? start : [start]).map(
		    (value) => ({ value, depth: 0 }));

		for (let q = 0; q < queue.length; q++) {
			const { value, depth } = queue[q];
			if (depth > maxDepth)
				continue;
			const vk = JSON.stringify(value);
			if (visited.has(vk))
				continue;
			visited.add(vk);
			const keys = Array.isArray(value) ?
			    value.map(value_key) : [value_key(value)];
			for (const k of keys) {
				for (const f of index.get(k) ?? []) {
					if (restrict !== null && !restrict.test(f))
						continue;
					const id = f._id.toHexString();
					if (seen.has(id))
						continue;
					seen.add(id);
					results.push(depthField ?
					    { ...f, [depthField]: depth } : { ...f });
					const next = this.getNestedValue(f,
					    connectFromField);
					if (next === undefined)
						continue;
					for (const nv of Array.isArray(next) ?
					    next : [next])
						queue.push({ value: nv,
						    depth: depth + 1 });
				}
			}
		}
		return { ...doc, [as]: results };
	});
};

/* 4. */

const hello = HelloHandler.prototype.handle;
HelloHandler.prototype.handle = async function (context) {
	const reply = await hello.call(this, context);

	delete reply.topologyVersion;
	return reply;
};

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
	console.error('usage: node congodb.mjs <port>');
	process.exit(2);
}

const server = new CongoServer({ port, host: '127.0.0.1' });
try {
	await server.start();
} catch (e) {
	console.error(`congodb: cannot listen on 127.0.0.1:${port}: ${e.message}`);
	process.exit(1);
}
console.log(`ready ${port}`);

let stopping = false;
async function stop() {
	if (stopping)
		return;
	stopping = true;
	try {
		await server.stop();
	} finally {
		process.exit(0);
	}
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
