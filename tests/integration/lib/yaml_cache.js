// A YAML document parsed once per content, not once per test file: the
// two OpenAPI documents cost 0.7-0.8 s each to parse (yaml), and every
// test file's process loads both.  The parse is kept as JSON in the
// system's temporary directory, named by the text's SHA-256, so an edited
// document is parsed afresh and parallel test files never see a half-
// written copy (written aside, then renamed).
//
//   parseYamlFile(file) -> the document, a fresh object per call
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

// Loaded only when a document is not kept yet: the package alone costs a
// test file's process a quarter of a second.
const require = createRequire(import.meta.url);

export function parseYamlFile(file) {
  const text = fs.readFileSync(file, 'utf8');
  const sum = crypto.createHash('sha256').update(text).digest('hex');
  const kept = path.join(os.tmpdir(), `pgl-yaml-${sum}.json`);
  try {
    return JSON.parse(fs.readFileSync(kept, 'utf8'));
  } catch {
    // Not kept yet (or unreadable): parse, and keep it for the next file.
  }
  const doc = require('yaml').parse(text);
  const aside = `${kept}.${process.pid}`;
  try {
    fs.writeFileSync(aside, JSON.stringify(doc));
    fs.renameSync(aside, kept);
  } catch {
    fs.rmSync(aside, { force: true });
  }
  return doc;
}
