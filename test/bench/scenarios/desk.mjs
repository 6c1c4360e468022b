/**
 * Figures 2–5, on one headless host (`apiary serve`, its own process) and one Chromium page:
 *   startup  host spawn → the first demo reading visible in the log
 *   ui       10,000 msg/s across 10,000 topics (tree layout flood/dNN/sNN): rAF fps, long tasks, input
 *            latency typing in the log filter, expanding the topic tree and clicking topics in it
 *   memory   host RSS and the page's JS heap sampled while N messages arrive (budgets: see README)
 *   large    1 MB and 10 MB payloads: publish → row in the log → opened, whole payload shown
 * The load always comes from flood.mjs (its own process) through Mosquitto, never from this process.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { connectApi, startHostProcess } from '../lib/host-api.mjs';
import { benchDir, rssMb, sleep, startChild } from '../lib/proc.mjs';
import { median, percentile } from '../lib/stats.mjs';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
const PROFILE_NAME = 'Bench flood';
/** clicks per kind in the input measurement: with 5 or 6, the p95 was the slowest click */
const TREE_CLICKS = 12;
const TOPIC_CLICKS = 10;

function startFlood(broker, cfg) {
  return startChild(path.join(benchDir, 'children', 'flood.mjs'), { url: broker.url, ...cfg }, { maxMs: ((cfg.seconds ?? 60) + 60) * 1000 });
}

async function go(flood) {
  await flood.waitFor((m) => m.type === 'ready', 15_000, 'ready');
  flood.send({ go: true });
  return flood.waitFor((m) => m.type === 'started', 5000, 'start');
}

/** The first visible locator among candidates, or null: the desk is still being built, so be lenient. */
async function firstVisible(candidates, ms = 3000) {
  const deadline = Date.now() + ms;
  do {
    for (const c of candidates) {
      const l = c.first();
      if (await l.isVisible().catch(() => false)) return l;
    }
    await sleep(100);
  } while (Date.now() < deadline);
  return null;
}

/** The desk has screens (tabs); the log is one of them. Returns false when there is no Log tab. */
async function openScreen(page, name) {
  const tab = await firstVisible([page.getByRole('tab', { name: new RegExp(`^${name}$`, 'i') })], 500);
  if (tab && (await tab.getAttribute('aria-selected')) !== 'true') await tab.click();
  return !!tab;
}

async function pageTime(page) {
  return page.evaluate(() => window.__bench.now());
}

async function collect(page, from, to) {
  return page.evaluate(([a, b]) => window.__bench.collect(a, b), [from, to]);
}

async function heapMb(cdp, gc = false) {
  if (gc) await cdp.send('HeapProfiler.collectGarbage').catch(() => undefined);
  const { metrics } = await cdp.send('Performance.getMetrics');
  const used = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value;
  return used === undefined ? NaN : used / (1024 * 1024);
}

/** Startup: from the host's spawn (t0) to its URL, then to the first demo reading on screen. */
async function measureStartup(page, host, t0) {
  const url = await host.ready(30_000);
  const urlMs = Date.now() - t0;
  await page.goto(url);
  await page.locator('[data-topic^="demo/"]').first().waitFor({ state: 'visible', timeout: 30_000 });
  return { url, urlMs, startupMs: Date.now() - t0 };
}

async function addFloodProfile(url, broker) {
  const api = await connectApi(url);
  try {
    const profile = await api.call('profiles.save', {
      name: PROFILE_NAME,
      kind: 'mqtt',
      url: broker.url,
      subscriptions: ['flood/#', 'large/#'],
      autoConnect: false,
      secretMode: 'ask',
    });
    await api.call('sessions.connect', { profileId: profile.id });
    for (let i = 0; i < 100; i++) {
      const sessions = await api.call('sessions.list');
      if (sessions.find((s) => s.profileId === profile.id)?.status === 'connected') return profile;
      await sleep(100);
    }
    throw new Error('the bench profile did not connect to Mosquitto in 10 s');
  } finally {
    api.close();
  }
}

