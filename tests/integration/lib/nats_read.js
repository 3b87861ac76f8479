// Read a JetStream stream for tests (issue 43), over NATS's own text
// protocol on a TCP socket: no NATS client package or CLI is needed.
// Only what the tests use: the JetStream API's STREAM.INFO and
// STREAM.MSG.GET requests, each answered on an inbox subscription.
import net from 'node:net';

/** Connect to nats://host:port; resolves to { request, close }. */
export async function natsConnect(url) {
  const { hostname, port } = new URL(url);
  const sock = net.connect(Number(port), hostname);
  let buf = Buffer.alloc(0);
  const waiting = new Map();
  let next = 1;
  let greeted;
  const hello = new Promise((resolve) => { greeted = resolve; });

  // MSG <subject> <sid> [reply] <bytes>\r\n<payload>\r\n; PING; INFO; +OK; -ERR
  const parse = () => {
    for (;;) {
      const eol = buf.indexOf('\r\n');
      if (eol < 0) return;
      const line = buf.subarray(0, eol).toString();
      if (line.startsWith('MSG ')) {
        const parts = line.split(' ');
        const n = Number(parts[parts.length - 1]);
        if (buf.length < eol + 2 + n + 2) return;
        const payload = buf.subarray(eol + 2, eol + 2 + n).toString();
        buf = buf.subarray(eol + 2 + n + 2);
        const w = waiting.get(parts[1]);
        if (w) { waiting.delete(parts[1]); w(payload); }
        continue;
      }
      buf = buf.subarray(eol + 2);
      if (line.startsWith('PING')) sock.write('PONG\r\n');
      else if (line.startsWith('INFO')) greeted();
      else if (line.startsWith('-ERR')) throw new Error(`nats: ${line}`);
    }
  };
  sock.on('data', (d) => { buf = Buffer.concat([buf, d]); parse(); });
  await new Promise((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); });
  await hello;
  sock.write('CONNECT {"verbose":false,"pedantic":false,"headers":false}\r\nSUB _INBOX.t.* 1\r\n');

  return {
    /** Publish body (an object) on subject; resolves to the parsed answer. */
    request(subject, body = {}, ms = 10000) {
      const inbox = `_INBOX.t.${next++}`;
      const text = JSON.stringify(body);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => { waiting.delete(inbox); reject(new Error(`nats: no answer to ${subject}`)); }, ms);
        waiting.set(inbox, (p) => { clearTimeout(timer); resolve(JSON.parse(p)); });
        sock.write(`PUB ${subject} ${inbox} ${Buffer.byteLength(text)}\r\n${text}\r\n`);
      });
    },
    close() { sock.destroy(); },
  };
}

/**
 * Every message of stream: [{ seq, subject, msgId, data (parsed) }], in
 * stream order.
 */
export async function readStream(url, stream) {
  const nc = await natsConnect(url);
  try {
    const info = await nc.request(`$JS.API.STREAM.INFO.${stream}`);
    if (info.error) throw new Error(`nats: ${JSON.stringify(info.error)}`);
    const out = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const r = await nc.request(`$JS.API.STREAM.MSG.GET.${stream}`, { seq });
      if (r.error) continue; // a deleted message
      const m = r.message;
      const hdrs = m.hdrs ? Buffer.from(m.hdrs, 'base64').toString() : '';
      const id = /Nats-Msg-Id:\s*(\S+)/i.exec(hdrs)?.[1];
      out.push({ seq: m.seq, subject: m.subject, msgId: id, data: JSON.parse(Buffer.from(m.data, 'base64').toString()) });
    }
    return out;
  } finally {
    nc.close();
  }
}
