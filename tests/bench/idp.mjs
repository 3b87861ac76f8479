// The bench's identity provider: the integration tests' OpenID provider
// (npm oidc-provider, tests/integration/lib/oidc.js) on loopback, and one
// RS256 and one ES256 token of a tenant admin of the default tenant
// (group bench-admins), written as header files for wrk.  Runs until
// killed.   node idp.mjs OUT_DIR
import fs from 'node:fs';
import { startIdp } from '../integration/lib/oidc.js';

const NIL = '00000000-0000-0000-0000-000000000000';
const out = process.argv[2];
const idp = await startIdp({ algs: ['RS256', 'ES256'] });
const now = Math.floor(Date.now() / 1000);
for (const alg of ['RS256', 'ES256']) {
	const { kid } = idp.privateKeys().find((k) => k.alg === alg);
	const tok = idp.sign({ iss: idp.issuer, aud: 'pangolin', sub: `bench-${alg}`,
	    preferred_username: `bench-${alg.toLowerCase()}`, tenant: NIL,
	    groups: ['bench-admins'], iat: now, exp: now + 4 * 3600 }, { kid, alg });
	fs.writeFileSync(`${out}/${alg.toLowerCase()}.hdr`, `Authorization: Bearer ${tok}`);
}
fs.writeFileSync(`${out}/idp.issuer`, idp.issuer);
process.stdout.write(`idp: ${idp.issuer}\n`);
