// Which of a server's Kore workers holds a client's connection, read from
// /proc: the socket's inode in /proc/net/tcp, and the workers' descriptors
// (src/http/kore_move.c hands connections from one worker to another).
import fs from 'node:fs';

/** Kore's worker id (1..n) -> pid, from the process titles ("[wrk 1]"). */
export function workerPids(parentPid) {
  const out = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let stat, title;
    try {
      stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      title = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8');
    } catch { continue; /* gone meanwhile */ }
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const m = /\[wrk (\d+)\]/.exec(title);
    if (ppid === parentPid && m) out.set(Number(m[1]), Number(d));
  }
  return out;
}

/** The inode of the server's end of the IPv4 connection from clientPort,
 * in any state, while a process holds it (a closed end's inode is 0). */
function inodeOf(serverPort, clientPort) {
  for (const line of fs.readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || f[9] === '0') continue;
    if (parseInt(f[1].split(':')[1], 16) === serverPort &&
        parseInt(f[2].split(':')[1], 16) === clientPort) return f[9];
  }
  return null;
}

/** The ids of the workers whose descriptors hold that connection now. */
export function holders(workers, serverPort, clientPort) {
  const ino = inodeOf(serverPort, clientPort);
  if (ino === null) return [];
  const want = `socket:[${ino}]`;
  const out = [];
  for (const [id, pid] of workers) {
    let fds = [];
    try { fds = fs.readdirSync(`/proc/${pid}/fd`); } catch { continue; }
    for (const fd of fds) {
      let link;
      try { link = fs.readlinkSync(`/proc/${pid}/fd/${fd}`); } catch { continue; }
      if (link === want) { out.push(id); break; }
    }
  }
  return out.sort();
}

/** How many of the server's connections a process still holds (its
 * listener not counted). */
export function openConnections(serverPort) {
  let n = 0;
  for (const line of fs.readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || f[9] === '0' || f[3] === '0A') continue;	// 0A: LISTEN
    if (parseInt(f[1].split(':')[1], 16) === serverPort) n++;
  }
  return n;
}
