// Local table and view locations are file:// URIs (issue 22).  The file
// behind one is its raw path: no percent-decoding, as Iceberg Java
// (Hadoop's Path) and PyIceberg (urlparse) read them.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

/** The filesystem path of a local location ("/a", "file:///a" or "file:/a"). */
export function fsPath(loc) {
  if (loc.startsWith('file://')) return loc.slice(7);
  if (loc.startsWith('file:/')) return loc.slice(5);
  return loc;
}

/** A local path (or location) as the server answers it: file:///path. */
export function fileUri(p) {
  return `file://${fsPath(p)}`;
}

/**
 * A copy of the local metadata file at `loc` made the metadata of a new
 * table (or view) of its own at directory `dir`: every table owns its
 * files (issue 67), so a register takes a file lying under the location
 * it names, and that location overlapping no other table's.  The copy's
 * `location` is dir's URI (edit may change more), written to
 * <dir>/metadata/<loc's file name>, gzip'd when that name says .gz.;
 * returns the copy's file:// URI.
 */
export function ownCopy(loc, dir, edit = (md) => md) {
  const src = fsPath(loc);
  const gz = src.endsWith('.gz.metadata.json');
  const raw = fs.readFileSync(src);
  const md = edit({ ...JSON.parse((gz ? zlib.gunzipSync(raw) : raw).toString('utf8')), location: fileUri(dir) });
  const out = path.join(fsPath(dir), 'metadata', path.basename(src));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const text = JSON.stringify(md);
  fs.writeFileSync(out, gz ? zlib.gzipSync(text) : text);
  return fileUri(out);
}
