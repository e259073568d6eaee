// procs.js -- process trees that always end. Every program a test starts (a browser with its
// helpers, a WebDriver server, `lyssna serve`) runs in a session and process group of its own,
// which teardown ends whole: SIGTERM, a grace period, then SIGKILL. run.js names the run in the
// environment (LYSSNA_TEST_RUN, a folder of its own) so that a final sweep also finds what a
// killed test file left behind: processes carrying that name, and the groups recorded there.
// Linux only: it reads /proc.
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const RUN = process.env.LYSSNA_TEST_RUN || '';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const live = new Set(); /* groups started here and not yet ended */

/* A test file that exits (or is made to, --test-force-exit) takes its groups with it. */
process.on('exit', () => {
  for (const pgid of live)
    signalGroup(pgid, 'SIGKILL');
});

// For a test file: SIGINT, SIGTERM or SIGHUP (node --test stopping a file that overran, a
// Ctrl-C) end the process, and so its groups, as they would end it without handlers.
function exitOnSignals() {
  for (const [sig, n] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]])
    process.once(sig, () => process.exit(128 + n));
}

// Every process now: pid, name, process group, state (Z for a zombie) and start time in clock
// ticks since boot (/proc/PID/stat; the command name may hold spaces and parentheses).
function processes() {
  const list = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name))
      continue;
    let stat;
    try {
      stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; /* gone meanwhile */
    }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    list.push({ pid: Number(name), comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
      state: f[0], pgid: Number(f[2]), start: Number(f[19]) });
  }
  return list;
}

function startOf(pid) {
  const p = processes().find((x) => x.pid === pid);
  return p ? p.start : 0;
}

// Whether pid's environment names this run (false when it is gone or not ours to read).
function tagged(pid, run) {
  try {
    return fs.readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`LYSSNA_TEST_RUN=${run}`);
  } catch {
    return false;
  }
}

// Live (not zombie) members of process group pgid.
function members(pgid) {
  return processes().filter((p) => p.pgid === pgid && p.state !== 'Z');
}

function signalGroup(pgid, sig) {
  try {
    process.kill(-pgid, sig);
  } catch { /* the group is empty */ }
}

// Spawns cmd in a session and process group of its own (detached), recorded for run.js's
// sweep; the group's id is the child's pid.
function spawnGroup(cmd, args, options = {}) {
  const proc = spawn(cmd, args, { ...options, detached: true });
  if (proc.pid)
    record(proc.pid);
  return proc;
}

// Notes group pgid, to be killed when this process exits and by run.js's final sweep.
function record(pgid) {
  live.add(pgid);
  if (RUN)
    fs.appendFileSync(path.join(RUN, 'groups'), `${pgid}\n`);
}

// Ends the group led by proc (a ChildProcess) whatever state it is in: SIGTERM, up to grace
// ms for it to go, then SIGKILL; our ends of its pipes are closed so that nothing keeps this
// process waiting on a grandchild that still holds them.
async function endGroup(proc, grace = 3000) {
  if (!proc || !proc.pid)
    return;
  const pgid = proc.pid;
  for (const [sig, wait] of [['SIGTERM', grace], ['SIGKILL', 2000]]) {
    if (!members(pgid).length)
      break;
    signalGroup(pgid, sig);
    const end = Date.now() + wait;
    while (members(pgid).length && Date.now() < end)
      await sleep(50);
  }
  live.delete(pgid);
  for (const s of proc.stdio || [])
    if (s)
      s.destroy();
}

// Kills (SIGKILL) what run `run` left: processes whose environment names it, and members of the
// groups recorded in its folder that started after the run did (so that a reused id is not
// mistaken for ours). Resolves to the names of those it killed; the groups in `spare` (run.js's
// own sound server and display) are left alone.
async function sweep(run, since, spare = []) {
  let groups = new Set();
  try {
    groups = new Set(fs.readFileSync(path.join(run, 'groups'), 'utf8').split('\n').filter(Boolean).map(Number));
  } catch { /* nothing recorded */ }
  const killed = new Map();
  for (let round = 0; round < 10; round++) {
    const left = processes().filter((p) => p.state !== 'Z' && !spare.includes(p.pgid) &&
      p.pid !== process.pid && ((groups.has(p.pgid) && p.start >= since) || tagged(p.pid, run)));
    if (!left.length)
      break;
    for (const p of left) {
      try {
        process.kill(p.pid, 'SIGKILL');
        killed.set(p.pid, p.comm);
      } catch { /* gone meanwhile */ }
    }
    await sleep(100);
  }
  return [...killed.values()];
}

module.exports = { spawnGroup, record, endGroup, sweep, startOf, exitOnSignals, sleep };
