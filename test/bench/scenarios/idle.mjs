/**
 * Issue 19, goal 2: an idle tray app stays light. `apiary serve` (the headless host: the same core as the
 * tray app, its built-in sandbox and demo sensor on, as a user runs it) with three idle sessions to Mosquitto
 * (subscribed, no traffic on their topics) and no page attached (the window closed). Its RSS is sampled every
 * second for `seconds`, after a settling minute is skipped in the full run.
 *
 * Not compressed with a fake clock: the core's timers (keepalives, the demo sensor, stats) run on the real
 * clock in a separate process, and faking it there would measure something else. The trend over the window
 * (MB per minute, from the troughs) is printed instead, so an hour can be extrapolated honestly.
 */
import { connectApi, startHostProcess } from '../lib/host-api.mjs';
import { rssMb, sleep } from '../lib/proc.mjs';

export async function runIdle({ broker, seconds, settleSeconds, log }) {
  const spawnedAt = Date.now();
  const host = startHostProcess();
  try {
    const url = await host.ready(30_000);
    const api = await connectApi(url);
    try {
      for (let i = 0; i < 3; i++) {
        const profile = await api.call('profiles.save', {
          name: `Idle ${i + 1}`,
          kind: 'mqtt',
          url: broker.url,
          subscriptions: [`idle/${i}/#`],
          autoConnect: true,
          secretMode: 'ask',
        });
        await api.call('sessions.connect', { profileId: profile.id });
      }
      for (let i = 0; i < 100; i++) {
        const sessions = await api.call('sessions.list');
        if (sessions.filter((s) => s.status === 'connected').length >= 3) break;
        await sleep(100);
      }
      const sessions = (await api.call('sessions.list')).filter((s) => s.status === 'connected').length;
      api.close();
      log(`  idle: ${sessions} sessions connected, no page attached; settling ${settleSeconds} s, then sampling RSS for ${seconds} s`);
      await sleep(settleSeconds * 1000);
      const samples = [];
      for (let s = 0; s < seconds; s++) {
        await sleep(1000);
        samples.push(rssMb(host.pid));
      }
      const third = Math.max(1, Math.floor(samples.length / 3));
      const firstTrough = Math.min(...samples.slice(0, third));
      const lastTrough = Math.min(...samples.slice(-third));
      const minutes = (samples.length - third) / 60;
      return {
        rssMb: samples.at(-1),
        rssPeakMb: Math.max(...samples),
        trendMbPerMin: minutes > 0 ? (lastTrough - firstTrough) / minutes : NaN,
        sessions,
        seconds,
        uptimeS: (Date.now() - spawnedAt) / 1000,
      };
    } finally {
      api.close();
    }
  } finally {
    await host.stop();
  }
}
