// A raw keep-alive connection to a server: bytes written as given (heads,
// bodies cut anywhere, requests pipelined), answers read off it one by one
// (Content-Length framed), for tests of what happens between requests.
import net from 'node:net';

/** Connected; next() is its next whole answer: { status, id, text, json }
 * (id: its x-request-id), or fails once the server closed it. */
export async function rawConnection(port) {
  const sock = net.connect(port, '127.0.0.1');
  await new Promise((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); });
  let buf = Buffer.alloc(0);
  let closed = false;
  const answers = [];
  const waiting = [];
  const settle = () => {
    while (waiting.length && (answers.length || closed)) {
      const w = waiting.shift();
      if (answers.length) w.resolve(answers.shift());
      else w.reject(new Error('the server closed the connection'));
    }
  };
  sock.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      const end = buf.indexOf('\r\n\r\n');
      if (end === -1) break;
      const head = buf.subarray(0, end).toString('latin1');
      const len = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      if (buf.length < end + 4 + len) break;
      const text = buf.subarray(end + 4, end + 4 + len).toString('utf8');
      answers.push({
        status: Number(head.split(' ')[1]),
        id: /x-request-id: *(\S+)/i.exec(head)?.[1],
        text,
        json: text ? JSON.parse(text) : undefined,
      });
      buf = buf.subarray(end + 4 + len);
    }
    settle();
  });
  sock.on('close', () => { closed = true; settle(); });
  sock.on('error', () => { /* seen as the close */ });
  return {
    sock,
    port: sock.localPort,
    write: (text) => sock.write(text),
    next: () => new Promise((resolve, reject) => { waiting.push({ resolve, reject }); settle(); }),
    close: () => sock.destroy(),
  };
}