/** Typing in the log's topic filter under flood; returns [] and a reason when the field is missing. */
async function typeInFilter(page) {
  await openScreen(page, 'log');
  const field = await firstVisible([
    page.getByRole('textbox', { name: /topic filter/i }),
    page.getByPlaceholder(/topic filter/i),
    page.locator('input[aria-label*="filter" i]'),
  ]);
  if (!field) return { na: 'no log filter field (textbox "Topic filter") on the page' };
  await field.click();
  for (const text of ['flood/d1', 'flood/d42/#']) {
    await field.fill('');
    await page.keyboard.type(text, { delay: 90 });
    await sleep(400); // the filter query runs 250 ms after the last key: let it land under load too
  }
  await field.fill('');
  await sleep(400);
  return { keys: 'flood/d1'.length + 'flood/d42/#'.length };
}

/**
 * Expanding the topic tree under flood: click Expand/Collapse on the flood branch 12 times (an even count: the
 * tree ends as it was). Enough clicks that the p95 is not simply the slowest of five.
 */
async function expandTree(page) {
  // the tree sits in the left column; older layouts showed it on the Explorer screen only
  if (!(await firstVisible([page.getByRole('region', { name: /topic tree/i })], 300))) await openScreen(page, 'explorer');
  const select = await firstVisible(
    [page.getByRole('button', { name: new RegExp(PROFILE_NAME, 'i') }), page.getByTitle(new RegExp(`Show ${PROFILE_NAME}`, 'i'))],
    1500,
  );
  if (select) await select.click();
  const tree = await firstVisible(
    [page.getByRole('region', { name: /topic tree/i }), page.getByRole('listbox', { name: /^topics/i }), page.getByRole('tree')],
    3000,
  );
  if (!tree) return { na: 'no topic tree (region "Topic tree") on the page yet' };
  let clicks = 0;
  for (let i = 0; i < TREE_CLICKS; i++) {
    const caret = await firstVisible([tree.getByRole('button', { name: /^(expand|collapse)$/i }), tree.locator('[aria-expanded]')], 2000);
    if (!caret) return clicks ? { clicks } : { na: 'the topic tree shows no expandable node' };
    await caret.click();
    clicks++;
    await sleep(350);
  }
  return { clicks };
}

/**
 * Clicking topics in the tree under flood (opens each in the Explorer): ten different rows, the first of which
 * switches the Log screen to the Explorer.
 */
async function clickTopics(page) {
  const tree = await firstVisible([page.getByRole('region', { name: /topic tree/i })], 1000);
  if (!tree) return { na: 'no topic tree (region "Topic tree") on the page' };
  let clicks = 0;
  for (let i = 0; i < TOPIC_CLICKS; i++) {
    const item = tree.getByRole('treeitem').nth(1 + i);
    if (!(await item.isVisible().catch(() => false))) break;
    // the row's name, not its caret: a click on the caret would fold instead
    await item.locator('.name').click();
    clicks++;
    await sleep(350);
  }
  return clicks ? { clicks } : { na: 'the topic tree shows no row to click' };
}

async function measureUi(page, broker, url, { seconds, profiler }) {
  const storedBefore = await storedCount(url);
  const flood = startFlood(broker, { topics: 10_000, prefix: 'flood', layout: 'tree', size: 100, rate: 10_000, count: 10_000 * (seconds + 20), seconds: seconds + 20 });
  try {
    // long enough to cover typing, tree and topic clicks (~15 s here) even in a quick run; stopped after
    await go(flood);
    await sleep(1500); // the first 10,000 topics appear: the tree's worst moment is part of the flood
    if (profiler) await profiler.start();
    const from = await pageTime(page);
    const typing = await typeInFilter(page);
    const treeFrom = await pageTime(page);
    const tree = await expandTree(page);
    const topicFrom = await pageTime(page);
    const topics = await clickTopics(page);
    const left = seconds * 1000 - ((await pageTime(page)) - from);
    if (left > 0) await sleep(left);
    const to = await pageTime(page);
    if (profiler) await profiler.stop('ui-flood');
    const got = await collect(page, from, to);
    // what the host really took in during the flood (the store's ids), so a stalled flood cannot pass for a calm UI
    const arrived = (await storedCount(url)) - storedBefore;
    const latencies = got.inputs.map((i) => i.latency);
    const keyLat = got.inputs.filter((i) => i.type === 'keydown').map((i) => i.latency);
    const clickLat = got.inputs.filter((i) => i.type === 'pointerdown' && i.start >= treeFrom && i.start < topicFrom).map((i) => i.latency);
    const topicLat = got.inputs.filter((i) => i.type === 'pointerdown' && i.start >= topicFrom).map((i) => i.latency);
    return {
      fpsMedian: median(got.perSecond),
      fpsMin: Math.min(...got.perSecond),
      worstFrameMs: got.worstFrameMs,
      longestTaskMs: got.longtaskSupported ? Math.max(0, ...got.longtasks.map((t) => t.duration)) : NaN,
      longTasks: got.longtasks.length,
      inputP95: percentile(latencies, 95),
      typingP95: typing.na ? NaN : percentile(keyLat, 95),
      treeP95: tree.na ? NaN : percentile(clickLat, 95),
      topicP95: topics.na ? NaN : percentile(topicLat, 95),
      inputs: latencies.length,
      slowEvents: got.events.length,
      worstEventMs: Math.max(0, ...got.events.map((e) => e.duration)),
      typingNa: typing.na,
      treeNa: tree.na,
      topicNa: topics.na,
      // every sample, rounded, for the progress log: which input was slow, not only the p95
      samples: { typing: keyLat.map(Math.round), tree: clickLat.map(Math.round), topic: topicLat.map(Math.round) },
      seconds: (to - from) / 1000,
      arrived,
    };
  } finally {
    await flood.stop();
  }
}

