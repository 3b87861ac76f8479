// A big partitioned Iceberg table for the scan planning bench (issue 28):
//
//   node scan_gen.js gen LOCATION MANIFESTS FILES_PER_MANIFEST
//
// writes the table (tests/integration/lib/big_table.js says how) and
// prints its metadata file's path and data file count for POST
// .../register.
'use strict';

const path = require('path');
const { pathToFileURL } = require('url');

const lib = pathToFileURL(path.resolve(__dirname, '../integration/lib/big_table.js')).href;

if (process.argv[2] === 'gen' && process.argv.length === 6) {
	import(lib).then(({ writeBigTable }) => {
		const t = writeBigTable(path.resolve(process.argv[3]), +process.argv[4], +process.argv[5]);
		process.stdout.write(`${t.metadata} ${t.files}\n`);
	});
} else {
	process.stderr.write('usage: scan_gen.js gen LOCATION MANIFESTS FILES_PER_MANIFEST\n');
	process.exit(2);
}
