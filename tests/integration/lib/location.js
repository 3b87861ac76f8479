// Local table and view locations are file:// URIs (issue 22).  The file
// behind one is its raw path: no percent-decoding, as Iceberg Java
// (Hadoop's Path) and PyIceberg (urlparse) read them.

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