async function storedCount(url) {
  const api = await connectApi(url);
  try {
    const [last] = await api.call('messages.query', { limit: 1 });
    return last?.id ?? 0;
  } finally {
    api.close();
  }
}

/** Memory: host RSS (from /proc) and the page's JS heap, sampled while `count` messages arrive. */
async function measureMemory(page, cdp, broker, host, url, { count, rate }) {
  const before = await storedCount(url);
  const seconds = Math.ceil(count / rate) + 5;
  const flood = startFlood(broker, { topics: 10_000, prefix: 'flood', layout: 'tree', size: 100, rate, count, seconds });
  const samples = [];
  try {
    const started = await go(flood);
    let done = null;
    flood.waitFor((m) => m.type === 'done', (seconds + 30) * 1000, 'end').then((d) => (done = d), () => undefined);
    const deadline = Date.now() + (seconds + 40) * 1000;
    let quietSince = 0;
    let lastStored = -1;
    while (Date.now() < deadline) {
      await sleep(1000);
      const sample = { t: (Date.now() - started.at) / 1000, rss: rssMb(host.pid), heap: await heapMb(cdp) };
      samples.push(sample);
      if (done) {
        // the flood is over: wait for the host to finish what Mosquitto delivered (bounded above)
        const stored = await storedCount(url);
        sample.stored = stored - before;
        // quiet = only the demo sensor's 2 msg/s still arriving
        if (stored - lastStored < 20) quietSince ||= Date.now();
        else quietSince = 0;
        lastStored = stored;
        if (quietSince && Date.now() - quietSince >= 1500) break;
      }
    }
    const stored = (await storedCount(url)) - before;
    const heapAfterGc = await heapMb(cdp, true);
    const rss = samples.map((s) => s.rss);
    const heap = samples.map((s) => s.heap);
    // V8 collects in a sawtooth (±50 MB here): compare the troughs — the live size — of the middle and the
    // last third of the run, when every budget that can fill (UI window, batch bound, topics) is full
    const third = Math.floor(samples.length / 3);
    const troughGrowth = (v) => (v.length >= 6 ? Math.min(...v.slice(2 * third)) - Math.min(...v.slice(third, 2 * third)) : NaN);
    return {
      sent: done?.sent ?? NaN,
      stored,
      coreRssMb: rssMb(host.pid),
      coreRssPeakMb: Math.max(...rss),
      coreRssGrowthMb: troughGrowth(rss),
      heapMb: heapAfterGc,
      heapPeakMb: Math.max(...heap),
      heapGrowthMb: troughGrowth(heap),
      samples: samples.map((s) => [Math.round(s.t), Math.round(s.rss), Math.round(s.heap * 10) / 10]),
    };
  } finally {
    await flood.stop();
  }
}

