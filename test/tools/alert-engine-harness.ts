/** An AlertEngine on a fake clock with parsed rules, and a send() that feeds it one message. */
import { AlertEngine } from '../../electron/core/alerts/engine.js';
import { parseRule, type Rule } from '../../electron/core/alerts/rule.js';
import type { AlertMessage } from '../../electron/core/alerts/types.js';

/** A local-time base so quiet-hour tests mean the same in every time zone: 2024-03-05 12:00. */
export const NOON = new Date(2024, 2, 5, 12, 0, 0).getTime();

export function setup(rules: unknown[], maxPerMinute?: number) {
  const clock = {
    t: NOON,
    now() {
      return this.t;
    },
  };
  const engine = new AlertEngine({ clock, ...(maxPerMinute ? { maxPerMinute } : {}) });
  const parsed: Rule[] = rules.map((r, i) =>
    parseRule({ id: `r${i}`, name: `rule ${i}`, topicFilter: 'home/#', cooldownSeconds: 0, ...(r as object) }),
  );
  engine.setRules(parsed);
  let seq = 0;
  const send = (topic: string, payload: unknown, profileId = 'p1') => {
    const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const msg: AlertMessage = { id: ++seq, profileId, topic, receivedAt: clock.t, text, json };
    return engine.evaluate(msg);
  };
  return { clock, engine, send };
}

export const fires = (alerts: unknown[]) => alerts.length;