/** One big payload: publish → its row in the log → opened → whole payload shown ("Show all"). */
async function measureLarge(page, broker, size, label) {
  const topic = `large/${label}`;
  await openScreen(page, 'log');
  const flood = startFlood(broker, { single: { topic }, size, seconds: 60 });
  try {
    await flood.waitFor((m) => m.type === 'ready', 15_000, 'ready');
    const from = await pageTime(page);
    const t0 = Date.now();
    flood.send({ go: true });
    // the log's row, not the tree's node of the same topic
    const row = page.getByRole('listbox', { name: /^messages$/i }).locator(`[data-topic="${topic}"]`).first();
    await row.waitFor({ state: 'visible', timeout: 60_000 });
    const rowMs = Date.now() - t0;
    await row.click();
    const detail = page.getByRole('region', { name: /message detail/i });
    await detail.waitFor({ state: 'visible', timeout: 30_000 });
    const showAll = detail.getByRole('button', { name: /^show all/i });
    let na;
    if (await showAll.isVisible().catch(() => false)) {
      await showAll.click();
      await showAll.waitFor({ state: 'detached', timeout: 60_000 });
    } else na = 'no "Show all" button: only the preview was shown';
    // the text view's first line is on screen
    await detail.getByRole('listbox').or(detail.getByRole('list')).first().waitFor({ state: 'visible', timeout: 30_000 });
    const showMs = Date.now() - t0;
    await sleep(300);
    const to = await pageTime(page);
    const got = await collect(page, from, to);
    const close = await firstVisible([detail.getByRole('button', { name: /close detail/i })], 500);
    if (close) await close.click();
    return { rowMs, showMs, openMs: showMs - rowMs, longestTaskMs: Math.max(0, ...got.longtasks.map((t) => t.duration)), na };
  } finally {
    await flood.stop();
  }
}

/** A renderer CPU profile over CDP (same format as node --cpu-prof), when --profile is given. */
function rendererProfiler(cdp, dir) {
  if (!dir) return null;
  return {
    async start() {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.start');
    },
    async stop(name) {
      const { profile } = await cdp.send('Profiler.stop');
      fs.writeFileSync(path.join(dir, `renderer-${name}.cpuprofile`), JSON.stringify(profile));
    },
  };
}

export async function runDesk({ broker, quick, uiSeconds, memCount, memRate, profileDir, log }) {
  const result = {};
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, timeout: 30_000 });
  let host = null;
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.addInitScript({ path: path.join(benchDir, 'lib', 'page-probe.js') });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const profiler = rendererProfiler(cdp, profileDir);

    // the clock starts at the spawn, with the browser already open (as a user's would be)
    const spawnedAt = Date.now();
    host = startHostProcess({ nodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [] });
    const startup = await measureStartup(page, host, spawnedAt);
    result.startup = startup;
    log(`  startup: URL after ${startup.urlMs} ms, first demo reading on screen after ${startup.startupMs} ms`);

    await addFloodProfile(startup.url, broker);
    result.ui = await measureUi(page, broker, startup.url, { seconds: uiSeconds, profiler });
    log(`  ui: ${result.ui.fpsMedian} fps median, longest task ${Math.round(result.ui.longestTaskMs)} ms, input p95 ${Math.round(result.ui.inputP95)} ms (${result.ui.inputs} inputs), ${result.ui.arrived.toLocaleString('en-US')} messages stored meanwhile`);
    log(`  input ms: typing ${result.ui.samples.typing.join(' ')} | tree ${result.ui.samples.tree.join(' ')} | topic ${result.ui.samples.topic.join(' ')}`);

    result.memory = await measureMemory(page, cdp, broker, host, startup.url, { count: memCount, rate: memRate });
    log(`  memory: ${result.memory.stored.toLocaleString('en-US')} stored, host RSS ${Math.round(result.memory.coreRssMb)} MB (growth ${result.memory.coreRssGrowthMb?.toFixed(1)} MB), page heap ${result.memory.heapMb.toFixed(1)} MB`);

    await sleep(quick ? 500 : 1500);
    result.large1 = await measureLarge(page, broker, 1024 * 1024, '1mb');
    log(`  large 1 MB: row after ${result.large1.rowMs} ms, whole payload shown after ${result.large1.showMs} ms`);
    result.large10 = await measureLarge(page, broker, 10 * 1024 * 1024, '10mb');
    log(`  large 10 MB: row after ${result.large10.rowMs} ms, whole payload shown after ${result.large10.showMs} ms`);
    return result;
  } finally {
    await browser.close().catch(() => undefined);
    await host?.stop();
  }
}
